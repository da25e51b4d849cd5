//! A notice to N recipients, end to end: N rows queued in the outbox as
//! the notice screen queues them, then the delivery worker's rounds
//! (claim, render, build, send over SMTP, record) until the outbox is
//! empty. Prints messages per second and the process's peak memory.
//!
//! ```text
//! smtp-sink -u nobody -c 127.0.0.1:2525 1000 &     # Debian's postfix package
//! cargo run --release -p tawasul-app --example notice_bench -- \
//!     --addr 127.0.0.1:2525 [--count 10000] [--connections 16] [--database URL]
//! ```
//!
//! Without `--database` the outbox is a fresh SQLite file in a temporary
//! folder; give a PostgreSQL URL (an empty database) to measure that.

use std::time::Instant;

use tawasul_app::{App, Config};
use tawasul_store::NewMail;

struct Args {
    count: usize,
    connections: u32,
    addr: std::net::SocketAddr,
    database: Option<String>,
}

fn args() -> Result<Args, String> {
    let mut count = 10_000;
    let mut connections = 16;
    let mut addr = None;
    let mut database = None;
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--count" => count = value.parse().map_err(|e| format!("--count: {e}"))?,
            "--connections" => {
                connections = value.parse().map_err(|e| format!("--connections: {e}"))?
            }
            "--addr" => addr = Some(value.parse().map_err(|e| format!("--addr: {e}"))?),
            "--database" => database = Some(value),
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(Args {
        count,
        connections,
        addr: addr.ok_or("--addr HOST:PORT of an SMTP sink is required")?,
        database,
    })
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

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = args()?;
    let data = tempfile::tempdir()?;
    let mut config = Config::default();
    config.paths.data = data.path().to_owned();
    if let Some(url) = &args.database {
        config.database.url = url.clone();
    }
    config.mail.transport = "smtp".into();
    config.mail.smtp_host = args.addr.ip().to_string();
    config.mail.smtp_port = args.addr.port();
    config.mail.smtp_security = "none".into();
    config.mail.smtp_connections = args.connections;
    let app = App::open(config).await?;

    let data_json = serde_json::json!({
        "title": "مذكرة في شأن تنظيم الدخول المدرسي",
        "summary": "تعلن المديرية الإقليمية عن تنظيم الدخول المدرسي وفق المذكرة الوزارية.",
        "link": "https://dp-tetouan.example.ma/ar/news/rentree",
        "attachments": [{"name": "المذكرة.pdf", "url": "https://dp-tetouan.example.ma/m.pdf"}],
    })
    .to_string();
    let mails: Vec<NewMail> = (0..args.count)
        .map(|i| NewMail {
            kind: "notice".into(),
            site_id: None,
            to: format!("ecole.{i}@men.example.ma"),
            subject: String::new(),
            body_text: String::new(),
            body_html: None,
            idempotency_key: format!("bench:notice:1:{i}"),
            template: Some("notice".into()),
            data: Some(data_json.clone()),
            lang: Some("ar".into()),
        })
        .collect();
    let queued_at = Instant::now();
    app.store().queue_mail_batch(&mails).await?;
    let queueing = queued_at.elapsed();
    drop(mails);

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
    // Before the checks below, which read every row back.
    let peak = peak_memory_mib();
    let sent = app.store().outbox(Some("sent"), 1_000_000).await?.len();
    let not_sent = app.store().outbox(Some("queued"), 1_000_000).await?.len()
        + app.store().outbox(Some("failed"), 1_000_000).await?.len();

    println!(
        "outbox: {}, sink {}, {} connections",
        args.database
            .as_deref()
            .map_or("SQLite (temporary)", |_| "the given database"),
        args.addr,
        args.connections
    );
    println!(
        "queued {} in {:.2} s; delivered {sent} in {:.3} s over {rounds} rounds: {:.0} messages/second ({not_sent} not sent)",
        args.count,
        queueing.as_secs_f64(),
        elapsed.as_secs_f64(),
        sent as f64 / elapsed.as_secs_f64(),
    );
    match peak {
        Some(mib) => println!("peak memory (VmHWM) while queueing and delivering: {mib:.1} MiB"),
        None => println!("peak memory: unknown"),
    }
    Ok(())
}
