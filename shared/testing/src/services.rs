//! Real servers for adapter tests, started once per test process. Redis: the server at
//! 127.0.0.1:6379 if it answers `PING`, else a private `redis-server` on a free port; for
//! cluster mode, a private three-node cluster on free ports, and another one speaking only
//! TLS (`rediss://`, certificates made with `openssl` at start), as ElastiCache Serverless does.
//! DynamoDB and SQS: `infra/moto/serve.py` (moto's server) from the project's `.venv` on a
//! free loopback port. Both private servers stop when the test process ends (they watch
//! their standard input). A missing server fails the test with how to get it; nothing is
//! skipped. Every test works under names of its own (`unique`), never touching others'.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use redis::Commands;

use luckydraw_adapters::dynamodb::{Table, schema};
use luckydraw_adapters::redis::RedisMode;
use luckydraw_adapters::redis::{RedisConnection, RedisKeys};

/// A server this process started; it lives as long as the process.
struct Service {
    url: String,
    _child: Option<Child>,
}

static REDIS: OnceLock<Service> = OnceLock::new();
static REDIS_CLUSTER: OnceLock<Service> = OnceLock::new();
static REDIS_TLS_CLUSTER: OnceLock<(Service, Vec<u8>)> = OnceLock::new();
static MOTO: OnceLock<Service> = OnceLock::new();

/// The repository's root.
pub fn repository_root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// A name no other test (in this or another process) uses: `<prefix>-<pid>-<n>-<time>`.
pub fn unique(prefix: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |since| since.subsec_nanos());
    format!("{prefix}-{}-{n}-{nanos:x}", std::process::id())
}

/// The URL of a Redis server for tests.
pub fn redis_url() -> &'static str {
    &REDIS
        .get_or_init(|| {
            let service = if answers_ping(6379) { shared_redis() } else { private_redis() };
            tidy_up_after_finished_tests(&service.url);
            service
        })
        .url
}

/// A fresh connection to the test Redis and keys under a prefix of this test's own.
pub async fn redis() -> (RedisConnection, RedisKeys) {
    let url = redis_url();
    let connection = RedisConnection::connect(url, RedisMode::Single).await.expect("the test Redis answers");
    (connection, RedisKeys::new(redis_prefix()))
}

/// A Redis key prefix of this test's own (tidied up by a later test run once this one ends).
pub fn redis_prefix() -> String {
    unique(REDIS_TEST_PREFIX)
}

/// Every test key starts with this, then the test process's id.
const REDIS_TEST_PREFIX: &str = "ldtest";

/// Deletes the keys earlier test processes left on a shared server: those under
/// `ldtest-<pid>-` whose process is gone. Never another process's live keys, nor anyone else's.
fn tidy_up_after_finished_tests(url: &str) {
    let Ok(mut connection) = redis::Client::open(url).and_then(|client| client.get_connection()) else { return };
    let pattern = format!("{REDIS_TEST_PREFIX}-*");
    let Ok(keys) =
        connection.scan_match::<_, String>(&pattern).map(|keys| keys.filter_map(Result::ok).collect::<Vec<String>>())
    else {
        return;
    };
    let finished = |key: &String| {
        let pid = key.split('-').nth(1).and_then(|pid| pid.parse::<u32>().ok());
        pid.is_some_and(|pid| pid != std::process::id() && !std::path::Path::new(&format!("/proc/{pid}")).exists())
    };
    for key in keys.iter().filter(|key| finished(key)) {
        let _: Result<i64, _> = connection.del(key);
    }
}

/// The URL of a private three-node Redis Cluster (no replicas) for tests of cluster mode,
/// the protocol ElastiCache Serverless speaks.
pub fn redis_cluster_url() -> &'static str {
    &REDIS_CLUSTER.get_or_init(|| private_redis_cluster(false).0).url
}

/// A fresh connection to a private three-node cluster that speaks only TLS, by a
/// `rediss://` URL in the `auto` mode (so: cluster), trusting the cluster's own test CA;
/// keys under a prefix of this test's own. The shape of ElastiCache Serverless.
pub async fn redis_tls_cluster() -> (RedisConnection, RedisKeys) {
    let (service, root_ca) = REDIS_TLS_CLUSTER.get_or_init(|| private_redis_cluster(true));
    let connection = RedisConnection::connect_trusting(&service.url, RedisMode::Auto, root_ca)
        .await
        .expect("the TLS test cluster answers");
    (connection, RedisKeys::new(redis_prefix()))
}

/// A fresh cluster connection to the test cluster and keys under a prefix of this test's own.
pub async fn redis_cluster() -> (RedisConnection, RedisKeys) {
    let connection =
        RedisConnection::connect(redis_cluster_url(), RedisMode::Cluster).await.expect("the test cluster answers");
    (connection, RedisKeys::new(redis_prefix()))
}

