//! PBKDF2-SHA256 hashes of passwords and PINs in the PHC string format
//! `$pbkdf2-sha256$i=ITERATIONS$SALT$HASH` (standard base64 without padding), so a tablet can
//! check a PIN offline with the same code the server used to hash it.

use std::num::NonZeroU32;

use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine;
use ring::pbkdf2;

use crate::ModelError;

/// Iterations for web passwords (OWASP's current figure for PBKDF2-HMAC-SHA256).
pub const PASSWORD_ITERATIONS: u32 = 600_000;
/// Iterations for kiosk PINs: checked on a tablet at every identification, so it must stay
/// well under a tenth of a second there; the PIN lockout carries the rest of the defence.
pub const PIN_ITERATIONS: u32 = 100_000;
/// The most iterations a hash may ask for; bounds the work a crafted roster can cause.
pub const MAX_ITERATIONS: u32 = 10_000_000;

const ALG: &str = "pbkdf2-sha256";

/// Hashes `secret` with `salt` (at least 16 random bytes) into a PHC string.
pub fn hash(secret: &str, salt: &[u8], iterations: u32) -> String {
    let iters = NonZeroU32::new(iterations.max(1)).unwrap_or(NonZeroU32::MIN);
    let mut out = [0u8; 32];
    pbkdf2::derive(pbkdf2::PBKDF2_HMAC_SHA256, iters, salt, secret.as_bytes(), &mut out);
    format!(
        "${ALG}$i={}${}${}",
        iters.get(),
        STANDARD_NO_PAD.encode(salt),
        STANDARD_NO_PAD.encode(out)
    )
}

/// Checks `secret` against a PHC string in constant time.
pub fn verify(secret: &str, phc: &str) -> Result<bool, ModelError> {
    let parsed = parse(phc)?;
    let iters = NonZeroU32::new(parsed.iterations).ok_or(ModelError::MalformedHash("zero iterations"))?;
    Ok(pbkdf2::verify(pbkdf2::PBKDF2_HMAC_SHA256, iters, &parsed.salt, secret.as_bytes(), &parsed.hash).is_ok())
}

/// The parts of a PHC string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phc {
    pub iterations: u32,
    pub salt: Vec<u8>,
    pub hash: Vec<u8>,
}

/// Parses a `$pbkdf2-sha256$i=…$salt$hash` string.
pub fn parse(phc: &str) -> Result<Phc, ModelError> {
    let mut parts = phc.split('$');
    if parts.next() != Some("") || parts.next() != Some(ALG) {
        return Err(ModelError::MalformedHash("expected $pbkdf2-sha256$"));
    }
    let iterations = parts
        .next()
        .and_then(|p| p.strip_prefix("i="))
        .and_then(|p| p.split(',').next())
        .and_then(|p| p.parse::<u32>().ok())
        .filter(|i| (1..=MAX_ITERATIONS).contains(i))
        .ok_or(ModelError::MalformedHash("bad iteration count"))?;
    let salt = parts
        .next()
        .and_then(|s| STANDARD_NO_PAD.decode(s).ok())
        .filter(|s| !s.is_empty())
        .ok_or(ModelError::MalformedHash("bad salt"))?;
    let hash = parts
        .next()
        .and_then(|s| STANDARD_NO_PAD.decode(s).ok())
        .filter(|h| h.len() >= 16)
        .ok_or(ModelError::MalformedHash("bad hash"))?;
    if parts.next().is_some() {
        return Err(ModelError::MalformedHash("trailing fields"));
    }
    Ok(Phc { iterations, salt, hash })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_secret_and_nothing_else() {
        let h = hash("1234", b"0123456789abcdef", 1000);
        assert!(h.starts_with("$pbkdf2-sha256$i=1000$"));
        assert!(verify("1234", &h).unwrap());
        assert!(!verify("1235", &h).unwrap());
        assert!(!verify("", &h).unwrap());
    }

    #[test]
    fn rfc_7914_style_known_answer() {
        // PBKDF2-HMAC-SHA256("password", "salt", 1, 32) from RFC 7914 §11 / common test vectors.
        let h = hash("password", b"salt", 1);
        let p = parse(&h).unwrap();
        assert_eq!(hex::encode(p.hash), "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b");
    }

    #[test]
    fn malformed_strings_are_refused_not_panicked_on() {
        for bad in ["", "$", "$md5$i=1$c2FsdA$aGFzaA", "$pbkdf2-sha256$i=0$c2FsdA$aGFzaGhhc2hoYXNoaGFzaA",
                    "$pbkdf2-sha256$1000$c2FsdA$aGFzaA", "$pbkdf2-sha256$i=99999999999$c2FsdA$aGFzaA",
                    "$pbkdf2-sha256$i=10$!!$aGFzaA", "$pbkdf2-sha256$i=10$c2FsdA$aGFzaA$x"] {
            assert!(verify("x", bad).is_err(), "{bad}");
        }
    }
}
