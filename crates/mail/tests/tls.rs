//! TLS with the relay, against a real TLS SMTP server on loopback whose
//! certificate the test made (a private CA): implicit TLS (465) and
//! STARTTLS (587) deliver when the CA is given; an untrusted certificate
//! and a certificate for another name are refused, and the error says
//! which and what to do, since it is what the delivery log shows.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] functions: a panic is a failing test"
)]

mod support;

use std::time::Duration;

use support::tls_server::{Mode, TestPki, TlsSmtpServer};
use tawasul_mail::{
    MailTransport, MessageSpec, Security, SendError, SmtpConfig, SmtpTransport, TlsOptions,
};

fn spec(key: &str) -> MessageSpec {
    MessageSpec {
        from_name: "المديرية الإقليمية".into(),
        from_address: "no-reply@dp-tetouan.example.ma".into(),
        to_address: "ecole.12345@men.example.ma".into(),
        subject: "مذكرة".into(),
        text: "السلام عليكم".into(),
        idempotency_key: key.into(),
        attachments: Vec::new(),
        ..MessageSpec::default()
    }
}

fn transport(host: &str, port: u16, security: Security, tls: TlsOptions) -> SmtpTransport {
    SmtpTransport::new(SmtpConfig {
        port,
        security,
        tls,
        command_timeout: Duration::from_secs(5),
        connect_timeout: Duration::from_secs(5),
        ..SmtpConfig::new(host)
    })
    .unwrap()
}

fn security(mode: Mode) -> Security {
    match mode {
        Mode::Implicit => Security::Tls,
        Mode::StartTls => Security::StartTls,
    }
}

/// Delivers one message through `mode` with the test's CA trusted, and
/// checks it arrived encrypted and intact.
async fn delivers_with_the_private_ca(mode: Mode, host: &str) {
    let pki = TestPki::new("Tawasul test CA");
    let server = TlsSmtpServer::start(mode, &pki.server_cert(&["localhost", "127.0.0.1"])).await;
    let tls = TlsOptions::with_ca_pem(pki.ca_pem.clone()).unwrap();
    let transport = transport(host, server.port(), security(mode), tls);
    let email = spec("tls:1").build(None).unwrap();
    transport.send(&email).await.unwrap();
    // A second message reuses the encrypted connection.
    transport
        .send(&spec("tls:2").build(None).unwrap())
        .await
        .unwrap();

    let messages = server.messages();
    assert_eq!(messages.len(), 2);
    assert!(messages.iter().all(|m| m.over_tls));
    assert_eq!(messages[0].data.as_bytes(), email.formatted());
    assert_eq!(messages[0].to, ["ecole.12345@men.example.ma"]);
    assert_eq!(transport.stats().connections_opened, 1);
    assert!(server.failed_handshakes().is_empty());
}

#[tokio::test]
async fn implicit_tls_delivers_to_a_relay_with_a_private_ca() {
    delivers_with_the_private_ca(Mode::Implicit, "localhost").await;
}

#[tokio::test]
async fn starttls_delivers_to_a_relay_with_a_private_ca() {
    delivers_with_the_private_ca(Mode::StartTls, "127.0.0.1").await;
}

/// The TLS error of sending one message through `mode`, after checking
/// that nothing was delivered and that retrying later may help.
async fn refusal(mode: Mode, server_names: &[&str], tls: TlsOptions, pki: &TestPki) -> String {
    let server = TlsSmtpServer::start(mode, &pki.server_cert(server_names)).await;
    let transport = transport("127.0.0.1", server.port(), security(mode), tls);
    let error = transport
        .send(&spec("tls:refused").build(None).unwrap())
        .await
        .unwrap_err();
    assert!(server.messages().is_empty(), "{mode:?}: a message went out");
    // A configuration to fix, not a message to drop: it waits for the fix.
    assert!(!error.is_permanent(), "{mode:?}: {error:?}");
    match error {
        SendError::Tls(_) => error.to_string(),
        other => panic!("{mode:?}: expected a TLS error, got {other:?}"),
    }
}

#[tokio::test]
async fn an_untrusted_certificate_is_refused_with_a_clear_error() {
    let pki = TestPki::new("Tawasul test CA");
    let another = TestPki::new("Some other CA");
    for mode in [Mode::Implicit, Mode::StartTls] {
        // Without ca_file only public authorities are trusted; with another
        // CA's file, only that CA.
        for (case, tls) in [
            ("no ca_file", TlsOptions::default()),
            (
                "another CA",
                TlsOptions::with_ca_pem(another.ca_pem.clone()).unwrap(),
            ),
        ] {
            let message = refusal(mode, &["127.0.0.1"], tls, &pki).await;
            assert!(
                message.contains(
                    "the certificate of 127.0.0.1 is not signed by a trusted certificate authority"
                ) && message.contains("mail.ca_file"),
                "{mode:?}, {case}: {message}"
            );
        }
    }
}

#[tokio::test]
async fn a_certificate_for_another_name_is_refused_with_a_clear_error() {
    let pki = TestPki::new("Tawasul test CA");
    for mode in [Mode::Implicit, Mode::StartTls] {
        let tls = TlsOptions::with_ca_pem(pki.ca_pem.clone()).unwrap();
        let message = refusal(mode, &["relay.example.test"], tls, &pki).await;
        assert!(
            message.contains("the certificate of 127.0.0.1 is not valid for the name 127.0.0.1")
                && message.contains("(it is for relay.example.test)")
                && message.contains("mail.smtp_host"),
            "{mode:?}: {message}"
        );
    }
}

#[test]
fn a_ca_file_without_a_usable_certificate_is_refused_at_once() {
    let key = include_str!("keys/ed25519.pem");
    for (case, pem) in [
        ("empty", ""),
        ("text", "not a certificate"),
        ("a private key", key),
        (
            "broken base64",
            "-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n",
        ),
    ] {
        match TlsOptions::with_ca_pem(pem) {
            Err(SendError::Tls(message)) => assert!(!message.is_empty(), "{case}"),
            other => panic!("{case}: expected a TLS error, got {other:?}"),
        }
    }
    let pki = TestPki::new("Tawasul test CA");
    assert!(TlsOptions::with_ca_pem(pki.ca_pem).is_ok());
}