/// The URL of the moto server for tests.
pub fn moto_url() -> &'static str {
    &MOTO.get_or_init(start_moto).url
}

/// AWS SDK configuration for the test moto server (fixed test credentials, us-east-1).
pub async fn aws_config() -> SdkConfig {
    let credentials = aws_sdk_dynamodb::config::Credentials::new("test", "test", None, None, "luckydraw-tests");
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(moto_url())
        .credentials_provider(credentials)
        .load()
        .await
}

/// A new, empty table of this test's own, defined as in `template.yaml`.
pub async fn dynamo_table() -> Table {
    let client = aws_sdk_dynamodb::Client::new(&aws_config().await);
    let name = unique("luckydraw");
    schema::create_table_if_missing(&client, &name).await.expect("moto creates the table");
    Table::new(client, name)
}

/// A new SQS order queue (with its dead-letter queue) of this test's own: client and URL.
pub async fn sqs_queue() -> (aws_sdk_sqs::Client, String) {
    let client = aws_sdk_sqs::Client::new(&aws_config().await);
    let url = luckydraw_adapters::sqs::create_queue_if_missing(&client, &unique("orders"))
        .await
        .expect("moto creates the queue");
    (client, url)
}

fn shared_redis() -> Service {
    Service { url: "redis://127.0.0.1:6379".into(), _child: None }
}

fn private_redis() -> Service {
    let port = free_port();
    let script = format!(
        "redis-server --bind 127.0.0.1 --port {port} --save '' --appendonly no & server=$!; cat >/dev/null; kill $server"
    );
    let child =
        Command::new("sh").args(["-c", &script]).stdin(Stdio::piped()).stdout(Stdio::null()).spawn().unwrap_or_else(
            |error| panic!("cannot start redis-server ({error}): install it (apt-get install redis-server)"),
        );
    let deadline = Instant::now() + Duration::from_secs(10);
    while !answers_ping(port) {
        assert!(
            Instant::now() < deadline,
            "redis-server did not start on port {port}: install it (apt-get install redis-server)"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Service { url: format!("redis://127.0.0.1:{port}"), _child: Some(child) }
}

/// Three cluster nodes on free ports formed into one cluster (`infra/scripts/redis-test-cluster.sh`),
/// and (with `tls`) their CA certificate: then every node listens only for TLS.
fn private_redis_cluster(tls: bool) -> (Service, Vec<u8>) {
    let ports = [free_port(), free_port(), free_port()];
    let dir = std::env::temp_dir().join(unique("luckydraw-redis-cluster"));
    let how = "install redis-server, redis-tools and openssl";
    let mut child = Command::new(repository_root().join("infra/scripts/redis-test-cluster.sh"))
        .arg(&dir)
        .arg(if tls { "1" } else { "0" })
        .args(ports.map(|port| port.to_string()))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("cannot start a Redis cluster ({error}): {how}"));
    let stdout = child.stdout.take().expect("stdout is piped");
    let (report, reported) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = report.send(line);
    });
    let ready = reported.recv_timeout(Duration::from_secs(60)).unwrap_or_default();
    assert_eq!(ready.trim(), "ready", "the Redis cluster did not form within a minute: {how}");
    let (scheme, root_ca) = match tls {
        false => ("redis", Vec::new()),
        true => ("rediss", std::fs::read(dir.join("ca.crt")).expect("the test CA certificate")),
    };
    (Service { url: format!("{scheme}://127.0.0.1:{}", ports[0]), _child: Some(child) }, root_ca)
}

fn start_moto() -> Service {
    let root = repository_root();
    let python = root.join(".venv/bin/python");
    let script = root.join("infra/moto/serve.py");
    let how = "run ./infra/scripts/test.sh once (it creates .venv with moto[server]), or: \
               python3 -m venv .venv && .venv/bin/pip install 'moto[server]'";
    assert!(python.exists(), "{} is missing: {how}", python.display());
    let mut child = Command::new(&python)
        .arg(&script)
        .args(["--host", "127.0.0.1", "--port", "0"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|error| panic!("cannot start moto ({error}): {how}"));
    let mut first_line = String::new();
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut reader = BufReader::new(stdout);
    reader.read_line(&mut first_line).expect("moto prints where it listens");
    let address = first_line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("moto did not start ({first_line:?}): {how}"));
    // Keep draining its output so it never blocks on a full pipe.
    std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
    Service { url: format!("http://{address}"), _child: Some(child) }
}

/// Whether a Redis server answers `PING` on 127.0.0.1:`port`.
pub(crate) fn answers_ping(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect_timeout(&(Ipv4Addr::LOCALHOST, port).into(), Duration::from_millis(300))
    else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    let mut reply = [0u8; 7];
    stream.write_all(b"PING\r\n").is_ok() && stream.read_exact(&mut reply).is_ok() && &reply == b"+PONG\r\n"
}

pub(crate) fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("a free loopback port");
    listener.local_addr().expect("a bound address").port()
}
