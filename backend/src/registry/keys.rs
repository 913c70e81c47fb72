//! Generated identifiers and secrets, in Alibaba's shapes so SDK-side length checks pass.

use rand::distributions::Alphanumeric;
use rand::Rng;

fn alnum(n: usize) -> String {
    rand::thread_rng().sample_iter(&Alphanumeric).take(n).map(char::from).collect()
}

/// 11 characters starting with a letter, like `a1B2c3D4e5F`.
pub fn product_key() -> String {
    let first = (b'a' + rand::thread_rng().gen_range(0..26)) as char;
    format!("{first}{}", alnum(10))
}

/// 32 characters, as Alibaba's DeviceSecrets.
pub fn device_secret() -> String {
    alnum(32)
}

/// 16 characters, as Alibaba's ProductSecrets.
pub fn product_secret() -> String {
    alnum(16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_pass_the_registry_rules() {
        for _ in 0..100 {
            assert!(model::registry::validate_product_key(&product_key()).is_ok());
            assert!(model::registry::validate_secret(&device_secret()).is_ok());
            assert!(model::registry::validate_secret(&product_secret()).is_ok());
        }
        assert_ne!(device_secret(), device_secret());
    }
}
