//! A small SMTP server for the tests and the benchmark: a real TCP
//! conversation on 127.0.0.1 (EHLO/HELO, AUTH PLAIN, MAIL, RCPT, DATA with
//! dot-unstuffing, RSET, NOOP, QUIT). It records every message, counts
//! connections, and can be told to refuse (any reply to RCPT or to the end
//! of DATA), to answer slowly, or to go down and come back on the same port.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

/// A message as the server received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    /// The data, dot-unstuffed, CRLF line ends, without the final dot.
    pub data: String,
    /// The `AUTH PLAIN` payload of the session, if any.
    pub auth: Option<String>,
}

#[derive(Debug, Default)]
struct Behaviour {
    rcpt_reply: Option<String>,
    data_reply: Option<String>,
    delay: Duration,
    /// EHLO does not offer PIPELINING, and a command that arrives before
    /// the previous reply was sent is a protocol error (as strict servers
    /// treat it).
    no_pipelining: bool,
    /// Commands that arrived while an earlier one was still unanswered.
    pipelined_commands: usize,
}

#[derive(Debug, Default)]
struct State {
    messages: Mutex<Vec<Received>>,
    accepted: AtomicUsize,
    connections: AtomicUsize,
    behaviour: Mutex<Behaviour>,
    /// false: count messages without keeping them (the benchmark).
    record: bool,
}

pub struct SmtpServer {
    addr: SocketAddr,
    state: Arc<State>,
    task: Mutex<Option<JoinHandle<()>>>,
}

/// A poisoned lock still holds usable data here (counters and settings).
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = TcpSocket::new_v4()?;
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(1024)
}

impl SmtpServer {
    /// A recording server on a free port.
    pub async fn start() -> Self {
        Self::start_with(true).await
    }

    /// A server that only counts (for the benchmark).
    pub async fn start_fast() -> Self {
        Self::start_with(false).await
    }

    async fn start_with(record: bool) -> Self {
        let listener = bind(SocketAddr::from(([127, 0, 0, 1], 0))).expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        let state = Arc::new(State {
            record,
            ..State::default()
        });
        let server = Self {
            addr,
            state,
            task: Mutex::new(None),
        };
        server.serve(listener);
        server
    }

    fn serve(&self, listener: TcpListener) {
        let state = self.state.clone();
        let task = tokio::spawn(async move {
            // Owned here: aborting this task drops the listener and every
            // open connection, like a server going down.
            let mut connections = JoinSet::new();
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                while connections.try_join_next().is_some() {}
                state.connections.fetch_add(1, Ordering::SeqCst);
                connections.spawn(session(stream, state.clone()));
            }
        });
        *lock(&self.task) = Some(task);
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Every message received (recording servers only).
    pub fn messages(&self) -> Vec<Received> {
        lock(&self.state.messages).clone()
    }

    /// How many messages were accepted (250 after the data).
    pub fn accepted(&self) -> usize {
        self.state.accepted.load(Ordering::SeqCst)
    }

    /// How many TCP connections were accepted.
    pub fn connections(&self) -> usize {
        self.state.connections.load(Ordering::SeqCst)
    }

    /// The reply to every RCPT TO (e.g. "550 5.1.1 no such mailbox"); None: 250.
    pub fn set_rcpt_reply(&self, reply: Option<&str>) {
        lock(&self.state.behaviour).rcpt_reply = reply.map(str::to_owned);
    }

    /// The reply to the end of the data; None: 250.
    pub fn set_data_reply(&self, reply: Option<&str>) {
        lock(&self.state.behaviour).data_reply = reply.map(str::to_owned);
    }

    /// Stops offering PIPELINING (strict: early commands are refused).
    pub fn refuse_pipelining(&self) {
        lock(&self.state.behaviour).no_pipelining = true;
    }

    /// How many commands came in the same write as an earlier one.
    pub fn pipelined_commands(&self) -> usize {
        lock(&self.state.behaviour).pipelined_commands
    }

    /// Waits this long before every reply.
    pub fn set_delay(&self, delay: Duration) {
        lock(&self.state.behaviour).delay = delay;
    }

    /// Closes the listener and every connection: connecting is refused.
    pub async fn stop(&self) {
        let task = lock(&self.task).take();
        if let Some(task) = task {
            task.abort();
            let _ = task.await;
        }
    }

    /// Listens again on the same port.
    pub async fn restart(&self) {
        self.stop().await;
        let listener = bind(self.addr).expect("bind the same port again");
        self.serve(listener);
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        if let Some(task) = lock(&self.task).take() {
            task.abort();
        }
    }
}

