//! SMTP through a pool of our own connections.
//!
//! lettre 0.11's pooled transport, as released, waits ~40 ms per message on
//! a socket without `TCP_NODELAY` (issue 6, item 8). So we open every TCP
//! stream ourselves, set `TCP_NODELAY`, do implicit TLS ourselves when
//! asked, and hand the stream to lettre's `AsyncSmtpConnection`, which
//! speaks the protocol (EHLO, STARTTLS, AUTH, dot-stuffing, replies).
//!
//! Each message is MAIL FROM, RCPT TO, DATA, the data. When the server
//! offers PIPELINING (RFC 2920) the three commands go out in one write and
//! their three replies are read together, two round trips a message
//! instead of four; otherwise they go step by step. Either way every reply
//! is read, so we know where a failure happened: a refusal (4xx/5xx) is answered
//! with RSET and the connection goes back to the pool; a broken connection
//! before the data was sent is retried once on a fresh connection (nothing
//! was delivered); a failure after the data was sent is reported and the
//! connection dropped (the worker retries; SMTP cannot tell whether the
//! server kept the message).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{
    AsyncSmtpConnection, Certificate, CertificateStore, TlsParameters,
};
use lettre::transport::smtp::commands::{Data, Ehlo, Mail, Rcpt, Rset};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};
use lettre::transport::smtp::Error as SmtpError;
use rustls::pki_types::ServerName;
use tokio::net::TcpStream;
use tokio::sync::Semaphore;
use tokio::time::{timeout, Instant};
use tokio_rustls::TlsConnector;

use super::rate::TokenBucket;
use super::tls::{ca_certificates, client_config, handshake_failure, TlsTcp};
use super::{MailTransport, RateLimit, SendError};
use crate::Email;

/// How the connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// Plain text (a relay on the same host or network).
    None,
    /// Plain, then `STARTTLS` (required: no silent downgrade), usually port 587.
    StartTls,
    /// TLS from the first byte, usually port 465.
    Tls,
}

/// Certificate checking for STARTTLS and implicit TLS. By default the
/// relay's certificate must chain to a public authority (webpki-roots) and
/// name the host connected to.
#[derive(Debug, Clone, Default)]
pub struct TlsOptions {
    /// The CA certificates (PEM) trusted instead of the public authorities,
    /// for a relay with a private CA. Set it with [`TlsOptions::with_ca_pem`],
    /// which checks it.
    pub ca_pem: Option<String>,
    /// Accept any certificate. Only for a relay reached over a trusted
    /// network; the handshake is still encrypted.
    pub accept_invalid_certs: bool,
}

impl TlsOptions {
    /// Trusts only the CA certificates of this PEM bundle. A bundle with no
    /// certificate, or one that cannot be a trust anchor, is an error now
    /// rather than a refused handshake later.
    pub fn with_ca_pem(pem: impl Into<String>) -> Result<Self, SendError> {
        let pem = pem.into();
        ca_certificates(&pem).map_err(SendError::Tls)?;
        Ok(Self {
            ca_pem: Some(pem),
            accept_invalid_certs: false,
        })
    }
}

/// The SMTP relay and how to use it.
#[derive(Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub tls: TlsOptions,
    /// `(user, password)` for AUTH PLAIN or LOGIN.
    pub credentials: Option<(String, String)>,
    /// The name given in EHLO.
    pub hello_name: String,
    /// For the TCP connection and the TLS handshake.
    pub connect_timeout: Duration,
    /// For each reply (greeting, EHLO, AUTH, and each step of a message).
    pub command_timeout: Duration,
    /// Connections kept open at most (and messages in flight at most).
    pub pool_size: usize,
    /// A connection idle longer than this is checked with NOOP before use.
    pub check_after_idle: Duration,
    /// A connection idle longer than this is closed instead of reused.
    pub max_idle: Duration,
    pub rate_limit: Option<RateLimit>,
}

impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("tls", &self.tls)
            .field("user", &self.credentials.as_ref().map(|(user, _)| user))
            .field("password", &self.credentials.as_ref().map(|_| "(hidden)"))
            .field("hello_name", &self.hello_name)
            .field("connect_timeout", &self.connect_timeout)
            .field("command_timeout", &self.command_timeout)
            .field("pool_size", &self.pool_size)
            .field("check_after_idle", &self.check_after_idle)
            .field("max_idle", &self.max_idle)
            .field("rate_limit", &self.rate_limit)
            .finish()
    }
}

impl SmtpConfig {
    /// A relay with the defaults: STARTTLS on 587, 4 connections, 10 s to
    /// connect, 60 s per reply, no rate limit.
    pub fn new(host: impl Into<String>) -> Self {
        Self {
            host: host.into(),
            port: 587,
            security: Security::StartTls,
            tls: TlsOptions::default(),
            credentials: None,
            hello_name: "localhost".to_owned(),
            connect_timeout: Duration::from_secs(10),
            command_timeout: Duration::from_secs(60),
            pool_size: 4,
            check_after_idle: Duration::from_secs(5),
            max_idle: Duration::from_secs(60),
            rate_limit: None,
        }
    }
}

/// A session, and whether its server takes pipelined commands.
struct Session {
    conn: AsyncSmtpConnection,
    pipelining: bool,
}

struct Pooled {
    session: Session,
    idle_since: Instant,
}

/// Counters, for tests and the delivery log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SmtpStats {
    /// Connections opened (EHLO done) since the transport was made.
    pub connections_opened: u64,
    /// Messages the server accepted.
    pub delivered: u64,
}

/// The SMTP transport: at most `pool_size` connections, reused.
pub struct SmtpTransport {
    config: SmtpConfig,
    hello: ClientId,
    starttls: Option<TlsParameters>,
    implicit_tls: Option<TlsConnector>,
    idle: Mutex<Vec<Pooled>>,
    slots: Semaphore,
    bucket: Option<TokenBucket>,
    connections_opened: AtomicU64,
    delivered: AtomicU64,
}

impl std::fmt::Debug for SmtpTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpTransport")
            .field("config", &self.config)
            .field("stats", &self.stats())
            .finish()
    }
}

/// Where a message failed, to classify the error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Envelope,
    Data,
}

fn reply_of(error: &SmtpError) -> String {
    let text = error.to_string();
    text.chars().filter(|c| !c.is_control()).take(500).collect()
}

/// A failure in a message's steps.
fn message_error(error: &SmtpError, step: Step) -> SendError {
    match error.status().map(u16::from) {
        Some(code) if error.is_permanent() => SendError::Rejected {
            code,
            reply: reply_of(error),
        },
        Some(code) => SendError::Deferred {
            code,
            reply: reply_of(error),
        },
        None if error.is_timeout() => SendError::Timeout(match step {
            Step::Envelope => "envelope",
            Step::Data => "data",
        }),
        None => SendError::Network(reply_of(error)),
    }
}

/// A failure while opening a session.
fn session_error(error: &SmtpError) -> SendError {
    if error.status().is_some() || error.is_client() {
        SendError::Session(reply_of(error))
    } else if error.is_tls() {
        SendError::Tls(reply_of(error))
    } else {
        SendError::Network(reply_of(error))
    }
}

/// Drops a connection, saying QUIT if it still answers within a second.
async fn discard(mut conn: AsyncSmtpConnection) {
    let _ = timeout(Duration::from_secs(1), conn.abort()).await;
}

async fn within<T>(
    limit: Duration,
    what: &'static str,
    future: impl std::future::Future<Output = Result<T, SendError>>,
) -> Result<T, SendError> {
    timeout(limit, future)
        .await
        .map_err(|_| SendError::Timeout(what))?
}

