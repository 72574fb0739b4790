//! RSA2 keys as Alipay hands them out: PEM (PKCS#8 or PKCS#1 private keys, SPKI or PKCS#1
//! public keys) or the bare base64 its console shows. Signatures are SHA256withRSA with
//! PKCS#1 v1.5 padding, computed by AWS-LC; nothing here does RSA arithmetic itself.

use std::fmt;

use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der, PublicKeyX509Der};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{KeyPair, ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, RsaKeyPair};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use pem_rfc7468::LineEnding;
use secrecy::zeroize::Zeroizing;
use secrecy::{ExposeSecret, SecretString};

/// A key that cannot be used.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Neither PEM nor base64 of the expected kind.
    #[error("the {0} key is neither PEM nor base64")]
    Encoding(&'static str),
    /// PEM of another kind (a certificate, an EC key, ...).
    #[error("the {kind} key is PEM labelled `{label}`")]
    Label {
        /// Private or public.
        kind: &'static str,
        /// What the PEM said it holds.
        label: String,
    },
    /// Decoded, but not an RSA key of 2048 to 8192 bits.
    #[error("the {0} key is not an RSA key of 2048 to 8192 bits")]
    Rejected(&'static str),
    /// Key generation failed (the system has no randomness).
    #[error("could not generate an RSA key")]
    Generation,
}

/// A signature that does not verify: wrong key, altered content, or not base64 at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the signature does not match")]
pub struct BadSignature;

/// A private key that signs (our app's key for gateway requests; the sandbox's own).
/// It never appears in logs or debug output.
pub struct PrivateKey(RsaKeyPair);

/// A public key that verifies SHA256withRSA signatures (Alipay's key, or an app's in the sandbox).
#[derive(Debug)]
pub struct PublicKey(ParsedPublicKey);

impl PrivateKey {
    /// Parses PEM (`PRIVATE KEY` or `RSA PRIVATE KEY`) or bare base64 of PKCS#8 or PKCS#1 DER.
    pub fn parse(text: &SecretString) -> Result<Self, KeyError> {
        let der = Zeroizing::new(decode(text.expose_secret(), "private", &["PRIVATE KEY", "RSA PRIVATE KEY"])?);
        let pair = RsaKeyPair::from_pkcs8(&der).or_else(|_| RsaKeyPair::from_der(&der));
        pair.map(Self).map_err(|_| KeyError::Rejected("private"))
    }

    /// A fresh 2048-bit key (the sandbox's keys, test keys).
    pub fn generate() -> Result<Self, KeyError> {
        RsaKeyPair::generate(KeySize::Rsa2048).map(Self).map_err(|_| KeyError::Generation)
    }

    /// The key as PKCS#8 PEM, to hand to another process (e.g. `ALIPAY_APP_PRIVATE_KEY`).
    pub fn to_pkcs8_pem(&self) -> Result<SecretString, KeyError> {
        let der: Pkcs8V1Der = self.0.as_der().map_err(|_| KeyError::Rejected("private"))?;
        let pem = pem_rfc7468::encode_string("PRIVATE KEY", LineEnding::LF, der.as_ref())
            .map_err(|_| KeyError::Encoding("private"))?;
        Ok(SecretString::from(pem))
    }

    /// The matching public key.
    pub fn public_key(&self) -> Result<PublicKey, KeyError> {
        let der: PublicKeyX509Der = self.0.public_key().as_der().map_err(|_| KeyError::Rejected("public"))?;
        PublicKey::from_der(der.as_ref())
    }

    /// Base64 of the SHA256withRSA signature of `content`.
    pub fn sign(&self, content: &str) -> String {
        let mut signature = vec![0; self.0.public_modulus_len()];
        // PKCS#1 v1.5 needs no randomness, and the buffer is exactly the modulus length:
        // signing a valid key pair cannot fail.
        self.0
            .sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), content.as_bytes(), &mut signature)
            .expect("an RSA key pair signs into a buffer of its modulus length");
        STANDARD.encode(signature)
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PrivateKey(..)")
    }
}

