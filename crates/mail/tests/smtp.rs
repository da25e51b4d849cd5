//! The transports against a real SMTP conversation over TCP.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] functions: a panic is a failing test"
)]

mod support;

use std::time::{Duration, Instant};

use base64::Engine as _;
use support::smtp_server::SmtpServer;
use tawasul_mail::{
    Email, FileTransport, MailTransport, MessageSpec, RateLimit, Security, SendError, SmtpConfig,
    SmtpTransport, Unsubscribe,
};

fn spec(key: &str) -> MessageSpec {
    MessageSpec {
        from_name: "المديرية الإقليمية لتطوان".into(),
        from_address: "noreply@dp-tetouan.example.ma".into(),
        to_name: "مدير مدرسة ابن خلدون".into(),
        to_address: "ecole.ibnkhaldoun@men.example.ma".into(),
        reply_to: Some("communication@dp-tetouan.example.ma".into()),
        subject: "مذكرة وزارية في شأن الدخول المدرسي 2026-2027".into(),
        text: "السلام عليكم،\n.\n..سطر يبدأ بنقطة\nمع التحية".into(),
        html: Some("<p dir=\"rtl\">السلام عليكم</p>".into()),
        unsubscribe: Some(Unsubscribe {
            url: "https://dp-tetouan.example.ma/u/tok123".into(),
            mailto: Some("mailto:unsubscribe@dp-tetouan.example.ma?subject=tok123".into()),
        }),
        idempotency_key: key.into(),
        attachments: Vec::new(),
    }
}

fn email(key: &str) -> Email {
    spec(key).build(None).unwrap()
}

fn config(server: &SmtpServer) -> SmtpConfig {
    SmtpConfig {
        port: server.port(),
        security: Security::None,
        command_timeout: Duration::from_secs(5),
        connect_timeout: Duration::from_secs(2),
        ..SmtpConfig::new("127.0.0.1")
    }
}

/// The value of a header, unfolded.
fn header(data: &str, name: &str) -> Option<String> {
    let head = data.split("\r\n\r\n").next()?;
    let mut lines = head.split("\r\n").peekable();
    while let Some(line) = lines.next() {
        if let Some((n, v)) = line.split_once(':') {
            if n.eq_ignore_ascii_case(name) {
                let mut value = v.trim_start().to_owned();
                while let Some(next) = lines.peek() {
                    if next.starts_with([' ', '\t']) {
                        value.push_str(next);
                        lines.next();
                    } else {
                        break;
                    }
                }
                return Some(value);
            }
        }
    }
    None
}

/// Decodes RFC 2047 encoded words (B and Q) in a header value.
fn decode_words(value: &str) -> String {
    let mut out = String::new();
    let mut bytes = Vec::new();
    for token in value.split_whitespace() {
        let inner = token.strip_prefix("=?").and_then(|t| t.strip_suffix("?="));
        match inner.map(|t| t.splitn(3, '?').collect::<Vec<_>>()) {
            Some(parts) if parts.len() == 3 => {
                assert!(
                    parts[0].eq_ignore_ascii_case("utf-8"),
                    "charset {}",
                    parts[0]
                );
                if parts[1].eq_ignore_ascii_case("b") {
                    bytes.extend(
                        base64::engine::general_purpose::STANDARD
                            .decode(parts[2])
                            .unwrap(),
                    );
                } else {
                    let q = parts[2].replace('_', " ");
                    let mut i = 0;
                    let b = q.as_bytes();
                    while i < b.len() {
                        if b[i] == b'=' {
                            bytes.push(u8::from_str_radix(&q[i + 1..i + 3], 16).unwrap());
                            i += 3;
                        } else {
                            bytes.push(b[i]);
                            i += 1;
                        }
                    }
                }
            }
            _ => {
                out.push_str(&String::from_utf8(std::mem::take(&mut bytes)).unwrap());
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(token);
            }
        }
    }
    out.push_str(&String::from_utf8(bytes).unwrap());
    out
}