impl SmtpTransport {
    /// Prepares the transport; connections are opened on first use.
    pub fn new(config: SmtpConfig) -> Result<Self, SendError> {
        let starttls = match config.security {
            Security::StartTls => {
                let mut builder = TlsParameters::builder(config.host.clone())
                    .dangerous_accept_invalid_certs(config.tls.accept_invalid_certs);
                if let Some(pem) = &config.tls.ca_pem {
                    // The same trust as implicit TLS: these CAs only.
                    ca_certificates(pem).map_err(SendError::Tls)?;
                    let cert = Certificate::from_pem(pem.as_bytes())
                        .map_err(|e| SendError::Tls(e.to_string()))?;
                    builder = builder
                        .certificate_store(CertificateStore::None)
                        .add_root_certificate(cert);
                }
                Some(
                    builder
                        .build_rustls()
                        .map_err(|e| SendError::Tls(e.to_string()))?,
                )
            }
            _ => None,
        };
        let implicit_tls = match config.security {
            Security::Tls => Some(TlsConnector::from(Arc::new(
                client_config(
                    config.tls.ca_pem.as_deref(),
                    config.tls.accept_invalid_certs,
                )
                .map_err(SendError::Tls)?,
            ))),
            _ => None,
        };
        let pool_size = config.pool_size.max(1);
        Ok(Self {
            hello: ClientId::Domain(config.hello_name.clone()),
            starttls,
            implicit_tls,
            idle: Mutex::new(Vec::with_capacity(pool_size)),
            slots: Semaphore::new(pool_size),
            bucket: config.rate_limit.map(TokenBucket::new),
            connections_opened: AtomicU64::new(0),
            delivered: AtomicU64::new(0),
            config,
        })
    }

    pub fn stats(&self) -> SmtpStats {
        SmtpStats {
            connections_opened: self.connections_opened.load(Ordering::Relaxed),
            delivered: self.delivered.load(Ordering::Relaxed),
        }
    }