async fn reply(
    writer: &mut tokio::net::tcp::OwnedWriteHalf,
    state: &State,
    text: &str,
) -> std::io::Result<()> {
    let delay = lock(&state.behaviour).delay;
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    writer.write_all(text.as_bytes()).await?;
    writer.write_all(b"\r\n").await
}

fn angle(arg: &str) -> String {
    let start = arg.find('<').map_or(0, |i| i + 1);
    let end = arg[start..].find('>').map_or(arg.len(), |i| start + i);
    arg[start..end].to_owned()
}

async fn session(stream: TcpStream, state: Arc<State>) {
    let _ = converse(stream, &state).await;
}

async fn converse(stream: TcpStream, state: &State) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let (read, mut writer) = stream.into_split();
    let mut reader = BufReader::new(read);
    reply(&mut writer, state, "220 test.local ESMTP ready").await?;
    let mut from: Option<String> = None;
    let mut to: Vec<String> = Vec::new();
    let mut auth: Option<String> = None;
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end_matches(['\r', '\n']);
        // Bytes already read beyond this line: the client did not wait
        // for our reply before sending its next command.
        let early = !reader.buffer().is_empty();
        let strict = {
            let mut behaviour = lock(&state.behaviour);
            if early {
                behaviour.pipelined_commands += 1;
            }
            behaviour.no_pipelining
        };
        if early && strict {
            reply(
                &mut writer,
                state,
                "554 5.5.0 command pipelined without PIPELINING",
            )
            .await?;
            return Ok(());
        }
        let upper = command.to_ascii_uppercase();
        let verb = upper.split(' ').next().unwrap_or("");
        match verb {
            "EHLO" => {
                let ehlo = if strict {
                    "250-test.local\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250-AUTH PLAIN LOGIN\r\n250 SIZE 10485760"
                } else {
                    "250-test.local\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250-AUTH PLAIN LOGIN\r\n250 SIZE 10485760"
                };
                reply(&mut writer, state, ehlo).await?
            }
            "HELO" => reply(&mut writer, state, "250 test.local").await?,
            "AUTH" => {
                auth = command.splitn(3, ' ').nth(2).map(str::to_owned);
                reply(&mut writer, state, "235 2.7.0 authenticated").await?
            }
            "MAIL" => {
                from = Some(angle(command));
                to.clear();
                reply(&mut writer, state, "250 2.1.0 ok").await?
            }
            "RCPT" => {
                let refusal = lock(&state.behaviour).rcpt_reply.clone();
                match refusal {
                    Some(text) => reply(&mut writer, state, &text).await?,
                    None => {
                        to.push(angle(command));
                        reply(&mut writer, state, "250 2.1.5 ok").await?
                    }
                }
            }
            "DATA" => {
                if from.is_none() || to.is_empty() {
                    reply(&mut writer, state, "554 5.5.1 no valid recipients").await?;
                    continue;
                }
                reply(&mut writer, state, "354 end with <CRLF>.<CRLF>").await?;
                let mut data = String::new();
                loop {
                    line.clear();
                    if reader.read_line(&mut line).await? == 0 {
                        return Ok(());
                    }
                    if line == ".\r\n" || line == ".\n" {
                        break;
                    }
                    if state.record {
                        data.push_str(line.strip_prefix('.').unwrap_or(&line));
                    }
                }
                let refusal = lock(&state.behaviour).data_reply.clone();
                match refusal {
                    Some(text) => reply(&mut writer, state, &text).await?,
                    None => {
                        if state.record {
                            lock(&state.messages).push(Received {
                                from: from.clone().unwrap_or_default(),
                                to: to.clone(),
                                data,
                                auth: auth.clone(),
                            });
                        }
                        state.accepted.fetch_add(1, Ordering::SeqCst);
                        reply(&mut writer, state, "250 2.0.0 queued").await?
                    }
                }
                from = None;
                to.clear();
            }
            "RSET" => {
                from = None;
                to.clear();
                reply(&mut writer, state, "250 2.0.0 reset").await?
            }
            "NOOP" => reply(&mut writer, state, "250 2.0.0 ok").await?,
            "QUIT" => {
                reply(&mut writer, state, "221 2.0.0 bye").await?;
                return Ok(());
            }
            _ => reply(&mut writer, state, "502 5.5.2 unknown command").await?,
        }
    }
}
