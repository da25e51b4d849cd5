//! One message for one recipient: headers checked before lettre sees them
//! (a line break in a subject, a name or an address is an error, never a
//! second header), plain text and HTML as `multipart/alternative`, the
//! RFC 8058 one-click unsubscribe headers, a Message-ID derived from the
//! outbox idempotency key and that key itself in `X-Tawasul-Key`.
//!
//! The Message-ID is `<32 hex digits@sender's domain>`: a hash of the key,
//! so it is unique per message (keys are unique per outbox row) and a
//! retry carries the same one, which lets a receiving system tell it is
//! the same message; nothing of the key (an entry, an address) shows.
//!
//! The message is formatted once, and DKIM signs those very bytes
//! ([`crate::dkim`]): what a transport sends is [`Email::formatted`],
//! unchanged.

use lettre::address::Envelope;
use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::{Address, Message};
use ring::digest::{digest, SHA256};
use thiserror::Error;

use crate::dkim::{Dkim, DkimError};

/// Why a message could not be built. None of these gets better by
/// retrying: the outbox row is wrong.
#[derive(Debug, Error)]
pub enum MessageError {
    /// A header value holds a CR, an LF or a NUL: a header-injection attempt
    /// or a copy-paste accident; refused either way.
    #[error("the {field} contains a line break or a control character")]
    LineBreak { field: &'static str },
    /// Not a valid e-mail address.
    #[error("the {field} is not a valid e-mail address: {value:?}")]
    Address { field: &'static str, value: String },
    /// An unsubscribe link that is not `https://…` (or `mailto:…`).
    #[error("the unsubscribe {field} link is not acceptable: {value:?}")]
    Unsubscribe { field: &'static str, value: String },
    /// The idempotency key is empty, too long or not printable ASCII.
    #[error("the idempotency key must be 1 to 200 printable ASCII characters: {0:?}")]
    Key(String),
    /// lettre refused to assemble the message.
    #[error("the message could not be assembled: {0}")]
    Build(#[from] lettre::error::Error),
    /// An attachment's media type is not one.
    #[error("the attachment's media type is not valid: {0:?}")]
    ContentType(String),
    /// The message could not be signed.
    #[error("the message could not be signed: {0}")]
    Dkim(#[from] DkimError),
}

/// The one-click unsubscribe of RFC 8058 (`List-Unsubscribe` with an
/// `https` URL, and `List-Unsubscribe-Post: List-Unsubscribe=One-Click`),
/// optionally with a `mailto:` alternative for older clients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsubscribe {
    /// `https://…`: receives a POST with `List-Unsubscribe=One-Click`.
    pub url: String,
    /// `mailto:…`, optional.
    pub mailto: Option<String>,
}

/// Everything a message for one recipient is made of.
#[derive(Debug, Clone, Default)]
pub struct MessageSpec {
    pub from_name: String,
    pub from_address: String,
    /// The recipient's display name; empty for none.
    pub to_name: String,
    pub to_address: String,
    pub reply_to: Option<String>,
    pub subject: String,
    pub text: String,
    /// With HTML the message is `multipart/alternative` (text, then HTML).
    pub html: Option<String>,
    pub unsubscribe: Option<Unsubscribe>,
    /// The outbox idempotency key: `X-Tawasul-Key`, the Message-ID and the
    /// file name of the file transport are derived from it.
    pub idempotency_key: String,
    /// Files sent with the message: it becomes `multipart/mixed`, the
    /// text (and HTML) first, then each file.
    pub attachments: Vec<Attachment>,
}

/// A file sent with a message. The bytes are shared: a circular to
/// thousands holds its PDF once, whatever the number of messages.
#[derive(Debug, Clone)]
pub struct Attachment {
    /// The name the recipient sees (any script; encoded per RFC 2231).
    pub name: String,
    /// The media type, e.g. `application/pdf`.
    pub content_type: String,
    pub bytes: std::sync::Arc<Vec<u8>>,
}

/// A message ready to send: the envelope and the formatted (and, when
/// configured, DKIM-signed) bytes, built once.
#[derive(Debug, Clone)]
pub struct Email {
    key: String,
    message_id: String,
    envelope: Envelope,
    bytes: Vec<u8>,
}

impl Email {
    /// The idempotency key of the outbox row.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The Message-ID, with its angle brackets.
    pub fn message_id(&self) -> &str {
        &self.message_id
    }

    pub fn envelope(&self) -> &Envelope {
        &self.envelope
    }

    /// The message as sent (RFC 5322, CRLF line ends including the last
    /// line's, ASCII only), its DKIM signature included when there is one.
    pub fn formatted(&self) -> &[u8] {
        &self.bytes
    }
}

/// `List-Unsubscribe`.
#[derive(Debug, Clone)]
struct ListUnsubscribe(String);
/// `List-Unsubscribe-Post`.
#[derive(Debug, Clone)]
struct ListUnsubscribePost;
/// `X-Tawasul-Key`.
#[derive(Debug, Clone)]
struct TawasulKey(String);

type ParseError = Box<dyn std::error::Error + Send + Sync>;

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }
    fn parse(s: &str) -> Result<Self, ParseError> {
        Ok(Self(s.to_owned()))
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }
    fn parse(_: &str) -> Result<Self, ParseError> {
        Ok(Self)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_owned())
    }
}

impl Header for TawasulKey {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("X-Tawasul-Key")
    }
    fn parse(s: &str) -> Result<Self, ParseError> {
        Ok(Self(s.to_owned()))
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// Refuses CR, LF and NUL (and other control characters but tab).
fn single_line(field: &'static str, value: &str) -> Result<(), MessageError> {
    if value.chars().any(|c| c.is_control() && c != '\t') {
        return Err(MessageError::LineBreak { field });
    }
    Ok(())
}

fn address(field: &'static str, value: &str) -> Result<Address, MessageError> {
    single_line(field, value)?;
    value.trim().parse().map_err(|_| MessageError::Address {
        field,
        value: value.to_owned(),
    })
}

fn mailbox(field: &'static str, name: &str, addr: &str) -> Result<Mailbox, MessageError> {
    single_line(field, name)?;
    let name = name.trim();
    let name = (!name.is_empty()).then(|| name.to_owned());
    Ok(Mailbox::new(name, address(field, addr)?))
}

/// A link inside `<…>` of `List-Unsubscribe`: no spaces, no control
/// characters, no angle brackets or commas, the expected scheme.
fn link(field: &'static str, value: &str, scheme: &str) -> Result<(), MessageError> {
    let ok = value.len() > scheme.len()
        && value.len() <= 900
        && value
            .get(..scheme.len())
            .is_some_and(|s| s.eq_ignore_ascii_case(scheme))
        && value
            .bytes()
            .all(|b| b.is_ascii_graphic() && !matches!(b, b'<' | b'>' | b','));
    if ok {
        Ok(())
    } else {
        Err(MessageError::Unsubscribe {
            field,
            value: value.to_owned(),
        })
    }
}

/// Encodes a key into characters safe in a file name (the file transport
/// names its `.eml` files so): letters, digits, `-` and `_` stay; every
/// other byte becomes `=XX`. Distinct keys give distinct results.
pub fn encode_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 8);
    for b in key.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("={b:02X}"));
        }
    }
    out
}