    fn idle(&self) -> std::sync::MutexGuard<'_, Vec<Pooled>> {
        match self.idle.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Opens, greets, secures and authenticates a new connection.
    async fn connect(&self) -> Result<Session, SendError> {
        let c = &self.config;
        let tcp = timeout(
            c.connect_timeout,
            TcpStream::connect((c.host.as_str(), c.port)),
        )
        .await
        .map_err(|_| SendError::Timeout("connect"))?
        .map_err(|e| SendError::Connect(format!("{}:{}: {e}", c.host, c.port)))?;
        // The point of owning the stream (issue 6, item 8).
        tcp.set_nodelay(true)
            .map_err(|e| SendError::Connect(e.to_string()))?;

        let mut conn = match &self.implicit_tls {
            Some(connector) => {
                let name = ServerName::try_from(c.host.clone())
                    .map_err(|e| SendError::Tls(format!("{}: {e}", c.host)))?;
                let tls = timeout(c.connect_timeout, connector.connect(name, tcp))
                    .await
                    .map_err(|_| SendError::Timeout("TLS handshake"))?
                    .map_err(|e| {
                        SendError::Tls(handshake_failure(&c.host, &e).unwrap_or_else(|| {
                            format!("the TLS handshake with {} failed: {e}", c.host)
                        }))
                    })?;
                within(c.command_timeout, "greeting", async {
                    AsyncSmtpConnection::connect_with_transport(Box::new(TlsTcp(tls)), &self.hello)
                        .await
                        .map_err(|e| session_error(&e))
                })
                .await?
            }
            None => {
                within(c.command_timeout, "greeting", async {
                    AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &self.hello)
                        .await
                        .map_err(|e| session_error(&e))
                })
                .await?
            }
        };
        if let Some(params) = &self.starttls {
            if !conn.can_starttls() {
                discard(conn).await;
                return Err(SendError::Session(
                    "the server does not offer STARTTLS".to_owned(),
                ));
            }
            within(c.command_timeout, "STARTTLS", async {
                conn.starttls(params.clone(), &self.hello).await.map_err(
                    |e| match handshake_failure(&c.host, &e) {
                        Some(failure) => SendError::Tls(failure),
                        None => match session_error(&e) {
                            SendError::Network(detail) => SendError::Tls(detail),
                            other => other,
                        },
                    },
                )
            })
            .await?;
        }
        // lettre keeps only the extensions it uses from EHLO's answer, so
        // we ask again (before AUTH, which a new EHLO may reset) to learn
        // whether the server pipelines.
        let pipelining = within(c.command_timeout, "EHLO", async {
            conn.command(Ehlo::new(self.hello.clone()))
                .await
                .map_err(|e| session_error(&e))
        })
        .await?
        .message()
        .any(offers_pipelining);
        if let Some((user, password)) = &c.credentials {
            let credentials = Credentials::new(user.clone(), password.clone());
            within(c.command_timeout, "AUTH", async {
                conn.auth(&[Mechanism::Plain, Mechanism::Login], &credentials)
                    .await
                    .map(|_| ())
                    .map_err(|e| session_error(&e))
            })
            .await?;
        }
        self.connections_opened.fetch_add(1, Ordering::Relaxed);
        tracing::debug!(host = %c.host, port = c.port, pipelining, "SMTP connection opened");
        Ok(Session { conn, pipelining })
    }

    /// An idle connection that is still fit, or none.
    async fn take_idle(&self) -> Option<Session> {
        loop {
            let pooled = self.idle().pop()?;
            let idle = pooled.idle_since.elapsed();
            let mut session = pooled.session;
            if idle > self.config.max_idle {
                let _ = timeout(Duration::from_secs(1), session.conn.quit()).await;
                continue;
            }
            if idle > self.config.check_after_idle {
                let alive = timeout(self.config.command_timeout, session.conn.test_connected())
                    .await
                    .unwrap_or(false);
                if !alive {
                    discard(session.conn).await;
                    continue;
                }
            }
            return Some(session);
        }
    }

    fn put_back(&self, session: Session) {
        if !session.conn.has_broken() {
            self.idle().push(Pooled {
                session,
                idle_since: Instant::now(),
            });
        }
    }

    /// One message on one connection. The step tells what was sent.
    async fn transact(
        &self,
        session: &mut Session,
        email: &Email,
    ) -> Result<(), (Step, SendError)> {
        let pipelining = session.pipelining;
        let conn = &mut session.conn;
        let envelope = email.envelope();
        let bytes = email.formatted();
        let mut params = Vec::new();
        let non_ascii = envelope
            .from()
            .is_some_and(|a| !AsRef::<str>::as_ref(a).is_ascii())
            || envelope
                .to()
                .iter()
                .any(|a| !AsRef::<str>::as_ref(a).is_ascii());
        if non_ascii {
            if !conn.server_info().supports_feature(Extension::SmtpUtfEight) {
                return Err((
                    Step::Envelope,
                    SendError::Unsendable(
                        "a non-ASCII address, and the server does not offer SMTPUTF8".to_owned(),
                    ),
                ));
            }
            params.push(MailParameter::SmtpUtfEight);
        }
        if !bytes.is_ascii() {
            if !conn.server_info().supports_feature(Extension::EightBitMime) {
                return Err((
                    Step::Envelope,
                    SendError::Unsendable(
                        "8-bit data, and the server does not offer 8BITMIME".to_owned(),
                    ),
                ));
            }
            params.push(MailParameter::Body(MailBodyParameter::EightBitMime));
        }
        let limit = self.config.command_timeout;
        let mail = Mail::new(envelope.from().cloned(), params);
        let rcpts: Vec<Rcpt> = envelope
            .to()
            .iter()
            .map(|to| Rcpt::new(to.clone(), Vec::new()))
            .collect();
        if pipelining {
            match timeout(limit, pipelined_envelope(conn, mail, &rcpts)).await {
                Err(_) => return Err((Step::Envelope, SendError::Timeout("envelope"))),
                Ok(Err(failure)) => return Err(failure),
                Ok(Ok(())) => {}
            }
        } else {
            let envelope_step = async {
                conn.command(mail).await?;
                for rcpt in rcpts {
                    conn.command(rcpt).await?;
                }
                conn.command(Data).await
            };
            match timeout(limit, envelope_step).await {
                Err(_) => return Err((Step::Envelope, SendError::Timeout("envelope"))),
                Ok(Err(e)) => return Err((Step::Envelope, message_error(&e, Step::Envelope))),
                Ok(Ok(_)) => {}
            }
        }
        // lettre ends the data with CRLF "." CRLF, and that first CRLF ends
        // the last line (RFC 5321 4.1.1.4): sent with the message's own, it
        // would add an empty line, and the server would not hold the exact
        // bytes that were signed.
        let data = bytes.strip_suffix(b"\r\n").unwrap_or(bytes);
        match timeout(limit, conn.message(data)).await {
            Err(_) => Err((Step::Data, SendError::Timeout("data"))),
            Ok(Err(e)) => Err((Step::Data, message_error(&e, Step::Data))),
            Ok(Ok(_)) => Ok(()),
        }
    }
}

