//! Files the server keeps on disk — the data directory, the embedded database with its WAL and
//! shared-memory files, the personnummer key, the demo's enrolment code — readable by the
//! server's own user only: the directory 0700, the files 0600, whatever the umask. PIN hashes
//! of four-digit PINs are cheap to crack offline, so the database is as secret as the key.

use std::fs::{DirBuilder, OpenOptions, Permissions};
use std::io::Write;
use std::path::Path;

#[cfg(unix)]
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};

/// Mode of the data directory.
pub const DIR_MODE: u32 = 0o700;
/// Mode of every file in it.
pub const FILE_MODE: u32 = 0o600;

/// Creates `dir` (and its parents) as 0700, or tightens an existing one to 0700. A shared
/// directory (sticky bit, as `/tmp`) is left as it is, with a warning: the files in it are 0600.
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    builder.mode(DIR_MODE);
    builder.create(dir)?;
    #[cfg(unix)]
    {
        let meta = std::fs::metadata(dir)?;
        let mode = meta.mode() & 0o7777;
        if mode & 0o1000 != 0 {
            tracing::warn!(dir = %dir.display(), "the data directory is a shared (sticky) directory; use a directory of its own");
        } else if mode & 0o077 != 0 {
            std::fs::set_permissions(dir, Permissions::from_mode(DIR_MODE))?;
            tracing::info!(dir = %dir.display(), from = format!("{mode:o}"), "data directory made private (0700)");
        }
    }
    Ok(())
}

/// Creates `path` empty as 0600 if it is missing, or tightens it to 0600.
pub fn private_file(path: &Path) -> std::io::Result<()> {
    let mut opts = OpenOptions::new();
    opts.write(true).create(true).truncate(false);
    #[cfg(unix)]
    opts.mode(FILE_MODE);
    opts.open(path)?;
    tighten(path)
}

/// Writes `contents` to `path` (replacing it) as a 0600 file.
pub fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let mut opts = OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    opts.mode(FILE_MODE);
    let mut f = opts.open(path)?;
    tighten(path)?;
    f.write_all(contents)?;
    f.sync_all()
}

/// Tightens the SQLite database at `db` and its companions (`-wal`, `-shm`, `-journal`) that
/// exist to 0600. SQLite creates the companions with the database file's mode, so this is a
/// belt to those braces (and mends files an older version left 0644).
pub fn private_sqlite_files(db: &Path) -> std::io::Result<()> {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        let path = Path::new(&name);
        if path.exists() {
            tighten(path)?;
        }
    }
    Ok(())
}

fn tighten(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let mode = std::fs::metadata(path)?.mode() & 0o777;
        if mode != FILE_MODE {
            std::fs::set_permissions(path, Permissions::from_mode(FILE_MODE))?;
        }
    }
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().mode() & 0o777
    }

    #[test]
    fn directories_and_files_are_private_whatever_was_there() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("data/nested");
        private_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
        std::fs::set_permissions(&dir, Permissions::from_mode(0o755)).unwrap();
        private_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700, "an existing open directory is tightened");
        let f = dir.join("x.db");
        std::fs::write(&f, b"").unwrap();
        std::fs::set_permissions(&f, Permissions::from_mode(0o644)).unwrap();
        private_file(&f).unwrap();
        assert_eq!(mode(&f), 0o600);
        let code = dir.join("code.txt");
        write_private(&code, b"ABCD").unwrap();
        assert_eq!(mode(&code), 0o600);
        assert_eq!(std::fs::read(&code).unwrap(), b"ABCD");
    }
}
