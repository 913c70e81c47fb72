//! The alphabets of the values a topic carries (ProductKey, DeviceName, identifiers, ids, custom
//! levels). Parsing accepts a level only if it fits, which is what keeps parse and format inverse.

/// First levels used by system topics; a ProductKey equal to one of them would make a custom
/// topic `/{pk}/{dn}/user/...` look like a system one, so they are not ProductKeys.
pub const RESERVED_FIRST_LEVELS: &[&str] = &["sys", "ext", "ota", "shadow"];

/// ProductKey as it may appear in a topic: 1–32 ASCII letters/digits, not a reserved first level.
/// (The registry asks for 6–32 on creation; being lenient here keeps parsing independent of it.)
pub fn is_product_key(s: &str) -> bool {
    (1..=32).contains(&s.len())
        && s.bytes().all(|b| b.is_ascii_alphanumeric())
        && !RESERVED_FIRST_LEVELS.iter().any(|r| r.eq_ignore_ascii_case(s))
}

/// DeviceName as it may appear in a topic: 1–32 of letters, digits and `-_@.:`
/// (Alibaba's alphabet; the registry enforces the 4-character minimum).
pub fn is_device_name(s: &str) -> bool {
    (1..=32).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_@.:".contains(&b))
}

/// TSL identifier in a topic: 1–64 of letters, digits, `_` and `:` (`module:identifier`).
pub fn is_identifier(s: &str) -> bool {
    (1..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b':')
}

/// rrpcId / classic RRPC messageId: 1–64 of letters, digits, `_` and `-`.
pub fn is_message_id(s: &str) -> bool {
    (1..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// One level of a custom topic path: 1–64 of letters, digits, `_`, `-`, `.`, but not only dots
/// (MQTT has no `..`, yet a level named like that only invites confusion downstream).
pub fn is_custom_level(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b))
        && !s.bytes().all(|b| b == b'.')
}