/// The parts of a multipart body: (content type, decoded body).
fn parts(data: &str) -> Vec<(String, String)> {
    let content_type = header(data, "Content-Type").unwrap();
    let boundary = content_type
        .split("boundary=")
        .nth(1)
        .unwrap()
        .trim_matches('"')
        .to_owned();
    let body = data.split_once("\r\n\r\n").unwrap().1;
    body.split(&format!("--{boundary}"))
        .filter(|p| p.starts_with("\r\n") && !p.trim().is_empty())
        .map(|p| {
            let p = p.trim_start_matches("\r\n");
            let ct = header(p, "Content-Type").unwrap();
            let cte = header(p, "Content-Transfer-Encoding").unwrap_or_default();
            let raw = p.split_once("\r\n\r\n").unwrap().1;
            let text = if cte.eq_ignore_ascii_case("base64") {
                let clean: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
                String::from_utf8(
                    base64::engine::general_purpose::STANDARD
                        .decode(clean)
                        .unwrap(),
                )
                .unwrap()
            } else {
                raw.to_owned()
            };
            (ct, text)
        })
        .collect()
}

#[tokio::test]
async fn a_message_arrives_with_its_headers_parts_and_arabic_subject() {
    let server = SmtpServer::start().await;
    let transport = SmtpTransport::new(config(&server)).unwrap();
    let sent = email("notice:1:100");
    transport.send(&sent).await.unwrap();

    let messages = server.messages();
    assert_eq!(messages.len(), 1);
    let m = &messages[0];
    // Byte for byte what was formatted (and would be signed): in
    // particular no empty line added at the end by the SMTP framing.
    assert_eq!(m.data.as_bytes(), sent.formatted());
    assert_eq!(m.from, "noreply@dp-tetouan.example.ma");
    assert_eq!(m.to, vec!["ecole.ibnkhaldoun@men.example.ma"]);
    assert!(m.data.is_ascii());

    let subject = header(&m.data, "Subject").unwrap();
    assert!(subject.starts_with("=?utf-8?"), "{subject}");
    assert_eq!(
        decode_words(&subject),
        "مذكرة وزارية في شأن الدخول المدرسي 2026-2027"
    );
    let from = header(&m.data, "From").unwrap();
    assert!(
        decode_words(&from).contains("المديرية الإقليمية لتطوان"),
        "{from}"
    );
    assert!(from.ends_with("<noreply@dp-tetouan.example.ma>"));
    assert_eq!(
        header(&m.data, "Reply-To").unwrap(),
        "communication@dp-tetouan.example.ma"
    );
    assert_eq!(header(&m.data, "X-Tawasul-Key").unwrap(), "notice:1:100");
    // Plain: nothing of the key shows, only the sender's domain.
    let message_id = header(&m.data, "Message-ID").unwrap();
    assert_eq!(message_id, sent.message_id());
    assert!(
        message_id.starts_with('<') && message_id.ends_with("@dp-tetouan.example.ma>"),
        "{message_id}"
    );
    assert!(!message_id.contains('='), "{message_id}");
    assert!(header(&m.data, "Date").is_some());
    assert_eq!(
        header(&m.data, "List-Unsubscribe").unwrap(),
        "<https://dp-tetouan.example.ma/u/tok123>, <mailto:unsubscribe@dp-tetouan.example.ma?subject=tok123>"
    );
    assert_eq!(
        header(&m.data, "List-Unsubscribe-Post").unwrap(),
        "List-Unsubscribe=One-Click"
    );
    assert!(header(&m.data, "Content-Type")
        .unwrap()
        .starts_with("multipart/alternative"));

    let parts = parts(&m.data);
    assert_eq!(parts.len(), 2, "{parts:?}");
    assert!(parts[0].0.starts_with("text/plain; charset=utf-8"));
    assert!(parts[1].0.starts_with("text/html; charset=utf-8"));
    // Dot-stuffing both ways: lines starting with dots survive.
    assert_eq!(
        parts[0].1,
        "السلام عليكم،\r\n.\r\n..سطر يبدأ بنقطة\r\nمع التحية"
    );
    assert_eq!(parts[1].1, "<p dir=\"rtl\">السلام عليكم</p>");
}

#[tokio::test]
async fn header_injection_is_refused_before_anything_is_sent() {
    let server = SmtpServer::start().await;
    let mut s = spec("k:inject");
    s.subject = "Avis\r\nBcc: everyone@example.ma".into();
    assert!(s.build(None).is_err());
    let mut s = spec("k:inject");
    s.to_name = "X\nBcc: everyone@example.ma".into();
    assert!(s.build(None).is_err());
    assert_eq!(server.connections(), 0);
}

