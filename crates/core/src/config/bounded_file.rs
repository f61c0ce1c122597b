//! The one reader of files named by the config (`ca_file`, `client_certificate`,
//! `client_certificate_key`, `federated_token_file`), so that none of them can hang, bloat
//! or crash the worker:
//! - only a regular file is read (symlinks followed): `/dev/zero` would be read forever,
//!   a directory or socket makes no sense;
//! - it is opened with `O_NONBLOCK`, because opening a FIFO for reading blocks until a
//!   writer comes, and then checked with `fstat` on the open descriptor (no race between
//!   the check and the read);
//! - at most the caller's cap is read, even if the file grows meanwhile;
//! - work done while a send runs goes to tokio's blocking pool and is given up at the
//!   send's deadline ([`off_runtime`]): a hung network mount blocks `stat` and `open`.
//!
//! Every read returns the file's [`Identity`] (device, inode, size, mtime, ctime), so a
//! caller keeps what it parsed per process ([`Cache`]) and parses again only when the file
//! changed: a rename over it changes the inode, a same-size rewrite at least the ctime,
//! which no user tool can set back.

use std::collections::HashMap;
use std::io::Read as _;
use std::os::unix::fs::{FileTypeExt as _, MetadataExt as _, OpenOptionsExt as _};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// What tells one version of a file from another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Identity {
    dev: u64,
    ino: u64,
    size: u64,
    mtime: (i64, i64),
    ctime: (i64, i64),
}

impl Identity {
    fn of(meta: &std::fs::Metadata) -> Identity {
        Identity {
            dev: meta.dev(),
            ino: meta.ino(),
            size: meta.size(),
            mtime: (meta.mtime(), meta.mtime_nsec()),
            ctime: (meta.ctime(), meta.ctime_nsec()),
        }
    }
}

/// A file as the config names it: the key (for messages), the path, and the cap.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Named<'a> {
    pub key: &'static str,
    pub path: &'a Path,
    pub max: u64,
}

/// What a non-regular file is, for messages.
fn kind(t: std::fs::FileType) -> &'static str {
    if t.is_fifo() {
        "a FIFO"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_dir() {
        "a directory"
    } else {
        "a special file"
    }
}

impl Named<'_> {
    /// A configuration error about this file: "`key` (path) what".
    pub fn error(&self, what: impl std::fmt::Display) -> Error {
        Error::config(self.key, format!("`{}` ({}) {what}", self.key, self.path.display()))
    }

    fn unreadable(&self, e: &std::io::Error) -> Error {
        self.error(format_args!("cannot be read: {e}"))
            .with_hint(format!("point `{}` at the file and make it readable by the PHP process's user", self.key))
    }

    fn check(&self, meta: &std::fs::Metadata) -> Result<Identity> {
        if !meta.is_file() {
            return Err(self.error(format_args!("is {}, not a regular file", kind(meta.file_type())))
                .with_hint(format!("point `{}` at a regular file (a symlink to one is fine), not a device, pipe or directory", self.key)));
        }
        if meta.len() > self.max {
            return Err(self.error(format_args!("is {} bytes; at most {} bytes are read", meta.len(), self.max))
                .with_hint(format!("point `{}` at the right file: real ones are far smaller", self.key)));
        }
        Ok(Identity::of(meta))
    }

    /// The file's identity now (`stat`, symlinks followed), after the same checks as a read.
    pub fn identity(&self) -> Result<Identity> {
        let meta = std::fs::metadata(self.path).map_err(|e| self.unreadable(&e))?;
        self.check(&meta)
    }

    /// Reads the file: regular, opened without blocking, at most `max` bytes. The bytes
    /// are wiped when dropped (they may hold a private key or a token).
    pub fn read(&self) -> Result<(Identity, Zeroizing<Vec<u8>>)> {
        let file = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
            .open(self.path)
            .map_err(|e| self.unreadable(&e))?;
        let identity = self.check(&file.metadata().map_err(|e| self.unreadable(&e))?)?;
        // Sized up front, so that no reallocation leaves an unwiped copy behind.
        let mut bytes = Zeroizing::new(Vec::with_capacity(identity.size as usize + 1));
        file.take(self.max + 1).read_to_end(&mut bytes).map_err(|e| self.unreadable(&e))?;
        if bytes.len() as u64 > self.max {
            return Err(self.error(format_args!("grew past {} bytes while it was read; at most {} bytes are read", self.max, self.max)));
        }
        Ok((identity, bytes))
    }
}

