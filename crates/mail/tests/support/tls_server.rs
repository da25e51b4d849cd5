//! A small SMTP server behind TLS, for the TLS tests: a real TCP and TLS
//! conversation on 127.0.0.1 with a certificate the test made. It speaks
//! implicit TLS (TLS from the first byte, like port 465) or plain text
//! then STARTTLS (like port 587), and enough SMTP for one client: EHLO,
//! STARTTLS, MAIL, RCPT, DATA, RSET, NOOP, QUIT. It records each message
//! and whether it came over TLS, and every handshake that failed.
//!
//! [`TestPki`] makes the certificates: a CA, and server certificates for
//! chosen names signed by it.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

/// A certificate authority made for one test.
pub struct TestPki {
    issuer: Issuer<'static, KeyPair>,
    /// The CA certificate, PEM: what `mail.ca_file` holds.
    pub ca_pem: String,
}

/// A server certificate and its key.
#[derive(Debug)]
pub struct ServerCert {
    pub chain: Vec<CertificateDer<'static>>,
    pub key_pkcs8: Vec<u8>,
}

impl TestPki {
    pub fn new(name: &str) -> Self {
        let key = KeyPair::generate().expect("CA key");
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let certificate = params.self_signed(&key).expect("CA certificate");
        Self {
            ca_pem: certificate.pem(),
            issuer: Issuer::new(params, key),
        }
    }

    /// A server certificate for these names (DNS names or IP addresses).
    pub fn server_cert(&self, names: &[&str]) -> ServerCert {
        let key = KeyPair::generate().expect("server key");
        let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
        let mut params = CertificateParams::new(names).expect("server params");
        params
            .distinguished_name
            .push(DnType::CommonName, "relay under test");
        let certificate = params.signed_by(&key, &self.issuer).expect("signed");
        ServerCert {
            chain: vec![certificate.der().clone()],
            key_pkcs8: key.serialize_der(),
        }
    }
}

/// How the server protects the conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// TLS from the first byte.
    Implicit,
    /// Plain text; EHLO offers STARTTLS.
    StartTls,
}

/// A message as the server received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
    /// Whether the conversation was encrypted when the message came.
    pub over_tls: bool,
}

#[derive(Debug, Default)]
struct State {
    messages: Mutex<Vec<Received>>,
    failed_handshakes: Mutex<Vec<String>>,
}

pub struct TlsSmtpServer {
    addr: SocketAddr,
    state: Arc<State>,
    task: JoinHandle<()>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl TlsSmtpServer {
    pub async fn start(mode: Mode, cert: &ServerCert) -> Self {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("protocol versions")
            .with_no_client_auth()
            .with_single_cert(
                cert.chain.clone(),
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(cert.key_pkcs8.clone())),
            )
            .expect("server certificate");
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        let state = Arc::new(State::default());
        let shared = state.clone();
        let task = tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                tokio::spawn(session(tcp, mode, acceptor.clone(), shared.clone()));
            }
        });
        Self { addr, state, task }
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn messages(&self) -> Vec<Received> {
        lock(&self.state.messages).clone()
    }

    /// The server's side of each handshake that failed (the client's
    /// alert, usually).
    pub fn failed_handshakes(&self) -> Vec<String> {
        lock(&self.state.failed_handshakes).clone()
    }
}

impl Drop for TlsSmtpServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

const GREETING: &str = "220 relay.test ESMTP ready";

async fn session(tcp: TcpStream, mode: Mode, acceptor: TlsAcceptor, state: Arc<State>) {
    let _ = tcp.set_nodelay(true);
    let tcp = match mode {
        Mode::Implicit => tcp,
        Mode::StartTls => {
            let mut plain = BufReader::new(tcp);
            if reply(&mut plain, GREETING).await.is_err() {
                return;
            }
            match converse(&mut plain, &state, false).await {
                // The client waited for our 220: nothing is left buffered.
                Ok(Next::StartTls) => plain.into_inner(),
                _ => return,
            }
        }
    };
    match acceptor.accept(tcp).await {
        Ok(tls) => {
            let mut tls = BufReader::new(tls);
            if mode == Mode::Implicit && reply(&mut tls, GREETING).await.is_err() {
                return;
            }
            let _ = converse(&mut tls, &state, true).await;
        }
        Err(e) => lock(&state.failed_handshakes).push(e.to_string()),
    }
}

enum Next {
    Quit,
    StartTls,
}

async fn reply<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut BufReader<S>,
    text: &str,
) -> std::io::Result<()> {
    let writer = stream.get_mut();
    writer.write_all(text.as_bytes()).await?;
    writer.write_all(b"\r\n").await?;
    writer.flush().await
}

fn angle(arg: &str) -> String {
    let start = arg.find('<').map_or(0, |i| i + 1);
    let end = arg[start..].find('>').map_or(arg.len(), |i| start + i);
    arg[start..end].to_owned()
}

async fn converse<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut BufReader<S>,
    state: &State,
    over_tls: bool,
) -> std::io::Result<Next> {
    let mut from = String::new();
    let mut to = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if stream.read_line(&mut line).await? == 0 {
            return Ok(Next::Quit);
        }
        let command = line.trim_end_matches(['\r', '\n']).to_owned();
        let verb = command.split(' ').next().unwrap_or("").to_ascii_uppercase();
        match verb.as_str() {
            "EHLO" if over_tls => {
                reply(
                    stream,
                    "250-relay.test\r\n250-8BITMIME\r\n250 SIZE 10485760",
                )
                .await?
            }
            "EHLO" => {
                reply(
                    stream,
                    "250-relay.test\r\n250-8BITMIME\r\n250-STARTTLS\r\n250 SIZE 10485760",
                )
                .await?
            }
            "STARTTLS" if !over_tls => {
                reply(stream, "220 2.0.0 ready to start TLS").await?;
                return Ok(Next::StartTls);
            }
            // Nothing is accepted in plain text: a client must not send
            // a message before STARTTLS.
            "MAIL" if !over_tls => reply(stream, "530 5.7.0 must issue STARTTLS first").await?,
            "MAIL" => {
                from = angle(&command);
                to.clear();
                reply(stream, "250 2.1.0 ok").await?
            }
            "RCPT" => {
                to.push(angle(&command));
                reply(stream, "250 2.1.5 ok").await?
            }
            "DATA" => {
                reply(stream, "354 end with <CRLF>.<CRLF>").await?;
                let mut data = String::new();
                loop {
                    line.clear();
                    if stream.read_line(&mut line).await? == 0 {
                        return Ok(Next::Quit);
                    }
                    if line == ".\r\n" {
                        break;
                    }
                    data.push_str(line.strip_prefix('.').unwrap_or(&line));
                }
                lock(&state.messages).push(Received {
                    from: std::mem::take(&mut from),
                    to: std::mem::take(&mut to),
                    data,
                    over_tls,
                });
                reply(stream, "250 2.0.0 queued").await?
            }
            "RSET" => {
                from.clear();
                to.clear();
                reply(stream, "250 2.0.0 reset").await?
            }
            "NOOP" => reply(stream, "250 2.0.0 ok").await?,
            "QUIT" => {
                reply(stream, "221 2.0.0 bye").await?;
                return Ok(Next::Quit);
            }
            _ => reply(stream, "502 5.5.2 unknown command").await?,
        }
    }
}
