//! Media files in an S3-compatible bucket (MinIO, Ceph, Garage, a cloud's
//! object storage), so that every web node serves what any of them stored.
//!
//! Names map to keys one to one, under an optional prefix. Uploads are
//! streamed: a file up to [`PART_SIZE`] is one PUT, a larger one a multipart
//! upload of parts of that size, so memory holds a few parts, never a whole
//! video. Either way the object appears whole or not at all.

use std::fmt;
use std::io::ErrorKind;
use std::ops::Range;
use std::path::Path as FsPath;
use std::time::{Duration, SystemTime};

use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::list::{PaginatedListOptions, PaginatedListStore};
use object_store::path::Path;
use object_store::{
    BackoffConfig, ClientOptions, GetOptions, GetRange, ObjectStore, ObjectStoreExt, PutPayload,
    RetryConfig, WriteMultipart,
};
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio_util::io::StreamReader;

use super::{validate_name, BoxFuture, Storage, StoredFile};
use crate::error::{MediaError, Result};

/// Parts of a multipart upload, and the size past which an upload is one.
/// S3 wants parts of at least 5 MiB (but the last).
const PART_SIZE: usize = 8 * 1024 * 1024;
/// Parts in flight at once: memory per upload stays near
/// `PART_SIZE × (PARTS_IN_FLIGHT + 1)`.
const PARTS_IN_FLIGHT: usize = 2;
/// How long the start-up check may take before the bucket is said not to answer.
const CHECK_TIMEOUT: Duration = Duration::from_secs(30);

/// Where the bucket is and the key that opens it.
#[derive(Clone, PartialEq, Eq)]
pub struct S3Settings {
    /// `https://s3.example.ma` (or `http://` on a private network).
    pub endpoint: String,
    pub region: String,
    pub bucket: String,
    /// `endpoint/bucket/key` rather than `bucket.endpoint/key`.
    pub path_style: bool,
    /// Keys start with `prefix/` when it is not empty.
    pub prefix: String,
    pub access_key_id: String,
    pub secret_access_key: String,
}

/// The secret stays out of logs.
impl fmt::Debug for S3Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Settings")
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("bucket", &self.bucket)
            .field("path_style", &self.path_style)
            .field("prefix", &self.prefix)
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"***")
            .finish()
    }
}

/// Files in an S3-compatible bucket.
#[derive(Debug)]
pub struct S3Storage {
    store: AmazonS3,
    prefix: String,
    endpoint: String,
    bucket: String,
}

impl S3Storage {
    /// A client of the bucket; nothing is sent yet ([`S3Storage::check`]
    /// does). Fails only on settings the client cannot use.
    pub fn new(settings: &S3Settings) -> std::io::Result<Self> {
        // reqwest is built without a bundled TLS provider (see the root
        // Cargo.toml): ring, as the mail crate uses. Installing fails only
        // when a provider is already installed, which is as good.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let endpoint = settings.endpoint.trim_end_matches('/').to_owned();
        // Virtual-hosted addressing wants the bucket in the host already.
        let address = if settings.path_style {
            endpoint.clone()
        } else {
            match endpoint.split_once("://") {
                Some((scheme, host)) => format!("{scheme}://{}.{host}", settings.bucket),
                None => endpoint.clone(),
            }
        };
        let options = ClientOptions::new()
            .with_allow_http(endpoint.starts_with("http://"))
            .with_connect_timeout(Duration::from_secs(5))
            // A whole request may last as long as a slow phone takes to
            // download a video; a server that stops sending is caught by
            // the read timeout instead.
            .with_timeout_disabled()
            .with_read_timeout(Duration::from_secs(60));
        let store = AmazonS3Builder::new()
            .with_endpoint(address)
            .with_region(&settings.region)
            .with_bucket_name(&settings.bucket)
            .with_access_key_id(&settings.access_key_id)
            .with_secret_access_key(&settings.secret_access_key)
            .with_virtual_hosted_style_request(!settings.path_style)
            .with_client_options(options)
            // A few quick retries: a page waits on these, and a bucket that
            // is down should show as an error in seconds, not minutes.
            .with_retry(RetryConfig {
                backoff: BackoffConfig::default(),
                max_retries: 3,
                retry_timeout: Duration::from_secs(20),
            })
            .build()
            .map_err(|e| {
                std::io::Error::new(
                    ErrorKind::InvalidInput,
                    format!("the S3 client cannot be made from [storage]: {e}"),
                )
            })?;
        Ok(Self {
            store,
            prefix: settings.prefix.trim_matches('/').to_owned(),
            endpoint,
            bucket: settings.bucket.clone(),
        })
    }

