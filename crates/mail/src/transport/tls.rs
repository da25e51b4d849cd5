//! TLS with the relay. Implicit TLS (port 465): we make the TLS stream
//! ourselves over our own TCP stream (with `TCP_NODELAY`) and hand it to
//! lettre. STARTTLS (port 587) is lettre's, with the same trust: the public
//! authorities (webpki-roots), or only the CA certificates of `ca_pem`.
//! A refused certificate is told in words an operator can act on
//! ([`handshake_failure`]), since it ends up in the delivery log.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use lettre::transport::smtp::client::AsyncTokioStream;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

/// A TLS stream lettre can drive.
pub(crate) struct TlsTcp(pub(crate) TlsStream<TcpStream>);

impl std::fmt::Debug for TlsTcp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("TlsTcp").field(&self.0.get_ref().0).finish()
    }
}

impl AsyncRead for TlsTcp {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for TlsTcp {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

impl AsyncTokioStream for TlsTcp {
    fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.0.get_ref().0.peer_addr()
    }
}

/// Accepts any certificate (an internal relay with a self-signed one):
/// still checks the handshake signatures, never the chain or the name.
#[derive(Debug)]
struct AcceptAnyCertificate(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// The CA certificates of a PEM bundle: at least one, each one usable as a
/// trust anchor.
pub(crate) fn ca_certificates(pem: &str) -> Result<Vec<CertificateDer<'static>>, String> {
    let certificates = CertificateDer::pem_slice_iter(pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("the CA certificates are not readable PEM: {e}"))?;
    if certificates.is_empty() {
        return Err(
            "no certificate in the CA file (expected -----BEGIN CERTIFICATE-----)".to_owned(),
        );
    }
    let mut roots = RootCertStore::empty();
    for (i, certificate) in certificates.iter().enumerate() {
        roots
            .add(certificate.clone())
            .map_err(|e| format!("CA certificate {} is not usable: {e}", i + 1))?;
    }
    Ok(certificates)
}

/// The rustls configuration for implicit TLS: the web PKI roots, or only
/// the CA certificates of `ca_pem` when given, or no verification at all
/// when asked.
pub(crate) fn client_config(
    ca_pem: Option<&str>,
    accept_invalid_certs: bool,
) -> Result<ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?;
    if accept_invalid_certs {
        return Ok(builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate(provider)))
            .with_no_client_auth());
    }
    let mut roots = RootCertStore::empty();
    match ca_pem {
        Some(pem) => {
            for certificate in ca_certificates(pem)? {
                roots.add(certificate).map_err(|e| e.to_string())?;
            }
        }
        None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
    }
    Ok(builder.with_root_certificates(roots).with_no_client_auth())
}

/// The rustls error somewhere in a chain of errors: tokio-rustls reports
/// it inside an `io::Error`, and lettre wraps that in its own errors.
fn rustls_error<'a>(error: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    let mut current = Some(error);
    while let Some(error) = current {
        if let Some(found) = error.downcast_ref::<rustls::Error>() {
            return Some(found);
        }
        if let Some(found) = error
            .downcast_ref::<io::Error>()
            .and_then(io::Error::get_ref)
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        {
            return Some(found);
        }
        current = error.source();
    }
    None
}

/// A name as webpki lists a certificate's names (`DnsName("a.b")`,
/// `IpAddress(10.0.0.1)`), as people write it.
fn plain_name(name: &str) -> &str {
    name.strip_prefix("DnsName(\"")
        .and_then(|n| n.strip_suffix("\")"))
        .or_else(|| {
            name.strip_prefix("IpAddress(")
                .and_then(|n| n.strip_suffix(')'))
        })
        .unwrap_or(name)
}

/// Why the handshake with `host` failed, said so that whoever reads the
/// delivery log knows what to fix; `None` when the failure was not TLS's
/// (the connection broke).
pub(crate) fn handshake_failure(
    host: &str,
    error: &(dyn std::error::Error + 'static),
) -> Option<String> {
    use rustls::CertificateError as C;
    let certificate = match rustls_error(error)? {
        rustls::Error::InvalidCertificate(certificate) => certificate,
        other => return Some(format!("the TLS handshake with {host} failed: {other}")),
    };
    Some(match certificate {
        C::NotValidForName => format!(
            "the certificate of {host} is not valid for the name {host}: set mail.smtp_host to a name the certificate holds"
        ),
        C::NotValidForNameContext { presented, .. } => format!(
            "the certificate of {host} is not valid for the name {host} (it is for {}): set mail.smtp_host to a name the certificate holds",
            if presented.is_empty() {
                "no name".to_owned()
            } else {
                presented
                    .iter()
                    .map(|name| plain_name(name))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        ),
        C::UnknownIssuer => format!(
            "the certificate of {host} is not signed by a trusted certificate authority: if the relay has a private CA, give its certificate in mail.ca_file"
        ),
        C::Expired | C::ExpiredContext { .. } => {
            format!("the certificate of {host} has expired")
        }
        C::NotValidYet | C::NotValidYetContext { .. } => format!(
            "the certificate of {host} is not valid yet (or this server's clock is wrong)"
        ),
        other => format!("the certificate of {host} is refused: {other}"),
    })
}