#[tokio::test]
async fn a_5xx_is_permanent_and_the_connection_is_kept() {
    let server = SmtpServer::start().await;
    let transport = SmtpTransport::new(config(&server)).unwrap();
    server.set_rcpt_reply(Some("550 5.1.1 no such mailbox"));
    let error = transport.send(&email("k:1")).await.unwrap_err();
    assert!(error.is_permanent(), "{error:?}");
    assert_eq!(error.code(), Some(550));

    server.set_rcpt_reply(None);
    server.set_data_reply(Some("554 5.7.1 rejected as spam"));
    let error = transport.send(&email("k:2")).await.unwrap_err();
    assert!(
        matches!(error, SendError::Rejected { code: 554, .. }),
        "{error:?}"
    );

    server.set_data_reply(None);
    transport.send(&email("k:3")).await.unwrap();
    assert_eq!(server.accepted(), 1);
    assert_eq!(server.connections(), 1, "RSET kept the connection");
}

#[tokio::test]
async fn a_4xx_is_temporary() {
    let server = SmtpServer::start().await;
    let transport = SmtpTransport::new(config(&server)).unwrap();
    server.set_rcpt_reply(Some("451 4.3.0 try again later"));
    let error = transport.send(&email("k:1")).await.unwrap_err();
    assert!(!error.is_permanent(), "{error:?}");
    assert!(
        matches!(error, SendError::Deferred { code: 451, .. }),
        "{error:?}"
    );

    server.set_rcpt_reply(None);
    server.set_data_reply(Some("452 4.3.1 insufficient storage"));
    let error = transport.send(&email("k:2")).await.unwrap_err();
    assert!(!error.is_permanent());
    assert_eq!(error.code(), Some(452));
}

#[tokio::test]
async fn a_refused_connection_is_temporary() {
    let server = SmtpServer::start().await;
    server.stop().await;
    let transport = SmtpTransport::new(config(&server)).unwrap();
    let error = transport.send(&email("k:1")).await.unwrap_err();
    assert!(matches!(error, SendError::Connect(_)), "{error:?}");
    assert!(!error.is_permanent());
}

