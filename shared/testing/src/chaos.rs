//! Dependencies that misbehave on cue, for the fault-injection tests: a private
//! `redis-server` that can be paused (SIGSTOP), resumed, and killed and restarted empty on
//! the same port, and a TCP proxy in front of a service that can refuse connections, hold
//! them unanswered, or cut them once a request has gone through (an ambiguous failure).

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::services::{answers_ping, free_port};

/// A `redis-server` of one test's own, without persistence: a restart loses everything.
pub struct FaultyRedis {
    port: u16,
    child: Child,
}

impl FaultyRedis {
    /// Starts one on a free port.
    pub fn start() -> Self {
        let port = free_port();
        Self { port, child: spawn_redis(port) }
    }

    /// Its URL.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Freezes the server (SIGSTOP): connections stay open, nothing is answered.
    pub fn pause(&self) {
        signal("-STOP", self.child.id());
    }

    /// Thaws it (SIGCONT): the commands that waited run now.
    pub fn resume(&self) {
        signal("-CONT", self.child.id());
    }

    /// Kills it (SIGKILL) and starts a new, empty one on the same port.
    pub fn restart_empty(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.child = spawn_redis(self.port);
    }
}

impl Drop for FaultyRedis {
    fn drop(&mut self) {
        signal("-CONT", self.child.id());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn_redis(port: u16) -> Child {
    let port_text = port.to_string();
    let child = Command::new("redis-server")
        .args(["--bind", "127.0.0.1", "--port", &port_text, "--save", "", "--appendonly", "no"])
        .stdout(Stdio::null())
        .spawn()
        .unwrap_or_else(|error| {
            panic!("cannot start redis-server ({error}): install it (apt-get install redis-server)")
        });
    let deadline = Instant::now() + Duration::from_secs(10);
    while !answers_ping(port) {
        assert!(Instant::now() < deadline, "redis-server did not start on port {port}");
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

fn signal(which: &str, pid: u32) {
    let status = Command::new("kill").args([which, &pid.to_string()]).status().expect("kill runs");
    assert!(status.success(), "kill {which} {pid} failed");
}

/// What the proxy does with traffic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum ProxyMode {
    /// Forwards both ways.
    Pass = 0,
    /// Accepts and at once closes every connection (an unreachable service).
    Refuse = 1,
    /// Accepts and reads, but answers nothing until switched back (a paused service).
    Hold = 2,
    /// Forwards the request, then cuts the connection as the answer arrives: the service
    /// acted, the client saw a failure.
    CutAnswers = 3,
}

/// A TCP proxy on a free loopback port in front of `upstream`, switchable at any time.
pub struct FlakyProxy {
    addr: SocketAddr,
    mode: Arc<AtomicU8>,
    task: tokio::task::JoinHandle<()>,
}

impl FlakyProxy {
    /// Starts one, passing traffic.
    pub async fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free loopback port");
        let addr = listener.local_addr().expect("a bound address");
        let mode = Arc::new(AtomicU8::new(ProxyMode::Pass as u8));
        let task = tokio::spawn(accept(listener, upstream, mode.clone()));
        Self { addr, mode, task }
    }

    /// Its URL (`http://127.0.0.1:<port>`).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Switches what it does from now on (connections open now follow too).
    pub fn set(&self, mode: ProxyMode) {
        self.mode.store(mode as u8, Ordering::SeqCst);
    }
}

impl Drop for FlakyProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn mode_of(mode: &AtomicU8) -> ProxyMode {
    match mode.load(Ordering::SeqCst) {
        1 => ProxyMode::Refuse,
        2 => ProxyMode::Hold,
        3 => ProxyMode::CutAnswers,
        _ => ProxyMode::Pass,
    }
}

/// Waits while the proxy holds traffic; a held connection goes on once it stops.
async fn held(mode: &AtomicU8) {
    while mode_of(mode) == ProxyMode::Hold {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn accept(listener: TcpListener, upstream: SocketAddr, mode: Arc<AtomicU8>) {
    while let Ok((client, _)) = listener.accept().await {
        tokio::spawn(relay(client, upstream, mode.clone()));
    }
}

async fn relay(client: TcpStream, upstream: SocketAddr, mode: Arc<AtomicU8>) {
    if mode_of(&mode) == ProxyMode::Refuse {
        return; // closed at once, before a byte is read
    }
    let Ok(server) = TcpStream::connect(upstream).await else { return };
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let requests = {
        let mode = mode.clone();
        async move {
            let mut buffer = vec![0; 16 * 1024];
            loop {
                let Ok(n) = client_read.read(&mut buffer).await else { return };
                if n == 0 || matches!(mode_of(&mode), ProxyMode::Refuse) {
                    return;
                }
                held(&mode).await;
                if server_write.write_all(&buffer[..n]).await.is_err() {
                    return;
                }
            }
        }
    };
    let answers = async move {
        let mut buffer = vec![0; 16 * 1024];
        loop {
            let Ok(n) = server_read.read(&mut buffer).await else { return };
            if n == 0 {
                return;
            }
            held(&mode).await;
            if matches!(mode_of(&mode), ProxyMode::Refuse | ProxyMode::CutAnswers) {
                return;
            }
            if client_write.write_all(&buffer[..n]).await.is_err() {
                return;
            }
        }
    };
    tokio::select! {
        () = requests => {}
        () = answers => {}
    }
}
