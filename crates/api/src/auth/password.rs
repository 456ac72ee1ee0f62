//! Password hashing with argon2id at one of OWASP's recommended parameter sets, always
//! run on the blocking pool so a login never stalls the async executor, and at most
//! one hash per core at a time.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore;
use std::sync::{Arc, OnceLock};

use tokio::sync::Semaphore;

use crate::error::{ApiError, ApiResult};

/// argon2id with 7 MiB of memory, 5 iterations, 1 degree of parallelism: OWASP lists
/// it among the configurations giving "an equal level of defense" (with 19 MiB and 2
/// iterations, 12 MiB and 3, 9 MiB and 4). Copse takes the one that spends time
/// rather than memory, because a burst of logins on a small server holds one block per
/// core: 19 MiB blocks put the server 40 MiB over its 100 MB budget under login load.
/// Existing hashes keep their own parameters (they are in the PHC string), so
/// changing these never locks anyone out.
fn hasher() -> ApiResult<Argon2<'static>> {
    let params = Params::new(7 * 1024, 5, 1, None).map_err(|e| ApiError::internal(anyhow::anyhow!("{e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

fn hash_blocking(password: &str) -> ApiResult<String> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| ApiError::internal(anyhow::anyhow!("{e}")))?;
    let hash =
        hasher()?.hash_password(password.as_bytes(), &salt).map_err(|e| ApiError::internal(anyhow::anyhow!("{e}")))?;
    Ok(hash.to_string())
}

fn verify_blocking(password: &str, stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    hasher().map(|h| h.verify_password(password.as_bytes(), &parsed).is_ok()).unwrap_or(false)
}

/// Runs one hash on the blocking pool once a core is free. Each hash allocates 7 MiB
/// and keeps a core busy for tens of milliseconds: running more at once than there are
/// cores finishes none sooner, and 32 simultaneous logins held 32 of those blocks (and
/// the allocator kept them). The permit moves into the task, so a login abandoned by
/// its client still counts until its hash ends.
async fn on_a_free_core<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> ApiResult<T> {
    static CORES: OnceLock<Arc<Semaphore>> = OnceLock::new();
    let cores = CORES.get_or_init(|| {
        Arc::new(Semaphore::new(std::thread::available_parallelism().map_or(1, std::num::NonZero::get)))
    });
    let permit = Arc::clone(cores).acquire_owned().await.map_err(|e| ApiError::internal(anyhow::Error::from(e)))?;
    Ok(tokio::task::spawn_blocking(move || {
        let result = work();
        drop(permit);
        result
    })
    .await?)
}

/// Hashes a password.
pub async fn hash(password: String) -> ApiResult<String> {
    on_a_free_core(move || hash_blocking(&password)).await?
}

/// Checks a password against a stored hash.
pub async fn verify(password: String, stored: String) -> ApiResult<bool> {
    on_a_free_core(move || verify_blocking(&password, &stored)).await
}

/// Spends the same work as a real verification, so that an unknown email answers in
/// about the same time as a wrong password and does not reveal who has an account.
pub async fn verify_dummy(password: String) -> ApiResult<()> {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let stored = match DUMMY.get() {
        Some(hash) => hash.clone(),
        None => {
            let hash = hash("dummy password for timing".to_owned()).await?;
            DUMMY.get_or_init(|| hash).clone()
        }
    };
    verify(password, stored).await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_and_nothing_else() {
        let stored = hash("correct horse battery".to_owned()).await.unwrap_or_default();
        assert!(stored.starts_with("$argon2id$v=19$m=7168,t=5,p=1$"), "{stored}");
        assert!(verify("correct horse battery".to_owned(), stored.clone()).await.unwrap_or(false));
        assert!(!verify("correct horse battery!".to_owned(), stored).await.unwrap_or(true));
    }

    #[tokio::test]
    async fn a_hash_made_with_earlier_parameters_still_verifies() {
        // Accounts created before the parameters changed (19 MiB, 2 iterations).
        let params = Params::new(19 * 1024, 2, 1, None).unwrap();
        let salt = SaltString::encode_b64(b"sixteen byte slt").unwrap();
        let old = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password(b"an older password", &salt)
            .unwrap()
            .to_string();
        assert!(old.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{old}");
        assert!(verify("an older password".to_owned(), old.clone()).await.unwrap());
        assert!(!verify("an older password.".to_owned(), old).await.unwrap());
    }

    #[tokio::test]
    async fn a_garbled_stored_hash_never_verifies() {
        assert!(!verify("anything".to_owned(), "not a hash".to_owned()).await.unwrap_or(true));
    }
}
