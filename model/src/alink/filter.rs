//! MQTT topic filters (`+`, `#`): syntax and matching, as the broker applies them.

use super::topic::{TopicError, MAX_TOPIC_LEN};

/// Checks a SUBSCRIBE filter: absolute, at most [`MAX_TOPIC_LEN`] bytes, no empty levels
/// (Alink never uses them), `+`/`#` only as whole levels and `#` only last.
pub fn validate_filter(filter: &str) -> Result<(), TopicError> {
    if filter.is_empty() {
        return Err(TopicError::Empty);
    }
    if filter.len() > MAX_TOPIC_LEN {
        return Err(TopicError::TooLong);
    }
    let Some(rest) = filter.strip_prefix('/') else { return Err(TopicError::NotAbsolute) };
    let levels: Vec<&str> = rest.split('/').collect();
    for (i, l) in levels.iter().enumerate() {
        if l.is_empty() {
            return Err(TopicError::EmptyLevel);
        }
        let wild = l.contains(['+', '#']);
        if wild && *l != "+" && *l != "#" {
            return Err(TopicError::Wildcard);
        }
        if *l == "#" && i + 1 != levels.len() {
            return Err(TopicError::Wildcard);
        }
    }
    Ok(())
}

/// Whether `filter` has a `+` or `#` level.
pub fn has_wildcard(filter: &str) -> bool {
    filter.split('/').any(|l| l == "+" || l == "#")
}

/// MQTT 3.1.1 matching of a topic name against a filter (`/a/#` also matches `/a`).
pub fn filter_matches(filter: &str, topic: &str) -> bool {
    let mut f = filter.split('/');
    let mut t = topic.split('/');
    loop {
        match (f.next(), t.next()) {
            (Some("#"), _) => return true,
            (None, None) => return true,
            (Some("+"), Some(_)) => {}
            (Some(a), Some(b)) if a == b => {}
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax() {
        for ok in ["/a", "/a/+", "/a/#", "/+/+/b", "/#", "/a/+/c/#"] {
            assert_eq!(validate_filter(ok), Ok(()), "{ok}");
        }
        for bad in ["", "#", "a/b", "/a/#/b", "/a/b#", "/a/+b", "/a//b", "/a/"] {
            assert!(validate_filter(bad).is_err(), "{bad}");
        }
        assert!(has_wildcard("/a/+/b") && has_wildcard("/a/#") && !has_wildcard("/a+/b"));
    }

    #[test]
    fn matching() {
        assert!(filter_matches("/sys/p/d/#", "/sys/p/d/thing/x"));
        assert!(filter_matches("/sys/p/d/#", "/sys/p/d"));
        assert!(filter_matches("/sys/p/d/thing/service/+", "/sys/p/d/thing/service/Reboot"));
        assert!(!filter_matches("/sys/p/d/thing/service/+", "/sys/p/d/thing/service/property/set"));
        assert!(!filter_matches("/sys/p/d/#", "/sys/p/d2/thing"));
        assert!(!filter_matches("/sys/p/d", "/sys/p/d/x"));
        assert!(filter_matches("/ext/rrpc/+/sys/p/d/thing/service/+", "/ext/rrpc/1/sys/p/d/thing/service/A"));
    }
}
