//! DKIM signatures (RFC 6376) over the exact bytes that are sent.
//!
//! lettre's own signer hashed its idea of the message rather than what it
//! formats: a multipart message's `Content-Type` lives in the body part,
//! formatted separately, so the signature listed `content-type` without
//! covering the field that went out, and no verifier accepted it. Here the
//! message is formatted first, and the signature is computed over those
//! bytes: the header fields that appear in them exactly once, and the body
//! as encoded. The `DKIM-Signature` field is then put in front and nothing
//! is re-encoded afterwards, so a verifier reads what was signed.
//!
//! Canonicalisation is relaxed/relaxed: it survives a relay that re-folds a
//! header or trims spaces at the ends of lines. Keys are read from PEM: RSA
//! (2048 to 4096 bits) in PKCS#1 (`BEGIN RSA PRIVATE KEY`) or PKCS#8
//! (`BEGIN PRIVATE KEY`, what `openssl genpkey` writes), and Ed25519
//! (RFC 8463) in PKCS#8.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use ring::digest::{digest, SHA256};
use ring::rand::SystemRandom;
use ring::signature::{Ed25519KeyPair, KeyPair as _, RsaKeyPair, RSA_PKCS1_SHA256};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum DkimError {
    #[error("the DKIM key is not PEM (no BEGIN/END lines or bad base64)")]
    NotPem,
    #[error(
        "the DKIM key is encrypted; give it decrypted (`openssl pkey -in KEY -out PLAIN.pem`)"
    )]
    Encrypted,
    #[error("the DKIM key is neither RSA nor Ed25519")]
    Unsupported,
    #[error("the RSA DKIM key is refused ({0}): it must have 2048 to 4096 bits (`openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:2048`)")]
    Rsa(String),
    #[error("the Ed25519 DKIM key cannot be read ({0})")]
    Ed25519(String),
    #[error("the DKIM {0} must be a non-empty DNS name")]
    Name(&'static str),
    #[error("the message cannot be signed: {0}")]
    Message(&'static str),
    #[error("the DKIM signature could not be computed")]
    Sign,
}

enum Key {
    Rsa(RsaKeyPair),
    Ed25519(Ed25519KeyPair),
}

/// A DKIM signer: selector, domain and key.
pub struct Dkim {
    selector: String,
    domain: String,
    key: Key,
}

/// Never the key, not even its public half: a debug print lands in logs.
impl std::fmt::Debug for Dkim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dkim")
            .field("selector", &self.selector)
            .field("domain", &self.domain)
            .field("algorithm", &self.algorithm())
            .finish_non_exhaustive()
    }
}

/// The header fields signed when the message has them exactly once: who
/// sent what to whom, when, and how to read the body. RFC 8058 requires
/// the one-click unsubscribe pair to be signed. Fields that relays add or
/// rewrite (`Received`, `Return-Path`) are not listed, nor our own
/// `X-Tawasul-Key` (nothing a reader relies on). A field present twice is
/// left out: which of the two a mail program shows is anyone's guess, so
/// a signature over one of them would vouch for nothing.
const SIGNED_FIELDS: [&str; 12] = [
    "from",
    "to",
    "cc",
    "subject",
    "date",
    "message-id",
    "reply-to",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
    "list-unsubscribe",
    "list-unsubscribe-post",
];

/// Lines of the `DKIM-Signature` field stay under this many characters
/// (RFC 5322 recommends 78).
const LINE: usize = 76;

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

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

/// A DER element: tag, length, content.
fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else if len < 0x100 {
        out.extend([0x81, len as u8]);
    } else {
        out.extend([0x82, (len >> 8) as u8, len as u8]);
    }
    out.extend_from_slice(content);
    out
}

/// The SubjectPublicKeyInfo of an RSA public key (what `p=` holds for
/// `k=rsa`, and what `openssl pkey -pubout` prints), from its PKCS#1 form.
fn rsa_subject_public_key_info(rsa_public_key: &[u8]) -> Vec<u8> {
    // SEQUENCE { OID 1.2.840.113549.1.1.1 (rsaEncryption), NULL }
    const ALGORITHM: [u8; 15] = [
        0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
    ];
    let mut bits = vec![0u8];
    bits.extend_from_slice(rsa_public_key);
    let mut content = ALGORITHM.to_vec();
    content.extend(der(0x03, &bits));
    der(0x30, &content)
}

