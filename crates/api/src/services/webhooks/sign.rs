//! Webhook signatures: HMAC-SHA256 over `"<timestamp>.<raw body>"`, sent in the
//! `Copse-Signature` header as `t=<unix seconds>,v1=<hex>[,v1=<hex>…]` (the Stripe and
//! Standard Webhooks scheme), so partners can check that a delivery is ours, unaltered
//! and recent.
//!
//! The HMAC key is the secret exactly as shown to the partner, `whsec_` prefix included,
//! so a partner never has to decode anything before verifying.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::auth::secret::random_token;

/// The request header that carries the signature.
pub const SIGNATURE_HEADER: &str = "Copse-Signature";
/// Every signing secret starts with this, so a leaked one is recognisable.
pub const SECRET_PREFIX: &str = "whsec_";
/// How far a signature's timestamp may be from the verifier's clock, in seconds, before
/// the delivery counts as a replay: five minutes, as Stripe and Standard Webhooks use.
pub const DEFAULT_TOLERANCE_SECS: i64 = 300;

type HmacSha256 = Hmac<Sha256>;

/// Why a signature header was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The header is not `t=<integer>,v1=<64 hex digits>…` (missing or repeated `t`, an
    /// item without `=`, a `v1` that is not a SHA-256 in hex).
    #[error("the signature header is malformed")]
    Malformed,
    /// The header has a timestamp but no `v1` signature.
    #[error("the signature header has no v1 signature")]
    NoSignature,
    /// The signature is authentic but its timestamp is too far from now: a replay, or a
    /// badly wrong clock.
    #[error("the signature's timestamp is outside the tolerance")]
    Expired,
    /// No `v1` signature matches this secret and body: a wrong secret or a tampered body
    /// or timestamp.
    #[error("no signature matches")]
    Mismatch,
}

/// A new signing secret: `whsec_` and 256 random bits, URL-safe base64. Shown to the
/// partner once; it must be stored recoverably (not hashed), since signing needs it.
pub fn new_secret() -> String {
    format!("{SECRET_PREFIX}{}", random_token())
}

/// The `Copse-Signature` header value for `body` sent at `timestamp` (unix seconds),
/// with one `v1=` entry per secret, in the given order. Pass every currently valid secret
/// during a rotation so partners holding either the old or the new one can verify.
/// With no secrets the header carries only `t=` and every verifier refuses it.
pub fn sign(secrets: &[&[u8]], timestamp: i64, body: &[u8]) -> String {
    let mut header = format!("t={timestamp}");
    for secret in secrets {
        if let Some(mac) = keyed(secret, timestamp, body) {
            header.push_str(",v1=");
            header.push_str(&hex(&mac.finalize().into_bytes()));
        }
    }
    header
}

