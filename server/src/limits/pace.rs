//! How fast a person may send messages: a burst, then a steady rate, counted per
//! person across all their sockets (GCRA, from `governor`).
//!
//! A sender over the limit goes through three stages, per connection:
//! 1. Slowed: for up to [`SLOWED_FOR`] the connection holds the send and stops
//!    reading its socket until the send may go, as when too many sends await their
//!    acks. Nothing is refused; a page resending its outbox after a reconnect is only
//!    delayed.
//! 2. Refused: still over the limit after that, each send over it is refused with a
//!    `rate_limited` error naming when to retry, and reading goes on.
//! 3. Closed: [`ABUSE_REFUSALS`] refusals without a pause close the socket with 1008.
//!
//! Any send that finds the limit untouched after a pause of [`RECOVERED_AFTER`] ends
//! the episode.

use std::time::Duration;

use confab_shared::UserId;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use tokio::time::Instant;

use super::nonzero;

/// How long a connection may be slowed before its sends over the limit are refused.
pub(crate) const SLOWED_FOR: Duration = Duration::from_secs(10);
/// Refusals in one episode that close the socket with 1008.
pub(crate) const ABUSE_REFUSALS: u32 = 20;
/// A pause this long with no send over the limit ends an episode.
pub(crate) const RECOVERED_AFTER: Duration = Duration::from_secs(1);

/// Every person's message allowance.
pub(crate) struct MessageLimiter {
    /// None when the operator turned the limit off.
    limiter: Option<DefaultKeyedRateLimiter<UserId>>,
    clock: DefaultClock,
}

impl MessageLimiter {
    pub(crate) fn new(per_second: u32, burst: u32) -> Self {
        let limiter = (per_second > 0).then(|| {
            let quota = Quota::per_second(nonzero(per_second)).allow_burst(nonzero(burst));
            RateLimiter::keyed(quota)
        });
        Self {
            limiter,
            clock: DefaultClock::default(),
        }
    }

    /// Takes one message from `user`'s allowance, or says how long until one is
    /// free.
    pub(crate) fn try_take(&self, user: &UserId) -> Result<(), Duration> {
        self.take(user)
    }

    fn take(&self, user: &UserId) -> Result<(), Duration> {
        match &self.limiter {
            None => Ok(()),
            Some(limiter) => limiter
                .check_key(user)
                .map_err(|not_until| not_until.wait_time_from(self.clock.now())),
        }
    }

    pub(crate) fn prune(&self) {
        if let Some(limiter) = &self.limiter {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

/// What to do with a send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Admit {
    /// Carry it out.
    Go,
    /// Hold it, read nothing more, and ask again after this long.
    Wait(Duration),
    /// Refuse it: the sender may retry after this long.
    Refuse(Duration),
    /// Close the socket with 1008.
    Abuse,
}

/// One connection's standing with the limit: the stages above. Nothing but a null
/// pointer until the connection first goes over (every idle connection has one).
#[derive(Debug, Default)]
pub(crate) struct Pace {
    episode: Option<Box<Episode>>,
}

/// A stretch of being over the limit.
#[derive(Debug)]
struct Episode {
    /// When it began.
    slowed_since: Instant,
    /// When a send last found the limit reached.
    last_over: Instant,
    refusals: u32,
}

impl Pace {
    /// Whether `user` may send now. `held` says the send was held back before (it is
    /// asked about again, and cannot end the episode).
    pub(crate) fn admit(&mut self, limiter: &MessageLimiter, user: &UserId, held: bool) -> Admit {
        let now = Instant::now();
        match limiter.take(user) {
            Ok(()) => {
                let rested = self
                    .episode
                    .as_ref()
                    .is_some_and(|e| now.duration_since(e.last_over) >= RECOVERED_AFTER);
                if !held && rested {
                    self.episode = None;
                }
                Admit::Go
            }
            Err(wait) => {
                let episode = self.episode.get_or_insert_with(|| {
                    Box::new(Episode {
                        slowed_since: now,
                        last_over: now,
                        refusals: 0,
                    })
                });
                episode.last_over = now;
                if held || now.duration_since(episode.slowed_since) < SLOWED_FOR {
                    return Admit::Wait(wait);
                }
                episode.refusals += 1;
                if episode.refusals >= ABUSE_REFUSALS {
                    Admit::Abuse
                } else {
                    Admit::Refuse(wait)
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str) -> UserId {
        UserId::new(name).expect("a user id")
    }

    #[test]
    fn a_burst_goes_then_the_sender_is_slowed() {
        let limiter = MessageLimiter::new(2, 5);
        let mut pace = Pace::default();
        let ann = user("u:1");
        for n in 0..5 {
            assert_eq!(pace.admit(&limiter, &ann, false), Admit::Go, "send {n}");
        }
        match pace.admit(&limiter, &ann, false) {
            Admit::Wait(wait) => assert!(wait <= Duration::from_millis(500), "{wait:?}"),
            other => panic!("expected to be slowed, got {other:?}"),
        }
        // Someone else's allowance is their own.
        assert_eq!(pace.admit(&limiter, &user("u:2"), false), Admit::Go);
    }

    #[tokio::test(start_paused = true)]
    async fn slowed_then_refused_then_closed() {
        let limiter = MessageLimiter::new(1, 1);
        let mut pace = Pace::default();
        let ann = user("u:1");
        assert_eq!(pace.admit(&limiter, &ann, false), Admit::Go);
        assert!(matches!(pace.admit(&limiter, &ann, false), Admit::Wait(_)));
        // Tokio's clock is paused and moved by hand; the limiter's is real, so the
        // allowance stays spent while the episode ages.
        tokio::time::advance(SLOWED_FOR).await;
        for n in 1..ABUSE_REFUSALS {
            assert!(
                matches!(pace.admit(&limiter, &ann, false), Admit::Refuse(_)),
                "refusal {n}"
            );
        }
        assert_eq!(pace.admit(&limiter, &ann, false), Admit::Abuse);
    }

    #[test]
    fn no_limit_when_turned_off() {
        let limiter = MessageLimiter::new(0, 0);
        let mut pace = Pace::default();
        for _ in 0..10_000 {
            assert_eq!(pace.admit(&limiter, &user("u:1"), false), Admit::Go);
        }
    }
}
