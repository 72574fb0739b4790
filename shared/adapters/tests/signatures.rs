//! RSA2 cross-checked against an independent implementation: the `openssl` command line.
//! Keys made by OpenSSL load in every form Alipay hands out, signatures are byte-for-byte
//! OpenSSL's (PKCS#1 v1.5 is deterministic), and each side verifies the other's.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use luckydraw_adapters::alipay::{Params, PrivateKey, PublicKey, sign_notification};
use luckydraw_core::domain::OrderId;
use luckydraw_testing::notification_params;
use secrecy::{ExposeSecret, SecretString};

/// Runs `openssl` with `args`, feeding `input`; its standard output.
fn openssl(args: &[&str], input: &[u8]) -> Vec<u8> {
    let mut child = Command::new("openssl")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the `openssl` command is needed for these tests: apt-get install openssl (.ci/run does)");
    child.stdin.take().unwrap().write_all(input).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    output.stdout
}

/// A fresh directory for this test's files.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("luckydraw-signatures-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn path(dir: &Path, file: &str) -> String {
    dir.join(file).to_string_lossy().into_owned()
}

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap()
}

/// The body of a PEM, as Alipay's console shows a key: base64 on one line.
fn bare(pem: &str) -> String {
    pem.lines().filter(|line| !line.starts_with("-----")).collect()
}

/// A notification sign string with everything that makes encoding hard.
fn sign_string() -> String {
    let order: OrderId = "01a20048628e7a0b8eea09489eda7b1b".parse().unwrap();
    let mut params = notification_params(&order, "2026112122001446880000000001", "9.90", "TRADE_SUCCESS");
    params.push("passback_params", "a&b=c+d%20e 50% 中文");
    params.sign_content(&["sign", "sign_type"])
}

#[test]
fn openssl_keys_load_in_every_form_alipay_uses() {
    let dir = scratch("forms");
    let pkcs8 = text(openssl(&["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"], b""));
    std::fs::write(dir.join("key.pem"), &pkcs8).unwrap();
    let pkcs1 = text(openssl(&["rsa", "-in", &path(&dir, "key.pem"), "-traditional"], b""));
    let spki = text(openssl(&["pkey", "-in", &path(&dir, "key.pem"), "-pubout"], b""));
    let rsa_public = text(openssl(&["rsa", "-in", &path(&dir, "key.pem"), "-RSAPublicKey_out"], b""));
    assert!(
        pkcs1.starts_with("-----BEGIN RSA PRIVATE KEY-----") && rsa_public.starts_with("-----BEGIN RSA PUBLIC KEY")
    );

    let message = sign_string();
    let by_openssl =
        STANDARD.encode(openssl(&["dgst", "-sha256", "-sign", &path(&dir, "key.pem")], message.as_bytes()));
    for private in [&pkcs8, &pkcs1, &bare(&pkcs8), &bare(&pkcs1)] {
        let key = PrivateKey::parse(&SecretString::from(private.clone())).unwrap();
        assert_eq!(key.sign(&message), by_openssl, "the same signature from {private:.30}");
    }
    for public in [&spki, &rsa_public, &bare(&spki), &bare(&rsa_public)] {
        assert_eq!(PublicKey::parse(public).unwrap().verify(&message, &by_openssl), Ok(()), "{public:.30}");
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn openssl_verifies_our_signatures_and_refuses_altered_content() {
    let dir = scratch("verify");
    let key = PrivateKey::generate().unwrap();
    std::fs::write(dir.join("public.pem"), key.public_key().unwrap().to_pem()).unwrap();
    std::fs::write(dir.join("private.pem"), key.to_pkcs8_pem().unwrap().expose_secret()).unwrap();
    let message = sign_string();
    std::fs::write(dir.join("sig.bin"), STANDARD.decode(key.sign(&message)).unwrap()).unwrap();

    let verify = |content: &str| {
        Command::new("openssl")
            .args(["dgst", "-sha256", "-verify", &path(&dir, "public.pem"), "-signature", &path(&dir, "sig.bin")])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .and_then(|mut child| {
                child.stdin.take().unwrap().write_all(content.as_bytes())?;
                child.wait()
            })
            .unwrap()
            .success()
    };

    assert!(verify(&message));
    assert!(!verify(&message.replace("9.90", "9.91")));
    let by_openssl =
        STANDARD.encode(openssl(&["dgst", "-sha256", "-sign", &path(&dir, "private.pem")], message.as_bytes()));
    assert_eq!(key.sign(&message), by_openssl);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_notification_signed_by_openssl_is_accepted_exactly_as_sent() {
    let dir = scratch("notify");
    std::fs::write(
        dir.join("key.pem"),
        openssl(&["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"], b""),
    )
    .unwrap();
    let public = text(openssl(&["pkey", "-in", &path(&dir, "key.pem"), "-pubout"], b""));
    let merchant = luckydraw_testing::test_merchant(&public);
    let order: OrderId = "01a20048628e7a0b8eea09489eda7b1b".parse().unwrap();
    let mut params = notification_params(&order, "T1", "9.90", "TRADE_SUCCESS");
    params.push("subject", "抽奖 & 50% = a+b");
    let mut params = Params::parse(params.encode().replace("subject=luckydraw%3A+Cup&", "").as_bytes()).unwrap();

    let content = params.sign_content(&["sign", "sign_type"]);
    let signature = STANDARD.encode(openssl(&["dgst", "-sha256", "-sign", &path(&dir, "key.pem")], content.as_bytes()));
    params.push("sign_type", "RSA2");
    params.push("sign", signature);
    let verified = merchant.verify(params.encode().as_bytes()).unwrap();

    assert_eq!((verified.order_id, verified.trade_no.as_str()), (order, "T1"));
    let ours = sign_notification(Params::default(), &PrivateKey::generate().unwrap());
    assert!(merchant.verify(ours.encode().as_bytes()).is_err());
    std::fs::remove_dir_all(dir).unwrap();
}
