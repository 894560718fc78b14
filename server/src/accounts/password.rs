//! Password hashing: Argon2id at OWASP's parameters (19 MiB of memory, 2 passes, 1
//! lane), stored as a PHC string. Hashing is deliberately slow (tens of milliseconds),
//! so it runs on blocking threads, at most [`AT_ONCE`] at a time: a storm of sign-ins
//! waits for its turn instead of taking every core from the chat.

use std::sync::LazyLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

/// Hashes running at once, at most.
const AT_ONCE: usize = 2;

/// Memory per hash, in KiB (OWASP: at least 19 MiB).
pub(crate) const MEMORY_KIB: u32 = 19 * 1024;
/// Passes over the memory (OWASP: at least 2 at 19 MiB).
pub(crate) const PASSES: u32 = 2;

static TURNS: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(AT_ONCE));

/// A password that checks against no account: verifying it costs what verifying a
/// real one does, so a wrong username takes as long as a wrong password.
static DUMMY: LazyLock<Option<String>> = LazyLock::new(|| hash_now("not anyone's password").ok());

fn hasher() -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, PASSES, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn hash_now(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Runs `work` on a blocking thread when it is this request's turn.
async fn in_turn<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let _turn = TURNS.acquire().await.ok()?;
    tokio::task::spawn_blocking(work).await.ok()
}

/// The PHC string of `password` with a fresh salt.
pub(crate) async fn hash(password: String) -> Result<String, String> {
    in_turn(move || hash_now(&password))
        .await
        .unwrap_or_else(|| Err("the hasher is gone".to_owned()))
}

/// Whether `password` matches `stored` (a PHC string); with no `stored` (no such
/// account), spends the same time and says no.
pub(crate) async fn verify(password: String, stored: Option<String>) -> bool {
    in_turn(move || {
        let stored = stored.or_else(|| DUMMY.clone());
        let Some(stored) = stored else {
            return false;
        };
        let Ok(parsed) = PasswordHash::new(&stored) else {
            return false;
        };
        hasher()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn argon2id_at_owasp_parameters_and_verified() {
        let stored = hash("correct horse".to_owned()).await.unwrap();
        assert!(
            stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{stored}"
        );
        assert!(verify("correct horse".to_owned(), Some(stored.clone())).await);
        assert!(!verify("wrong horse".to_owned(), Some(stored)).await);
        assert!(!verify("anything".to_owned(), None).await);
    }
}
