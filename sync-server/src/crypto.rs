//! Server-side secrets: random tokens, the keyed personnummer hash and its key file.

use std::io::Write;
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::rand::{SecureRandom, SystemRandom};
use ring::{digest, hmac};
use shared_model::Personnummer;

/// `n` bytes from the operating system's CSPRNG.
pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    // SystemRandom only fails when the OS has no entropy source, which no supported platform lacks.
    if SystemRandom::new().fill(&mut buf).is_err() {
        panic!("the operating system's random number generator failed");
    }
    buf
}

/// A 256-bit random token, base64url, for session cookies and CSRF tokens.
pub fn token() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes(32))
}

/// Lowercase hex SHA-256, used to store tokens and codes without storing them.
pub fn sha256_hex(s: &str) -> String {
    hex::encode(digest::digest(&digest::SHA256, s.as_bytes()))
}

/// Compares two secrets without leaking where they differ.
pub fn secret_eq(a: &str, b: &str) -> bool {
    // Compare fixed-length digests so neither length nor content leaks through timing.
    let (da, db) = (digest::digest(&digest::SHA256, a.as_bytes()), digest::digest(&digest::SHA256, b.as_bytes()));
    da.as_ref().iter().zip(db.as_ref()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The HMAC key under which personnummer are stored; its Debug never shows the key.
#[derive(Clone)]
pub struct PersonnummerKey(hmac::Key);

impl std::fmt::Debug for PersonnummerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PersonnummerKey(***)")
    }
}

/// Why the key could not be had.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("personnummer key must be 64 hex characters (32 bytes)")]
    Malformed,
    #[error("cannot read or create the key file {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}

impl PersonnummerKey {
    /// A key from its 64-character hex form (configuration).
    pub fn from_hex(hex_key: &str) -> Result<PersonnummerKey, KeyError> {
        let bytes = hex::decode(hex_key.trim()).map_err(|_| KeyError::Malformed)?;
        if bytes.len() != 32 {
            return Err(KeyError::Malformed);
        }
        Ok(PersonnummerKey(hmac::Key::new(hmac::HMAC_SHA256, &bytes)))
    }

    /// Reads `personnummer.key` in the data directory, creating it (mode 0600) on first start.
    pub fn load_or_create(data_dir: &Path) -> Result<PersonnummerKey, KeyError> {
        let path = data_dir.join("personnummer.key");
        let io = |source| KeyError::Io { path: path.clone(), source };
        match std::fs::read_to_string(&path) {
            Ok(s) => PersonnummerKey::from_hex(&s),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                crate::files::private_dir(data_dir).map_err(io)?;
                let hex_key = hex::encode(random_bytes(32));
                let mut opts = std::fs::OpenOptions::new();
                opts.write(true).create_new(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
                let mut f = opts.open(&path).map_err(io)?;
                f.write_all(hex_key.as_bytes()).map_err(io)?;
                f.sync_all().map_err(io)?;
                tracing::info!(path = %path.display(), "created a new personnummer key");
                PersonnummerKey::from_hex(&hex_key)
            }
            Err(e) => Err(io(e)),
        }
    }

    /// HMAC-SHA256 of the normalised 12-digit number, lowercase hex.
    pub fn hash(&self, p: &Personnummer) -> String {
        hex::encode(hmac::sign(&self.0, p.normalised().as_bytes()).as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_file_is_created_once_with_owner_only_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let a = PersonnummerKey::load_or_create(dir.path()).unwrap();
        let b = PersonnummerKey::load_or_create(dir.path()).unwrap();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let p = Personnummer::parse("811218-9876", today).unwrap();
        assert_eq!(a.hash(&p), b.hash(&p));
        // A keyed hash, not the number: it never holds the normalised digits, and another key
        // gives another hash. (Its last four digits alone would be a false alarm: 64 random hex
        // characters hold "9876" about once in a thousand keys.)
        assert!(!a.hash(&p).contains(p.normalised()), "{}", a.hash(&p));
        let other = tempfile::tempdir().unwrap();
        assert_ne!(a.hash(&p), PersonnummerKey::load_or_create(other.path()).unwrap().hash(&p));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("personnummer.key")).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(PersonnummerKey::from_hex("abcd").is_err());
    }
}
