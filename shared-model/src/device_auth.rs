//! The device request signature of PROTOCOL.md: Ed25519 over a canonical base string.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::digest;
use ring::signature::{self, Ed25519KeyPair, KeyPair, UnparsedPublicKey};

use crate::ModelError;

/// Header carrying the device id.
pub const HEADER_DEVICE_ID: &str = "x-device-id";
/// Header carrying the RFC 3339 UTC time of signing.
pub const HEADER_TIMESTAMP: &str = "x-timestamp";
/// Header carrying the base64url Ed25519 signature.
pub const HEADER_SIGNATURE: &str = "x-signature";
/// The largest accepted distance between `X-Timestamp` and server time, in seconds.
pub const MAX_CLOCK_SKEW_S: i64 = 300;

/// The bytes a device signs: `stampclock-v1\nMETHOD\nPATH_AND_QUERY\nTIMESTAMP\nhex(sha256(body))`.
pub fn base_string(method: &str, path_and_query: &str, timestamp: &str, body: &[u8]) -> String {
    let body_hash = hex::encode(digest::digest(&digest::SHA256, body));
    format!("stampclock-v1\n{method}\n{path_and_query}\n{timestamp}\n{body_hash}")
}

/// The length of an Ed25519 signature in bytes.
pub const SIGNATURE_BYTES: usize = 64;

/// Verifies a signature against a base64url 32-byte public key and answers the decoded
/// signature bytes, the one form a replay check may key on.
///
/// Only the canonical spelling is accepted: base64url **without** padding, no whitespace, no
/// non-zero trailing bits, exactly 64 bytes. Any other spelling of the same bytes (a `=`
/// appended, say) is refused, so a captured request cannot pass as new under a second text.
pub fn verify(public_key_b64: &str, base: &str, signature_b64: &str) -> Result<[u8; SIGNATURE_BYTES], ModelError> {
    let key = decode_public_key(public_key_b64)?;
    let sig = decode_signature(signature_b64)?;
    UnparsedPublicKey::new(&signature::ED25519, key)
        .verify(base.as_bytes(), &sig)
        .map_err(|_| ModelError::Malformed { what: "signature", why: "does not verify".into() })?;
    Ok(sig)
}

/// Decodes the canonical base64url (unpadded) spelling of a 64-byte signature.
pub fn decode_signature(signature_b64: &str) -> Result<[u8; SIGNATURE_BYTES], ModelError> {
    let bytes = URL_SAFE_NO_PAD.decode(signature_b64).map_err(|e| ModelError::Malformed {
        what: "signature",
        why: format!("not canonical unpadded base64url: {e}"),
    })?;
    <[u8; SIGNATURE_BYTES]>::try_from(bytes.as_slice()).map_err(|_| ModelError::Malformed {
        what: "signature",
        why: format!("{} bytes, expected {SIGNATURE_BYTES}", bytes.len()),
    })
}

/// Decodes and length-checks a base64url Ed25519 public key.
pub fn decode_public_key(public_key_b64: &str) -> Result<Vec<u8>, ModelError> {
    let key = URL_SAFE_NO_PAD
        .decode(public_key_b64.trim_end_matches('='))
        .map_err(|e| ModelError::Malformed { what: "public key", why: e.to_string() })?;
    if key.len() != 32 {
        return Err(ModelError::Malformed { what: "public key", why: format!("{} bytes, expected 32", key.len()) });
    }
    Ok(key)
}

/// A device's signing key, kept as its PKCS#8 document.
pub struct DeviceKey {
    pair: Ed25519KeyPair,
}

impl DeviceKey {
    /// Generates a new key pair; returns it with the PKCS#8 bytes to persist.
    pub fn generate() -> Result<(DeviceKey, Vec<u8>), ModelError> {
        let rng = ring::rand::SystemRandom::new();
        let doc = Ed25519KeyPair::generate_pkcs8(&rng)
            .map_err(|_| ModelError::Malformed { what: "key", why: "generation failed".into() })?;
        let bytes = doc.as_ref().to_vec();
        Ok((DeviceKey::from_pkcs8(&bytes)?, bytes))
    }

