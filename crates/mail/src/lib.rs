//! Institutional e-mail: one message per recipient ([`message`]), bodies
//! rendered from Tera templates in Arabic and French ([`templates`]), and
//! the transports that deliver them ([`transport`]): `.eml` files by
//! default, or an SMTP relay through a pool of our own connections, in
//! plain text, STARTTLS or implicit TLS. A configured key DKIM-signs each
//! message over the very bytes that are sent ([`dkim`]). `docs/mail.md`
//! tells how to configure all of it.
//!
//! The delivery worker (in the app crate) reads the outbox, builds an
//! [`Email`] with [`MessageSpec::build`], hands it to a [`MailTransport`]
//! and decides from [`SendError::is_permanent`] whether to retry.

pub mod dkim;
pub mod message;
pub mod templates;
pub mod transport;

pub use dkim::{Dkim, DkimError};
pub use message::{Attachment, Email, MessageError, MessageSpec, Unsubscribe};
pub use templates::{one_line, Lang, MailTemplates, Rendered, SiteStyle, TemplateError};
pub use transport::{
    FileTransport, MailTransport, RateLimit, Security, SendError, SmtpConfig, SmtpStats,
    SmtpTransport, TlsOptions,
};
