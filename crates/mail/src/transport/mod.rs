//! Delivering an [`Email`]: the [`MailTransport`] trait, the failure
//! classification the delivery worker relies on ([`SendError`]), and the
//! transports: `.eml` files ([`FileTransport`], the default) and SMTP
//! ([`SmtpTransport`], a pool of our own connections).

mod file;
mod rate;
mod smtp;
mod tls;

use std::future::Future;

use thiserror::Error;

use crate::Email;

pub use file::FileTransport;
pub use rate::RateLimit;
pub use smtp::{Security, SmtpConfig, SmtpStats, SmtpTransport, TlsOptions};

/// Why a message was not delivered, and whether trying again may help.
///
/// Permanent (stop retrying, mark the row failed): [`SendError::Rejected`],
/// [`SendError::Unsendable`]. Everything else is temporary (retry later
/// with backoff). A 5xx that concerns the session rather than the message
/// (greeting, EHLO, STARTTLS, AUTH) is [`SendError::Session`] and
/// temporary: a wrong password or a relay refusing us must not throw away
/// every queued message; fixing the configuration lets them through.
#[derive(Debug, Error)]
pub enum SendError {
    /// The server refused this message for good: a 5xx reply to MAIL FROM,
    /// RCPT TO, DATA or the end of the data.
    #[error("the mail server refused the message ({code}): {reply}")]
    Rejected { code: u16, reply: String },
    /// This transport can never send this message as it is (an address the
    /// server cannot take, a key that makes no file name).
    #[error("the message cannot be sent: {0}")]
    Unsendable(String),
    /// The server deferred this message: a 4xx reply.
    #[error("the mail server deferred the message ({code}): {reply}")]
    Deferred { code: u16, reply: String },
    /// The server refused the session (greeting, EHLO, STARTTLS, AUTH).
    #[error("the mail server refused the session: {0}")]
    Session(String),
    /// No TCP connection (refused, unreachable, name not found).
    #[error("cannot connect to the mail server: {0}")]
    Connect(String),
    /// The TLS handshake failed (certificate, protocol).
    #[error("TLS with the mail server failed: {0}")]
    Tls(String),
    /// The server did not answer in time.
    #[error("the mail server did not answer in time ({0})")]
    Timeout(&'static str),
    /// The connection broke, or the server answered something unreadable.
    #[error("the connection to the mail server broke: {0}")]
    Network(String),
    /// Writing the message file failed.
    #[error("cannot write the message file: {0}")]
    Io(#[from] std::io::Error),
}

impl SendError {
    /// True when retrying cannot help: the worker marks the message failed.
    pub fn is_permanent(&self) -> bool {
        matches!(self, SendError::Rejected { .. } | SendError::Unsendable(_))
    }

    /// The SMTP reply code, when the server gave one.
    pub fn code(&self) -> Option<u16> {
        match self {
            SendError::Rejected { code, .. } | SendError::Deferred { code, .. } => Some(*code),
            _ => None,
        }
    }
}

/// Something that delivers messages. Implementations are shared between
/// tasks (`&self`) and safe to call concurrently.
pub trait MailTransport: Send + Sync {
    /// Delivers one message. `Ok` means the next hop took responsibility
    /// for it (a 250 after the data, or the file renamed into place).
    fn send(&self, email: &Email) -> impl Future<Output = Result<(), SendError>> + Send;
}
