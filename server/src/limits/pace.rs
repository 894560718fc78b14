//! How fast a person may send messages (and make rooms): a burst, then a steady
//! rate, counted per person across all their sockets (GCRA, from `governor`).
//!
//! A sender over the limit goes through three stages, per connection:
//! 1. Slowed: for up to [`SLOWED_FOR`] the connection holds the send and stops
//!    reading its socket until the send may go, as when too many sends await their
//!    acks. Nothing is refused; a page resending its outbox after a reconnect is only
//!    delayed.
//! 2. Refused: still over the limit after that, each send over it is refused with a
//!    `rate_limited` error naming when to retry, and reading goes on.
//! 3. Closed: a client that keeps sending without waiting as long as it was told is
//!    closed with 1008 after [`ABUSE_REFUSALS`] refusals. Refusals count only once
//!    the client has had [`HEARING_TIME`] to hear the first of them (sends it
//!    pipelined before are not defiance), and a send that comes after the retry time
//!    it was last given (it waited) starts the count again.
//!
//! Any send that finds the limit untouched after a pause of [`RECOVERED_AFTER`] ends
//! the episode (the next one is slowed first again).

use std::time::Duration;

use confab_shared::UserId;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use tokio::time::Instant;

use super::nonzero;

/// How long a connection may be slowed before its sends over the limit are refused.
pub(crate) const SLOWED_FOR: Duration = Duration::from_secs(10);
/// Counted refusals after which the next send over the limit closes the socket with
/// 1008.
pub(crate) const ABUSE_REFUSALS: u32 = 20;
/// Sends refused within this long of the first refusal of a run were already on
/// their way (a pipelined backlog): they do not count towards closing.
pub(crate) const HEARING_TIME: Duration = Duration::from_secs(2);
/// A pause this long with no send over the limit ends an episode.
pub(crate) const RECOVERED_AFTER: Duration = Duration::from_secs(1);

/// Every person's message allowance.
pub(crate) struct MessageLimiter {
    /// None when the operator turned the limit off.
    limiter: Option<DefaultKeyedRateLimiter<UserId>>,
    clock: DefaultClock,
    /// The time one message takes at the steady rate: a refusal never names a
    /// shorter wait, so a client that waits as told has paused (see `Episode`).
    interval: Duration,
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
            interval: Duration::from_secs(1) / per_second.max(1),
        }
    }

    /// Takes one message from `user`'s allowance, or says how long until one is
    /// free.
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
    /// When the current run of refusals began (none since the client last waited).
    refused_since: Option<Instant>,
    /// The time the client was last told it may send again.
    retry_at: Option<Instant>,
    /// Refusals counted towards closing, in the current run.
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
                        refused_since: None,
                        retry_at: None,
                        refusals: 0,
                    })
                });
                episode.last_over = now;
                if held || now.duration_since(episode.slowed_since) < SLOWED_FOR {
                    return Admit::Wait(wait);
                }
                episode.refuse(now, wait.max(limiter.interval))
            }
        }
    }
}

impl Episode {
    /// Refuses a send over the limit, or closes on a client that does not wait.
    /// `wait` is at least the steady rate's interval, so a send at or after the last
    /// retry time came after a pause of that long: a client that waits as told, not
    /// one that sends without pause and happens to come when a message is due.
    fn refuse(&mut self, now: Instant, wait: Duration) -> Admit {
        if self.retry_at.is_some_and(|at| now >= at) {
            // It waited as long as it was told: whatever came before is forgiven.
            self.refused_since = None;
            self.refusals = 0;
        }
        let since = *self.refused_since.get_or_insert(now);
        if now.duration_since(since) >= HEARING_TIME {
            if self.refusals >= ABUSE_REFUSALS {
                return Admit::Abuse;
            }
            self.refusals += 1;
        }
        self.retry_at = Some(now + wait);
        Admit::Refuse(wait)
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

    /// Spends `user`'s allowance and starts the refusing stage.
    async fn past_the_slowed_stage(limiter: &MessageLimiter, pace: &mut Pace, ann: &UserId) {
        assert_eq!(pace.admit(limiter, ann, false), Admit::Go);
        assert!(matches!(pace.admit(limiter, ann, false), Admit::Wait(_)));
        // Tokio's clock is paused and moved by hand; the limiter's is real, so the
        // allowance stays spent while the episode ages.
        tokio::time::advance(SLOWED_FOR).await;
    }

    #[tokio::test(start_paused = true)]
    async fn a_client_that_keeps_sending_is_closed_after_20_counted_refusals() {
        let limiter = MessageLimiter::new(1, 1);
        let mut pace = Pace::default();
        let ann = user("u:1");
        past_the_slowed_stage(&limiter, &mut pace, &ann).await;
        // A pipelined backlog read at once: refused, not counted.
        for n in 0..100 {
            assert!(
                matches!(pace.admit(&limiter, &ann, false), Admit::Refuse(_)),
                "pipelined send {n}"
            );
        }
        // Then a send every 20 ms, never waiting: counted from HEARING_TIME on (the
        // limiter's real clock hardly moves, so the allowance stays spent).
        let step = Duration::from_millis(20);
        let uncounted = HEARING_TIME.as_millis() / step.as_millis();
        let mut refusals = 0;
        loop {
            tokio::time::advance(step).await;
            match pace.admit(&limiter, &ann, false) {
                Admit::Refuse(wait) => {
                    assert!(wait >= Duration::from_secs(1), "one interval at least");
                    refusals += 1;
                }
                Admit::Abuse => break,
                other => panic!("after {refusals} refusals: {other:?}"),
            }
            assert!(refusals <= uncounted + 21, "closed in time");
        }
        assert!(refusals >= uncounted + 19, "20 counted: {refusals}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_client_that_waits_as_told_is_never_closed() {
        let limiter = MessageLimiter::new(1, 1);
        let mut pace = Pace::default();
        let ann = user("u:1");
        past_the_slowed_stage(&limiter, &mut pace, &ann).await;
        for n in 0..200 {
            let Admit::Refuse(wait) = pace.admit(&limiter, &ann, false) else {
                panic!("send {n} is refused (the allowance stays spent)");
            };
            tokio::time::advance(wait).await;
        }
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
