//! `--start`: the local runner (`luckydraw-local`) started for one run on a free port
//! (`PORT=0`; its output says where it listens), on the chosen backends, with the load-test
//! setting `LUCKYDRAW_RATE_LIMITS=off`, the admin's password (`LUCKYDRAW_ADMIN_PASSWORD` if set,
//! else a generated one: the seed sets it on a fresh store), and, when it uses Redis,
//! a key prefix of its own that is removed afterwards.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::{Child, Command};

use crate::cli::BackendChoice;
use crate::error::Error;

/// How long the runner may take to say where it listens.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// How long removing the run's Redis keys may take.
const CLEANUP_TIMEOUT: Duration = Duration::from_secs(30);

/// What the runner prints once it listens.
const LISTENING: &str = "luckydraw is running at ";

/// A runner this process started; killed when dropped.
pub struct Runner {
    /// Its base URL.
    pub url: String,
    /// The seeded admin's password.
    pub admin_password: String,
    /// Its Redis server and key prefix, when it uses Redis.
    pub redis: Option<(String, String)>,
    /// The variables the bench set for it (the password left out), for the report.
    pub settings: Vec<(&'static str, String)>,
    child: Child,
}

/// The runner's binary: `--runner`, else `luckydraw-local` beside this executable.
pub fn locate(given: Option<&Path>) -> Result<PathBuf, Error> {
    let path = match given {
        Some(path) => path.to_owned(),
        None => std::env::current_exe()
            .map_err(|error| Error::Runner(format!("where am I? {error}")))?
            .with_file_name(format!("luckydraw-local{}", std::env::consts::EXE_SUFFIX)),
    };
    match path.is_file() {
        true => Ok(path),
        false => Err(Error::Runner(format!(
            "no runner at {}: build it (`cargo build --release -p luckydraw-local`) or give --runner",
            path.display()
        ))),
    }
}

/// Starts the runner at `binary` for the run `run`, seeding the admin with `admin_password`
/// (a generated one when `None`), and waits until it listens.
pub async fn start(
    binary: &Path,
    backends: &BackendChoice,
    run: &str,
    admin_password: Option<&str>,
) -> Result<Runner, Error> {
    let admin_password = admin_password.map_or_else(|| format!("bench-{:032x}", rand::random::<u128>()), str::to_owned);
    let mut settings: Vec<(&'static str, String)> = backends.env().into();
    settings.push(("LUCKYDRAW_RATE_LIMITS", "off".into()));
    let redis = backends.uses_redis().then(|| (backends.redis_url.clone(), format!("bench-{run}")));
    if let Some((url, prefix)) = &redis {
        settings.push(("REDIS_URL", url.clone()));
        settings.push(("LUCKYDRAW_REDIS_PREFIX", prefix.clone()));
    }
    let mut child = Command::new(binary)
        .envs(settings.iter().map(|(name, value)| (*name, value.as_str())))
        .env("LUCKYDRAW_ADMIN_PASSWORD", &admin_password)
        .env("PORT", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|error| Error::Runner(format!("{}: {error}", binary.display())))?;
    let (Some(stdout), Some(stderr)) = (child.stdout.take(), child.stderr.take()) else {
        return Err(Error::Runner("no output to read".into()));
    };
    tokio::spawn(discard(stderr));
    let url = match tokio::time::timeout(START_TIMEOUT, listening(stdout)).await {
        Ok(Ok(url)) => url,
        Ok(Err(said)) => return Err(Error::Runner(format!("it ended before listening; it said:\n{said}"))),
        Err(_) => return Err(Error::Runner(format!("it did not listen within {START_TIMEOUT:?}"))),
    };
    Ok(Runner { url, admin_password, redis, settings, child })
}

/// Reads the runner's output until it says where it listens (then reads the rest away in
/// the background); `Err` with what it said if it ends first.
async fn listening(stdout: impl AsyncRead + Unpin + Send + 'static) -> Result<String, String> {
    let mut lines = BufReader::new(stdout).lines();
    let mut said = String::new();
    while let Ok(Some(line)) = lines.next_line().await {
        if let Some(url) = line.strip_prefix(LISTENING) {
            let url = url.trim().to_owned();
            tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
            return Ok(url);
        }
        said.push_str(&line);
        said.push('\n');
    }
    Err(said)
}

/// Reads a stream to its end, so the runner never blocks on a full pipe.
async fn discard(mut stream: impl AsyncRead + Unpin) {
    let _ = tokio::io::copy(&mut stream, &mut tokio::io::sink()).await;
}

impl Runner {
    /// Stops the runner, then removes its Redis keys unless `keep_keys`; how many it removed.
    pub async fn stop(mut self, keep_keys: bool) -> Result<Option<u64>, Error> {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
        let Some((url, prefix)) = self.redis.as_ref().filter(|_| !keep_keys) else { return Ok(None) };
        match tokio::time::timeout(CLEANUP_TIMEOUT, remove_keys(url, prefix)).await {
            Ok(Ok(count)) => Ok(Some(count)),
            Ok(Err(error)) => Err(Error::Runner(format!("removing the keys under {prefix}: {error}"))),
            Err(_) => Err(Error::Runner(format!("removing the keys under {prefix} took too long"))),
        }
    }
}

/// Deletes every key under `<prefix>:` on the (single) Redis server at `url`.
async fn remove_keys(url: &str, prefix: &str) -> redis::RedisResult<u64> {
    let mut connection = redis::Client::open(url)?.get_multiplexed_async_connection().await?;
    let mut cursor: u64 = 0;
    let mut removed = 0;
    loop {
        let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(format!("{prefix}:*"))
            .arg("COUNT")
            .arg(1_000)
            .query_async(&mut connection)
            .await?;
        if !keys.is_empty() {
            removed += redis::cmd("UNLINK").arg(&keys).query_async::<u64>(&mut connection).await?;
        }
        match next {
            0 => return Ok(removed),
            next => cursor = next,
        }
    }
}
