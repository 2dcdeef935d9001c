//! Where call recordings go: one storage interface ([`RecordingStorage`]),
//! a plain-file implementation ([`FileStorage`]) and the index rows in the
//! database.
//!
//! The media task writes a recording incrementally into the [`Sink`] it gets
//! from the storage, so whatever was written before a crash stays playable.
//! The encrypted, tamper-evident vault is another `RecordingStorage`; nothing
//! above this interface changes when it arrives.

use std::fs::File;
use std::io::{Seek, Write};
use std::path::{Component, Path, PathBuf};

use hotline_store::{Recording, TenantStore};

/// A file being recorded.
pub trait Sink: Write + Seek + Send {
    /// Flushes to stable storage (called at each periodic flush and at the end).
    fn sync(&mut self) -> std::io::Result<()>;
}

impl Sink for File {
    fn sync(&mut self) -> std::io::Result<()> {
        self.sync_data()
    }
}

/// Creates recording files by relative path.
pub trait RecordingStorage: Send + Sync {
    /// Creates the file `rel` (e.g. `2026/11/23/<id>.wav`); fails if it exists.
    fn create(&self, rel: &str) -> std::io::Result<Box<dyn Sink>>;
    /// Opens a finished recording for reading (and seeking, for ranges).
    fn open(&self, rel: &str) -> std::io::Result<Box<dyn ReadSeek>>;
}

/// A recording opened for reading.
pub trait ReadSeek: std::io::Read + std::io::Seek + Send {}

impl<T: std::io::Read + std::io::Seek + Send> ReadSeek for T {}

/// Recordings as plain files under a root folder.
#[derive(Debug, Clone)]
pub struct FileStorage {
    root: PathBuf,
}

impl FileStorage {
    pub fn new(root: impl Into<PathBuf>) -> FileStorage {
        FileStorage { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `rel` under the root; refuses absolute paths and `..`.
    fn path(&self, rel: &str) -> std::io::Result<PathBuf> {
        let p = Path::new(rel);
        let safe = p.components().all(|c| matches!(c, Component::Normal(_)));
        if !safe || rel.is_empty() {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("bad recording path {rel:?}")));
        }
        Ok(self.root.join(p))
    }
}

impl RecordingStorage for FileStorage {
    fn create(&self, rel: &str) -> std::io::Result<Box<dyn Sink>> {
        let path = self.path(rel)?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let file = std::fs::OpenOptions::new().write(true).read(true).create_new(true).open(path)?;
        Ok(Box::new(file))
    }

    fn open(&self, rel: &str) -> std::io::Result<Box<dyn ReadSeek>> {
        Ok(Box::new(File::open(self.path(rel)?)?))
    }
}

/// The relative path of a recording started at `started_ms` (UTC date folders).
pub fn relative_path(id: &str, started_ms: i64) -> String {
    let days = started_ms.div_euclid(86_400_000);
    let (y, m, d) = hotline_ivr::date_of(days);
    format!("{y:04}/{m:02}/{d:02}/{id}.wav")
}

/// Writes the index row when a recording starts.
pub async fn index_start(store: &TenantStore, r: &Recording) -> Result<(), hotline_store::StoreError> {
    store.insert_recording(r).await
}

/// Completes the index row when the file is closed.
pub async fn index_finish(
    store: &TenantStore,
    id: &str,
    ended_ms: i64,
    duration_ms: i64,
    sha256: &str,
) -> Result<(), hotline_store::StoreError> {
    store.finish_recording(id, ended_ms, duration_ms, sha256).await
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn dates_become_folders() {
        assert_eq!(relative_path("r1", 0), "1970/01/01/r1.wav");
        // 2026-11-23T12:00:00Z
        assert_eq!(relative_path("r2", 1_795_435_200_000), "2026/11/23/r2.wav");
        // 2024-02-29 (leap day) 23:59:59.999Z
        assert_eq!(relative_path("r3", 1_709_251_199_999), "2024/02/29/r3.wav");
    }

    #[test]
    fn files_are_created_once_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let s = FileStorage::new(dir.path());
        let mut sink = s.create("2026/11/23/a.wav").unwrap();
        sink.write_all(b"RIFF").unwrap();
        sink.sync().unwrap();
        drop(sink);
        assert!(s.create("2026/11/23/a.wav").is_err(), "never overwritten");
        let mut back = String::new();
        s.open("2026/11/23/a.wav").unwrap().read_to_string(&mut back).unwrap();
        assert_eq!(back, "RIFF");
    }

    #[test]
    fn paths_cannot_escape_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let s = FileStorage::new(dir.path());
        for bad in ["../x.wav", "/etc/passwd", "a/../../b.wav", ""] {
            assert!(s.create(bad).is_err(), "{bad}");
        }
    }
}
