//! The built `luckydraw-admin` against the real local runner (in this process, on a free
//! port, on fresh in-memory backends): a campaign from its file to its settlement, and the
//! exit statuses of the failures an operator meets.

use std::path::PathBuf;
use std::process::Output;
use std::sync::Arc;

use luckydraw_adapters::memory;
use luckydraw_adapters::system::{ChaChaRandom, ManualClock};
use luckydraw_local::{Options, Running, default_web_dir, start};
use luckydraw_testing::{START, test_settings};
use serde_json::Value;

const ADMIN_PASSWORD: &str = "admin-cli-password";

/// The example campaign operators are pointed at.
fn example() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/examples/campaign.toml"))
}

/// The runner on 127.0.0.1 with a free port, its clock inside the example's window.
async fn spawn_runner() -> Running {
    let clock = Arc::new(ManualClock::at(START));
    let (app, memory) = memory::in_memory(test_settings(), clock, Arc::new(ChaChaRandom::seeded(7)));
    let options = Options {
        addr: "127.0.0.1:0".parse().expect("a socket address"),
        web_dir: default_web_dir(),
        demo_scale: 1,
        admin_password: Some(ADMIN_PASSWORD.into()),
        background_consumer: true,
        sandbox: false,
        expire_every: None,
        settle_every: None,
        sqs: None,
        draw_sqs: None,
    };
    start(options, app, memory).await.expect("the runner starts")
}

/// What a run of the CLI printed, and how it ended.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    /// Asserts success and answers stdout.
    fn ok(self) -> String {
        assert_eq!(self.code, Some(0), "stdout:\n{}\nstderr:\n{}", self.stdout, self.stderr);
        self.stdout
    }

    /// Asserts the exit status and answers stderr.
    fn failed(self, code: i32) -> String {
        assert_eq!(self.code, Some(code), "stdout:\n{}\nstderr:\n{}", self.stdout, self.stderr);
        self.stderr
    }
}

