//! JWTs for the authorizer tests: an RSA key openssl makes, its JWKS, and RS256 tokens signed
//! with it (no network: the JWKS is written next to the key).
use base64::Engine;
use serde_json::{Value, json};
use std::process::Command;

/// An RSA key made by openssl, its JWKS, and JWTs signed with it (RS256).
pub struct Issuer {
    pub dir: tempfile::TempDir,
    /// The JWKS file.
    pub jwks: String,
}

pub const ISS: &str = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Ab12Cd34";
pub const NOW: i64 = 1_764_928_800; // 2025-12-05T10:00:00Z

pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

impl Issuer {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("key.pem");
        let ok = Command::new("openssl")
            .args([
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:2048",
                "-out",
            ])
            .arg(&key)
            .output()
            .expect("openssl (scripts/test.sh installs it)");
        assert!(
            ok.status.success(),
            "{}",
            String::from_utf8_lossy(&ok.stderr)
        );
        let modulus = Command::new("openssl")
            .args(["rsa", "-noout", "-modulus", "-in"])
            .arg(&key)
            .output()
            .unwrap();
        let hex = String::from_utf8(modulus.stdout).unwrap();
        let hex = hex.trim().trim_start_matches("Modulus=");
        let n: Vec<u8> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect();
        let jwks = json!({"keys": [{"kty": "RSA", "alg": "RS256", "use": "sig", "kid": "key-1", "n": b64(&n), "e": "AQAB"}]});
        let jwks_path = dir.path().join("jwks.json");
        std::fs::write(&jwks_path, jwks.to_string()).unwrap();
        let jwks = jwks_path.to_string_lossy().into_owned();
        Issuer { dir, jwks }
    }

    pub fn sign(&self, header: &Value, claims: &Value) -> String {
        let input = format!(
            "{}.{}",
            b64(header.to_string().as_bytes()),
            b64(claims.to_string().as_bytes())
        );
        let data = self.dir.path().join("input");
        std::fs::write(&data, &input).unwrap();
        let sig = Command::new("openssl")
            .args(["dgst", "-sha256", "-sign"])
            .arg(self.dir.path().join("key.pem"))
            .arg(&data)
            .output()
            .unwrap();
        assert!(sig.status.success());
        format!("{input}.{}", b64(&sig.stdout))
    }
}
