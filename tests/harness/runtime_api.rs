//! The Lambda Runtime API, served by the test: what the Lambda service (or the container of
//! `sam local invoke`) offers a function's `bootstrap`. A built bootstrap runs as a child
//! process with `AWS_LAMBDA_RUNTIME_API` pointing here, asks for events with
//! `GET /runtime/invocation/next` and posts each answer back, exactly as on AWS.
//! <https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html>

use std::collections::HashMap;
use std::convert::Infallible;
use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::net::TcpListener;
use tokio::process::{Child, Command};
use tokio::sync::{mpsc, oneshot};

/// How long one invocation may take before the test gives up on it.
const INVOCATION_TIMEOUT: Duration = Duration::from_secs(60);

/// What a function answered to one event.
#[derive(Debug)]
pub enum Outcome {
    /// `POST /runtime/invocation/{id}/response`: the handler's result.
    Response(Value),
    /// `POST /runtime/invocation/{id}/error`: the handler failed.
    Error(Value),
}

impl Outcome {
    /// The response, or a panic naming the error the function reported.
    pub fn response(self) -> Value {
        match self {
            Outcome::Response(value) => value,
            Outcome::Error(error) => panic!("the function reported an error: {error}"),
        }
    }
}

/// One event waiting for the function to ask for it.
struct Pending {
    event: Bytes,
    answer: oneshot::Sender<Outcome>,
}

/// What the runtime API shares between its connections.
struct State {
    queue: tokio::sync::Mutex<mpsc::UnboundedReceiver<Pending>>,
    in_flight: Mutex<HashMap<String, oneshot::Sender<Outcome>>>,
    first_poll: Mutex<Option<Instant>>,
    init_error: Mutex<Option<Value>>,
}

/// A function's bootstrap running against a runtime API of its own.
pub struct Bootstrap {
    name: String,
    child: Child,
    spawned_at: Instant,
    state: Arc<State>,
    events: mpsc::UnboundedSender<Pending>,
    log: Arc<Mutex<String>>,
}

impl Bootstrap {
    /// Starts `binary` as the function `name` with exactly `env` (plus the variables the
    /// Lambda service sets), nothing inherited: it initialises and waits for events.
    pub async fn start(name: &str, binary: &Path, env: &[(String, String)]) -> Bootstrap {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free loopback port");
        let address = listener.local_addr().expect("a bound address");
        let (events, queue) = mpsc::unbounded_channel();
        let state = Arc::new(State {
            queue: tokio::sync::Mutex::new(queue),
            in_flight: Mutex::default(),
            first_poll: Mutex::default(),
            init_error: Mutex::default(),
        });
        tokio::spawn(serve(listener, state.clone()));
        let mut command = Command::new(binary);
        command
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("AWS_LAMBDA_RUNTIME_API", address.to_string())
            .env("AWS_LAMBDA_FUNCTION_NAME", name)
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
            .env("AWS_LAMBDA_LOG_GROUP_NAME", format!("/aws/lambda/{name}"))
            .env("AWS_LAMBDA_LOG_STREAM_NAME", "2026/11/22/[$LATEST]0123456789abcdef")
            .env("RUST_LOG", "info")
            .envs(env.iter().map(|(key, value)| (key, value)))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let spawned_at = Instant::now();
        let mut child = command.spawn().unwrap_or_else(|error| panic!("cannot start {}: {error}", binary.display()));
        let log = Arc::new(Mutex::new(String::new()));
        tokio::spawn(collect(child.stdout.take().expect("piped stdout"), log.clone()));
        tokio::spawn(collect(child.stderr.take().expect("piped stderr"), log.clone()));
        Bootstrap { name: name.to_owned(), child, spawned_at, state, events, log }
    }

    /// Waits until the function has initialised and asked for its first event; how long
    /// that took from process start (Lambda's "Init Duration").
    pub async fn ready(&mut self) -> Duration {
        let deadline = Instant::now() + INVOCATION_TIMEOUT;
        loop {
            if let Some(polled) = *self.state.first_poll.lock().unwrap() {
                return polled - self.spawned_at;
            }
            self.assert_alive();
            assert!(Instant::now() < deadline, "{} did not initialise:\n{}", self.name, self.log());
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }

    /// Invokes the function with the event in the file `path` (relative to the repository).
    pub async fn invoke_file(&mut self, path: &str) -> Outcome {
        self.invoke(&event(path)).await
    }

    /// Invokes the function with `event` and waits for its answer.
    pub async fn invoke(&mut self, event: &Value) -> Outcome {
        self.invoke_timed(event).await.0
    }

    /// Like [`Bootstrap::invoke`], also returning how long the invocation took, from
    /// handing the event over to receiving the answer.
    pub async fn invoke_timed(&mut self, event: &Value) -> (Outcome, Duration) {
        let (answer, answered) = oneshot::channel();
        let body = Bytes::from(serde_json::to_vec(event).expect("events serialise"));
        let started = Instant::now();
        self.events.send(Pending { event: body, answer }).expect("the runtime API is serving");
        let waited = tokio::time::timeout(INVOCATION_TIMEOUT, answered);
        tokio::pin!(waited);
        loop {
            tokio::select! {
                outcome = &mut waited => {
                    let outcome = outcome
                        .unwrap_or_else(|_| panic!("{} did not answer in {INVOCATION_TIMEOUT:?}:\n{}", self.name, self.log()))
                        .unwrap_or_else(|_| panic!("{} dropped the invocation:\n{}", self.name, self.log()));
                    return (outcome, started.elapsed());
                }
                () = tokio::time::sleep(Duration::from_millis(20)) => self.assert_alive(),
            }
        }
    }

    /// The process id (for reading `/proc/<pid>`), while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// Everything the function has logged so far (stdout and stderr).
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Stops the process (Lambda freezing then reclaiming the environment).
    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }

    fn assert_alive(&mut self) {
        if let Ok(Some(status)) = self.child.try_wait() {
            let init_error = self.state.init_error.lock().unwrap().clone();
            panic!("{} exited ({status}); init error: {init_error:?}\n{}", self.name, self.log());
        }
    }
}

/// The event in the file `path` (`events/...`, relative to the repository).
pub fn event(path: &str) -> Value {
    let file = path.strip_prefix("events/").unwrap_or_else(|| panic!("{path} is not under events/"));
    let text = luckydraw_testing::event_file(file);
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("{path} is not JSON: {error}"))
}

/// Copies a child's output lines into `log` (and the test's own output, shown on failure).
async fn collect(output: impl AsyncRead + Unpin, log: Arc<Mutex<String>>) {
    let mut lines = BufReader::new(output).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        println!("  | {line}");
        let mut log = log.lock().unwrap();
        log.push_str(&line);
        log.push('\n');
    }
}

async fn serve(listener: TcpListener, state: Arc<State>) {
    while let Ok((stream, _)) = listener.accept().await {
        let state = state.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request| answer(state.clone(), request));
            let _ = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
        });
    }
}

/// The runtime API's four routes.
async fn answer(state: Arc<State>, request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let body = request.into_body().collect().await.map(|body| body.to_bytes()).unwrap_or_default();
    let json =
        || serde_json::from_slice(&body).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into()));
    let Some(rest) = path.strip_prefix("/2018-06-01/runtime/") else {
        return Ok(reply(StatusCode::NOT_FOUND, Bytes::new()));
    };
    let (kind, id) = match rest.strip_prefix("invocation/").map(|rest| rest.split_once('/').unwrap_or((rest, ""))) {
        Some(("next", "")) => ("next", ""),
        Some((id, kind)) => (kind, id),
        None => (rest, ""),
    };
    Ok(match (method, kind) {
        (Method::GET, "next") => next(&state).await,
        (Method::POST, "init/error") => {
            *state.init_error.lock().unwrap() = Some(json());
            reply(StatusCode::ACCEPTED, Bytes::new())
        }
        (Method::POST, "response") => settle(&state, id, Outcome::Response(json())),
        (Method::POST, "error") => settle(&state, id, Outcome::Error(json())),
        _ => reply(StatusCode::NOT_FOUND, Bytes::new()),
    })
}

/// Long-polls for the next event and hands it over with the invocation's headers.
async fn next(state: &State) -> Response<Full<Bytes>> {
    state.first_poll.lock().unwrap().get_or_insert_with(Instant::now);
    let Some(pending) = state.queue.lock().await.recv().await else {
        return reply(StatusCode::GONE, Bytes::new());
    };
    let id = uuid::Uuid::now_v7().to_string();
    state.in_flight.lock().unwrap().insert(id.clone(), pending.answer);
    let deadline = std::time::SystemTime::now() + INVOCATION_TIMEOUT;
    let deadline_ms = deadline.duration_since(std::time::UNIX_EPOCH).map(|since| since.as_millis()).unwrap_or(0);
    let mut response = reply(StatusCode::OK, pending.event);
    let headers = response.headers_mut();
    headers.insert("lambda-runtime-aws-request-id", id.parse().expect("a header value"));
    headers.insert("lambda-runtime-deadline-ms", deadline_ms.to_string().parse().expect("a header value"));
    headers.insert(
        "lambda-runtime-invoked-function-arn",
        "arn:aws:lambda:us-east-1:123456789012:function:luckydraw".parse().expect("a header value"),
    );
    headers.insert("lambda-runtime-trace-id", "Root=1-6740a1b2-0123456789abcdef01234567;Sampled=0".parse().unwrap());
    response
}

/// Delivers the function's answer for invocation `id`.
fn settle(state: &State, id: &str, outcome: Outcome) -> Response<Full<Bytes>> {
    match state.in_flight.lock().unwrap().remove(id) {
        Some(answer) => {
            let _ = answer.send(outcome);
            reply(StatusCode::ACCEPTED, Bytes::new())
        }
        None => reply(StatusCode::BAD_REQUEST, Bytes::from_static(b"{\"errorMessage\":\"unknown request id\"}")),
    }
}

fn reply(status: StatusCode, body: Bytes) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    response.headers_mut().insert("content-type", "application/json".parse().expect("a header value"));
    response
}
