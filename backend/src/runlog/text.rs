//! Payload and text cutting shared by the run log, the live lane and the router: what a person
//! reads is bounded, and binary payloads are shown as base64.

use base64::Engine;

/// Run-log content longer than this is cut (the run log is for reading, not archiving).
pub const MAX_LOG_CONTENT: usize = 8 * 1024;
/// Payload text on the live bus is cut at this length.
pub const MAX_LIVE_PAYLOAD: usize = 4 * 1024;
/// An attacker-controlled string in a refusal or session entry (clientId, topic, username) is
/// cut to this: enough to recognise it, too little to fill a disk with.
pub const MAX_UNTRUSTED: usize = 256;

/// An attacker-controlled string, cut to [`MAX_UNTRUSTED`] bytes (saying so).
pub fn untrusted(s: &str) -> String {
    truncate(s, MAX_UNTRUSTED)
}

/// Payload as text for logs and the browser: UTF-8 as is, anything else as `base64:…`.
pub fn payload_text(payload: &[u8]) -> String {
    match std::str::from_utf8(payload) {
        Ok(s) => s.to_string(),
        Err(_) => format!("base64:{}", base64::engine::general_purpose::STANDARD.encode(payload)),
    }
}

/// `s` cut to at most `max` bytes on a character boundary, saying so when cut.
pub fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… [truncated, {} bytes in all]", &s[..end], s.len())
}

/// Run-log content for a payload.
pub fn log_content(payload: &[u8]) -> String {
    text_cut(payload, MAX_LOG_CONTENT)
}

/// Payload text of at most about `max` bytes; only that part is converted (a 1 MB payload is
/// not base64'd whole).
pub fn text_cut(payload: &[u8], max: usize) -> String {
    if payload.len() <= max {
        return payload_text(payload);
    }
    let cut = &payload[..max];
    let head = match std::str::from_utf8(cut) {
        Ok(s) => s.to_string(),
        // Cut inside a multi-byte character: drop the partial character.
        Err(e) if e.error_len().is_none() => String::from_utf8_lossy(&cut[..e.valid_up_to()]).into_owned(),
        Err(_) => payload_text(cut),
    };
    format!("{head}… [truncated, {} bytes in all]", payload.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_is_said_and_char_safe() {
        let s = "é".repeat(10);
        let t = truncate(&s, 5);
        assert!(t.starts_with("éé…"), "{t}");
        assert!(t.contains("20 bytes"));
        assert_eq!(truncate("abc", 5), "abc");
        let big = vec![b'a'; MAX_LOG_CONTENT * 3];
        let c = log_content(&big);
        assert!(c.len() < MAX_LOG_CONTENT + 100);
        assert!(c.contains("truncated"));
        assert!(payload_text(&[0xff, 0]).starts_with("base64:"));
    }
}