/// `<hash of the key@domain>`. The domain is the sender's; one that cannot
/// stand in a Message-ID (not ASCII) is refused rather than mangled.
fn message_id(key: &str, domain: &str) -> Result<String, MessageError> {
    let fits = !domain.is_empty()
        && domain
            .bytes()
            .all(|b| b.is_ascii_graphic() && !matches!(b, b'<' | b'>' | b'@' | b'"' | b'\\'));
    if !fits {
        return Err(MessageError::Address {
            field: "sender",
            value: domain.to_owned(),
        });
    }
    let hash = digest(&SHA256, key.as_bytes());
    let hex: String = hash.as_ref()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(format!("<{hex}@{domain}>"))
}

fn check_key(key: &str) -> Result<(), MessageError> {
    if key.is_empty() || key.len() > 200 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(MessageError::Key(key.to_owned()));
    }
    Ok(())
}

/// A file's bytes as base64 in lines of 76 characters, CRLF-ended: what
/// arrives is byte for byte the file. (Left to choose, lettre would send a
/// file that happens to be ASCII text as text, with its line ends changed.)
fn base64_body(bytes: &[u8]) -> lettre::message::Body {
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
    let mut out = Vec::with_capacity(encoded.len() + encoded.len() / 76 * 2 + 2);
    for line in encoded.as_bytes().chunks(76) {
        out.extend_from_slice(line);
        out.extend_from_slice(b"\r\n");
    }
    lettre::message::Body::dangerous_pre_encoded(
        out,
        lettre::message::header::ContentTransferEncoding::Base64,
    )
}

