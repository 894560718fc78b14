//! Password attempts: each client address gets a burst and then a steady rate of
//! attempts (sign-ins and sign-ups), and each account that keeps getting wrong
//! passwords makes the next attempt wait longer and longer. Never a lock-out: that
//! would let anyone lock a victim out by failing on purpose. Both are checked
//! before any hashing, so refused attempts cost nothing.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Duration;

use confab_shared::UserName;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use tokio::time::Instant;

use super::nonzero;

/// Wrong passwords an account may get before it is slowed.
pub(crate) const FREE_FAILURES: u32 = 3;
/// The longest an account's next attempt waits.
pub(crate) const MAX_DELAY: Duration = Duration::from_secs(60);
/// Failures older than this are forgotten.
const FORGET_AFTER: Duration = Duration::from_secs(15 * 60);
/// Accounts whose failures are remembered at once: bounded, so a storm of made-up
/// names cannot grow the table without end.
const MAX_TRACKED: usize = 100_000;

/// Why an attempt was refused, and when to try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LoginRefusal {
    /// Too many attempts from this address.
    Address(Duration),
    /// Too many wrong passwords for this account lately.
    Account(Duration),
}

impl LoginRefusal {
    pub(crate) fn retry_after(self) -> Duration {
        match self {
            LoginRefusal::Address(d) | LoginRefusal::Account(d) => d,
        }
    }
}

struct Failures {
    count: u32,
    /// No attempt before this.
    next_try: Instant,
    last: Instant,
}

/// Attempts per address, and failures per account.
pub(crate) struct Logins {
    per_address: Option<DefaultKeyedRateLimiter<IpAddr>>,
    clock: DefaultClock,
    accounts: Mutex<HashMap<String, Failures>>,
}

/// How long an account waits after `count` wrong passwords in a row: nothing for
/// the first few, then 1 s, doubling, up to [`MAX_DELAY`].
pub(crate) fn delay_after(count: u32) -> Duration {
    if count < FREE_FAILURES {
        return Duration::ZERO;
    }
    let doublings = (count - FREE_FAILURES).min(16);
    Duration::from_secs(1u64 << doublings).min(MAX_DELAY)
}

impl Logins {
    pub(crate) fn new(per_minute: u32, burst: u32) -> Self {
        let per_address = (per_minute > 0).then(|| {
            let quota = Quota::per_minute(nonzero(per_minute)).allow_burst(nonzero(burst));
            RateLimiter::keyed(quota)
        });
        Self {
            per_address,
            clock: DefaultClock::default(),
            accounts: Mutex::default(),
        }
    }

    fn accounts(&self) -> std::sync::MutexGuard<'_, HashMap<String, Failures>> {
        self.accounts.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether an attempt for `username` (None: a sign-up) from `ip` may go on to
    /// the hasher. Counts against the address either way.
    pub(crate) fn admit(
        &self,
        ip: IpAddr,
        username: Option<&UserName>,
    ) -> Result<(), LoginRefusal> {
        if let Some(username) = username {
            let now = Instant::now();
            let next_try = self.accounts().get(&key(username)).map(|f| f.next_try);
            if let Some(next_try) = next_try
                && next_try > now
            {
                return Err(LoginRefusal::Account(next_try - now));
            }
        }
        if let Some(limiter) = &self.per_address {
            limiter.check_key(&ip).map_err(|not_until| {
                LoginRefusal::Address(not_until.wait_time_from(self.clock.now()))
            })?;
        }
        Ok(())
    }

    /// A wrong password for `username` (an account or not: the answer must not
    /// tell).
    pub(crate) fn failed(&self, username: &UserName) {
        let now = Instant::now();
        let mut accounts = self.accounts();
        if accounts.len() >= MAX_TRACKED {
            accounts.retain(|_, f| now.duration_since(f.last) < FORGET_AFTER);
            if accounts.len() >= MAX_TRACKED {
                return;
            }
        }
        let failures = accounts.entry(key(username)).or_insert(Failures {
            count: 0,
            next_try: now,
            last: now,
        });
        if now.duration_since(failures.last) >= FORGET_AFTER {
            failures.count = 0;
        }
        failures.count += 1;
        failures.last = now;
        failures.next_try = now + delay_after(failures.count);
    }

    /// The right password: the account's slate is clean.
    pub(crate) fn succeeded(&self, username: &UserName) {
        self.accounts().remove(&key(username));
    }

    pub(crate) fn prune(&self) {
        let now = Instant::now();
        self.accounts()
            .retain(|_, f| now.duration_since(f.last) < FORGET_AFTER);
        if let Some(limiter) = &self.per_address {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

/// The account a username reaches: names people cannot tell apart reach the same
/// one (`accounts::name_key`), so they share its failures too.
fn key(username: &UserName) -> String {
    crate::accounts::name_key(username.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(n: &str) -> UserName {
        UserName::new(n).expect("a name")
    }

    #[test]
    fn delays_grow_and_stop_growing() {
        let delays: Vec<u64> = (0..12).map(|n| delay_after(n).as_secs()).collect();
        assert_eq!(delays, [0, 0, 0, 1, 2, 4, 8, 16, 32, 60, 60, 60]);
    }

    #[test]
    fn an_address_gets_its_burst_then_waits() {
        let logins = Logins::new(10, 3);
        let ip: IpAddr = [127, 0, 0, 9].into();
        for _ in 0..3 {
            assert!(logins.admit(ip, None).is_ok());
        }
        match logins.admit(ip, None) {
            Err(LoginRefusal::Address(wait)) => assert!(wait <= Duration::from_secs(6)),
            other => panic!("expected the address to wait, got {other:?}"),
        }
        assert!(
            logins.admit([127, 0, 0, 10].into(), None).is_ok(),
            "another address"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn wrong_passwords_slow_the_account_and_a_right_one_clears_it() {
        let logins = Logins::new(0, 0);
        let ip: IpAddr = [127, 0, 0, 1].into();
        let ann = name("Ann");
        for _ in 0..FREE_FAILURES {
            assert!(logins.admit(ip, Some(&ann)).is_ok());
            logins.failed(&ann);
        }
        // The same account by any name people cannot tell from it: fullwidth too.
        for same in ["ann", "ＡＮＮ"] {
            match logins.admit(ip, Some(&name(same))) {
                Err(LoginRefusal::Account(wait)) => assert_eq!(wait, Duration::from_secs(1)),
                other => panic!("{same}: expected the account to wait, got {other:?}"),
            }
        }
        assert!(
            logins.admit(ip, Some(&name("bob"))).is_ok(),
            "others are not slowed"
        );
        tokio::time::advance(Duration::from_secs(1)).await;
        assert!(
            logins.admit(ip, Some(&ann)).is_ok(),
            "never locked: only delayed"
        );
        logins.succeeded(&ann);
        logins.failed(&ann);
        assert!(
            logins.admit(ip, Some(&ann)).is_ok(),
            "a success starts over"
        );
    }
}