impl PublicKey {
    /// Parses PEM (`PUBLIC KEY` or `RSA PUBLIC KEY`) or bare base64 of SPKI or PKCS#1 DER.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        Self::from_der(&decode(text, "public", &["PUBLIC KEY", "RSA PUBLIC KEY"])?)
    }

    fn from_der(der: &[u8]) -> Result<Self, KeyError> {
        ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, der).map(Self).map_err(|_| KeyError::Rejected("public"))
    }

    /// Checks that `signature` (base64) is this key's SHA256withRSA signature of `content`.
    pub fn verify(&self, content: &str, signature: &str) -> Result<(), BadSignature> {
        let signature = STANDARD.decode(signature.trim()).map_err(|_| BadSignature)?;
        self.0.verify_sig(content.as_bytes(), &signature).map_err(|_| BadSignature)
    }

    /// The key as SPKI PEM.
    pub fn to_pem(&self) -> String {
        pem_rfc7468::encode_string("PUBLIC KEY", LineEnding::LF, self.0.as_ref()).unwrap_or_default()
    }

    /// The key as bare base64 of SPKI DER, the way Alipay's console shows it.
    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0.as_ref())
    }
}

/// The DER inside PEM with one of `labels`, or inside bare base64. Escaped newlines (`\n`
/// written as two characters, common when a PEM is put in one environment variable) are undone.
fn decode(text: &str, kind: &'static str, labels: &[&str]) -> Result<Vec<u8>, KeyError> {
    let text = text.trim().replace("\\n", "\n");
    if text.starts_with("-----BEGIN") {
        let (label, der) = pem_rfc7468::decode_vec(text.as_bytes()).map_err(|_| KeyError::Encoding(kind))?;
        return match labels.contains(&label) {
            true => Ok(der),
            false => Err(KeyError::Label { kind, label: label.to_owned() }),
        };
    }
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    STANDARD.decode(compact).map_err(|_| KeyError::Encoding(kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_with_the_matching_key_only() {
        let key = PrivateKey::generate().unwrap();
        let other = PrivateKey::generate().unwrap();
        let signature = key.sign("a=1&b=2");

        assert_eq!(key.public_key().unwrap().verify("a=1&b=2", &signature), Ok(()));
        assert_eq!(key.public_key().unwrap().verify("a=1&b=3", &signature), Err(BadSignature));
        assert_eq!(other.public_key().unwrap().verify("a=1&b=2", &signature), Err(BadSignature));
        assert_eq!(key.public_key().unwrap().verify("a=1&b=2", "not base64!"), Err(BadSignature));
    }

    #[test]
    fn keys_round_trip_through_pem_and_bare_base64() {
        let key = PrivateKey::generate().unwrap();
        let public = key.public_key().unwrap();
        let again = PrivateKey::parse(&key.to_pkcs8_pem().unwrap()).unwrap();
        let signature = again.sign("x");

        for text in [public.to_pem(), public.to_base64(), public.to_pem().replace('\n', "\\n")] {
            assert_eq!(PublicKey::parse(&text).unwrap().verify("x", &signature), Ok(()), "{text}");
        }
    }

    #[test]
    fn rejects_what_is_not_an_rsa_key() {
        assert_eq!(PublicKey::parse("not a key").unwrap_err(), KeyError::Encoding("public"));
        assert_eq!(PublicKey::parse("AAAA").unwrap_err(), KeyError::Rejected("public"));
        let certificate = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        assert!(matches!(PublicKey::parse(certificate), Err(KeyError::Label { .. })));
        assert!(PrivateKey::parse(&SecretString::from("AAAA")).is_err());
    }

    #[test]
    fn a_private_key_never_shows_in_debug_output() {
        assert_eq!(format!("{:?}", PrivateKey::generate().unwrap()), "PrivateKey(..)");
    }
}
