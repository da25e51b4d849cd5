//! A circular to N schools with a PDF attached, end to end: the demo
//! network, N schools imported into a directorate's directory, a PDF in its
//! library, a circular written, submitted and approved, sent to "every
//! primary school" (one personal copy each, queued with its recipient rows
//! in one transaction), then the delivery worker's rounds (claim, read the
//! PDF once per round, render, attach, build, send over SMTP, record) until
//! the outbox is empty. Prints the time to send (queue), messages per
//! second, megabytes per second and the process's peak memory.
//!
//! ```text
//! smtp-sink -u nobody -c 127.0.0.1:2525 1000 &     # Debian's postfix package
//! cargo run --release -p tawasul-app --example circular_bench -- \
//!     [--addr 127.0.0.1:2525] [--count 10000] [--pdf-kb 1024] [--connections 16] [--database URL]
//! ```
//!
//! Without `--addr` it starts its own sink in this process (the tests'
//! server, counting only). Without `--database` the database is a fresh
//! SQLite file in a temporary folder.

#[path = "../../mail/tests/support/smtp_server.rs"]
mod smtp_server;

use std::time::Instant;

use tawasul_app::directory::{AudienceInput, DirectoryFile, NoticeRequest};
use tawasul_app::editorial::TransitionInput;
use tawasul_app::media::MediaInput;
use tawasul_app::{App, Config, EntryInput};
use tawasul_domain::directory::{AudienceRule, Cycle};
use tawasul_domain::Action;

const SITE: &str = "dp-kenitra";

struct Args {
    count: usize,
    pdf_kb: usize,
    connections: u32,
    addr: Option<std::net::SocketAddr>,
    database: Option<String>,
}

fn args() -> Result<Args, String> {
    let mut parsed = Args {
        count: 10_000,
        pdf_kb: 1024,
        connections: 16,
        addr: None,
        database: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--count" => parsed.count = value.parse().map_err(|e| format!("--count: {e}"))?,
            "--pdf-kb" => parsed.pdf_kb = value.parse().map_err(|e| format!("--pdf-kb: {e}"))?,
            "--connections" => {
                parsed.connections = value.parse().map_err(|e| format!("--connections: {e}"))?
            }
            "--addr" => parsed.addr = Some(value.parse().map_err(|e| format!("--addr: {e}"))?),
            "--database" => parsed.database = Some(value),
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(parsed)
}

fn peak_memory_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib / 1024.0)
}

/// A PDF of about `len` bytes: one uncompressed stream of digits.
fn pdf(len: usize) -> Vec<u8> {
    let data: Vec<u8> = b"0123456789 ".iter().copied().cycle().take(len).collect();
    let mut out = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n".to_vec();
    out.extend_from_slice(b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n");
    out.extend_from_slice(format!("3 0 obj\n<< /Length {} >>\nstream\n", data.len()).as_bytes());
    out.extend_from_slice(&data);
    out.extend_from_slice(b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n");
    out
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = args()?;
    let sink = match args.addr {
        Some(_) => None,
        None => Some(smtp_server::SmtpServer::start_fast().await),
    };
    let addr = args
        .addr
        .or(sink.as_ref().map(|s| s.addr()))
        .ok_or("no SMTP sink")?;
    let data = tempfile::tempdir()?;
    let mut config = Config::default();
    config.paths.data = data.path().to_owned();
    if let Some(url) = &args.database {
        config.database.url = url.clone();
    }
    config.mail.transport = "smtp".into();
    config.mail.smtp_host = addr.ip().to_string();
    config.mail.smtp_port = addr.port();
    config.mail.smtp_security = "none".into();
    config.mail.smtp_connections = args.connections;
    config.mail.attachment_max_mb = 25;
    let app = App::open(config).await?;
    let content = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../content");
    app.load_network(&content).await?;
    let admin = app
        .viewer_by_email("admin@tawasul.example")
        .await?
        .ok_or("the demo's platform admin")?;

    let mut csv = String::from("code,nom_ar,cycle,email\n");
    for i in 0..args.count {
        csv.push_str(&format!(
            "B{i:05},مدرسة رقم {i},primaire,ecole.{i}@men.example.ma\n"
        ));
    }
    app.import_directory(
        Some(&admin),
        SITE,
        DirectoryFile::Institutions,
        csv.as_bytes(),
    )
    .await?;
    let audience = app
        .create_audience(
            &admin,
            SITE,
            AudienceInput {
                name: Some("المدارس الابتدائية".into()),
                rule: Some(AudienceRule {
                    cycles: vec![Cycle::Primary],
                    institution_emails: true,
                    ..AudienceRule::default()
                }),
            },
        )
        .await?;

    let spool = data.path().join("note.pdf");
    std::fs::write(&spool, pdf(args.pdf_kb * 1024))?;
    let mut file = tokio::fs::File::open(&spool).await?;
    let received = app.receive_media("مذكرة.pdf", &mut file).await?;
    let document = app
        .add_media(&admin, SITE, received, MediaInput::default())
        .await?
        .item;

    let entry = app
        .create_entry(
            &admin,
            SITE,
            EntryInput {
                kind: Some("circular".into()),
                locale: "ar".into(),
                title: "مذكرة في شأن امتحانات نهاية السلك الابتدائي".into(),
                body: "السيدات والسادة المديرين،\n\nتجدون رفقته الجدولة.".into(),
                fields: Some(serde_json::json!({
                    "object": "تنظيم الامتحانات",
                    "attachments": [document.id],
                })),
                ..EntryInput::default()
            },
        )
        .await?;
    for action in [Action::Submit, Action::Approve] {
        app.transition(
            &admin,
            entry.id,
            TransitionInput {
                action,
                comment: String::new(),
                at: None,
                version: None,
            },
        )
        .await?;
    }

    let sending = Instant::now();
    let (circular, _) = app
        .send_circular(
            &admin,
            entry.id,
            &NoticeRequest {
                audience_ids: vec![audience.id],
                confirm: true,
                key: None,
            },
        )
        .await?;
    let queueing = sending.elapsed();

    let started = Instant::now();
    let mut rounds = 0;
    loop {
        let handled = app.deliver_due().await?;
        if handled == 0 {
            break;
        }
        rounds += 1;
    }
    let elapsed = started.elapsed();
    let peak = peak_memory_mib();
    let sent = app.store().outbox(Some("sent"), 1_000_000).await?.len();
    let failed = app.store().outbox(Some("failed"), 1_000_000).await?.len();
    let seconds = elapsed.as_secs_f64();
    let megabytes = sent as f64 * (args.pdf_kb as f64 / 1024.0) * 4.0 / 3.0;
    println!(
        "circular {} to {} schools, a {} KB PDF attached; outbox on {}; sink {addr}, {} connections",
        circular.reference,
        circular.totals.recipients,
        args.pdf_kb,
        args.database
            .as_deref()
            .map_or("SQLite (temporary)", |_| "the given database"),
        args.connections
    );
    println!(
        "sent (numbered, {} personal copies and recipient rows queued) in {:.2} s",
        circular.totals.recipients,
        queueing.as_secs_f64()
    );
    println!(
        "delivered {sent} in {seconds:.2} s over {rounds} rounds: {:.0} messages/s, {:.0} MB/s of attachments (base64) ({failed} failed)",
        sent as f64 / seconds,
        megabytes / seconds,
    );
    match peak {
        Some(mib) => println!("peak memory (VmHWM): {mib:.1} MiB"),
        None => println!("peak memory: unknown"),
    }
    if let Some(sink) = sink {
        println!("the sink accepted {}", sink.accepted());
    }
    Ok(())
}
