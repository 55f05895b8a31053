//! What the desk writes on its own is readable by the person who runs it and no one else: on
//! Unix, folders 0700 and files 0600. The database, the logs and the exports name customers and
//! what their banks hold, and a shared machine's default (umask 022) would let every account
//! read them. Elsewhere the folder's own permissions (the user's profile) are all there is.

use std::fs::OpenOptions;
use std::io;
use std::path::Path;

/// Creates `dir` and any missing parent, each created one private. A folder that already
/// exists is left as it is: it may be one the person chose and shares on purpose.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Makes an existing folder of the desk's own private (the app's data folder, which a web view
/// may have created before the desk started).
pub fn restrict_dir(dir: &Path) -> io::Result<()> {
    restrict(dir, 0o700)
}

/// Makes a file the desk keeps private, if it exists: one written by an older version, before
/// files were created private, is made so when the desk next opens it.
pub fn restrict_file(path: &Path) -> io::Result<()> {
    restrict(path, 0o600)
}

/// Options that create a file private; the caller adds how it writes (append, truncate…).
pub fn private_file_options() -> OpenOptions {
    #[allow(unused_mut)]
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
}

#[cfg(unix)]
fn restrict(path: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    match std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

#[cfg(not(unix))]
fn restrict(_path: &Path, _mode: u32) -> io::Result<()> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::io::Write;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn created_folders_and_files_are_private_and_existing_folders_are_left_alone() {
        let root = tempfile::tempdir().unwrap();
        let shared = root.path().join("shared");
        std::fs::create_dir(&shared).unwrap();
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o755)).unwrap();
        let nested = shared.join("a/b");
        create_private_dir(&nested).unwrap();
        assert_eq!(mode(&shared.join("a")), 0o700);
        assert_eq!(mode(&nested), 0o700);
        assert_eq!(
            mode(&shared),
            0o755,
            "a folder that was there is not changed"
        );

        let file = nested.join("f.log");
        private_file_options()
            .create(true)
            .append(true)
            .open(&file)
            .unwrap()
            .write_all(b"x")
            .unwrap();
        assert_eq!(mode(&file), 0o600);

        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        restrict_file(&file).unwrap();
        assert_eq!(mode(&file), 0o600);
        restrict_dir(&shared).unwrap();
        assert_eq!(mode(&shared), 0o700);
        restrict_file(&nested.join("absent")).unwrap();
    }
}
