//! Where media files live. [`Storage`] is the small interface callers use;
//! [`LocalStorage`] keeps files in a folder (`uploads/` by default),
//! [`S3Storage`] in an S3-compatible bucket that every web node reads alike.
//! [`migrate`] copies a folder into a bucket.
//!
//! Every write is atomic: the bytes go to a hidden temporary file in the
//! target's folder, are flushed to disk, then renamed over the name (in a
//! bucket: one PUT, or a multipart upload completed at the end). An upload
//! cut off mid-stream, a full disk or a dropped request (the future
//! cancelled) leaves no partial file: the temporary file is removed.

pub mod migrate;
mod s3;

pub use s3::{S3Settings, S3Storage};

use std::future::Future;
use std::io::ErrorKind;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};

use crate::error::{MediaError, Result};
use crate::names::{ContentHash, Hasher};

/// A boxed future, so [`Storage`] can be used as `dyn Storage`.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A readable stored file, or a part of one ([`Storage::open_range`]).
pub struct StoredFile {
    /// The bytes `reader` yields.
    pub len: u64,
    pub reader: Box<dyn AsyncRead + Send + Unpin>,
}

/// The storage of media files under safe names (see [`validate_name`]):
/// lowercase letters, digits, `.`, `-`, `_`, optionally in `/`-separated
/// folders, never starting with a dot.
pub trait Storage: Send + Sync {
    /// Stores `bytes` under `name`, atomically, replacing any file of that name.
    fn put<'a>(&'a self, name: &'a str, bytes: Vec<u8>) -> BoxFuture<'a, Result<()>>;

    /// Stores the content of a local file (e.g. a [`SpooledUpload`]) under
    /// `name`, atomically; the local file is left in place.
    fn put_file<'a>(&'a self, name: &'a str, path: &'a Path) -> BoxFuture<'a, Result<()>>;

    /// Stores what `reader` yields under `name`, atomically; past
    /// `max_bytes` it stops with [`MediaError::TooLarge`] and nothing is
    /// stored. Returns the number of bytes stored.
    fn put_stream<'a>(
        &'a self,
        name: &'a str,
        reader: &'a mut (dyn AsyncRead + Send + Unpin),
        max_bytes: u64,
    ) -> BoxFuture<'a, Result<u64>>;

    /// The whole content of a stored file.
    fn get<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<Vec<u8>>>;

    /// A stored file, to stream.
    fn open<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<StoredFile>>;

    /// Bytes `range` of a stored file, to stream, without reading the rest
    /// (a video player asks for a few megabytes of a 200 MB file). The
    /// range must lie inside the file.
    fn open_range<'a>(
        &'a self,
        name: &'a str,
        range: Range<u64>,
    ) -> BoxFuture<'a, Result<StoredFile>>;

    /// The length of a stored file; `None` when there is none.
    fn size<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<Option<u64>>>;

    /// Removes a stored file; `false` when there was none.
    fn delete<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<bool>>;

    /// Whether a file of this name is stored.
    fn exists<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<bool>>;

    /// The file's path when the storage is a local folder (for sending it
    /// with the operating system's help); `None` for remote stores.
    fn local_path(&self, _name: &str) -> Option<PathBuf> {
        None
    }
}

/// Checks that `name` is one this crate makes: `/`-separated segments of
/// `[a-z0-9._-]` (upper case allowed too), none empty or starting with `.`,
/// at most 255 bytes. Refuses anything that could leave the folder.
pub fn validate_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 255
        && name.split('/').all(|segment| {
            !segment.is_empty()
                && !segment.starts_with('.')
                && segment
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
        });
    if ok {
        Ok(())
    } else {
        Err(MediaError::InvalidStoredName(
            name.chars().take(80).collect(),
        ))
    }
}

/// Files in a local folder.
#[derive(Debug, Clone)]
pub struct LocalStorage {
    root: PathBuf,
}

/// Where uploads are spooled before they are named, inside the root (so
/// storing one is a rename on the same file system).
const INCOMING: &str = ".incoming";
const TEMP_SUFFIX: &str = ".tmp";

