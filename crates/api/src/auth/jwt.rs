//! Access tokens: short-lived HS256 JWTs. The key is generated on first start into
//! the data directory (mode 0600) unless `COPSE_JWT_SECRET` provides one.

use std::path::Path;

use anyhow::Context;
use chrono::Utc;
use copse_shared::ErrorCode;
use copse_shared::auth::Role;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::config::Settings;
use crate::error::ApiError;

/// Lifetime of an access token.
pub const ACCESS_TOKEN_SECONDS: i64 = 15 * 60;
const ISSUER: &str = "copse";

/// What an access token says.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Claims {
    /// The account id.
    pub sub: String,
    /// The session family the token was issued for (revoked together at logout).
    pub sid: String,
    /// The role when the token was issued (the database stays authoritative).
    pub role: Role,
    /// Issuer.
    pub iss: String,
    /// Issued at (seconds since the epoch).
    pub iat: i64,
    /// Expires at (seconds since the epoch).
    pub exp: i64,
}

/// Signing and verification keys.
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl JwtKeys {
    /// Keys from raw secret bytes.
    pub fn from_secret(secret: &[u8]) -> Self {
        Self { encoding: EncodingKey::from_secret(secret), decoding: DecodingKey::from_secret(secret) }
    }

    /// Keys from the settings: the configured secret, or the one stored in the data
    /// directory, generated on first start.
    pub fn load(settings: &Settings) -> anyhow::Result<Self> {
        if let Some(secret) = &settings.jwt_secret {
            return Ok(Self::from_secret(secret.expose().as_bytes()));
        }
        let path = settings.data_dir.join("jwt-secret");
        let secret = read_or_create_secret(&path)?;
        Ok(Self::from_secret(secret.as_bytes()))
    }

    /// Issues an access token.
    pub fn issue(&self, user_id: &str, family_id: &str, role: Role) -> Result<String, ApiError> {
        let now = Utc::now().timestamp();
        let claims = Claims {
            sub: user_id.to_owned(),
            sid: family_id.to_owned(),
            role,
            iss: ISSUER.to_owned(),
            iat: now,
            exp: now + ACCESS_TOKEN_SECONDS,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(ApiError::internal)
    }

    /// Verifies an access token: signature, algorithm (HS256 only, so `alg: none`
    /// and key-confusion tokens fail), issuer and expiry.
    pub fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.leeway = 5;
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation).map(|data| data.claims).map_err(|error| {
            match error.kind() {
                ErrorKind::ExpiredSignature => {
                    ApiError::unauthorized(ErrorCode::TokenExpired, "The access token has expired; refresh it.")
                }
                _ => ApiError::unauthorized(ErrorCode::InvalidToken, "The access token is not valid."),
            }
        })
    }
}

fn read_or_create_secret(path: &Path) -> anyhow::Result<String> {
    if let Ok(existing) = std::fs::read_to_string(path) {
        let existing = existing.trim().to_owned();
        if existing.len() >= 32 {
            return Ok(existing);
        }
        anyhow::bail!("the JWT secret in {} is too short; delete it to generate a new one", path.display());
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create the data directory {}", dir.display()))?;
    }
    let secret = crate::auth::secret::random_token() + &crate::auth::secret::random_token();
    write_private(path, &secret).with_context(|| format!("cannot write the JWT secret to {}", path.display()))?;
    Ok(secret)
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    file.write_all(contents.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn keys() -> JwtKeys {
        JwtKeys::from_secret(b"0123456789abcdef0123456789abcdef")
    }

    #[test]
    fn an_issued_token_verifies_and_carries_its_claims() {
        let token = keys().issue("u1", "f1", Role::Member).unwrap_or_default();
        let claims = keys().verify(&token).map_err(|e| e.to_string());
        let claims = claims.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((claims.sub.as_str(), claims.sid.as_str(), claims.role), ("u1", "f1", Role::Member));
    }

    #[test]
    fn a_token_signed_with_another_key_is_refused() {
        let other = JwtKeys::from_secret(b"another secret of thirty-two bytes!!");
        let token = other.issue("u1", "f1", Role::Admin).unwrap_or_default();
        assert_eq!(keys().verify(&token).err().map(|e| e.code()), Some(ErrorCode::InvalidToken));
    }

    #[test]
    fn an_unsigned_alg_none_token_is_refused() {
        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
        let now = Utc::now().timestamp();
        let payload = URL_SAFE_NO_PAD.encode(format!(
            r#"{{"sub":"u1","sid":"f","role":"admin","iss":"copse","iat":{now},"exp":{}}}"#,
            now + 600
        ));
        let token = format!("{header}.{payload}.");
        assert_eq!(keys().verify(&token).err().map(|e| e.code()), Some(ErrorCode::InvalidToken));
    }

    #[test]
    fn the_secret_file_is_created_private_and_reused() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("jwt-secret");
        let first = read_or_create_secret(&path).unwrap_or_default();
        let second = read_or_create_secret(&path).unwrap_or_default();
        assert_eq!(first, second);
        assert!(first.len() >= 64);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).map(|m| m.permissions().mode()).unwrap_or(0);
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