fn rsa_error(e: ring::error::KeyRejected) -> DkimError {
    DkimError::Rsa(e.to_string())
}

impl Dkim {
    /// Reads the key and prepares the signer.
    pub fn from_pem(selector: &str, domain: &str, pem: &str) -> Result<Self, DkimError> {
        if !valid_name(selector) {
            return Err(DkimError::Name("selector"));
        }
        if !valid_name(domain) {
            return Err(DkimError::Name("domain"));
        }
        let key = if pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")
            || pem.contains("Proc-Type: 4,ENCRYPTED")
        {
            return Err(DkimError::Encrypted);
        } else if let Some(der) = pem_body(pem, "RSA PRIVATE KEY") {
            Key::Rsa(RsaKeyPair::from_der(&der).map_err(rsa_error)?)
        } else if let Some(der) = pem_body(pem, "PRIVATE KEY") {
            // PKCS#8 names its algorithm inside: ask each reader in turn.
            match Ed25519KeyPair::from_pkcs8_maybe_unchecked(&der) {
                Ok(pair) => Key::Ed25519(pair),
                Err(ed25519) => match RsaKeyPair::from_pkcs8(&der) {
                    Ok(pair) => Key::Rsa(pair),
                    Err(rsa) if rsa.to_string() == "WrongAlgorithm" => {
                        if ed25519.to_string() == "WrongAlgorithm" {
                            return Err(DkimError::Unsupported);
                        }
                        return Err(DkimError::Ed25519(ed25519.to_string()));
                    }
                    Err(rsa) => return Err(rsa_error(rsa)),
                },
            }
        } else if pem.contains("-----BEGIN ") {
            return Err(DkimError::Unsupported);
        } else {
            return Err(DkimError::NotPem);
        };
        Ok(Self {
            selector: selector.to_owned(),
            domain: domain.to_owned(),
            key,
        })
    }

    /// `rsa-sha256` or `ed25519-sha256`, as in the signature's `a=`.
    pub fn algorithm(&self) -> &'static str {
        match self.key {
            Key::Rsa(_) => "rsa-sha256",
            Key::Ed25519(_) => "ed25519-sha256",
        }
    }

    /// Where receivers look for the public key: `{selector}._domainkey.{domain}`.
    pub fn dns_name(&self) -> String {
        format!("{}._domainkey.{}", self.selector, self.domain)
    }

    /// The TXT record to publish at [`Dkim::dns_name`].
    pub fn dns_record(&self) -> String {
        match &self.key {
            Key::Rsa(pair) => format!(
                "v=DKIM1; k=rsa; p={}",
                b64(&rsa_subject_public_key_info(pair.public().as_ref()))
            ),
            Key::Ed25519(pair) => {
                format!("v=DKIM1; k=ed25519; p={}", b64(pair.public_key().as_ref()))
            }
        }
    }

    /// The formatted message (RFC 5322, CRLF line ends) with its
    /// `DKIM-Signature` field in front; the rest is unchanged, byte for byte.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, DkimError> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        self.sign_at(message, now)
    }

    fn sign_at(&self, message: &[u8], timestamp: u64) -> Result<Vec<u8>, DkimError> {
        let (fields, body) = split_message(message)?;
        let once = |name: &str| {
            let mut found = fields.iter().filter(|f| f.is_named(name));
            let first = found.next()?;
            found.next().is_none().then_some(*first)
        };
        if once("from").is_none() {
            return Err(DkimError::Message("it needs exactly one From field"));
        }
        let signed: Vec<(&str, &[u8])> = SIGNED_FIELDS
            .iter()
            .filter_map(|name| once(name).map(|field| (*name, field.raw)))
            .collect();

        let body_hash = b64(digest(&SHA256, &relaxed_body(body)).as_ref());
        let mut field = Folded::new("DKIM-Signature:");
        for tag in [
            "v=1;".to_owned(),
            format!("a={};", self.algorithm()),
            "c=relaxed/relaxed;".to_owned(),
            format!("d={};", self.domain),
            format!("s={};", self.selector),
            format!("t={timestamp};"),
        ] {
            field.push(" ", &tag);
        }
        // Folding after a colon is allowed in h= (RFC 6376 3.5).
        for (i, (name, _)) in signed.iter().enumerate() {
            let (separator, tag) = if i == 0 { (" ", "h=") } else { ("", "") };
            let end = if i + 1 == signed.len() { ";" } else { ":" };
            field.push(separator, &format!("{tag}{name}{end}"));
        }
        field.push(" ", &format!("bh={body_hash};"));
        field.push(" ", "b=");

        // What is signed: each signed field, then this one with `b=` empty
        // and without its final CRLF (RFC 6376 3.7).
        let mut input = Vec::with_capacity(1024);
        for (_, raw) in &signed {
            relaxed_header(raw, &mut input);
        }
        relaxed_header(field.text.as_bytes(), &mut input);
        input.truncate(input.len() - 2);
        let signature = b64(&self.key.sign(&input)?);

        // Folding inside b= is allowed too; a verifier drops the whole value
        // before hashing, so the folds need not be known when signing.
        for chunk in signature.as_bytes().chunks(16) {
            field.push("", std::str::from_utf8(chunk).map_err(|_| DkimError::Sign)?);
        }
        let mut field = field.text;
        field.push_str("\r\n");

        let mut out = Vec::with_capacity(field.len() + message.len());
        out.extend_from_slice(field.as_bytes());
        out.extend_from_slice(message);
        Ok(out)
    }
}

