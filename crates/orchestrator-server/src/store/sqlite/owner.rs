//! One process per SQLite file: an OS lock on `<file>.lock`, held for the
//! store's life and released by the OS however the process ends; the file
//! holds the owner's process id, so a refused second server can name it.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::store::StoreError;

/// The lock file of the database at `path`: `<path>.lock`.
pub(super) fn lock_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

/// Makes the database at `path` this process's, or says who has it.
pub(super) fn take(path: &Path) -> Result<File, StoreError> {
    let lock = lock_path(path);
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&lock)
        .map_err(|e| StoreError::caused_by(format!("cannot open {}", lock.display()), e))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            let holder = holder.trim();
            let who = if holder.is_empty() {
                "another process".to_owned()
            } else {
                format!("another process (pid {holder})")
            };
            return Err(StoreError::new(format!(
                "the database {} is in use by {who}, which holds {}: a SQLite database \
                 belongs to one server; stop that one first, or share a PostgreSQL database \
                 between instances",
                path.display(),
                lock.display()
            )));
        }
        Err(TryLockError::Error(e)) => {
            return Err(StoreError::caused_by(
                format!("cannot lock {}", lock.display()),
                e,
            ));
        }
    }
    // This process owns it now: say so for the next one that asks.
    let written = file
        .set_len(0)
        .and_then(|()| file.seek(SeekFrom::Start(0)))
        .and_then(|_| writeln!(file, "{}", std::process::id()));
    if let Err(e) = written {
        tracing::warn!(lock = %lock.display(), error = %e, "could not write this process's id into the lock file");
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_owner_is_refused_with_the_first_ones_pid_until_the_first_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("tasks.db");
        let first = take(&db).unwrap();
        let refused = take(&db).unwrap_err().to_string();
        assert!(refused.contains(&db.display().to_string()), "{refused}");
        assert!(
            refused.contains(&format!("pid {}", std::process::id())),
            "{refused}"
        );
        assert!(refused.contains("tasks.db.lock"), "{refused}");
        drop(first);
        take(&db).unwrap();
    }
}
