//! DKIM signatures checked by an independent verifier: every kind of mail
//! the system sends is signed, delivered over a real SMTP conversation on
//! loopback, and the bytes the server received are handed to dkimpy (the
//! Python implementation many mail servers use), with the test key's DNS
//! record answered by the test instead of DNS.
//!
//! dkimpy is needed: `pip install dkimpy pynacl` (pynacl for Ed25519).
//! `TAWASUL_SKIP_DKIMPY=1` skips these tests where it cannot be installed.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] functions: a panic is a failing test"
)]

mod support;

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::json;
use support::smtp_server::SmtpServer;
use tawasul_mail::templates::BUILTIN_MAILS;
use tawasul_mail::{
    Dkim, FileTransport, Lang, MailTemplates, MailTransport, MessageSpec, Security, SiteStyle,
    SmtpConfig, SmtpTransport, Unsubscribe,
};

/// Test keys only (`openssl genpkey`), published nowhere.
const RSA_KEY: &str = include_str!("keys/rsa2048.pem");
const RSA_PKCS8_KEY: &str = include_str!("keys/rsa2048.pkcs8.pem");
const ED25519_KEY: &str = include_str!("keys/ed25519.pem");

const DOMAIN: &str = "dp-tetouan.example.ma";

/// Verifies each file with dkimpy; the key record is `record`, at `name`.
/// Prints one line per file: its path, then `pass`, `fail` or `error …`.
const VERIFY: &str = r#"
import logging, sys
import dkim
logging.basicConfig(stream=sys.stderr, level=logging.DEBUG, format="%(name)s: %(message)s")
name, record = sys.argv[1].encode(), sys.argv[2].encode()
def dns(qname, timeout=5):
    return record if qname.rstrip(b".").lower() == name.lower() else None
for path in sys.argv[3:]:
    with open(path, "rb") as f:
        message = f.read()
    try:
        ok = dkim.DKIM(message, logger=logging.getLogger(path)).verify(dnsfunc=dns)
        print(path, "pass" if ok else "fail")
    except dkim.DKIMException as e:
        print(path, "error", e)
"#;

/// Whether dkimpy (and pynacl, for Ed25519) can be run; `false` only when
/// `TAWASUL_SKIP_DKIMPY=1` says to go without. Otherwise its absence fails
/// the test, saying how to install it.
fn dkimpy_available() -> bool {
    let probe = Command::new("python3")
        .args(["-c", "import dkim, nacl"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output();
    let problem = match probe {
        Ok(out) if out.status.success() => return true,
        // The last line of the traceback: "No module named 'dkim'".
        Ok(out) => String::from_utf8_lossy(&out.stderr)
            .lines()
            .rfind(|l| !l.trim().is_empty())
            .unwrap_or("python3 failed")
            .trim()
            .to_owned(),
        Err(e) => format!("python3 cannot be run: {e}"),
    };
    if std::env::var("TAWASUL_SKIP_DKIMPY").as_deref() == Ok("1") {
        eprintln!("skipped (TAWASUL_SKIP_DKIMPY=1): {problem}");
        return false;
    }
    panic!(
        "the DKIM tests verify with dkimpy, which cannot be used here ({problem}).\n\
         Install it with: python3 -m pip install dkimpy pynacl\n\
         or set TAWASUL_SKIP_DKIMPY=1 to skip these tests."
    );
}

/// dkimpy's verdict on each message: `pass`, `fail` or `error …`; the log
/// of the run when asked (to explain a failure).
fn dkimpy(dkim: &Dkim, messages: &[Vec<u8>]) -> (Vec<String>, String) {
    let dir = tempfile::tempdir().unwrap();
    let paths: Vec<PathBuf> = messages
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let path = dir.path().join(format!("{i}.eml"));
            std::fs::write(&path, m).unwrap();
            path
        })
        .collect();
    let out = Command::new("python3")
        .arg("-c")
        .arg(VERIFY)
        .arg(dkim.dns_name())
        .arg(dkim.dns_record())
        .args(&paths)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "dkimpy crashed:\n{stderr}");
    let verdicts: Vec<String> = paths
        .iter()
        .map(|path| {
            let prefix = format!("{} ", path.display());
            stdout
                .lines()
                .find_map(|l| l.strip_prefix(&prefix))
                .unwrap_or("no verdict")
                .to_owned()
        })
        .collect();
    (verdicts, stderr)
}