    /// Loads a key from its PKCS#8 bytes.
    pub fn from_pkcs8(bytes: &[u8]) -> Result<DeviceKey, ModelError> {
        let pair = Ed25519KeyPair::from_pkcs8(bytes)
            .map_err(|e| ModelError::Malformed { what: "device key", why: e.to_string() })?;
        Ok(DeviceKey { pair })
    }

    /// The public key, base64url without padding, as enrolment sends it.
    pub fn public_key_b64(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.pair.public_key().as_ref())
    }

    /// Signs a request; returns the `X-Signature` value.
    pub fn sign(&self, method: &str, path_and_query: &str, timestamp: &str, body: &[u8]) -> String {
        let base = base_string(method, path_and_query, timestamp, body);
        URL_SAFE_NO_PAD.encode(self.pair.sign(base.as_bytes()).as_ref())
    }
}

impl std::fmt::Debug for DeviceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DeviceKey({})", self.public_key_b64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_base_string_has_the_protocol_layout() {
        let b = base_string("POST", "/api/v1/device/sync", "2026-11-22T07:00:00Z", b"");
        assert_eq!(
            b,
            "stampclock-v1\nPOST\n/api/v1/device/sync\n2026-11-22T07:00:00Z\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn a_signature_verifies_only_for_its_own_request() {
        let (key, _) = DeviceKey::generate().unwrap();
        let ts = "2026-11-22T07:00:00.123Z";
        let sig = key.sign("POST", "/api/v1/device/sync", ts, b"{}");
        let pk = key.public_key_b64();
        assert!(verify(&pk, &base_string("POST", "/api/v1/device/sync", ts, b"{}"), &sig).is_ok());
        assert!(verify(&pk, &base_string("POST", "/api/v1/device/sync", ts, b"{ }"), &sig).is_err());
        assert!(verify(&pk, &base_string("POST", "/api/v1/device/uninstall", ts, b"{}"), &sig).is_err());
        let (other, _) = DeviceKey::generate().unwrap();
        assert!(verify(&other.public_key_b64(), &base_string("POST", "/api/v1/device/sync", ts, b"{}"), &sig).is_err());
        assert!(verify(&pk, "x", "not base64!").is_err());
        assert!(decode_public_key("AAAA").is_err());
    }

    #[test]
    fn only_the_canonical_spelling_of_a_signature_verifies() {
        let (key, _) = DeviceKey::generate().unwrap();
        let ts = "2026-11-22T07:00:00.123Z";
        let base = base_string("POST", "/api/v1/device/sync", ts, b"{}");
        let sig = key.sign("POST", "/api/v1/device/sync", ts, b"{}");
        let pk = key.public_key_b64();
        let bytes = verify(&pk, &base, &sig).unwrap();
        assert_eq!(URL_SAFE_NO_PAD.encode(bytes), sig);
        // The same bytes spelled otherwise: padded, with whitespace, standard alphabet, or with
        // non-zero trailing bits (64 bytes leave 4 unused bits in the last character).
        let padded = format!("{sig}==");
        let spaced = format!(" {sig}");
        let standard = base64::engine::general_purpose::STANDARD_NO_PAD.encode(bytes);
        let mut trailing = sig.clone();
        let last = trailing.pop().unwrap();
        let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let idx = alphabet.find(last).unwrap();
        trailing.push(alphabet.as_bytes()[(idx & !0b1111) | ((idx + 1) & 0b1111)] as char);
        for other in [padded, spaced, trailing] {
            assert!(verify(&pk, &base, &other).is_err(), "{other:?} must be refused");
        }
        if standard != sig {
            assert!(verify(&pk, &base, &standard).is_err());
        }
    }
}
