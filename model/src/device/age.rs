//! How old a value is, in words, and when the page stops presenting it as current.

use super::Locale;

/// A value older than this on an **online** device is shown as stale (muted, marked). Devices
/// that post periodically do so every few seconds to minutes, so 15 minutes without a new value
/// means this property is not being reported any more (or only on change): the number may still
/// be right, but it is not a fresh reading. On an offline device every value is stale,
/// whatever its age: nothing confirms it now.
pub const STALE_AFTER_MS: i64 = 15 * 60 * 1000;

/// Whether a value stamped `value_time` should look stale at `now`. `online_since` is when the
/// device's current connection began (`None` while it is offline). A value from before that
/// connection is stale too: it was last confirmed by a session that has ended. The stamp is
/// trusted as the age is (the device's time when it sent one): a device whose clock runs
/// behind looks older than it is in both, which is visible and fixable on the device.
pub fn is_stale(online_since: Option<i64>, value_time: i64, now: i64) -> bool {
    match online_since {
        None => true,
        Some(since) => value_time < since || now - value_time > STALE_AFTER_MS,
    }
}

/// "just now", "42 s ago", "5 min ago", "3 h ago", "2 d ago" (and the Chinese forms). Rounds
/// down, like a clock: 119 s is "1 min ago". A time in the future (the device's clock runs
/// ahead) reads "just now" rather than a negative age.
pub fn ago(age_ms: i64, locale: Locale) -> String {
    let s = age_ms.max(0) / 1000;
    let (n, en, zh) = match s {
        0..=4 => {
            return match locale {
                Locale::En => "just now".into(),
                Locale::Zh => "刚刚".into(),
            }
        }
        5..=59 => (s, "s", "秒"),
        60..=3_599 => (s / 60, "min", "分钟"),
        3_600..=86_399 => (s / 3_600, "h", "小时"),
        _ => (s / 86_400, "d", "天"),
    };
    match locale {
        Locale::En => format!("{n} {en} ago"),
        Locale::Zh => format!("{n} {zh}前"),
    }
}