    /// Lists one key, then writes, reads back and removes a tiny object, so
    /// that a wrong key, a missing bucket or an endpoint that does not
    /// answer is said once, at start, in words that name what to fix,
    /// rather than on the first upload. (The list comes first because some
    /// servers create a missing bucket on a write.)
    pub async fn check(&self) -> std::io::Result<()> {
        let nanos = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        // Unique per process, so nodes starting together do not meet.
        let key = self.key_of(&format!("tawasul-check-{}-{nanos}.txt", std::process::id()));
        let probe = async {
            let one = PaginatedListOptions {
                max_keys: Some(1),
                ..PaginatedListOptions::default()
            };
            let prefix = (!self.prefix.is_empty()).then(|| format!("{}/", self.prefix));
            self.store.list_paginated(prefix.as_deref(), one).await?;
            self.store
                .put(&key, PutPayload::from_static(b"tawasul"))
                .await?;
            let read = self.store.get(&key).await?.bytes().await?;
            self.store.delete(&key).await?;
            Ok::<_, object_store::Error>(read)
        };
        let where_ = format!(
            "storage.bucket `{}` at storage.endpoint {}",
            self.bucket, self.endpoint
        );
        match tokio::time::timeout(CHECK_TIMEOUT, probe).await {
            Err(_) => Err(std::io::Error::new(
                ErrorKind::TimedOut,
                format!(
                    "{where_} did not answer within {} seconds",
                    CHECK_TIMEOUT.as_secs()
                ),
            )),
            Ok(Ok(read)) if read.as_ref() == b"tawasul" => Ok(()),
            Ok(Ok(_)) => Err(std::io::Error::other(format!(
                "{where_} gave back other bytes than were written"
            ))),
            Ok(Err(e)) => Err(match refusal(&e) {
                Refusal::Key => std::io::Error::new(
                    ErrorKind::PermissionDenied,
                    format!(
                        "{where_} refused the access key: check TAWASUL_S3_ACCESS_KEY_ID and \
                         TAWASUL_S3_SECRET_ACCESS_KEY (or AWS_ACCESS_KEY_ID and \
                         AWS_SECRET_ACCESS_KEY), and that the key may list, read, write and \
                         delete in the bucket ({e})"
                    ),
                ),
                Refusal::NoBucket => std::io::Error::new(
                    ErrorKind::NotFound,
                    format!("{where_} does not exist: create the bucket first ({e})"),
                ),
                Refusal::Other => std::io::Error::other(format!("{where_} cannot be used: {e}")),
            }),
        }
    }

    /// The key of a stored name (checked by the caller).
    fn key_of(&self, name: &str) -> Path {
        if self.prefix.is_empty() {
            Path::from(name)
        } else {
            Path::from(format!("{}/{name}", self.prefix))
        }
    }

    fn key(&self, name: &str) -> Result<Path> {
        validate_name(name)?;
        Ok(self.key_of(name))
    }

    /// Reads `reader` into the bucket: one PUT when it ends within a part,
    /// else a multipart upload. Past `max_bytes`, or on any failure, the
    /// upload is aborted and nothing is stored.
    async fn upload(
        &self,
        name: &str,
        key: &Path,
        reader: &mut (dyn AsyncRead + Send + Unpin),
        max_bytes: u64,
    ) -> Result<u64> {
        let mut first = Vec::with_capacity(64 * 1024);
        let total = read_up_to(reader, &mut first, PART_SIZE, max_bytes).await?;
        if first.len() < PART_SIZE {
            self.store
                .put(key, PutPayload::from(first))
                .await
                .map_err(|e| failed(e, name, "put"))?;
            return Ok(total);
        }
        let upload = self
            .store
            .put_multipart(key)
            .await
            .map_err(|e| failed(e, name, "start a multipart upload"))?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART_SIZE);
        writer.write(&first);
        drop(first);
        match pump(name, reader, &mut writer, total, max_bytes).await {
            Ok(total) => {
                writer
                    .finish()
                    .await
                    .map_err(|e| failed(e, name, "complete a multipart upload"))?;
                Ok(total)
            }
            Err(e) => {
                // Uploaded parts cost space until aborted; a failed abort
                // is left to the bucket's lifecycle rule (docs/deploy.md).
                if let Err(abort) = writer.abort().await {
                    tracing::warn!(file = name, error = %abort, "could not abort a multipart upload");
                }
                Err(e)
            }
        }
    }
}