impl LocalStorage {
    /// A storage over `root` (created when missing).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn path(&self, name: &str) -> Result<PathBuf> {
        validate_name(name)?;
        Ok(self.root.join(name))
    }

    /// Receives an upload of unknown type and name into a temporary file,
    /// hashing it on the way, refusing it past `max_bytes`. The caller sniffs
    /// it ([`crate::sniff_file`]), names it ([`crate::stored_name`]) and
    /// stores it with [`Storage::put_file`]; the temporary file is removed
    /// when the [`SpooledUpload`] is dropped.
    pub async fn spool(
        &self,
        reader: &mut (dyn AsyncRead + Send + Unpin),
        max_bytes: u64,
    ) -> Result<SpooledUpload> {
        let dir = self.root.join(INCOMING);
        tokio::fs::create_dir_all(&dir).await?;
        let (temp, mut file) = TempPath::create(&dir, "upload").await?;
        let mut hasher = Hasher::default();
        let len = copy_limited(reader, &mut file, max_bytes, Some(&mut hasher)).await?;
        file.sync_all().await?;
        drop(file);
        Ok(SpooledUpload {
            path: temp.disarm(),
            len,
            hash: hasher.finish(),
        })
    }

    /// Removes temporary files older than `age` left by a crash (a normal
    /// failure removes its own). Run at start-up.
    pub async fn remove_stale_temp_files(&self, age: Duration) -> Result<usize> {
        let mut removed = 0;
        let mut dirs = vec![self.root.clone()];
        while let Some(dir) = dirs.pop() {
            let mut entries = match tokio::fs::read_dir(&dir).await {
                Ok(entries) => entries,
                Err(e) if e.kind() == ErrorKind::NotFound => continue,
                Err(e) => return Err(e.into()),
            };
            while let Some(entry) = entries.next_entry().await? {
                let kind = entry.file_type().await?;
                let name = entry.file_name();
                let name = name.to_string_lossy();
                if kind.is_dir() {
                    dirs.push(entry.path());
                } else if name.starts_with('.') && name.ends_with(TEMP_SUFFIX) {
                    let modified = entry.metadata().await?.modified()?;
                    let old = SystemTime::now()
                        .duration_since(modified)
                        .is_ok_and(|elapsed| elapsed >= age);
                    if old && tokio::fs::remove_file(entry.path()).await.is_ok() {
                        removed += 1;
                    }
                }
            }
        }
        if removed > 0 {
            tracing::info!(removed, root = %self.root.display(), "removed stale temporary upload files");
        }
        Ok(removed)
    }

    async fn write_atomically<F, Fut>(&self, name: &str, fill: F) -> Result<u64>
    where
        F: FnOnce(tokio::fs::File) -> Fut,
        Fut: Future<Output = Result<(tokio::fs::File, u64)>>,
    {
        let target = self.path(name)?;
        let dir = target.parent().unwrap_or(&self.root).to_path_buf();
        tokio::fs::create_dir_all(&dir).await?;
        let (temp, file) = TempPath::create(&dir, name.rsplit('/').next().unwrap_or(name)).await?;
        let (file, len) = fill(file).await?;
        file.sync_all().await?;
        drop(file);
        tokio::fs::rename(&temp.path, &target).await?;
        temp.disarm();
        sync_dir(&dir).await;
        Ok(len)
    }
}

