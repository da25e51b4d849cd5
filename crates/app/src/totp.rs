//! Codes of authenticator apps: HOTP (RFC 4226) over the time step (TOTP,
//! RFC 6238) with HMAC-SHA1, 6 digits and 30-second steps, which every
//! app (Google Authenticator, FreeOTP, Aegis, Microsoft Authenticator)
//! reads from an `otpauth://` URI; secrets are written in base32 (RFC
//! 4648) for people to type. Pure functions, checked against the RFCs'
//! own test vectors.

use ring::hmac;

/// Seconds a code lives.
pub const STEP_SECONDS: i64 = 30;
/// Digits of a code.
pub const DIGITS: u32 = 6;
/// Steps before and after the current one whose code is accepted too: a
/// phone's clock a little off, a code typed as it changes.
pub const SKEW_STEPS: i64 = 1;
/// Bytes of a new secret: 160 bits, as RFC 4226 recommends.
pub const SECRET_BYTES: usize = 20;

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// The HOTP value of `counter`, `digits` long (RFC 4226, section 5.3).
pub fn hotp(secret: &[u8], counter: u64, digits: u32) -> u32 {
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret);
    let tag = hmac::sign(&key, &counter.to_be_bytes());
    let mac = tag.as_ref();
    // Dynamic truncation: the low four bits of the last byte say where the
    // 31 bits are taken from.
    let offset = usize::from(mac[mac.len() - 1] & 0x0f);
    let binary = (u32::from(mac[offset]) & 0x7f) << 24
        | u32::from(mac[offset + 1]) << 16
        | u32::from(mac[offset + 2]) << 8
        | u32::from(mac[offset + 3]);
    binary % 10u32.pow(digits)
}

/// The time step of a Unix time.
pub fn step_of(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP_SECONDS)
}

/// The code of a step, as the app shows it (leading zeros kept).
pub fn code_at(secret: &[u8], step: i64) -> String {
    let counter = u64::try_from(step).unwrap_or(0);
    format!(
        "{:0width$}",
        hotp(secret, counter, DIGITS),
        width = DIGITS as usize
    )
}

/// The step whose code `typed` is, among the current step and its
/// neighbours, or `None`. Spaces are ignored (apps show `123 456`).
pub fn matching_step(secret: &[u8], typed: &str, unix_seconds: i64) -> Option<i64> {
    let typed: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if typed.len() != DIGITS as usize || !typed.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = step_of(unix_seconds);
    (now - SKEW_STEPS..=now + SKEW_STEPS)
        .filter(|step| *step >= 0)
        .find(|step| crate::auth::same_secret(&code_at(secret, *step), &typed))
}

/// Base32 without padding, as authenticator apps take secrets.
pub fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(BASE32[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(BASE32[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// Reads base32 as people type it: any case, spaces, dashes and padding
/// ignored; `None` for any other character.
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for c in text.chars() {
        if c.is_whitespace() || c == '-' || c == '=' {
            continue;
        }
        let upper = c.to_ascii_uppercase();
        let value = BASE32.iter().position(|&b| char::from(b) == upper)?;
        buffer = (buffer << 5) | value as u32;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(((buffer >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

/// The address an authenticator app enrols from (Key Uri Format): the
/// issuer and the account name label the entry in the app.
pub fn otpauth_uri(issuer: &str, account: &str, secret_base32: &str) -> String {
    let label = format!("{issuer}:{account}");
    let encode = |s: &str| {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    format!(
        "otpauth://totp/{}?secret={secret_base32}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        encode(&label),
        encode(issuer)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The secret of the RFCs' test vectors (SHA-1): "12345678901234567890".
    const RFC_SECRET: &[u8] = b"12345678901234567890";

    #[test]
    fn hotp_gives_the_values_of_rfc_4226_appendix_d() {
        let expected = [
            755_224, 287_082, 359_152, 969_429, 338_314, 254_676, 287_922, 162_583, 399_871,
            520_489,
        ];
        for (counter, value) in expected.into_iter().enumerate() {
            assert_eq!(
                hotp(RFC_SECRET, counter as u64, 6),
                value,
                "counter {counter}"
            );
        }
    }

    #[test]
    fn totp_gives_the_sha1_values_of_rfc_6238_appendix_b() {
        let table = [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ];
        for (time, code) in table {
            let value = hotp(RFC_SECRET, step_of(time) as u64, 8);
            assert_eq!(format!("{value:08}"), code, "at {time}");
        }
    }

    #[test]
    fn a_code_is_accepted_in_its_step_and_the_neighbouring_ones_only() {
        let now = 1_111_111_111;
        let code = code_at(RFC_SECRET, step_of(now));
        assert_eq!(code.len(), 6);
        assert_eq!(matching_step(RFC_SECRET, &code, now), Some(step_of(now)));
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert_eq!(matching_step(RFC_SECRET, &spaced, now), Some(step_of(now)));
        assert_eq!(
            matching_step(RFC_SECRET, &code, now + STEP_SECONDS),
            Some(step_of(now)),
            "a phone a little behind"
        );
        assert_eq!(
            matching_step(RFC_SECRET, &code, now + 3 * STEP_SECONDS),
            None
        );
        assert_eq!(matching_step(RFC_SECRET, "12345", now), None);
        assert_eq!(matching_step(RFC_SECRET, "12345a", now), None);
    }

    #[test]
    fn base32_follows_rfc_4648_and_reads_what_people_type() {
        let table: [(&[u8], &str); 7] = [
            (b"", ""),
            (b"f", "MY"),
            (b"fo", "MZXQ"),
            (b"foo", "MZXW6"),
            (b"foob", "MZXW6YQ"),
            (b"fooba", "MZXW6YTB"),
            (b"foobar", "MZXW6YTBOI"),
        ];
        for (bytes, text) in table {
            assert_eq!(base32_encode(bytes), text);
            assert_eq!(base32_decode(text).as_deref(), Some(bytes));
        }
        assert_eq!(
            base32_decode("mzxw 6ytb-oi======").as_deref(),
            Some(&b"foobar"[..])
        );
        assert_eq!(base32_decode("MZXW1"), None, "1 is not base32");
    }

    #[test]
    fn the_enrolment_address_names_the_issuer_and_the_account() {
        let uri = otpauth_uri("Tawasul", "amina@men.gov.ma", "JBSWY3DPEHPK3PXP");
        assert_eq!(
            uri,
            "otpauth://totp/Tawasul%3Aamina%40men%2Egov%2Ema?secret=JBSWY3DPEHPK3PXP&issuer=Tawasul&algorithm=SHA1&digits=6&period=30"
        );
    }
}