/// Reads into `buf` until it holds `limit` bytes or the reader ends;
/// returns the bytes read. Past `max_bytes` in all: [`MediaError::TooLarge`].
async fn read_up_to(
    reader: &mut (dyn AsyncRead + Send + Unpin),
    buf: &mut Vec<u8>,
    limit: usize,
    max_bytes: u64,
) -> Result<u64> {
    let mut chunk = vec![0u8; 64 * 1024];
    while buf.len() < limit {
        let want = chunk.len().min(limit - buf.len());
        let n = reader.read(&mut chunk[..want]).await?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
        if buf.len() as u64 > max_bytes {
            return Err(MediaError::TooLarge { limit: max_bytes });
        }
    }
    Ok(buf.len() as u64)
}

/// Feeds the rest of `reader` to a multipart upload, waiting while
/// [`PARTS_IN_FLIGHT`] parts are being sent (so a fast reader cannot fill
/// memory). Returns the total bytes read.
async fn pump(
    name: &str,
    reader: &mut (dyn AsyncRead + Send + Unpin),
    writer: &mut WriteMultipart,
    mut total: u64,
    max_bytes: u64,
) -> Result<u64> {
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let n = reader.read(&mut chunk).await?;
        if n == 0 {
            return Ok(total);
        }
        total += n as u64;
        if total > max_bytes {
            return Err(MediaError::TooLarge { limit: max_bytes });
        }
        writer
            .wait_for_capacity(PARTS_IN_FLIGHT)
            .await
            .map_err(|e| failed(e, name, "upload a part"))?;
        writer.write(&chunk[..n]);
    }
}

/// Why a bucket refused the start-up check.
#[derive(Debug, PartialEq, Eq)]
enum Refusal {
    Key,
    NoBucket,
    Other,
}

