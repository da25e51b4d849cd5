//! `.eml` files in a folder: the transport when no SMTP relay is configured.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::{MailTransport, SendError};
use crate::message::encode_key;
use crate::Email;

/// Writes each message to `{folder}/{key}.eml` (the key encoded as in the
/// Message-ID): written to a temporary file, synced, then renamed, so a
/// reader never sees half a message and a retry replaces rather than
/// duplicates.
#[derive(Debug)]
pub struct FileTransport {
    folder: PathBuf,
    counter: AtomicU64,
}

impl FileTransport {
    /// Creates the folder if needed.
    pub fn new(folder: impl Into<PathBuf>) -> std::io::Result<Self> {
        let folder = folder.into();
        std::fs::create_dir_all(&folder)?;
        Ok(Self {
            folder,
            counter: AtomicU64::new(0),
        })
    }

    pub fn folder(&self) -> &Path {
        &self.folder
    }

    /// Where the message with this key is (or would be) written.
    pub fn path_of(&self, key: &str) -> PathBuf {
        self.folder.join(format!("{}.eml", encode_key(key)))
    }
}

impl MailTransport for FileTransport {
    async fn send(&self, email: &Email) -> Result<(), SendError> {
        let name = encode_key(email.key());
        if name.len() > 240 {
            return Err(SendError::Unsendable(format!(
                "the key {:?} makes a file name too long",
                email.key()
            )));
        }
        let target = self.folder.join(format!("{name}.eml"));
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let temp = self
            .folder
            .join(format!(".{name}.{}.{n}.tmp", std::process::id()));
        let result = async {
            let mut file = tokio::fs::File::create(&temp).await?;
            tokio::io::AsyncWriteExt::write_all(&mut file, email.formatted()).await?;
            file.sync_all().await?;
            drop(file);
            tokio::fs::rename(&temp, &target).await
        }
        .await;
        if let Err(error) = result {
            let _ = tokio::fs::remove_file(&temp).await;
            return Err(error.into());
        }
        tracing::debug!(key = email.key(), path = %target.display(), "mail written to a file");
        Ok(())
    }
}