/// A header field being written, folded so that no line is longer than
/// [`LINE`].
struct Folded {
    text: String,
    column: usize,
}

impl Folded {
    fn new(start: &str) -> Self {
        Self {
            text: start.to_owned(),
            column: start.len(),
        }
    }

    /// Appends `separator` and `piece`, or a fold (CRLF, tab) and `piece`
    /// when they would not fit on the line: the fold stands for the
    /// separator, so a piece is never split.
    fn push(&mut self, separator: &str, piece: &str) {
        if self.column + separator.len() + piece.len() > LINE {
            self.text.push_str("\r\n\t");
            self.column = 1;
        } else {
            self.text.push_str(separator);
            self.column += separator.len();
        }
        self.text.push_str(piece);
        self.column += piece.len();
    }
}

impl Key {
    fn sign(&self, input: &[u8]) -> Result<Vec<u8>, DkimError> {
        match self {
            Key::Rsa(pair) => {
                let mut signature = vec![0; pair.public().modulus_len()];
                pair.sign(
                    &RSA_PKCS1_SHA256,
                    &SystemRandom::new(),
                    input,
                    &mut signature,
                )
                .map_err(|_| DkimError::Sign)?;
                Ok(signature)
            }
            // RFC 8463: Ed25519 signs the SHA-256 hash of the header data,
            // not the data itself.
            Key::Ed25519(pair) => Ok(pair.sign(digest(&SHA256, input).as_ref()).as_ref().to_vec()),
        }
    }
}

/// One header field as it is in the message: its name, and all of it
/// (name, colon, value and folded lines) without the final CRLF.
#[derive(Clone, Copy)]
struct Field<'a> {
    name: &'a [u8],
    raw: &'a [u8],
}

impl Field<'_> {
    fn is_named(&self, name: &str) -> bool {
        self.name
            .trim_ascii_end()
            .eq_ignore_ascii_case(name.as_bytes())
    }
}

fn find_crlf(bytes: &[u8]) -> Option<usize> {
    bytes.windows(2).position(|w| w == b"\r\n")
}