impl Storage for LocalStorage {
    fn put<'a>(&'a self, name: &'a str, bytes: Vec<u8>) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            self.write_atomically(name, |mut file| async move {
                file.write_all(&bytes).await?;
                Ok((file, bytes.len() as u64))
            })
            .await?;
            Ok(())
        })
    }

    fn put_file<'a>(&'a self, name: &'a str, path: &'a Path) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            self.write_atomically(name, |mut file| async move {
                let mut source = tokio::fs::File::open(path).await?;
                let len = tokio::io::copy(&mut source, &mut file).await?;
                Ok((file, len))
            })
            .await?;
            Ok(())
        })
    }

    fn put_stream<'a>(
        &'a self,
        name: &'a str,
        reader: &'a mut (dyn AsyncRead + Send + Unpin),
        max_bytes: u64,
    ) -> BoxFuture<'a, Result<u64>> {
        Box::pin(async move {
            self.write_atomically(name, |mut file| async move {
                let len = copy_limited(reader, &mut file, max_bytes, None).await?;
                Ok((file, len))
            })
            .await
        })
    }

    fn get<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<Vec<u8>>> {
        Box::pin(async move {
            let path = self.path(name)?;
            tokio::fs::read(&path).await.map_err(|e| not_found(e, name))
        })
    }

    fn open<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<StoredFile>> {
        Box::pin(async move {
            let path = self.path(name)?;
            let file = tokio::fs::File::open(&path)
                .await
                .map_err(|e| not_found(e, name))?;
            let len = file.metadata().await?.len();
            Ok(StoredFile {
                len,
                reader: Box::new(file),
            })
        })
    }

    fn open_range<'a>(
        &'a self,
        name: &'a str,
        range: Range<u64>,
    ) -> BoxFuture<'a, Result<StoredFile>> {
        Box::pin(async move {
            use tokio::io::AsyncSeekExt;
            let path = self.path(name)?;
            let mut file = tokio::fs::File::open(&path)
                .await
                .map_err(|e| not_found(e, name))?;
            file.seek(std::io::SeekFrom::Start(range.start)).await?;
            let len = range.end.saturating_sub(range.start);
            Ok(StoredFile {
                len,
                reader: Box::new(file.take(len)),
            })
        })
    }

    fn size<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<Option<u64>>> {
        Box::pin(async move {
            let path = self.path(name)?;
            match tokio::fs::metadata(&path).await {
                Ok(metadata) if metadata.is_file() => Ok(Some(metadata.len())),
                Ok(_) => Ok(None),
                Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e.into()),
            }
        })
    }

    fn delete<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<bool>> {
        Box::pin(async move {
            let path = self.path(name)?;
            match tokio::fs::remove_file(&path).await {
                Ok(()) => Ok(true),
                Err(e) if e.kind() == ErrorKind::NotFound => Ok(false),
                Err(e) => Err(e.into()),
            }
        })
    }

    fn exists<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<bool>> {
        Box::pin(async move {
            let path = self.path(name)?;
            Ok(tokio::fs::try_exists(&path).await?)
        })
    }

    fn local_path(&self, name: &str) -> Option<PathBuf> {
        self.path(name).ok()
    }
}

fn not_found(e: std::io::Error, name: &str) -> MediaError {
    if e.kind() == ErrorKind::NotFound {
        MediaError::NotFound(name.to_owned())
    } else {
        MediaError::Io(e)
    }
}

/// Copies at most `max_bytes` from `reader` to `writer`; one byte more is
/// [`MediaError::TooLarge`]. Read errors (a client gone mid-upload) pass up.
async fn copy_limited(
    reader: &mut (dyn AsyncRead + Send + Unpin),
    writer: &mut tokio::fs::File,
    max_bytes: u64,
    mut hasher: Option<&mut Hasher>,
) -> Result<u64> {
    let mut buf = vec![0u8; 64 * 1024];
    let mut total: u64 = 0;
    loop {
        let n = reader.read(&mut buf).await?;
        if n == 0 {
            return Ok(total);
        }
        total += n as u64;
        if total > max_bytes {
            return Err(MediaError::TooLarge { limit: max_bytes });
        }
        if let Some(hasher) = hasher.as_deref_mut() {
            hasher.update(&buf[..n]);
        }
        writer.write_all(&buf[..n]).await?;
    }
}

/// Makes a rename durable (best effort: not every platform can sync a folder).
async fn sync_dir(dir: &Path) {
    if let Ok(d) = tokio::fs::File::open(dir).await {
        let _ = d.sync_all().await;
    }
}

/// A hidden temporary file's path, removed when dropped (also when the
/// future writing it is cancelled), unless disarmed.
struct TempPath {
    path: PathBuf,
    armed: bool,
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

impl TempPath {
    /// Creates a new hidden temporary file in `dir`.
    async fn create(dir: &Path, stem: &str) -> Result<(Self, tokio::fs::File)> {
        loop {
            let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
            let nanos = SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos());
            let path = dir.join(format!(
                ".{stem}.{}.{n}.{nanos}{TEMP_SUFFIX}",
                std::process::id()
            ));
            match tokio::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
                .await
            {
                Ok(file) => return Ok((Self { path, armed: true }, file)),
                Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e.into()),
            }
        }
    }

    fn disarm(mut self) -> PathBuf {
        self.armed = false;
        std::mem::take(&mut self.path)
    }
}