fn site() -> SiteStyle {
    SiteStyle {
        name: "المديرية الإقليمية لتطوان".into(),
        url: format!("https://{DOMAIN}/tetouan/"),
        primary: "#0a5c36".into(),
        accent: "#d4a017".into(),
    }
}

/// The data each built-in mail is rendered with, as the app passes it.
fn data(name: &str) -> serde_json::Value {
    match name {
        "notice" => json!({
            "title": "مذكرة حول الدخول المدرسي 2026-2027",
            "summary": "تفاصيل <مهمة> حول التسجيل",
            "link": format!("https://{DOMAIN}/tetouan/news/1"),
            "attachments": [{"name": "المذكرة.pdf", "url": format!("https://{DOMAIN}/m.pdf")}],
            "unsubscribe_url": format!("https://{DOMAIN}/u/x"),
        }),
        "workflow" => json!({
            "action": "submitted", "entry_title": "Formation des enseignants", "actor": "Salma",
            "comment": "À relire avant vendredi", "link": format!("https://{DOMAIN}/admin/entries/1"),
        }),
        "digest" => json!({
            "period": "2026-W49",
            "entries": [
                {"title": "Rentrée", "summary": "Calendrier", "link": format!("https://{DOMAIN}/a"), "date": "2026-12-01"},
                {"title": "الامتحانات", "summary": "المواعيد", "link": format!("https://{DOMAIN}/b"), "date": "2026-12-02"},
            ],
            "unsubscribe_url": format!("https://{DOMAIN}/u/y"),
        }),
        "workflow_digest" => json!({
            "items": [
                {"action": "submitted", "actor": "Salma", "entry_title": "Formation <Massar>",
                 "comment": "", "link": format!("https://{DOMAIN}/admin/entries/1")},
                {"action": "changes_requested", "actor": "Karim", "entry_title": "الدخول المدرسي",
                 "comment": "أضف صورة", "link": format!("https://{DOMAIN}/admin/entries/2")},
            ],
            "account_url": format!("https://{DOMAIN}/admin/account"),
        }),
        "confirm" => json!({ "confirm_url": format!("https://{DOMAIN}/confirm/abc") }),
        "circular" => json!({
            "reference": "12/2026", "object": "تنظيم امتحانات نيل شهادة الدروس الابتدائية",
            "title": "مذكرة في شأن الامتحانات", "body_html": "<p dir=\"auto\">السادة المديرين…</p>",
            "body_text": "السادة المديرين…", "acknowledge_by": "2026-12-20",
            "ack_url": format!("https://{DOMAIN}/dp/circulars/ack?t=abc"),
            "attachments": [{"name": "المذكرة 12.pdf", "size": "1.0 MB", "url": format!("https://{DOMAIN}/f")}],
            "attached": true, "files_until": "2027-03-01", "reminder": false,
        }),
        "recommendation" => json!({
            "owner": "Salma Idrissi", "text": "Désigner dans chaque établissement un référent Massar",
            "report_title": "Massar : formation des directeurs", "due_on": "2026-12-01",
            "status": "in_progress", "link": format!("https://{DOMAIN}/admin/sites/dp/recommendations/1"),
        }),
        other => panic!("no test data for the mail {other}"),
    }
}

fn base(key: &str) -> MessageSpec {
    MessageSpec {
        from_name: "Tawasul · تواصل".into(),
        from_address: format!("no-reply@{DOMAIN}"),
        to_name: String::new(),
        to_address: "ecole.ibnkhaldoun@men.example.ma".into(),
        idempotency_key: key.into(),
        attachments: Vec::new(),
        ..MessageSpec::default()
    }
}

fn unsubscribe() -> Option<Unsubscribe> {
    Some(Unsubscribe {
        url: format!("https://{DOMAIN}/newsletter/unsubscribe/tok123"),
        mailto: Some(format!("mailto:unsubscribe@{DOMAIN}?subject=tok123")),
    })
}

