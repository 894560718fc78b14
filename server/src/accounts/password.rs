//! Password hashing: Argon2id at OWASP's parameters (19 MiB of memory, 2 passes, 1
//! lane), stored as a PHC string. Hashing is deliberately slow (tens of milliseconds),
//! so it runs on [`hashers`] threads of its own, one hash at a time each: a storm of
//! sign-ins waits for its turn instead of taking every core from the chat, and the
//! memory the hashes use stays that of that many hashes (on ever-new blocking
//! threads, each thread's allocator kept its own 19 MiB: a storm of a thousand
//! sign-ups had grown the server past a gigabyte).

use std::cell::RefCell;
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, LazyLock, Mutex};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{ARGON2ID_IDENT, Algorithm, Argon2, Block, Params, Version};

/// Hashing threads: half the cores, at least one. On two cores one hash at a time
/// leaves the chat a core of its own under a storm of wrong passwords (with two, S3's
/// p99 beside 20 wrong passwords a second reached 1.5x its p99 alone).
fn hashers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| (n.get() / 2).max(1))
}

/// Memory per hash, in KiB (OWASP: at least 19 MiB).
pub(crate) const MEMORY_KIB: u32 = 19 * 1024;
/// Passes over the memory (OWASP: at least 2 at 19 MiB).
pub(crate) const PASSES: u32 = 2;

/// Work for the hashing threads.
type Job = Box<dyn FnOnce() + Send>;

/// The queue of the hashing threads, started on first use.
static HASHERS: LazyLock<Option<Mutex<Sender<Job>>>> = LazyLock::new(|| {
    let (jobs, queue) = mpsc::channel::<Job>();
    let queue = Arc::new(Mutex::new(queue));
    for n in 0..hashers() {
        let queue = Arc::clone(&queue);
        let started = std::thread::Builder::new()
            .name(format!("confab-hasher-{n}"))
            .spawn(move || {
                loop {
                    // The lock is held only to take the next job, not to run it.
                    let job = queue.lock().unwrap_or_else(|e| e.into_inner()).recv();
                    match job {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
                }
            });
        if let Err(error) = started {
            tracing::error!(%error, "cannot start a password hashing thread");
            return None;
        }
    }
    Some(Mutex::new(jobs))
});

/// A password that checks against no account: verifying it costs what verifying a
/// real one does, so a wrong username takes as long as a wrong password.
static DUMMY: LazyLock<Option<String>> = LazyLock::new(|| hash_now("not anyone's password").ok());

fn our_params() -> Params {
    Params::new(MEMORY_KIB, PASSES, 1, None).unwrap_or_default()
}

thread_local! {
    /// Each hashing thread's Argon2 memory (19 MiB), kept for its next hash: made
    /// once per thread, never given back to the allocator to be kept by it in some
    /// other thread's arena.
    static MEMORY: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// Argon2id of `password` and `salt` with `params` into `out`, in this thread's
/// memory.
fn derive(params: &Params, password: &[u8], salt: &[u8], out: &mut [u8]) -> Result<(), String> {
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    MEMORY.with(|memory| {
        let mut memory = memory.borrow_mut();
        let blocks = params.block_count();
        if memory.len() != blocks {
            *memory = vec![Block::default(); blocks];
        }
        argon2
            .hash_password_into_with_memory(password, salt, out, &mut memory[..])
            .map_err(|e| e.to_string())
    })
}

fn hash_now(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let raw_salt = salt
        .decode_b64(&mut salt_bytes)
        .map_err(|e| e.to_string())?;
    let params = our_params();
    let mut out = [0u8; 32];
    derive(&params, password.as_bytes(), raw_salt, &mut out)?;
    let phc = PasswordHash {
        algorithm: ARGON2ID_IDENT,
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| e.to_string())?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(|e| e.to_string())?),
    };
    Ok(phc.to_string())
}

/// Whether `password` gives the hash of the PHC string `stored` (Argon2id, with the
/// parameters and salt it names); compared in constant time.
fn verify_now(password: &str, stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    if parsed.algorithm != ARGON2ID_IDENT {
        return false;
    }
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(raw_salt) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    if derive(&params, password.as_bytes(), raw_salt, &mut out).is_err() {
        return false;
    }
    // Output's equality is constant-time.
    Output::new(&out).is_ok_and(|got| got == expected)
}

/// Runs `work` on a hashing thread when it is this request's turn.
async fn in_turn<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let (done, answer) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        // The asker may have gone (its connection dropped): nothing to tell then.
        let _ = done.send(work());
    });
    HASHERS
        .as_ref()?
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .send(job)
        .ok()?;
    answer.await.ok()
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
        verify_now(&password, &stored)
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use argon2::password_hash::{PasswordHasher, PasswordVerifier};

    use super::*;

    /// Hashes stored before the hashing threads kept their own memory were made by
    /// the crate's own API: both ways must agree.
    #[test]
    fn agrees_with_the_argon2_crate_both_ways() {
        let crate_own = Argon2::new(Algorithm::Argon2id, Version::V0x13, our_params());
        let salt = SaltString::generate(&mut OsRng);
        let theirs = crate_own
            .hash_password(b"correct horse", &salt)
            .unwrap()
            .to_string();
        assert!(verify_now("correct horse", &theirs));
        assert!(!verify_now("wrong horse", &theirs));
        let ours = hash_now("correct horse").unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(crate_own.verify_password(b"correct horse", &parsed).is_ok());
        assert!(!verify_now("correct horse", "!"), "no PHC string, no match");
    }

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
