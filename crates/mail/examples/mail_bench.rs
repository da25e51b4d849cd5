//! Sends N notices through `SmtpTransport` to a local SMTP sink and prints
//! messages per second and the process's peak memory.
//!
//! ```text
//! cargo run --release -p tawasul-mail --example mail_bench -- --count 10000 --connections 16 [--addr 127.0.0.1:2525]
//! ```
//!
//! Without `--addr` it starts its own in-process sink (the tests' server,
//! counting only). Postfix's `smtp-sink -c 127.0.0.1:2525 1000` is the
//! better sink: another process, written in C.

#[path = "../tests/support/smtp_server.rs"]
mod smtp_server;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tawasul_mail::{
    Lang, MailTemplates, MailTransport, MessageSpec, Security, SiteStyle, SmtpConfig,
    SmtpTransport, Unsubscribe,
};

struct Args {
    count: usize,
    connections: usize,
    addr: Option<SocketAddr>,
}

fn args() -> Result<Args, String> {
    let mut parsed = Args {
        count: 10_000,
        connections: 16,
        addr: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--count" => parsed.count = value.parse().map_err(|e| format!("--count: {e}"))?,
            "--connections" => {
                parsed.connections = value.parse().map_err(|e| format!("--connections: {e}"))?
            }
            "--addr" => parsed.addr = Some(value.parse().map_err(|e| format!("--addr: {e}"))?),
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(parsed)
}

fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// The notice for recipient `i`.
fn notice(rendered: &tawasul_mail::Rendered, i: usize) -> MessageSpec {
    MessageSpec {
        from_name: "المديرية الإقليمية لتطوان".into(),
        from_address: "noreply@dp-tetouan.example.ma".into(),
        to_name: String::new(),
        to_address: format!("ecole.{i}@men.example.ma"),
        reply_to: None,
        subject: rendered.subject.clone(),
        text: rendered.text.clone(),
        html: Some(rendered.html.clone()),
        unsubscribe: Some(Unsubscribe {
            url: format!("https://dp-tetouan.example.ma/u/{i}"),
            mailto: None,
        }),
        idempotency_key: format!("notice:1:{i}"),
        attachments: Vec::new(),
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = args()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run(args))
}

async fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let own_sink = match args.addr {
        Some(_) => None,
        None => Some(smtp_server::SmtpServer::start_fast().await),
    };
    let addr = args
        .addr
        .or(own_sink.as_ref().map(|s| s.addr()))
        .ok_or("no sink")?;

    // One notice, rendered once, as the worker would: the body is the same
    // for every recipient, the envelope and key differ.
    let templates = MailTemplates::builtin()?;
    let site = SiteStyle {
        name: "المديرية الإقليمية لتطوان".into(),
        url: "https://dp-tetouan.example.ma".into(),
        primary: "#0a5c36".into(),
        accent: "#d4a017".into(),
    };
    let rendered = templates.render(
        "notice",
        Lang::Ar,
        &site,
        &serde_json::json!({
            "title": "مذكرة وزارية في شأن الدخول المدرسي",
            "summary": "تعلن المديرية الإقليمية عن تنظيم الدخول المدرسي وفق المذكرة الوزارية.",
            "link": "https://dp-tetouan.example.ma/ar/news/rentree",
            "attachments": [{"name": "المذكرة.pdf", "url": "https://dp-tetouan.example.ma/m.pdf"}],
        }),
    )?;

    let transport = Arc::new(SmtpTransport::new(SmtpConfig {
        host: addr.ip().to_string(),
        port: addr.port(),
        security: Security::None,
        pool_size: args.connections,
        command_timeout: Duration::from_secs(30),
        ..SmtpConfig::new(addr.ip().to_string())
    })?);

    // What building alone costs (one core), to tell it from the SMTP side.
    let build_started = Instant::now();
    let probes = 1000;
    for i in 0..probes {
        let spec = notice(&rendered, i);
        spec.build(None)?;
    }
    let build_each = build_started.elapsed() / probes as u32;

    let started = Instant::now();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let failures = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut workers = Vec::new();
    for _ in 0..args.connections {
        let transport = transport.clone();
        let next = next.clone();
        let failures = failures.clone();
        let rendered = rendered.clone();
        let count = args.count;
        workers.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= count {
                    break;
                }
                let spec = notice(&rendered, i);
                let sent = match spec.build(None) {
                    Ok(email) => transport.send(&email).await.is_ok(),
                    Err(_) => false,
                };
                if !sent {
                    failures.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            }
        }));
    }
    for worker in workers {
        worker.await?;
    }
    let elapsed = started.elapsed();
    transport.close().await;

    let failed = failures.load(std::sync::atomic::Ordering::Relaxed);
    let stats = transport.stats();
    println!(
        "sink {addr} ({}), {} connections",
        if own_sink.is_some() {
            "in-process"
        } else {
            "external"
        },
        args.connections
    );
    println!(
        "sent {} of {} in {:.3} s: {:.0} messages/second ({} failed, {} connections opened)",
        stats.delivered,
        args.count,
        elapsed.as_secs_f64(),
        stats.delivered as f64 / elapsed.as_secs_f64(),
        failed,
        stats.connections_opened
    );
    if let Some(sink) = &own_sink {
        println!("the sink accepted {}", sink.accepted());
    }
    println!(
        "building one message (render excluded): {} µs",
        build_each.as_micros()
    );
    match peak_memory_kib() {
        Some(kib) => println!("peak memory (VmHWM): {:.1} MiB", kib as f64 / 1024.0),
        None => println!("peak memory: unknown (no /proc/self/status)"),
    }
    Ok(())
}
