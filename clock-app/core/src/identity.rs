//! The device's Ed25519 key as a PKCS#8 file readable only by the app's user (0600), written
//! atomically so a crash never leaves half a key.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use shared_model::device_auth::DeviceKey;

use crate::error::{CoreError, CoreResult};

/// The key file inside the app data directory.
pub const KEY_FILE: &str = "device.key";

fn key_path(dir: &Path) -> PathBuf {
    dir.join(KEY_FILE)
}

/// Writes the PKCS#8 bytes to `<dir>/device.key` with mode 0600 (temp file, fsync, rename, fsync dir).
pub fn save_key(dir: &Path, pkcs8: &[u8]) -> CoreResult<()> {
    fs::create_dir_all(dir)?;
    let tmp = dir.join(format!("{KEY_FILE}.tmp"));
    let _ = fs::remove_file(&tmp);
    {
        let mut f = OpenOptions::new().write(true).create_new(true).mode(0o600).open(&tmp)?;
        f.write_all(pkcs8)?;
        f.sync_all()?;
    }
    fs::rename(&tmp, key_path(dir))?;
    File::open(dir)?.sync_all()?;
    Ok(())
}

/// Loads the device key; `None` when the tablet has none.
pub fn load_key(dir: &Path) -> CoreResult<Option<DeviceKey>> {
    match fs::read(key_path(dir)) {
        Ok(bytes) => DeviceKey::from_pkcs8(&bytes).map(Some).map_err(|e| CoreError::Corrupt(format!("device key: {e}"))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Deletes the key (uninstall); a missing file is fine.
pub fn remove_key(dir: &Path) -> CoreResult<()> {
    match fs::remove_file(key_path(dir)) {
        Ok(()) => Ok(File::open(dir)?.sync_all()?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn the_key_file_is_private_and_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        assert!(load_key(dir.path()).unwrap().is_none());
        let (key, pkcs8) = DeviceKey::generate().unwrap();
        save_key(dir.path(), &pkcs8).unwrap();
        let mode = fs::metadata(dir.path().join(KEY_FILE)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(load_key(dir.path()).unwrap().unwrap().public_key_b64(), key.public_key_b64());
        remove_key(dir.path()).unwrap();
        assert!(load_key(dir.path()).unwrap().is_none());
        remove_key(dir.path()).unwrap();
    }
}