/// Reads a refusal by its kind where object_store gives one, else by the S3
/// error code in its message (a list request's errors come without a kind):
/// the codes are S3's protocol, the same on every server.
fn refusal(e: &object_store::Error) -> Refusal {
    match e {
        object_store::Error::PermissionDenied { .. }
        | object_store::Error::Unauthenticated { .. } => return Refusal::Key,
        object_store::Error::NotFound { .. } => return Refusal::NoBucket,
        _ => {}
    }
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(inner) = source {
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    if text.contains("NoSuchBucket") {
        Refusal::NoBucket
    } else if [
        "403 Forbidden",
        "401 Unauthorized",
        "SignatureDoesNotMatch",
        "InvalidAccessKeyId",
        "AccessDenied",
    ]
    .iter()
    .any(|code| text.contains(code))
    {
        Refusal::Key
    } else {
        Refusal::Other
    }
}

/// A bucket's error as the media crate's: a missing object is
/// [`MediaError::NotFound`]; anything else is logged with its detail (the
/// error people see only says the storage failed) and is an I/O error.
fn failed(e: object_store::Error, name: &str, operation: &'static str) -> MediaError {
    match e {
        object_store::Error::NotFound { .. } => MediaError::NotFound(name.to_owned()),
        e => {
            tracing::warn!(file = name, operation, error = %e, "the media bucket failed");
            MediaError::Io(std::io::Error::other(e))
        }
    }
}

impl Storage for S3Storage {
    fn put<'a>(&'a self, name: &'a str, bytes: Vec<u8>) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            let key = self.key(name)?;
            self.store
                .put(&key, PutPayload::from(bytes))
                .await
                .map_err(|e| failed(e, name, "put"))?;
            Ok(())
        })
    }

    fn put_file<'a>(&'a self, name: &'a str, path: &'a FsPath) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            let key = self.key(name)?;
            let mut file = tokio::fs::File::open(path).await?;
            self.upload(name, &key, &mut file, u64::MAX).await?;
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
            let key = self.key(name)?;
            self.upload(name, &key, reader, max_bytes).await
        })
    }

    fn get<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<Vec<u8>>> {
        Box::pin(async move {
            let key = self.key(name)?;
            let result = self
                .store
                .get(&key)
                .await
                .map_err(|e| failed(e, name, "get"))?;
            let bytes = result.bytes().await.map_err(|e| failed(e, name, "get"))?;
            Ok(bytes.to_vec())
        })
    }

    fn open<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<StoredFile>> {
        Box::pin(async move {
            let key = self.key(name)?;
            let result = self
                .store
                .get(&key)
                .await
                .map_err(|e| failed(e, name, "get"))?;
            let len = result.range.end - result.range.start;
            Ok(StoredFile {
                len,
                reader: Box::new(StreamReader::new(result.into_stream())),
            })
        })
    }

    fn open_range<'a>(
        &'a self,
        name: &'a str,
        range: Range<u64>,
    ) -> BoxFuture<'a, Result<StoredFile>> {
        Box::pin(async move {
            let key = self.key(name)?;
            if range.is_empty() {
                // S3 refuses an empty range; there is nothing to fetch.
                return Ok(StoredFile {
                    len: 0,
                    reader: Box::new(tokio::io::empty()),
                });
            }
            let options = GetOptions {
                range: Some(GetRange::Bounded(range)),
                ..GetOptions::default()
            };
            let result = self
                .store
                .get_opts(&key, options)
                .await
                .map_err(|e| failed(e, name, "get a range"))?;
            let len = result.range.end - result.range.start;
            Ok(StoredFile {
                len,
                reader: Box::new(StreamReader::new(result.into_stream())),
            })
        })
    }

    fn size<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<Option<u64>>> {
        Box::pin(async move {
            let key = self.key(name)?;
            match self.store.head(&key).await {
                Ok(meta) => Ok(Some(meta.size)),
                Err(object_store::Error::NotFound { .. }) => Ok(None),
                Err(e) => Err(failed(e, name, "head")),
            }
        })
    }

    fn delete<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<bool>> {
        Box::pin(async move {
            // S3 deletes a missing key without a word; ask first, so the
            // answer says whether there was a file, as the trait promises.
            if self.size(name).await?.is_none() {
                return Ok(false);
            }
            let key = self.key(name)?;
            self.store
                .delete(&key)
                .await
                .map_err(|e| failed(e, name, "delete"))?;
            Ok(true)
        })
    }

    fn exists<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<bool>> {
        Box::pin(async move { Ok(self.size(name).await?.is_some()) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> S3Settings {
        S3Settings {
            endpoint: "https://s3.example.ma/".to_owned(),
            region: "us-east-1".to_owned(),
            bucket: "media".to_owned(),
            path_style: true,
            prefix: "/tawasul/prod/".to_owned(),
            access_key_id: "AKID".to_owned(),
            secret_access_key: "very-secret".to_owned(),
        }
    }

    #[test]
    fn names_become_keys_under_the_prefix() {
        let storage = S3Storage::new(&settings()).unwrap();
        assert_eq!(
            storage.key("originals/ab.jpg").unwrap().as_ref(),
            "tawasul/prod/originals/ab.jpg"
        );
        let bare = S3Storage::new(&S3Settings {
            prefix: String::new(),
            ..settings()
        })
        .unwrap();
        assert_eq!(bare.key("ab.jpg").unwrap().as_ref(), "ab.jpg");
        assert_eq!(
            storage.key("../ab.jpg").unwrap_err().code(),
            "invalid-stored-name"
        );
    }

    #[test]
    fn the_secret_stays_out_of_debug_output() {
        let shown = format!("{:?}", settings());
        assert!(!shown.contains("very-secret"), "{shown}");
        assert!(shown.contains("AKID"), "{shown}");
    }

    #[test]
    fn refusals_are_read_by_their_s3_code() {
        let generic = |message: &str| object_store::Error::Generic {
            store: "S3",
            source: message.to_owned().into(),
        };
        let table = [
            (
                "403 Forbidden: <Code>SignatureDoesNotMatch</Code>",
                Refusal::Key,
            ),
            ("<Code>InvalidAccessKeyId</Code>", Refusal::Key),
            (
                "404 Not Found: <Code>NoSuchBucket</Code>",
                Refusal::NoBucket,
            ),
            ("error sending request: connection refused", Refusal::Other),
        ];
        for (message, expected) in table {
            assert_eq!(refusal(&generic(message)), expected, "{message}");
        }
    }

    #[tokio::test]
    async fn reading_stops_past_the_limit() {
        let mut reader: &[u8] = &[1; 1000];
        let mut buf = Vec::new();
        let err = read_up_to(&mut reader, &mut buf, 4096, 999)
            .await
            .unwrap_err();
        assert_eq!(err.http_status(), 413);
        let mut reader: &[u8] = &[1; 1000];
        let mut buf = Vec::new();
        assert_eq!(
            read_up_to(&mut reader, &mut buf, 600, 1000).await.unwrap(),
            600
        );
    }
}