/// Runs `luckydraw-admin` with `args` against `url`, with only the variables given here.
async fn admin(url: &str, env: &[(&str, &str)], args: &[&str]) -> Run {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_luckydraw-admin"));
    for name in ["LUCKYDRAW_TOKEN", "LUCKYDRAW_ADMIN_PASSWORD", "LUCKYDRAW_ADMIN_USER", "LUCKYDRAW_TIMEOUT"] {
        command.env_remove(name);
    }
    command.env("LUCKYDRAW_URL", url).envs(env.iter().copied()).args(args);
    let Output { status, stdout, stderr } = command.output().await.expect("the CLI runs");
    Run {
        code: status.code(),
        stdout: String::from_utf8_lossy(&stdout).into(),
        stderr: String::from_utf8_lossy(&stderr).into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_campaign_goes_from_its_file_to_online_quota_offline_and_settlement() {
    let runner = spawn_runner().await;
    let url = runner.url();
    let token = admin(&url, &[("LUCKYDRAW_ADMIN_PASSWORD", ADMIN_PASSWORD)], &["login"]).await.ok();
    let token = token.trim();
    assert!(!token.is_empty(), "login prints the token");
    let env = [("LUCKYDRAW_TOKEN", token)];
    let file = example();
    let file = file.to_str().expect("a UTF-8 path");

    let applied = admin(&url, &env, &["apply", file]).await.ok();
    assert!(applied.contains("create activity tea-festival (draft) with prizes thanks, tea, cup, drone"), "{applied}");
    let again = admin(&url, &env, &["apply", file]).await.ok();
    assert!(again.contains("tea-festival: up to date"), "applying the same file twice changes nothing: {again}");

    let listed = admin(&url, &env, &["list"]).await.ok();
    let row = listed.lines().find(|line| line.contains("tea-festival")).unwrap_or_else(|| panic!("listed: {listed}"));
    assert!(row.contains("draft") && row.contains("Tea Festival"), "{row}");
    let json: Value =
        serde_json::from_str(&admin(&url, &env, &["list", "--json"]).await.ok()).expect("--json prints JSON");
    assert!(json["activities"].as_array().expect("activities").iter().any(|activity| activity["id"] == "tea-festival"));

    let online = admin(&url, &env, &["online", "tea-festival"]).await.ok();
    assert!(online.contains("tea-festival: online (stock loaded)"), "{online}");
    let shown = admin(&url, &env, &["show", "tea-festival"]).await.ok();
    assert!(shown.contains("drone") && shown.contains("¥400.00"), "{shown}");

    let stats = admin(&url, &env, &["stats", "tea-festival"]).await.ok();
    let total = stats.lines().find(|line| line.trim_start().starts_with("TOTAL")).unwrap_or_else(|| panic!("{stats}"));
    assert_eq!(total.split_whitespace().take(3).collect::<Vec<_>>(), ["TOTAL", "805", "805"], "{stats}");
    assert!(stats.contains("drift: none"), "{stats}");

    admin(&url, &env, &["quota", "set", "tea-festival", "player", "20"]).await.ok();
    let quotas = admin(&url, &env, &["quota", "list", "tea-festival"]).await.ok();
    let row = quotas.lines().find(|line| line.contains("player")).unwrap_or_else(|| panic!("{quotas}"));
    assert_eq!(row.split_whitespace().last(), Some("20"), "{quotas}");

    let text = std::fs::read_to_string(example()).expect("the example").replace("status = \"draft\"\n", "");
    let edited = std::env::temp_dir().join(format!("campaign-{}.toml", std::process::id()));
    let edited_path = edited.to_str().expect("a UTF-8 path");
    std::fs::write(&edited, text.replace("price_fen = 9000", "price_fen = 9900")).expect("a temporary file");
    let refused = admin(&url, &env, &["apply", edited_path]).await.failed(1);
    assert!(refused.contains("tea-festival is online") && refused.contains("prize tea price_fen"), "{refused}");
    std::fs::write(&edited, text.replace("initial = 200", "initial = 300")).expect("a temporary file");
    let topped_up = admin(&url, &env, &["apply", edited_path]).await.ok();
    assert!(topped_up.contains("prize tea: initial 200 → 300 (stock +100)"), "{topped_up}");
    std::fs::remove_file(&edited).ok();
    let stats = admin(&url, &env, &["stats", "tea-festival"]).await.ok();
    let tea = stats.lines().find(|line| line.trim_start().starts_with("tea ")).unwrap_or_else(|| panic!("{stats}"));
    assert_eq!(tea.split_whitespace().skip(3).take(2).collect::<Vec<_>>(), ["300", "300"], "{stats}");

    let offline = admin(&url, &env, &["offline", "tea-festival"]).await.ok();
    assert!(offline.contains("tea-festival: offline"), "{offline}");
    let settled = admin(&url, &env, &["reconcile", "tea-festival"]).await.ok();
    assert!(settled.contains("0 draw(s) recorded"), "{settled}");

    let missing = admin(&url, &env, &["show", "no-such-activity"]).await.failed(1);
    assert!(missing.contains("404 not_found"), "{missing}");
    runner.stop().await;
}

#[tokio::test]
async fn a_bad_campaign_file_exits_4_before_any_request() {
    let bad = std::env::temp_dir().join(format!("bad-campaign-{}.toml", std::process::id()));
    std::fs::write(&bad, "id = \"x\"\nname = \"X\"\n").expect("a temporary file");
    let run = admin("http://127.0.0.1:9", &[("LUCKYDRAW_TOKEN", "t")], &["apply", bad.to_str().expect("UTF-8")]).await;
    std::fs::remove_file(&bad).ok();
    let stderr = run.failed(4);
    assert!(stderr.contains("missing field `starts_at`"), "{stderr}");
}

#[tokio::test]
async fn an_unreachable_api_exits_3_and_missing_credentials_exit_2() {
    let stderr = admin("http://127.0.0.1:9", &[("LUCKYDRAW_TOKEN", "t")], &["list"]).await.failed(3);
    assert!(stderr.contains("error: no answer from http://127.0.0.1:9/admin/activities"), "{stderr}");
    let stderr = admin("http://127.0.0.1:9", &[], &["list"]).await.failed(2);
    assert!(stderr.contains("no credentials"), "{stderr}");
}

#[tokio::test]
async fn a_wrong_password_is_the_api_s_refusal() {
    let runner = spawn_runner().await;
    let stderr = admin(&runner.url(), &[("LUCKYDRAW_ADMIN_PASSWORD", "not-the-password")], &["list"]).await.failed(1);
    assert!(stderr.contains("error: 401"), "{stderr}");
    runner.stop().await;
}
