//! RSA certificates and client assertions for the certificate-credential tests.
#![allow(dead_code)]

use aws_lc_rs::signature::{RSA_PKCS1_SHA256, RSA_PSS_SHA256, RsaKeyPair};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// A self-signed RSA certificate and its PKCS#8 key.
pub struct TestCert {
    pub cert_pem: String,
    pub cert_der: Vec<u8>,
    pub key_der: Vec<u8>,
    pub key_pem: String,
}

pub fn rsa_cert() -> TestCert {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).expect("RSA key");
    let params = rcgen::CertificateParams::new(vec!["o365-test-app".to_string()]).expect("params");
    let cert = params.self_signed(&key).expect("self-signed");
    TestCert { cert_pem: cert.pem(), cert_der: cert.der().to_vec(), key_der: key.serialize_der(), key_pem: key.serialize_pem() }
}

fn digest(alg: &'static aws_lc_rs::digest::Algorithm, data: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(aws_lc_rs::digest::digest(alg, data).as_ref())
}

/// Knobs for a client assertion.
pub struct Assertion<'a> {
    pub alg: &'a str,
    pub client_id: &'a str,
    pub aud: String,
    pub exp_offset: i64,
    pub jti: String,
}

impl<'a> Assertion<'a> {
    pub fn new(alg: &'a str, client_id: &'a str, aud: String) -> Self {
        Assertion { alg, client_id, aud, exp_offset: 600, jti: uuid::Uuid::new_v4().to_string() }
    }

    /// Signs the assertion with `cert`'s key, naming `cert` in the header.
    pub fn sign(&self, cert: &TestCert) -> String {
        self.sign_with(cert, &cert.key_der)
    }

    /// Signs with `key_der` while naming `cert` (a forged signature if they differ).
    pub fn sign_with(&self, cert: &TestCert, key_der: &[u8]) -> String {
        let header = if self.alg == "PS256" {
            serde_json::json!({"alg": "PS256", "typ": "JWT", "x5t#S256": digest(&aws_lc_rs::digest::SHA256, &cert.cert_der)})
        } else {
            serde_json::json!({"alg": self.alg, "typ": "JWT", "x5t": digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, &cert.cert_der)})
        };
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
        let claims = serde_json::json!({
            "aud": self.aud, "iss": self.client_id, "sub": self.client_id, "jti": self.jti,
            "nbf": now.min(now + self.exp_offset - 600), "iat": now, "exp": now + self.exp_offset,
        });
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let kp = RsaKeyPair::from_pkcs8(key_der).expect("pkcs8");
        let mut sig = vec![0u8; kp.public_modulus_len()];
        let alg = if self.alg == "PS256" { &RSA_PSS_SHA256 } else { &RSA_PKCS1_SHA256 };
        kp.sign(alg, &aws_lc_rs::rand::SystemRandom::new(), input.as_bytes(), &mut sig).expect("sign");
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
    }
}