/// The header fields and the body (what follows the first empty line).
fn split_message(message: &[u8]) -> Result<(Vec<Field<'_>>, &[u8]), DkimError> {
    let mut fields: Vec<Field<'_>> = Vec::new();
    let mut starts: Vec<usize> = Vec::new();
    let mut pos = 0;
    loop {
        let rest = &message[pos..];
        if let Some(body) = rest.strip_prefix(b"\r\n") {
            return Ok((fields, body));
        }
        let end = pos
            + find_crlf(rest).ok_or(DkimError::Message(
                "its header does not end with an empty line",
            ))?;
        let line = &message[pos..end];
        if line.starts_with(b" ") || line.starts_with(b"\t") {
            let (last, start) = fields
                .last_mut()
                .zip(starts.last())
                .ok_or(DkimError::Message("it starts with a folded line"))?;
            last.raw = &message[*start..end];
        } else {
            let colon = line
                .iter()
                .position(|&b| b == b':')
                .ok_or(DkimError::Message("a header line has no colon"))?;
            fields.push(Field {
                name: &line[..colon],
                raw: line,
            });
            starts.push(pos);
        }
        pos = end + 2;
    }
}

fn is_wsp(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// Relaxed header canonicalisation (RFC 6376 3.4.2): the name in lower
/// case, unfolded, runs of spaces and tabs as one space, none around the
/// colon or at the end; then CRLF.
fn relaxed_header(raw: &[u8], out: &mut Vec<u8>) {
    let colon = raw.iter().position(|&b| b == b':').unwrap_or(raw.len());
    out.extend(raw[..colon].trim_ascii_end().to_ascii_lowercase());
    out.push(b':');
    let mut space = false;
    let mut started = false;
    for &b in raw.get(colon + 1..).unwrap_or_default() {
        match b {
            b'\r' | b'\n' => {}
            b if is_wsp(b) => space = started,
            b => {
                if space {
                    out.push(b' ');
                    space = false;
                }
                out.push(b);
                started = true;
            }
        }
    }
    out.extend_from_slice(b"\r\n");
}

/// Relaxed body canonicalisation (RFC 6376 3.4.4): runs of spaces and
/// tabs as one space, none at the ends of lines, no empty lines at the
/// end, and a final CRLF unless the body is empty.
fn relaxed_body(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let mut empty_lines = 0;
    let mut rest = body;
    while !rest.is_empty() {
        let (line, next) = match find_crlf(rest) {
            Some(i) => (&rest[..i], &rest[i + 2..]),
            None => (rest, &rest[rest.len()..]),
        };
        rest = next;
        let line = line.trim_ascii_end();
        if line.is_empty() {
            empty_lines += 1;
            continue;
        }
        for _ in 0..empty_lines {
            out.extend_from_slice(b"\r\n");
        }
        empty_lines = 0;
        let mut space = false;
        for &b in line {
            if is_wsp(b) {
                space = true;
            } else {
                if space {
                    out.push(b' ');
                    space = false;
                }
                out.push(b);
            }
        }
        out.extend_from_slice(b"\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const RSA_PKCS1: &str = include_str!("../tests/keys/rsa2048.pem");
    const RSA_PKCS8: &str = include_str!("../tests/keys/rsa2048.pkcs8.pem");
    const RSA_PUBLIC: &str = include_str!("../tests/keys/rsa2048.pub.pem");
    const RSA_1024: &str = include_str!("../tests/keys/rsa1024.pem");
    const ED25519: &str = include_str!("../tests/keys/ed25519.pem");
    const ED25519_PUBLIC: &str = include_str!("../tests/keys/ed25519.pub.pem");
    /// `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256`
    const EC_P256: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgF+0vM89YxLL8qmfb
lwU612HWWU4PCg+q3HbYs+59MeGhRANCAAQnEF6oCvTGSAST6Ui+KBeGEcrCl+4y
sBY+0wl18jwj3u4SgImQL2ObYSI+ScghdUxf+eEtNQm7o9Mfa4o9qmR5
-----END PRIVATE KEY-----
";

    fn message() -> Vec<u8> {
        b"From: a@dp.example.ma\r\nTo: b@men.example.ma\r\nSubject: Hi\r\n\
          Content-Type: text/plain; charset=utf-8\r\n\r\nBonjour\r\n"
            .to_vec()
    }

    /// The tag `tag=` of a signature field, unfolded.
    fn tag(signed: &[u8], tag: &str) -> String {
        let text = String::from_utf8_lossy(signed);
        let field = text.split("\r\n\r\n").next().unwrap_or_default();
        let unfolded: String = field
            .split("\r\n")
            .take_while(|l| l.starts_with("DKIM-Signature:") || l.starts_with('\t'))
            .collect();
        unfolded
            .trim_start_matches("DKIM-Signature:")
            .split(';')
            .find_map(|t| t.trim().strip_prefix(&format!("{tag}=")).map(str::to_owned))
            .unwrap_or_default()
            .split_whitespace()
            .collect()
    }

    #[test]
    fn relaxed_canonicalisation_is_rfc_6376s_example() {
        // RFC 6376, 3.4.6.
        let message = b"A: X\r\nB : Y\t\r\n\tZ  \r\n\r\n C \r\nD \t E\r\n\r\n\r\n";
        let (fields, body) = split_message(message).unwrap();
        let mut headers = Vec::new();
        for field in &fields {
            relaxed_header(field.raw, &mut headers);
        }
        assert_eq!(headers, b"a:X\r\nb:Y Z\r\n");
        assert_eq!(relaxed_body(body), b" C\r\nD E\r\n");
    }

    #[test]
    fn a_body_without_a_final_line_end_gets_one_and_an_empty_body_stays_empty() {
        assert_eq!(relaxed_body(b"last line"), b"last line\r\n");
        assert_eq!(relaxed_body(b""), b"");
        assert_eq!(relaxed_body(b"\r\n \r\n\r\n"), b"");
    }

    #[test]
    fn rsa_and_ed25519_keys_are_read_in_pkcs1_and_pkcs8() {
        for (pem, algorithm) in [
            (RSA_PKCS1, "rsa-sha256"),
            (RSA_PKCS8, "rsa-sha256"),
            (ED25519, "ed25519-sha256"),
        ] {
            let dkim = Dkim::from_pem("s1", "dp.example.ma", pem).unwrap();
            assert_eq!(dkim.algorithm(), algorithm);
        }
    }

    #[test]
    fn unusable_keys_are_refused_with_the_reason() {
        type Expected = fn(&DkimError) -> bool;
        let cases: [(&str, &str, Expected); 4] = [
            ("not PEM", "nonsense", |e| matches!(e, DkimError::NotPem)),
            ("1024-bit RSA", RSA_1024, |e| matches!(e, DkimError::Rsa(_))),
            ("P-256", EC_P256, |e| matches!(e, DkimError::Unsupported)),
            (
                "encrypted",
                "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMAA=\n-----END ENCRYPTED PRIVATE KEY-----\n",
                |e| matches!(e, DkimError::Encrypted),
            ),
        ];
        for (case, pem, expected) in cases {
            match Dkim::from_pem("s1", "dp.example.ma", pem) {
                Err(e) => assert!(expected(&e), "{case}: {e:?}"),
                Ok(_) => panic!("{case}: accepted"),
            }
        }
        assert!(matches!(
            Dkim::from_pem("s 1", "dp.example.ma", ED25519),
            Err(DkimError::Name("selector"))
        ));
        assert!(matches!(
            Dkim::from_pem("s1", "dp;example.ma", ED25519),
            Err(DkimError::Name("domain"))
        ));
    }

    #[test]
    fn the_dns_record_holds_the_public_key_openssl_prints() {
        let spki = pem_body(RSA_PUBLIC, "PUBLIC KEY").unwrap();
        let dkim = Dkim::from_pem("s1", "dp.example.ma", RSA_PKCS1).unwrap();
        assert_eq!(
            dkim.dns_record(),
            format!("v=DKIM1; k=rsa; p={}", b64(&spki))
        );
        assert_eq!(dkim.dns_name(), "s1._domainkey.dp.example.ma");
        // RFC 8463: the raw 32-byte key, the end of the SubjectPublicKeyInfo.
        let spki = pem_body(ED25519_PUBLIC, "PUBLIC KEY").unwrap();
        let dkim = Dkim::from_pem("s1", "dp.example.ma", ED25519).unwrap();
        assert_eq!(
            dkim.dns_record(),
            format!("v=DKIM1; k=ed25519; p={}", b64(&spki[spki.len() - 32..]))
        );
    }

    #[test]
    fn the_signature_goes_in_front_and_the_message_is_unchanged() {
        let dkim = Dkim::from_pem("s1", "dp.example.ma", ED25519).unwrap();
        let message = message();
        let signed = dkim.sign_at(&message, 1_780_000_000).unwrap();
        assert!(signed.starts_with(b"DKIM-Signature: v=1; a=ed25519-sha256;"));
        assert!(signed.ends_with(&message));
        let field = &signed[..signed.len() - message.len()];
        assert!(field.ends_with(b"\r\n"));
        for line in field.split(|&b| b == b'\n') {
            assert!(line.len() <= LINE + 1, "{}", String::from_utf8_lossy(line));
        }
        assert_eq!(tag(&signed, "t"), "1780000000");
        assert_eq!(tag(&signed, "d"), "dp.example.ma");
        assert_eq!(tag(&signed, "h"), "from:to:subject:content-type");
    }

    #[test]
    fn every_tag_survives_folding_whatever_the_lengths() {
        // Selectors of every length move each tag across a fold somewhere.
        for length in 1..=70 {
            let selector = "s".repeat(length);
            let dkim = Dkim::from_pem(&selector, "dp.example.ma", ED25519).unwrap();
            let signed = dkim.sign_at(&message(), 1_780_000_000).unwrap();
            let field = &signed[..signed.len() - message().len()];
            for line in field.split(|&b| b == b'\n') {
                assert!(line.len() <= LINE + 1, "{}", String::from_utf8_lossy(line));
            }
            for (name, value) in [
                ("v", "1"),
                ("a", "ed25519-sha256"),
                ("c", "relaxed/relaxed"),
                ("d", "dp.example.ma"),
                ("s", selector.as_str()),
                ("t", "1780000000"),
                ("h", "from:to:subject:content-type"),
            ] {
                assert_eq!(
                    tag(&signed, name),
                    value,
                    "{name}= with a selector of {length}"
                );
            }
            assert_eq!(
                tag(&signed, "bh").len(),
                44,
                "bh= with a selector of {length}"
            );
            assert_eq!(
                tag(&signed, "b").len(),
                88,
                "b= with a selector of {length}"
            );
        }
    }

    #[test]
    fn fields_present_twice_are_not_signed_and_from_must_be_there_once() {
        let dkim = Dkim::from_pem("s1", "dp.example.ma", ED25519).unwrap();
        let twice =
            b"From: a@dp.example.ma\r\nTo: b@x.ma\r\nTo: c@x.ma\r\nSubject: Hi\r\n\r\nBody\r\n";
        let signed = dkim.sign_at(twice, 0).unwrap();
        assert_eq!(tag(&signed, "h"), "from:subject");

        for bad in [
            &b"To: b@x.ma\r\n\r\nBody\r\n"[..],
            b"From: a@x.ma\r\nFrom: c@x.ma\r\n\r\nBody\r\n",
            b"From: a@x.ma\r\nSubject: no empty line after the header\r\n",
        ] {
            assert!(
                matches!(dkim.sign_at(bad, 0), Err(DkimError::Message(_))),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn the_body_hash_covers_the_body_as_sent() {
        let dkim = Dkim::from_pem("s1", "dp.example.ma", ED25519).unwrap();
        let a = dkim.sign_at(&message(), 0).unwrap();
        let mut other = message();
        other.extend_from_slice(b"P.S.\r\n");
        let b = dkim.sign_at(&other, 0).unwrap();
        assert_ne!(tag(&a, "bh"), tag(&b, "bh"));
        // Trailing spaces and empty lines do not count (relaxed).
        let mut padded = message();
        padded.truncate(padded.len() - 2);
        padded.extend_from_slice(b"  \r\n\r\n\r\n");
        let c = dkim.sign_at(&padded, 0).unwrap();
        assert_eq!(tag(&a, "bh"), tag(&c, "bh"));
    }
}