#[tokio::test]
async fn a_slow_server_times_out_temporarily() {
    let server = SmtpServer::start().await;
    let transport = SmtpTransport::new(SmtpConfig {
        command_timeout: Duration::from_millis(200),
        ..config(&server)
    })
    .unwrap();
    transport.send(&email("k:ok")).await.unwrap();
    server.set_delay(Duration::from_millis(600));
    let started = Instant::now();
    let error = transport.send(&email("k:slow")).await.unwrap_err();
    assert!(matches!(error, SendError::Timeout(_)), "{error:?}");
    assert!(!error.is_permanent());
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn tls_against_a_plain_server_fails_temporarily() {
    let server = SmtpServer::start().await;
    let transport = SmtpTransport::new(SmtpConfig {
        security: Security::Tls,
        host: "localhost".into(),
        ..config(&server)
    })
    .unwrap();
    let error = transport.send(&email("k:1")).await.unwrap_err();
    assert!(!error.is_permanent(), "{error:?}");
    assert!(
        matches!(error, SendError::Tls(_) | SendError::Timeout(_)),
        "{error:?}"
    );

    // STARTTLS is required when configured: no silent downgrade.
    let transport = SmtpTransport::new(SmtpConfig {
        security: Security::StartTls,
        host: "localhost".into(),
        ..config(&server)
    })
    .unwrap();
    let error = transport.send(&email("k:2")).await.unwrap_err();
    assert!(matches!(error, SendError::Session(_)), "{error:?}");
    assert_eq!(server.accepted(), 0);
}

#[tokio::test]
async fn credentials_are_sent() {
    let server = SmtpServer::start().await;
    let transport = SmtpTransport::new(SmtpConfig {
        credentials: Some(("dp-tetouan".into(), "s3cret".into())),
        ..config(&server)
    })
    .unwrap();
    assert!(!format!("{transport:?}").contains("s3cret"));
    transport.send(&email("k:1")).await.unwrap();
    let auth = server.messages()[0].auth.clone().unwrap();
    assert_eq!(
        base64::engine::general_purpose::STANDARD
            .decode(auth)
            .unwrap(),
        b"\0dp-tetouan\0s3cret"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pool_reuses_its_connections() {
    let server = SmtpServer::start().await;
    let transport = std::sync::Arc::new(
        SmtpTransport::new(SmtpConfig {
            pool_size: 4,
            ..config(&server)
        })
        .unwrap(),
    );
    for i in 0..20 {
        transport.send(&email(&format!("seq:{i}"))).await.unwrap();
    }
    assert_eq!(server.connections(), 1);

    let mut tasks = Vec::new();
    for i in 0..200 {
        let transport = transport.clone();
        tasks.push(tokio::spawn(async move {
            transport.send(&email(&format!("par:{i}"))).await
        }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(server.accepted(), 220);
    assert!(server.connections() <= 4, "{}", server.connections());
    assert_eq!(
        transport.stats().connections_opened as usize,
        server.connections()
    );
}

#[tokio::test]
async fn the_pool_recovers_after_the_server_restarts() {
    let server = SmtpServer::start().await;
    let transport = SmtpTransport::new(config(&server)).unwrap();
    transport.send(&email("r:1")).await.unwrap();

    server.stop().await;
    let error = transport.send(&email("r:2")).await.unwrap_err();
    assert!(!error.is_permanent(), "{error:?}");

    server.restart().await;
    transport.send(&email("r:2")).await.unwrap();
    transport.send(&email("r:3")).await.unwrap();
    assert_eq!(server.accepted(), 3);
    assert_eq!(server.connections(), 2);

    // A restart between two messages: the stale pooled connection is
    // noticed and replaced within the same send.
    server.restart().await;
    transport.send(&email("r:4")).await.unwrap();
    assert_eq!(server.accepted(), 4);
    let keys: Vec<String> = server
        .messages()
        .iter()
        .map(|m| header(&m.data, "X-Tawasul-Key").unwrap())
        .collect();
    assert_eq!(keys, ["r:1", "r:2", "r:3", "r:4"]);
}

#[tokio::test]
async fn the_rate_limit_spaces_messages() {
    let server = SmtpServer::start().await;
    let transport = SmtpTransport::new(SmtpConfig {
        rate_limit: Some(RateLimit {
            per_second: 20.0,
            burst: 1,
        }),
        ..config(&server)
    })
    .unwrap();
    let started = Instant::now();
    for i in 0..6 {
        transport.send(&email(&format!("rate:{i}"))).await.unwrap();
    }
    assert!(
        started.elapsed() >= Duration::from_millis(240),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn the_file_transport_writes_one_file_per_key() {
    let dir = tempfile::tempdir().unwrap();
    let transport = FileTransport::new(dir.path().join("outbox")).unwrap();
    transport.send(&email("notice:1:7")).await.unwrap();
    transport.send(&email("notice:1:7")).await.unwrap();
    transport.send(&email("notice:1:8")).await.unwrap();
    let mut names: Vec<String> = std::fs::read_dir(transport.folder())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["notice=3A1=3A7.eml", "notice=3A1=3A8.eml"]);
    let data = std::fs::read_to_string(transport.path_of("notice:1:7")).unwrap();
    assert_eq!(header(&data, "X-Tawasul-Key").unwrap(), "notice:1:7");
}

#[tokio::test]
async fn commands_go_out_together_when_the_server_pipelines() {
    let server = SmtpServer::start().await;
    let transport = SmtpTransport::new(config(&server)).unwrap();
    for key in ["p:1", "p:2", "p:3"] {
        transport.send(&email(key)).await.unwrap();
    }
    assert_eq!(server.accepted(), 3);
    assert!(
        server.pipelined_commands() > 0,
        "RCPT and DATA arrived with MAIL"
    );
}

#[tokio::test]
async fn a_server_without_pipelining_gets_one_command_at_a_time() {
    let server = SmtpServer::start().await;
    server.refuse_pipelining();
    let transport = SmtpTransport::new(config(&server)).unwrap();
    for key in ["s:1", "s:2"] {
        transport.send(&email(key)).await.unwrap();
    }
    assert_eq!(server.accepted(), 2);
    assert_eq!(server.pipelined_commands(), 0);
    assert_eq!(server.connections(), 1);
}