/// Checks a `Copse-Signature` header against one secret, as a partner would: some `v1`
/// entry must match (compared in constant time), and only then must the timestamp be
/// within `tolerance_secs` of `now`, either way (a negative tolerance counts as 0). Unknown schemes (`v0=`, a future `v2=`)
/// are ignored so the format can grow.
pub fn verify(header: &str, secret: &[u8], body: &[u8], now: i64, tolerance_secs: i64) -> Result<(), VerifyError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for item in header.split(',') {
        let (key, value) = item.trim().split_once('=').ok_or(VerifyError::Malformed)?;
        match key {
            "t" => {
                let t = value.parse::<i64>().map_err(|_| VerifyError::Malformed)?;
                if timestamp.replace(t).is_some() {
                    return Err(VerifyError::Malformed);
                }
            }
            "v1" => signatures.push(unhex(value).ok_or(VerifyError::Malformed)?),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(VerifyError::Malformed)?;
    if signatures.is_empty() {
        return Err(VerifyError::NoSignature);
    }
    let mac = keyed(secret, timestamp, body).ok_or(VerifyError::Mismatch)?;
    // `verify_slice` compares in constant time, so response timing reveals nothing
    // about how much of a forged signature was right.
    if !signatures.iter().any(|signature| mac.clone().verify_slice(signature).is_ok()) {
        return Err(VerifyError::Mismatch);
    }
    // Checked, because a hostile header may carry `t=-9223372036854775808`.
    let within =
        now.checked_sub(timestamp).is_some_and(|age| age.unsigned_abs() <= tolerance_secs.max(0).unsigned_abs());
    if within { Ok(()) } else { Err(VerifyError::Expired) }
}

/// An HMAC keyed with `secret` that has absorbed the signed payload. HMAC takes keys of
/// any length, so `None` cannot happen; it is handled rather than unwrapped all the same.
fn keyed(secret: &[u8], timestamp: i64, body: &[u8]) -> Option<HmacSha256> {
    let mut mac = HmacSha256::new_from_slice(secret).ok()?;
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Some(mac)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Decodes a SHA-256 written as 64 hex digits (either case).
fn unhex(text: &str) -> Option<[u8; 32]> {
    let digits = text.as_bytes();
    if digits.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (byte, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
        let high = char::from(pair[0]).to_digit(16)?;
        let low = char::from(pair[1]).to_digit(16)?;
        *byte = u8::try_from(high * 16 + low).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"whsec_test-secret";
    const BODY: &[u8] = br#"{"id":"evt_1","type":"topic.created"}"#;
    const NOW: i64 = 1_767_225_600;

    #[test]
    fn a_signature_made_with_the_secret_verifies() {
        let header = sign(&[SECRET], NOW, BODY);
        assert!(header.starts_with(&format!("t={NOW},v1=")));
        assert_eq!(verify(&header, SECRET, BODY, NOW, DEFAULT_TOLERANCE_SECS), Ok(()));
    }

    #[test]
    fn the_signature_is_the_hmac_of_timestamp_dot_body_in_lowercase_hex() {
        let header = sign(&[b"key"], 42, b"hello");
        let mut mac = HmacSha256::new_from_slice(b"key").unwrap();
        mac.update(b"42.hello");
        assert_eq!(header, format!("t=42,v1={}", hex(&mac.finalize().into_bytes())));
        // A published HMAC-SHA256 vector, so the hex encoding itself is pinned too.
        let mut mac = HmacSha256::new_from_slice(b"key").unwrap();
        mac.update(b"The quick brown fox jumps over the lazy dog");
        assert_eq!(
            hex(&mac.finalize().into_bytes()),
            "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
        );
    }

    #[test]
    fn during_a_rotation_either_secret_verifies() {
        let (old, new) = (b"whsec_old".as_slice(), b"whsec_new".as_slice());
        let header = sign(&[new, old], NOW, BODY);
        assert_eq!(header.matches("v1=").count(), 2);
        assert_eq!(verify(&header, old, BODY, NOW, 300), Ok(()));
        assert_eq!(verify(&header, new, BODY, NOW, 300), Ok(()));
        assert_eq!(verify(&header, b"whsec_other", BODY, NOW, 300), Err(VerifyError::Mismatch));
    }

    #[test]
    fn a_wrong_secret_is_refused() {
        let header = sign(&[SECRET], NOW, BODY);
        assert_eq!(verify(&header, b"whsec_wrong", BODY, NOW, 300), Err(VerifyError::Mismatch));
    }

    #[test]
    fn a_tampered_body_is_refused() {
        let header = sign(&[SECRET], NOW, BODY);
        let tampered = br#"{"id":"evt_1","type":"topic.deleted"}"#;
        assert_eq!(verify(&header, SECRET, tampered, NOW, 300), Err(VerifyError::Mismatch));
    }

    #[test]
    fn a_changed_timestamp_is_refused_because_it_is_signed() {
        let header = sign(&[SECRET], NOW, BODY).replacen(&format!("t={NOW}"), &format!("t={}", NOW + 1), 1);
        assert_eq!(verify(&header, SECRET, BODY, NOW, 300), Err(VerifyError::Mismatch));
    }

    #[test]
    fn an_old_or_future_timestamp_is_refused_as_a_replay() {
        let header = sign(&[SECRET], NOW, BODY);
        assert_eq!(verify(&header, SECRET, BODY, NOW + 300, 300), Ok(()));
        assert_eq!(verify(&header, SECRET, BODY, NOW - 300, 300), Ok(()));
        assert_eq!(verify(&header, SECRET, BODY, NOW + 301, 300), Err(VerifyError::Expired));
        assert_eq!(verify(&header, SECRET, BODY, NOW - 301, 300), Err(VerifyError::Expired));
    }

    #[test]
    fn extreme_timestamps_do_not_overflow() {
        for t in [i64::MIN, i64::MAX] {
            let header = sign(&[SECRET], t, BODY);
            assert_eq!(verify(&header, SECRET, BODY, NOW, 300), Err(VerifyError::Expired));
        }
        // A negative tolerance counts as none: only the very same second passes.
        let header = sign(&[SECRET], NOW, BODY);
        assert_eq!(verify(&header, SECRET, BODY, NOW, -5), Ok(()));
        assert_eq!(verify(&header, SECRET, BODY, NOW + 1, -5), Err(VerifyError::Expired));
    }

    #[test]
    fn malformed_headers_are_refused() {
        let good = sign(&[SECRET], NOW, BODY);
        let v1 = good.split_once(",v1=").map(|(_, v)| v.to_owned()).unwrap();
        let cases = [
            String::new(),
            "garbage".to_owned(),
            format!("v1={v1}"),
            format!("t=abc,v1={v1}"),
            format!("t={NOW},t={NOW},v1={v1}"),
            format!("t={NOW},v1=xyz"),
            format!("t={NOW},v1={}", &v1[..62]),
            format!("t={NOW},v1={}zz", &v1[..62]),
            format!("t={NOW},v1={v1},junk"),
        ];
        for header in cases {
            assert_eq!(verify(&header, SECRET, BODY, NOW, 300), Err(VerifyError::Malformed), "{header:?}");
        }
    }

    #[test]
    fn a_header_without_v1_is_refused() {
        assert_eq!(verify(&sign(&[], NOW, BODY), SECRET, BODY, NOW, 300), Err(VerifyError::NoSignature));
        assert_eq!(verify(&format!("t={NOW},v0=abc"), SECRET, BODY, NOW, 300), Err(VerifyError::NoSignature));
    }

    #[test]
    fn spaces_unknown_schemes_and_uppercase_hex_are_tolerated() {
        let good = sign(&[SECRET], NOW, BODY);
        let v1 = good.split_once(",v1=").map(|(_, v)| v.to_owned()).unwrap();
        let header = format!("t={NOW}, v0=whatever, v1={}", v1.to_uppercase());
        assert_eq!(verify(&header, SECRET, BODY, NOW, 300), Ok(()));
    }

    #[test]
    fn new_secrets_are_prefixed_unique_and_carry_256_bits() {
        let (a, b) = (new_secret(), new_secret());
        assert_ne!(a, b);
        assert!(a.starts_with(SECRET_PREFIX));
        // 32 random bytes in unpadded base64 are 43 characters.
        assert_eq!(a.len(), SECRET_PREFIX.len() + 43);
        let header = sign(&[a.as_bytes()], NOW, BODY);
        assert_eq!(verify(&header, a.as_bytes(), BODY, NOW, 300), Ok(()));
    }
}