/// Whether a line of EHLO's answer offers PIPELINING.
fn offers_pipelining(line: &str) -> bool {
    line.split_whitespace()
        .next()
        .is_some_and(|word| word.eq_ignore_ascii_case("PIPELINING"))
}

/// MAIL, RCPT… and DATA in one write (RFC 2920), then every reply, in
/// order, even after a refusal, so the session stays in step.
async fn pipelined_envelope(
    conn: &mut AsyncSmtpConnection,
    mail: Mail,
    rcpts: &[Rcpt],
) -> Result<(), (Step, SendError)> {
    use std::fmt::Write as _;
    let mut group = mail.to_string();
    for rcpt in rcpts {
        let _ = write!(group, "{rcpt}");
    }
    let _ = write!(group, "{Data}");
    let mut refusal: Option<SmtpError> = None;
    let expected = rcpts.len() + 2;
    let mut outcome = conn.command(group).await;
    let mut replies = 1;
    let data_opened = loop {
        let accepted = match outcome {
            Ok(_) => true,
            // No reply at all: the connection is gone, nothing is pending.
            Err(e) if e.status().is_none() => {
                return Err((Step::Envelope, message_error(&e, Step::Envelope)))
            }
            Err(e) => {
                refusal.get_or_insert(e);
                false
            }
        };
        if replies == expected {
            break accepted;
        }
        outcome = conn.read_response().await;
        replies += 1;
    };
    match (refusal, data_opened) {
        (None, _) => Ok(()),
        // DATA was refused too (no valid recipient): an ordinary refusal.
        (Some(e), false) => Err((Step::Envelope, message_error(&e, Step::Envelope))),
        // The server opened DATA after refusing the envelope: it is not in
        // a state we can trust; the caller drops the connection, which
        // abandons the (empty) message.
        (Some(e), true) => Err((
            Step::Data,
            SendError::Network(format!(
                "the server opened DATA after refusing the envelope: {}",
                reply_of(&e)
            )),
        )),
    }
}

impl MailTransport for SmtpTransport {
    async fn send(&self, email: &Email) -> Result<(), SendError> {
        if let Some(bucket) = &self.bucket {
            bucket.acquire().await;
        }
        let _slot = self
            .slots
            .acquire()
            .await
            .map_err(|_| SendError::Network("the transport is closed".to_owned()))?;
        // A reused connection may have been closed by the server meanwhile:
        // then the envelope fails before anything was delivered, and we try
        // once more on a fresh connection.
        let mut reused = self.take_idle().await;
        loop {
            let was_reused = reused.is_some();
            let mut session = match reused.take() {
                Some(session) => session,
                None => self.connect().await?,
            };
            match self.transact(&mut session, email).await {
                Ok(()) => {
                    self.put_back(session);
                    self.delivered.fetch_add(1, Ordering::Relaxed);
                    return Ok(());
                }
                Err((step, error)) => {
                    let refused =
                        error.code().is_some() || matches!(error, SendError::Unsendable(_));
                    if refused {
                        // The server answered: the session is fine, reset it.
                        let reset =
                            timeout(self.config.command_timeout, session.conn.command(Rset)).await;
                        if matches!(reset, Ok(Ok(_))) {
                            self.put_back(session);
                        } else {
                            discard(session.conn).await;
                        }
                        return Err(error);
                    }
                    discard(session.conn).await;
                    if was_reused && step == Step::Envelope {
                        tracing::debug!(%error, "a pooled SMTP connection was stale; reconnecting");
                        continue;
                    }
                    return Err(error);
                }
            }
        }
    }
}

impl SmtpTransport {
    /// Closes the idle connections politely (QUIT).
    pub async fn close(&self) {
        let idle: Vec<Pooled> = std::mem::take(&mut *self.idle());
        for mut pooled in idle {
            let _ = timeout(Duration::from_secs(2), pooled.session.conn.quit()).await;
        }
    }
}
