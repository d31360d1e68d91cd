//! Several replicas behind a round-robin: `TIERLINK_TEST_REPLICAS=2` makes
//! every [`crate::TestApp`] two servers on one database with HAProxy in
//! front, which sends each request to the next server in turn (also on a
//! kept-alive connection). A test that passes so depends on nothing one
//! process keeps for itself, but for what is documented to be per process
//! (the sign-in throttles, whose tests start one server:
//! [`crate::TestApp::spawn_one_with`]).

use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The variable that asks for replicas.
pub const REPLICAS: &str = "TIERLINK_TEST_REPLICAS";

/// How many servers each test starts (1 unless `TIERLINK_TEST_REPLICAS`).
pub fn count() -> usize {
    std::env::var(REPLICAS)
        .ok()
        .and_then(|value| value.trim().parse().ok())
        .filter(|&n| n >= 1)
        .unwrap_or(1)
}

/// HAProxy, round-robin per request over the replicas; stopped when dropped.
#[derive(Debug)]
pub struct Proxy {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Proxy {
    /// Starts HAProxy in front of the servers on `ports` and waits until it
    /// accepts connections.
    pub fn start(ports: &[u16]) -> Self {
        let port = free_port();
        let servers: String = ports
            .iter()
            .enumerate()
            .map(|(i, p)| format!("    server replica{i} 127.0.0.1:{p}\n"))
            .collect();
        // No `prefer-last-server` and no stickiness: every request of a
        // kept-alive client connection is balanced on its own.
        let config = format!(
            "global\n    maxconn 512\n\
             defaults\n    mode http\n    timeout connect 5s\n    timeout client 120s\n    timeout server 120s\n\
             frontend tierlink\n    bind 127.0.0.1:{port}\n    default_backend replicas\n\
             backend replicas\n    balance roundrobin\n    http-reuse never\n{servers}"
        );
        let dir = tempfile::tempdir().expect("a directory for the proxy");
        let path = dir.path().join("haproxy.cfg");
        std::fs::write(&path, config).expect("the proxy's configuration");
        let child = Command::new("haproxy")
            .arg("-db")
            .arg("-f")
            .arg(&path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("haproxy runs (apt-get install haproxy)");
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "haproxy did not start listening");
            std::thread::sleep(Duration::from_millis(5));
        }
        Self {
            child,
            port,
            _dir: dir,
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nothing listens on now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port")
}
