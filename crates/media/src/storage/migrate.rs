//! Copying a local uploads folder into another [`Storage`] (a bucket), as
//! `tawasul storage migrate` does when a network moves to several nodes.
//!
//! Every stored name is a content hash: `<sha256>.<ext>` (the media
//! library, renditions, `originals/`) or `<xxh3-128>.<ext>` (the importer).
//! So a name found in the target with the same size is the same file, and
//! a run stopped half-way resumes where it was. A local file whose content
//! does not match its name is damaged: it is reported, never copied. Each
//! copy is read back and hashed; a copy that differs is removed, so the
//! next run copies it again.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use futures_util::stream::{self, StreamExt};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncReadExt};

use super::{validate_name, Storage};
use crate::error::{MediaError, Result};

/// Files copied at once: enough to hide a bucket's latency, few enough
/// for a small server.
const AT_ONCE: usize = 4;

/// What a migration did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MigrationReport {
    /// Stored files found in the folder.
    pub files: u64,
    /// Files copied by this run.
    pub copied: u64,
    /// Their bytes.
    pub bytes_copied: u64,
    /// Files the target already held (an earlier run, or a node that wrote them).
    pub already_there: u64,
    /// Files whose content does not match their name: damaged, not copied.
    pub damaged: Vec<String>,
    /// Files that are not stored names (left by hand in the folder): not copied.
    pub ignored: Vec<String>,
}

/// The hash a file's name promises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Named {
    Sha256,
    Xxh3,
    /// Not a content name: compared by hashing both copies.
    Unnamed,
}

impl Named {
    fn of(name: &str) -> (Named, &str) {
        let file = name.rsplit('/').next().unwrap_or(name);
        let hash = file.split('.').next().unwrap_or_default();
        let hex = hash
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
        match hash.len() {
            64 if hex => (Named::Sha256, hash),
            32 if hex => (Named::Xxh3, hash),
            _ => (Named::Unnamed, ""),
        }
    }

    /// The hash of what `reader` yields, as the name would spell it.
    async fn hash(self, reader: &mut (dyn AsyncRead + Send + Unpin)) -> Result<String> {
        let mut buf = vec![0u8; 256 * 1024];
        match self {
            Named::Xxh3 => {
                let mut hasher = xxhash_rust::xxh3::Xxh3::new();
                loop {
                    let n = reader.read(&mut buf).await?;
                    if n == 0 {
                        return Ok(format!("{:032x}", hasher.digest128()));
                    }
                    hasher.update(&buf[..n]);
                }
            }
            Named::Sha256 | Named::Unnamed => {
                let mut hasher = Sha256::new();
                loop {
                    let n = reader.read(&mut buf).await?;
                    if n == 0 {
                        return Ok(hasher
                            .finalize()
                            .iter()
                            .map(|b| format!("{b:02x}"))
                            .collect());
                    }
                    hasher.update(&buf[..n]);
                }
            }
        }
    }
}

/// What happened to one file.
enum Outcome {
    Copied(u64),
    AlreadyThere,
    Damaged,
}