/// Runs `work` (file-system calls that a hung mount can block) on tokio's blocking pool
/// and gives up at `deadline`; the thread is left to finish on its own.
pub(crate) async fn off_runtime<T: Send + 'static>(
    key: &'static str,
    path: &Path,
    deadline: Instant,
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    let late = || {
        Error::config(key, format!("`{key}` ({}) could not be read before the send's deadline", path.display()))
            .with_hint(format!("the file system holding `{key}` does not answer (a hung network or CSI mount?): check the mount"))
    };
    match tokio::time::timeout_at(deadline.into(), tokio::task::spawn_blocking(work)).await {
        Ok(Ok(result)) => result,
        Ok(Err(e)) => Err(Error::config(key, format!("`{key}` ({}) could not be read: {e}", path.display()))),
        Err(_) => Err(late()),
    }
}

/// What was parsed from files, per process, by path: served while the file's identity is
/// unchanged, parsed again when it changed.
pub(crate) struct Cache<T> {
    map: Mutex<Option<HashMap<PathBuf, (Identity, Arc<T>)>>>,
}

impl<T> Cache<T> {
    pub const fn new() -> Self {
        Cache { map: Mutex::new(None) }
    }

    /// The file parsed by `parse`, from the cache when the file has not changed since.
    pub fn get(&self, file: Named<'_>, parse: impl FnOnce(&[u8]) -> Result<T>) -> Result<Arc<T>> {
        let now = file.identity()?;
        if let Some((id, found)) = self.map.lock().unwrap_or_else(PoisonError::into_inner).get_or_insert_default().get(file.path) {
            if *id == now {
                return Ok(Arc::clone(found));
            }
        }
        let (identity, bytes) = file.read()?;
        let parsed = Arc::new(parse(&bytes)?);
        let mut map = self.map.lock().unwrap_or_else(PoisonError::into_inner);
        map.get_or_insert_default().insert(file.path.to_path_buf(), (identity, Arc::clone(&parsed)));
        Ok(parsed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_same_size_rewrite_changes_the_identity() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, "aaaa").unwrap();
        let f = Named { key: "ca_file", path: &path, max: 16 };
        let (first, bytes) = f.read().unwrap();
        assert_eq!(bytes.as_slice(), b"aaaa");
        let mtime = std::fs::metadata(&path).unwrap().modified().unwrap();
        std::fs::write(&path, "bbbb").unwrap();
        std::fs::File::options().write(true).open(&path).unwrap().set_modified(mtime).unwrap();
        assert_ne!(f.identity().unwrap(), first);
        let e = Named { max: 3, ..f }.read().unwrap_err();
        assert!(e.to_string().contains("is 4 bytes; at most 3"), "{e}");
    }

    #[test]
    fn parsed_once_per_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, "one").unwrap();
        let cache: Cache<String> = Cache::new();
        let parses = std::cell::Cell::new(0);
        let get = || {
            let file = Named { key: "ca_file", path: &path, max: 16 };
            cache.get(file, |b| {
                parses.set(parses.get() + 1);
                Ok(String::from_utf8_lossy(b).into_owned())
            })
        };
        assert_eq!(*get().unwrap(), "one");
        assert_eq!(*get().unwrap(), "one");
        assert_eq!(parses.get(), 1);
        std::fs::write(&path, "two").unwrap();
        assert_eq!(*get().unwrap(), "two");
        assert_eq!(parses.get(), 2);
    }

    /// A hung mount blocks `stat` in the kernel; a sleeping closure stands in for it.
    #[tokio::test]
    async fn work_that_hangs_is_given_up_at_the_deadline() {
        let started = Instant::now();
        let deadline = started + std::time::Duration::from_millis(200);
        let hung = || -> Result<()> {
            std::thread::sleep(std::time::Duration::from_secs(1));
            Ok(())
        };
        let e = off_runtime("federated_token_file", Path::new("/mnt/hung/token"), deadline, hung).await.unwrap_err();
        assert!(started.elapsed() < std::time::Duration::from_millis(900), "{:?}", started.elapsed());
        assert_eq!(e.config_key.as_deref(), Some("federated_token_file"));
        assert!(e.to_string().contains("/mnt/hung/token") && e.to_string().contains("deadline"), "{e}");
    }
}
