//! DKIM signing keys, read from PEM: RSA in PKCS#1
//! (`BEGIN RSA PRIVATE KEY`) or Ed25519 in PKCS#8 (`BEGIN PRIVATE KEY`,
//! what `openssl genpkey -algorithm ed25519` writes).

use base64::Engine as _;
use lettre::message::dkim::{
    DkimCanonicalization, DkimCanonicalizationType, DkimConfig, DkimSigningAlgorithm,
    DkimSigningKey,
};
use lettre::message::header::HeaderName;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum DkimError {
    #[error("the DKIM key is not PEM (no BEGIN/END lines or bad base64)")]
    NotPem,
    #[error("the DKIM key is a PKCS#8 key that is not Ed25519; give RSA keys in PKCS#1 (`openssl rsa -traditional`)")]
    Unsupported,
    #[error("the DKIM key cannot be read: {0}")]
    Key(String),
    #[error("the DKIM {0} must be a non-empty DNS label")]
    Name(&'static str),
}

/// A DKIM signer: selector, domain and key.
#[derive(Debug)]
pub struct Dkim {
    config: DkimConfig,
}

/// The DER prefix of a PKCS#8 v1 Ed25519 private key, before its 32-byte seed.
const ED25519_PKCS8_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

/// Headers covered by the signature (absent ones are skipped).
const SIGNED_HEADERS: [&str; 11] = [
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "Reply-To",
    "MIME-Version",
    "Content-Type",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
    "X-Tawasul-Key",
];

fn pem_body(pem: &str, label: &str) -> Option<Vec<u8>> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = pem.find(&begin)? + begin.len();
    let stop = pem[start..].find(&end)? + start;
    let b64: String = pem[start..stop]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    base64::engine::general_purpose::STANDARD.decode(b64).ok()
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
}

impl Dkim {
    /// Reads the key and prepares the signer (relaxed/relaxed canonicalisation).
    pub fn from_pem(selector: &str, domain: &str, pem: &str) -> Result<Self, DkimError> {
        if !valid_name(selector) {
            return Err(DkimError::Name("selector"));
        }
        if !valid_name(domain) {
            return Err(DkimError::Name("domain"));
        }
        let key = if pem.contains("-----BEGIN RSA PRIVATE KEY-----") {
            DkimSigningKey::new(pem, DkimSigningAlgorithm::Rsa)
                .map_err(|e| DkimError::Key(e.to_string()))?
        } else {
            let der = pem_body(pem, "PRIVATE KEY").ok_or(DkimError::NotPem)?;
            let seed = der
                .strip_prefix(&ED25519_PKCS8_PREFIX[..])
                .filter(|seed| seed.len() == 32)
                .ok_or(DkimError::Unsupported)?;
            let seed = base64::engine::general_purpose::STANDARD.encode(seed);
            DkimSigningKey::new(&seed, DkimSigningAlgorithm::Ed25519)
                .map_err(|e| DkimError::Key(e.to_string()))?
        };
        let headers = SIGNED_HEADERS
            .iter()
            .map(|h| HeaderName::new_from_ascii((*h).to_owned()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| DkimError::Key(e.to_string()))?;
        let config = DkimConfig::new(
            selector.to_owned(),
            domain.to_owned(),
            key,
            headers,
            DkimCanonicalization {
                header: DkimCanonicalizationType::Relaxed,
                body: DkimCanonicalizationType::Relaxed,
            },
        );
        Ok(Self { config })
    }

    pub(crate) fn config(&self) -> &DkimConfig {
        &self.config
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn ed25519_pem(seed: [u8; 32]) -> String {
        let mut der = ED25519_PKCS8_PREFIX.to_vec();
        der.extend_from_slice(&seed);
        let b64 = base64::engine::general_purpose::STANDARD.encode(der);
        format!("-----BEGIN PRIVATE KEY-----\n{b64}\n-----END PRIVATE KEY-----\n")
    }

    #[test]
    fn keys_are_read_or_refused() {
        assert!(Dkim::from_pem("s1", "dp.example.ma", &ed25519_pem([7; 32])).is_ok());
        assert!(matches!(
            Dkim::from_pem("s1", "dp.example.ma", "nonsense"),
            Err(DkimError::NotPem)
        ));
        assert!(matches!(
            Dkim::from_pem("s 1", "dp.example.ma", &ed25519_pem([7; 32])),
            Err(DkimError::Name("selector"))
        ));
        let rsa8 = "-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n";
        assert!(matches!(
            Dkim::from_pem("s1", "dp.example.ma", rsa8),
            Err(DkimError::Unsupported)
        ));
    }
}