/// Copies every stored file under `source` into `target`, `at_once` files
/// at a time; `progress(done, total)` is called as files are done.
pub async fn copy_folder(
    source: &Path,
    target: &dyn Storage,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<MigrationReport> {
    let (files, ignored) = {
        let source = source.to_owned();
        tokio::task::spawn_blocking(move || list(&source))
            .await
            .map_err(|e| MediaError::Io(std::io::Error::other(e)))??
    };
    let total = files.len() as u64;
    progress(0, total);
    let done = AtomicU64::new(0);
    let outcomes: Vec<(String, Result<Outcome>)> = stream::iter(files)
        .map(|(name, path, len)| {
            let done = &done;
            async move {
                let outcome = copy_one(&name, &path, len, target).await;
                progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
                (name, outcome)
            }
        })
        .buffer_unordered(AT_ONCE)
        .collect()
        .await;
    let mut report = MigrationReport {
        files: total,
        ignored,
        ..MigrationReport::default()
    };
    for (name, outcome) in outcomes {
        match outcome? {
            Outcome::Copied(bytes) => {
                report.copied += 1;
                report.bytes_copied += bytes;
            }
            Outcome::AlreadyThere => report.already_there += 1,
            Outcome::Damaged => report.damaged.push(name),
        }
    }
    report.damaged.sort();
    Ok(report)
}

async fn copy_one(name: &str, path: &Path, len: u64, target: &dyn Storage) -> Result<Outcome> {
    let (named, promised) = Named::of(name);
    let local = named.hash(&mut tokio::fs::File::open(path).await?).await?;
    if named != Named::Unnamed && local != promised {
        tracing::warn!(
            file = name,
            "a file's content does not match its name: not copied"
        );
        return Ok(Outcome::Damaged);
    }
    if target.size(name).await? == Some(len) {
        // A content name of the right size is this very file; another name
        // is compared by its content.
        if named != Named::Unnamed
            || named.hash(&mut target.open(name).await?.reader).await? == local
        {
            return Ok(Outcome::AlreadyThere);
        }
    }
    target.put_file(name, path).await?;
    let copied = named.hash(&mut target.open(name).await?.reader).await?;
    if copied != local {
        // Removed, so that the next run does not take it for done.
        target.delete(name).await?;
        return Err(MediaError::Io(std::io::Error::other(format!(
            "the copy of {name} differs from the file after upload; it was removed, run the migration again"
        ))));
    }
    Ok(Outcome::Copied(len))
}

/// Every file under `root`: (stored name, path, length) for those that are
/// stored names, and the others' relative paths. Hidden files (temporary
/// uploads, `.incoming/`) are neither.
type Listing = (Vec<(String, PathBuf, u64)>, Vec<String>);

fn list(root: &Path) -> Result<Listing> {
    let mut files = Vec::new();
    let mut ignored = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == ErrorKind::NotFound && dir == root => {
                return Err(MediaError::NotFound(root.display().to_string()))
            }
            Err(e) => return Err(e.into()),
        };
        for entry in entries {
            let entry = entry?;
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let path = entry.path();
            let kind = entry.file_type()?;
            if kind.is_dir() {
                dirs.push(path);
                continue;
            }
            let relative = path
                .strip_prefix(root)
                .map(|p| {
                    p.components()
                        .map(|c| c.as_os_str().to_string_lossy())
                        .collect::<Vec<_>>()
                        .join("/")
                })
                .unwrap_or_default();
            if kind.is_file() && validate_name(&relative).is_ok() {
                files.push((relative, path, entry.metadata()?.len()));
            } else {
                ignored.push(relative);
            }
        }
    }
    // Smallest first: the count moves quickly and videos come last.
    files.sort_by(|a, b| a.2.cmp(&b.2).then_with(|| a.0.cmp(&b.0)));
    ignored.sort();
    Ok((files, ignored))
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::storage::LocalStorage;
    use crate::ContentHash;

    fn sha_name(bytes: &[u8], ext: &str) -> String {
        format!("{}.{ext}", ContentHash::of(bytes).hex())
    }

    fn xxh_name(bytes: &[u8], ext: &str) -> String {
        format!("{:032x}.{ext}", xxhash_rust::xxh3::xxh3_128(bytes))
    }

    /// An uploads folder as a server leaves it: renditions, an original,
    /// an imported image, a temporary file, a note left by hand.
    fn library(dir: &Path) -> Vec<String> {
        let rendition = b"rendition bytes".to_vec();
        let original = vec![9u8; 300_000];
        let imported = b"imported logo".to_vec();
        let names = vec![
            sha_name(&rendition, "webp"),
            format!("originals/{}", sha_name(&original, "jpg")),
            xxh_name(&imported, "png"),
        ];
        std::fs::create_dir_all(dir.join("originals")).unwrap();
        std::fs::create_dir_all(dir.join(".incoming")).unwrap();
        std::fs::write(dir.join(&names[0]), &rendition).unwrap();
        std::fs::write(dir.join(&names[1]), &original).unwrap();
        std::fs::write(dir.join(&names[2]), &imported).unwrap();
        std::fs::write(dir.join(".incoming/.upload.1.2.3.tmp"), b"partial").unwrap();
        std::fs::write(dir.join("LISEZ MOI.txt"), b"note").unwrap();
        names
    }

    #[tokio::test]
    async fn a_folder_is_copied_once_and_a_second_run_copies_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let names = library(&dir.path().join("uploads"));
        let target = LocalStorage::new(dir.path().join("bucket"));
        let seen = Mutex::new(Vec::new());
        let progress = |done: u64, total: u64| seen.lock().unwrap().push((done, total));

        let first = copy_folder(&dir.path().join("uploads"), &target, &progress)
            .await
            .unwrap();
        assert_eq!(first.files, 3);
        assert_eq!(first.copied, 3);
        assert_eq!(first.bytes_copied, 300_000 + 15 + 13);
        assert_eq!(first.ignored, ["LISEZ MOI.txt"]);
        assert!(first.damaged.is_empty());
        for name in &names {
            assert_eq!(
                target.get(name).await.unwrap(),
                std::fs::read(dir.path().join("uploads").join(name)).unwrap()
            );
        }
        // Temporary uploads stay behind.
        assert!(!dir.path().join("bucket/.incoming").exists());
        assert_eq!(seen.lock().unwrap().last(), Some(&(3, 3)));

        let again = copy_folder(&dir.path().join("uploads"), &target, &|_, _| {})
            .await
            .unwrap();
        assert_eq!((again.copied, again.already_there), (0, 3));
    }

    #[tokio::test]
    async fn a_file_that_does_not_match_its_name_is_reported_not_copied() {
        let dir = tempfile::tempdir().unwrap();
        let uploads = dir.path().join("uploads");
        let names = library(&uploads);
        // Bit rot in the rendition.
        std::fs::write(uploads.join(&names[0]), b"rendition bytez").unwrap();
        let target = LocalStorage::new(dir.path().join("bucket"));
        let report = copy_folder(&uploads, &target, &|_, _| {}).await.unwrap();
        assert_eq!(report.damaged, [names[0].clone()]);
        assert_eq!(report.copied, 2);
        assert!(!target.exists(&names[0]).await.unwrap());
    }

    #[tokio::test]
    async fn a_copy_of_the_wrong_size_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let uploads = dir.path().join("uploads");
        let names = library(&uploads);
        let target = LocalStorage::new(dir.path().join("bucket"));
        target.put(&names[2], b"short".to_vec()).await.unwrap();
        let report = copy_folder(&uploads, &target, &|_, _| {}).await.unwrap();
        assert_eq!((report.copied, report.already_there), (3, 0));
        assert_eq!(target.get(&names[2]).await.unwrap(), b"imported logo");
    }

    #[tokio::test]
    async fn a_missing_folder_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let target = LocalStorage::new(dir.path().join("bucket"));
        let err = copy_folder(&dir.path().join("nowhere"), &target, &|_, _| {})
            .await
            .unwrap_err();
        assert!(
            matches!(err, MediaError::NotFound(ref p) if p.ends_with("nowhere")),
            "{err:?}"
        );
    }
}