/// Every kind of mail the system sends: each built-in template in both
/// languages (newsletters with their unsubscribe headers, as the app sends
/// them), a plain message with `List-Unsubscribe`, and a plain one in
/// Arabic with lines that make canonicalisation work (dots, spaces at the
/// ends, long lines, empty lines at the end).
fn every_kind_of_mail() -> Vec<(String, MessageSpec)> {
    let templates = MailTemplates::builtin().unwrap();
    let mut specs = Vec::new();
    for name in BUILTIN_MAILS {
        for lang in [Lang::Ar, Lang::Fr] {
            let rendered = templates.render(name, lang, &site(), &data(name)).unwrap();
            let mut spec = base(&format!("{name}:{}:1:ecole@men.example.ma", lang.code()));
            spec.subject = rendered.subject;
            spec.text = rendered.text;
            spec.html = Some(rendered.html);
            if matches!(name, "notice" | "digest") {
                spec.unsubscribe = unsubscribe();
            }
            if name == "circular" {
                // A circular travels with its PDF: the signature covers it.
                spec.attachments = vec![tawasul_mail::Attachment {
                    name: "المذكرة رقم 12.pdf".into(),
                    content_type: "application/pdf".into(),
                    bytes: std::sync::Arc::new(
                        b"%PDF-1.4\n% circular\n"
                            .iter()
                            .copied()
                            .cycle()
                            .take(40_000)
                            .collect(),
                    ),
                }];
            }
            specs.push((format!("{name} ({})", lang.code()), spec));
        }
    }
    let mut plain = base("plain:unsubscribe");
    plain.subject = "Lettre d'information de la direction provinciale".into();
    plain.text = "Bonjour,\n\nVoici les nouvelles de la semaine.\n".into();
    plain.reply_to = Some(format!("communication@{DOMAIN}"));
    plain.unsubscribe = unsubscribe();
    specs.push(("plain with List-Unsubscribe".into(), plain));

    let mut arabic = base("plain:arabic");
    arabic.to_name = "مدير مدرسة ابن خلدون".into();
    arabic.subject =
        "مذكرة وزارية رقم 12 في شأن الدخول المدرسي 2026-2027 والتسجيل في المؤسسات".into();
    arabic.text = format!(
        "السلام عليكم،  \n.\n..سطر يبدأ بنقطتين\n\t مسافات\tوعلامات   جدولة \n{}\nمع التحية\n\n\n",
        "نص طويل ".repeat(40)
    );
    specs.push(("plain in Arabic".into(), arabic));
    specs
}

fn smtp(server: &SmtpServer) -> SmtpTransport {
    SmtpTransport::new(SmtpConfig {
        port: server.port(),
        security: Security::None,
        command_timeout: Duration::from_secs(5),
        connect_timeout: Duration::from_secs(2),
        ..SmtpConfig::new("127.0.0.1")
    })
    .unwrap()
}

/// Signs and sends every kind of mail, and checks what the server got:
/// byte for byte what was signed, and verified by dkimpy.
async fn every_kind_of_mail_verifies(pem: &str, algorithm: &str) {
    if !dkimpy_available() {
        return;
    }
    let dkim = Dkim::from_pem("tawasul2026", DOMAIN, pem).unwrap();
    assert_eq!(dkim.algorithm(), algorithm);
    let server = SmtpServer::start().await;
    let transport = smtp(&server);
    let specs = every_kind_of_mail();
    let mut sent = Vec::new();
    for (_, spec) in &specs {
        let email = spec.build(Some(&dkim)).unwrap();
        transport.send(&email).await.unwrap();
        sent.push(email.formatted().to_vec());
    }
    let received: Vec<Vec<u8>> = server
        .messages()
        .into_iter()
        .map(|m| m.data.into_bytes())
        .collect();
    assert_eq!(received.len(), specs.len());
    for (i, (kind, _)) in specs.iter().enumerate() {
        assert!(
            received[i] == sent[i],
            "{kind}: the server did not receive the bytes that were signed"
        );
        let text = String::from_utf8_lossy(&received[i]);
        assert!(
            text.starts_with(&format!("DKIM-Signature: v=1; a={algorithm};")),
            "{kind}"
        );
    }

    let (verdicts, log) = dkimpy(&dkim, &received);
    let failed: Vec<String> = specs
        .iter()
        .zip(&verdicts)
        .filter(|(_, verdict)| verdict.as_str() != "pass")
        .map(|((kind, _), verdict)| format!("{kind}: {verdict}"))
        .collect();
    assert!(
        failed.is_empty(),
        "dkimpy refused {} of {} mails:\n{}\n\ndkimpy's log:\n{log}",
        failed.len(),
        specs.len(),
        failed.join("\n")
    );
}