impl Drop for TempPath {
    fn drop(&mut self) {
        if self.armed {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// An upload received into a temporary file by [`LocalStorage::spool`]:
/// its length and content hash are known. The file is removed on drop.
#[derive(Debug)]
pub struct SpooledUpload {
    path: PathBuf,
    pub len: u64,
    pub hash: ContentHash,
}

impl SpooledUpload {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for SpooledUpload {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::task::{Context, Poll};

    use tokio::io::{AsyncWriteExt, ReadBuf};

    use super::*;

    /// Yields its bytes, then fails as a connection cut mid-upload does.
    struct CutOff(Vec<u8>);

    impl AsyncRead for CutOff {
        fn poll_read(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
            buf: &mut ReadBuf<'_>,
        ) -> Poll<std::io::Result<()>> {
            if self.0.is_empty() {
                return Poll::Ready(Err(std::io::Error::new(
                    ErrorKind::ConnectionReset,
                    "client went away",
                )));
            }
            let n = self.0.len().min(buf.remaining());
            buf.put_slice(&self.0[..n]);
            self.0.drain(..n);
            Poll::Ready(Ok(()))
        }
    }

    /// Every file under `dir`, hidden ones included.
    fn files(dir: &Path) -> Vec<String> {
        let mut out = Vec::new();
        let mut dirs = vec![dir.to_path_buf()];
        while let Some(d) = dirs.pop() {
            for e in std::fs::read_dir(d).unwrap() {
                let e = e.unwrap();
                if e.file_type().unwrap().is_dir() {
                    dirs.push(e.path());
                } else {
                    out.push(e.path().strip_prefix(dir).unwrap().display().to_string());
                }
            }
        }
        out.sort();
        out
    }

    #[test]
    fn names_that_could_escape_are_refused() {
        for ok in ["abc.jpg", "ab/abcdef.webp", "r/2026/x_y-z.pdf"] {
            validate_name(ok).unwrap();
        }
        for bad in [
            "",
            "../x",
            "..",
            ".",
            "a/../b",
            "/etc/passwd",
            ".hidden",
            "a/.b",
            "a//b",
            "a/",
            "a\\b",
            "a b",
            "%2e%2e/x",
            "x\0y",
            "ا.jpg",
            &"a".repeat(256),
        ] {
            assert!(validate_name(bad).is_err(), "{bad:?}");
        }
    }

    #[tokio::test]
    async fn put_get_open_exists_delete() {
        let dir = tempfile::tempdir().unwrap();
        let storage: Arc<dyn Storage> = Arc::new(LocalStorage::new(dir.path().join("uploads")));
        assert!(!storage.exists("a.jpg").await.unwrap());
        storage.put("a.jpg", b"hello".to_vec()).await.unwrap();
        storage.put("r/b.webp", b"nested".to_vec()).await.unwrap();
        assert!(storage.exists("a.jpg").await.unwrap());
        assert_eq!(storage.get("a.jpg").await.unwrap(), b"hello");
        let mut stored = storage.open("r/b.webp").await.unwrap();
        assert_eq!(stored.len, 6);
        let mut read = Vec::new();
        stored.reader.read_to_end(&mut read).await.unwrap();
        assert_eq!(read, b"nested");
        // Replacing is atomic and leaves no temporary file.
        storage.put("a.jpg", b"again".to_vec()).await.unwrap();
        assert_eq!(storage.get("a.jpg").await.unwrap(), b"again");
        assert_eq!(files(&dir.path().join("uploads")), ["a.jpg", "r/b.webp"]);
        assert_eq!(storage.size("r/b.webp").await.unwrap(), Some(6));
        assert_eq!(storage.size("none.jpg").await.unwrap(), None);
        let mut part = storage.open_range("r/b.webp", 1..4).await.unwrap();
        assert_eq!(part.len, 3);
        let mut read = Vec::new();
        part.reader.read_to_end(&mut read).await.unwrap();
        assert_eq!(read, b"est");
        assert!(storage.delete("a.jpg").await.unwrap());
        assert!(!storage.delete("a.jpg").await.unwrap());
        let missing = storage.get("a.jpg").await.unwrap_err();
        assert_eq!(missing.http_status(), 404);
        assert_eq!(
            storage.put("../x", vec![]).await.unwrap_err().code(),
            "invalid-stored-name"
        );
        assert!(storage
            .local_path("r/b.webp")
            .unwrap()
            .ends_with("uploads/r/b.webp"));
    }

    #[tokio::test]
    async fn put_stream_stops_past_the_limit_and_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let storage = LocalStorage::new(dir.path());
        let mut ok: &[u8] = &[7; 1000];
        assert_eq!(
            storage.put_stream("ok.bin", &mut ok, 1000).await.unwrap(),
            1000
        );
        let mut big: &[u8] = &[7; 200_000];
        let err = storage
            .put_stream("big.bin", &mut big, 100_000)
            .await
            .unwrap_err();
        assert_eq!(err.http_status(), 413);
        assert_eq!(files(dir.path()), ["ok.bin"]);
    }

    #[tokio::test]
    async fn an_upload_cut_off_mid_stream_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let storage = LocalStorage::new(dir.path());
        let mut cut = CutOff(vec![1; 150_000]);
        let err = storage
            .put_stream("cut.bin", &mut cut, 1 << 20)
            .await
            .unwrap_err();
        assert!(matches!(err, MediaError::Io(ref e) if e.kind() == ErrorKind::ConnectionReset));
        assert!(files(dir.path()).is_empty());

        let mut cut = CutOff(vec![1; 150_000]);
        assert!(storage.spool(&mut cut, 1 << 20).await.is_err());
        assert!(files(dir.path()).is_empty());
    }

    #[tokio::test]
    async fn a_cancelled_upload_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let storage = LocalStorage::new(dir.path());
        let (mut client, mut server) = tokio::io::duplex(1024);
        client.write_all(&[1; 512]).await.unwrap();
        // The client stalls; the request is dropped by a timeout.
        let upload = storage.put_stream("stalled.bin", &mut server, 1 << 20);
        assert!(tokio::time::timeout(Duration::from_millis(100), upload)
            .await
            .is_err());
        drop(client);
        assert!(files(dir.path()).is_empty());
    }

    #[tokio::test]
    async fn spool_hashes_and_put_file_stores_by_hash() {
        let dir = tempfile::tempdir().unwrap();
        let storage = LocalStorage::new(dir.path());
        let content = vec![42u8; 300_000];
        let mut reader: &[u8] = &content;
        let spooled = storage.spool(&mut reader, 1 << 20).await.unwrap();
        assert_eq!(spooled.len, 300_000);
        assert_eq!(spooled.hash, ContentHash::of(&content));
        let name = format!("{}.bin", spooled.hash.hex());
        storage.put_file(&name, spooled.path()).await.unwrap();
        drop(spooled);
        assert_eq!(files(dir.path()), std::slice::from_ref(&name));
        assert_eq!(storage.get(&name).await.unwrap(), content);

        let mut too_big: &[u8] = &content;
        assert_eq!(
            storage
                .spool(&mut too_big, 1000)
                .await
                .unwrap_err()
                .http_status(),
            413
        );
        assert_eq!(files(dir.path()), [name]);
    }

    #[tokio::test]
    async fn stale_temporary_files_are_swept() {
        let dir = tempfile::tempdir().unwrap();
        let storage = LocalStorage::new(dir.path());
        std::fs::create_dir_all(dir.path().join(INCOMING)).unwrap();
        std::fs::write(dir.path().join(".x.jpg.1.2.3.tmp"), b"partial").unwrap();
        std::fs::write(dir.path().join(INCOMING).join(".upload.1.2.3.tmp"), b"p").unwrap();
        std::fs::write(dir.path().join("kept.jpg"), b"whole").unwrap();
        assert_eq!(
            storage
                .remove_stale_temp_files(Duration::ZERO)
                .await
                .unwrap(),
            2
        );
        assert_eq!(files(dir.path()), ["kept.jpg"]);
    }

    #[test]
    fn a_full_disk_is_507() {
        let err = MediaError::from(std::io::Error::from(ErrorKind::StorageFull));
        assert_eq!(err.http_status(), 507);
        assert_eq!(err.code(), "storage-full");
        assert_eq!(err.to_string(), "the file could not be stored");
    }
}