impl MessageSpec {
    /// Checks every field, assembles the message, signs it when `dkim` is
    /// given, and formats it once.
    pub fn build(&self, dkim: Option<&Dkim>) -> Result<Email, MessageError> {
        check_key(&self.idempotency_key)?;
        single_line("subject", &self.subject)?;
        let from = mailbox("sender", &self.from_name, &self.from_address)?;
        let to = mailbox("recipient", &self.to_name, &self.to_address)?;
        let message_id = message_id(&self.idempotency_key, from.email.domain())?;

        let mut builder = Message::builder()
            .from(from.clone())
            .to(to.clone())
            .subject(self.subject.trim())
            .message_id(Some(message_id.clone()))
            .date_now()
            .header(TawasulKey(self.idempotency_key.clone()));
        if let Some(reply_to) = &self.reply_to {
            builder = builder.reply_to(Mailbox::new(None, address("reply-to", reply_to)?));
        }
        if let Some(unsubscribe) = &self.unsubscribe {
            link("https", &unsubscribe.url, "https://")?;
            let mut value = format!("<{}>", unsubscribe.url);
            if let Some(mailto) = &unsubscribe.mailto {
                link("mailto", mailto, "mailto:")?;
                value.push_str(&format!(", <{mailto}>"));
            }
            builder = builder
                .header(ListUnsubscribe(value))
                .header(ListUnsubscribePost);
        }
        let envelope = Envelope::new(Some(from.email), vec![to.email])?;
        builder = builder.envelope(envelope.clone());

        let message = match (&self.html, self.attachments.is_empty()) {
            (Some(html), true) => builder.multipart(MultiPart::alternative_plain_html(
                self.text.clone(),
                html.clone(),
            ))?,
            (None, true) => builder.singlepart(SinglePart::plain(self.text.clone()))?,
            (html, false) => {
                let mut mixed = match html {
                    Some(html) => MultiPart::mixed().multipart(MultiPart::alternative_plain_html(
                        self.text.clone(),
                        html.clone(),
                    )),
                    None => MultiPart::mixed().singlepart(SinglePart::plain(self.text.clone())),
                };
                for file in &self.attachments {
                    single_line("attachment name", &file.name)?;
                    let content_type = ContentType::parse(&file.content_type)
                        .map_err(|_| MessageError::ContentType(file.content_type.clone()))?;
                    mixed = mixed.singlepart(
                        lettre::message::Attachment::new(file.name.clone())
                            .body(base64_body(&file.bytes), content_type),
                    );
                }
                builder.multipart(mixed)?
            }
        };
        let mut bytes = message.formatted();
        if !bytes.ends_with(b"\r\n") {
            bytes.extend_from_slice(b"\r\n");
        }
        if let Some(dkim) = dkim {
            bytes = dkim.sign(&bytes)?;
        }
        Ok(Email {
            key: self.idempotency_key.clone(),
            message_id,
            envelope,
            bytes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> MessageSpec {
        MessageSpec {
            from_name: "Direction provinciale".into(),
            from_address: "noreply@dp.example.ma".into(),
            to_name: String::new(),
            to_address: "ecole.12345@men.example.ma".into(),
            reply_to: None,
            subject: "Circulaire".into(),
            text: "Bonjour".into(),
            html: None,
            unsubscribe: None,
            idempotency_key: "notice:7:42".into(),
            attachments: Vec::new(),
        }
    }

    fn text(email: &Email) -> String {
        String::from_utf8(email.formatted().to_vec()).unwrap()
    }

    #[test]
    fn an_attachment_arrives_byte_for_byte_even_when_it_looks_like_text() {
        use base64::Engine as _;
        let file = b"%PDF-1.4\nline one\nline two\n%%EOF\n".to_vec();
        let mut with_file = spec();
        with_file.html = Some("<p>Bonjour</p>".into());
        with_file.attachments = vec![Attachment {
            name: "مذكرة 12.pdf".into(),
            content_type: "application/pdf".into(),
            bytes: std::sync::Arc::new(file.clone()),
        }];
        let message = text(&with_file.build(None).unwrap());
        assert!(
            message.contains("Content-Type: multipart/mixed"),
            "{message}"
        );
        assert!(message.contains("Content-Type: application/pdf"));
        let part = message
            .split("Content-Transfer-Encoding: base64\r\n\r\n")
            .nth(1)
            .expect("a base64 part");
        let encoded: String = part
            .lines()
            .take_while(|l| !l.is_empty() && !l.starts_with("--"))
            .collect();
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .unwrap();
        assert_eq!(decoded, file);
        assert!(message.lines().all(|l| l.len() <= 998));
    }

    #[test]
    fn header_values_with_line_breaks_are_refused() {
        type Edit = fn(&mut MessageSpec);
        let cases: &[(&str, Edit, &str)] = &[
            (
                "subject LF",
                |s| s.subject = "Hi\nBcc: x@evil.test".into(),
                "subject",
            ),
            (
                "subject CR",
                |s| s.subject = "Hi\rBcc: x@evil.test".into(),
                "subject",
            ),
            (
                "subject CRLF",
                |s| s.subject = "Hi\r\nBcc: x@evil.test".into(),
                "subject",
            ),
            ("subject NUL", |s| s.subject = "Hi\0".into(), "subject"),
            (
                "from name",
                |s| s.from_name = "DP\r\nBcc: x@evil.test".into(),
                "sender",
            ),
            (
                "to name",
                |s| s.to_name = "Ali\nBcc: x@evil.test".into(),
                "recipient",
            ),
            (
                "to address",
                |s| s.to_address = "a@b.ma\r\nBcc: x@evil.test".into(),
                "recipient",
            ),
            (
                "from address",
                |s| s.from_address = "a@b.ma\nX: y".into(),
                "sender",
            ),
            (
                "reply-to",
                |s| s.reply_to = Some("r@b.ma\nX: y".into()),
                "reply-to",
            ),
        ];
        for (case, edit, field) in cases {
            let mut s = spec();
            edit(&mut s);
            match s.build(None) {
                Err(MessageError::LineBreak { field: f }) => assert_eq!(f, *field, "{case}"),
                other => panic!("{case}: expected a line-break error, got {other:?}"),
            }
        }
    }

    #[test]
    fn bad_fields_are_refused() {
        type Edit = fn(&mut MessageSpec);
        let cases: &[(&str, Edit)] = &[
            ("no at", |s| s.to_address = "ecole".into()),
            ("two ats", |s| s.to_address = "a@@b".into()),
            ("empty key", |s| s.idempotency_key = String::new()),
            ("spaced key", |s| s.idempotency_key = "a b".into()),
            ("http unsubscribe", |s| {
                s.unsubscribe = Some(Unsubscribe {
                    url: "http://x.ma/u".into(),
                    mailto: None,
                })
            }),
            ("bracket in unsubscribe", |s| {
                s.unsubscribe = Some(Unsubscribe {
                    url: "https://x.ma/u>, <https://evil".into(),
                    mailto: None,
                })
            }),
            ("bad mailto", |s| {
                s.unsubscribe = Some(Unsubscribe {
                    url: "https://x.ma/u".into(),
                    mailto: Some("https://x".into()),
                })
            }),
        ];
        for (case, edit) in cases {
            let mut s = spec();
            edit(&mut s);
            assert!(s.build(None).is_err(), "{case} should be refused");
        }
    }

    #[test]
    fn headers_are_present() {
        let mut s = spec();
        s.reply_to = Some("contact@dp.example.ma".into());
        s.html = Some("<p>Bonjour</p>".into());
        s.unsubscribe = Some(Unsubscribe {
            url: "https://dp.example.ma/u/abc".into(),
            mailto: Some("mailto:unsubscribe@dp.example.ma?subject=abc".into()),
        });
        let email = s.build(None).unwrap();
        let t = text(&email);
        for expected in [
            "From: \"Direction provinciale\" <noreply@dp.example.ma>\r\n",
            "To: ecole.12345@men.example.ma\r\n",
            "Reply-To: contact@dp.example.ma\r\n",
            "Subject: Circulaire\r\n",
            "X-Tawasul-Key: notice:7:42\r\n",
            "List-Unsubscribe: <https://dp.example.ma/u/abc>,",
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n",
            "Content-Type: multipart/alternative;",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Type: text/html; charset=utf-8",
        ] {
            assert!(t.contains(expected), "missing {expected:?} in\n{t}");
        }
        assert!(t.is_ascii());
        assert!(t.contains(&format!("Message-ID: {}\r\n", email.message_id())));
        assert_eq!(email.envelope().to().len(), 1);
    }

    #[test]
    fn arabic_subject_and_names_are_encoded_words() {
        let mut s = spec();
        s.subject = "مذكرة وزارية رقم 12 حول الدخول المدرسي".into();
        s.from_name = "المديرية الإقليمية".into();
        s.to_name = "مدير المؤسسة".into();
        let t = text(&s.build(None).unwrap());
        assert!(t.is_ascii());
        let subject = t
            .split("\r\n")
            .skip_while(|l| !l.starts_with("Subject:"))
            .take_while(|l| l.starts_with("Subject:") || l.starts_with(' '))
            .collect::<Vec<_>>()
            .join("");
        assert!(subject.contains("=?utf-8?b?"), "{subject}");
    }

    #[test]
    fn the_message_id_is_plain_unique_per_key_and_the_same_on_a_retry() {
        let id = spec().build(None).unwrap().message_id().to_owned();
        let (left, domain) = id
            .strip_prefix('<')
            .and_then(|i| i.strip_suffix('>'))
            .and_then(|i| i.split_once('@'))
            .unwrap();
        assert_eq!(domain, "dp.example.ma");
        assert_eq!(left.len(), 32);
        assert!(left.bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
        assert_eq!(spec().build(None).unwrap().message_id(), id, "a retry");
        let mut other = spec();
        other.idempotency_key = "notice:7:43".into();
        assert_ne!(other.build(None).unwrap().message_id(), id);
    }

    #[test]
    fn the_formatted_message_ends_its_last_line() {
        let mut s = spec();
        assert!(s.build(None).unwrap().formatted().ends_with(b"\r\n"));
        s.html = Some("<p>Bonjour</p>".into());
        assert!(s.build(None).unwrap().formatted().ends_with(b"\r\n"));
    }

    #[test]
    fn keys_encode_injectively() {
        assert_eq!(encode_key("notice:7:42"), "notice=3A7=3A42");
        assert_eq!(encode_key("a=3A"), "a=3D3A");
        assert_ne!(encode_key("a:"), encode_key("a=3A"));
        assert_eq!(encode_key("../x"), "=2E=2E=2Fx");
    }
}