#[tokio::test]
async fn every_kind_of_mail_signed_with_rsa_verifies_with_dkimpy() {
    every_kind_of_mail_verifies(RSA_KEY, "rsa-sha256").await;
}

#[tokio::test]
async fn every_kind_of_mail_signed_with_an_rsa_pkcs8_key_verifies_with_dkimpy() {
    every_kind_of_mail_verifies(RSA_PKCS8_KEY, "rsa-sha256").await;
}

#[tokio::test]
async fn every_kind_of_mail_signed_with_ed25519_verifies_with_dkimpy() {
    every_kind_of_mail_verifies(ED25519_KEY, "ed25519-sha256").await;
}

/// The verifier is not a rubber stamp: a signed field or the body changed
/// after signing fails, and so does a signature checked against another
/// key.
#[tokio::test]
async fn a_changed_message_or_another_key_fails_dkimpy() {
    if !dkimpy_available() {
        return;
    }
    let dkim = Dkim::from_pem("tawasul2026", DOMAIN, ED25519_KEY).unwrap();
    let server = SmtpServer::start().await;
    let transport = smtp(&server);
    let mut spec = base("tamper:1");
    spec.subject = "Convocation".into();
    spec.text = "Reunion lundi a 10 h.".into();
    spec.unsubscribe = unsubscribe();
    transport
        .send(&spec.build(Some(&dkim)).unwrap())
        .await
        .unwrap();
    let original = server.messages()[0].data.clone();

    let changed_subject = original.replacen("Subject: Convocation", "Subject: Convocations", 1);
    let changed_unsubscribe = original.replacen("tok123>", "tok124>", 1);
    // An ASCII text goes as 7bit: "lundi" is there as is.
    let changed_body = original.replacen("lundi", "mardi", 1);
    for (changed, what) in [
        (&changed_subject, "Subject"),
        (&changed_unsubscribe, "List-Unsubscribe"),
        (&changed_body, "body"),
    ] {
        assert_ne!(changed, &original, "the {what} was not found to change");
    }
    let (verdicts, log) = dkimpy(
        &dkim,
        &[
            original.clone().into_bytes(),
            changed_subject.into_bytes(),
            changed_unsubscribe.into_bytes(),
            changed_body.into_bytes(),
        ],
    );
    assert_eq!(verdicts[0], "pass", "{log}");
    for (verdict, what) in verdicts[1..]
        .iter()
        .zip(["Subject", "List-Unsubscribe", "body"])
    {
        assert_ne!(verdict, "pass", "a changed {what} still verified");
    }

    let other = Dkim::from_pem("tawasul2026", DOMAIN, RSA_KEY).unwrap();
    let (verdicts, _) = dkimpy(&other, &[original.into_bytes()]);
    assert_ne!(verdicts[0], "pass", "verified against another key");
}

/// The file transport writes the signed bytes too: its `.eml` verifies.
#[tokio::test]
async fn the_file_transports_eml_verifies_with_dkimpy() {
    if !dkimpy_available() {
        return;
    }
    let dkim = Dkim::from_pem("tawasul2026", DOMAIN, RSA_KEY).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let transport = FileTransport::new(dir.path()).unwrap();
    let (_, spec) = every_kind_of_mail().remove(0);
    let email = spec.build(Some(&dkim)).unwrap();
    transport.send(&email).await.unwrap();
    let eml = std::fs::read(transport.path_of(email.key())).unwrap();
    assert_eq!(eml, email.formatted());
    let (verdicts, log) = dkimpy(&dkim, &[eml]);
    assert_eq!(verdicts[0], "pass", "{log}");
}

/// Unsigned when no key is configured.
#[tokio::test]
async fn without_a_key_nothing_is_signed() {
    let server = SmtpServer::start().await;
    let transport = smtp(&server);
    transport
        .send(&base("unsigned:1").build(None).unwrap())
        .await
        .unwrap();
    assert!(!server.messages()[0].data.contains("DKIM-Signature"));
}
