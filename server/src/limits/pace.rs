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
//! 3. Closed: a client that keeps sending without waiting is closed with 1008 after
//!    [`ABUSE_REFUSALS`] counted refusals. What counts: a refused send sent again
//!    (the same client id) before the retry time it was given; and a new send once
//!    the client has had [`HEARING_TIME`] since the first refusal of the run to hear
//!    of it (sends it pipelined before, a backlog, are not defiance). A refused send
//!    sent again at or after its retry time (the client waited as told) forgives
//!    the run and starts a new one.
//!
//! Any send that finds the limit untouched after a pause of [`RECOVERED_AFTER`] ends
//! the episode (the next one is slowed first again).

use std::collections::HashMap;
use std::sync::OnceLock;
use std::time::Duration;

use confab_shared::{ClientId, UserId};
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
/// Refused sends whose retry time an episode remembers (beyond, new ones are not
/// remembered: sent again, they count as new sends).
const TRACKED: usize = 1024;
/// A pause this long with no send over the limit ends an episode.
pub(crate) const RECOVERED_AFTER: Duration = Duration::from_secs(1);

/// Every person's message allowance.
pub(crate) struct MessageLimiter {
    /// None when the operator turned the limit off.
    limiter: Option<DefaultKeyedRateLimiter<UserId>>,
    clock: DefaultClock,
    /// The time one message takes at the steady rate: a refusal never names a
    /// shorter wait (a client that resends at once would only be refused again).
    interval: Duration,
    /// The most a message may cost (the burst).
    burst: u32,
    /// On how many nodes a person sends from (set in a cluster): each node lets
    /// them send their share, so a person on three nodes gets the rate once, not
    /// three times. A message costs that many of this node's cells.
    shares: OnceLock<NodesOf>,
}

/// On how many nodes a person is connected.
type NodesOf = Box<dyn Fn(&UserId) -> u32 + Send + Sync>;

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
            burst: burst.max(1),
            shares: OnceLock::new(),
        }
    }

    /// In a cluster: `nodes_of` says on how many nodes a person is connected.
    pub(crate) fn share_by(&self, nodes_of: impl Fn(&UserId) -> u32 + Send + Sync + 'static) {
        let _set = self.shares.set(Box::new(nodes_of));
    }

    /// Takes one message from `user`'s allowance, or says how long until one is
    /// free.
    fn take(&self, user: &UserId) -> Result<(), Duration> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        let nodes = self.shares.get().map_or(1, |nodes_of| nodes_of(user));
        let cost = nodes.clamp(1, self.burst);
        match limiter.check_key_n(user, nonzero(cost)) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(not_until)) => Err(not_until.wait_time_from(self.clock.now())),
            // Never: the cost is at most the burst.
            Err(_) => Err(self.interval),
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
    /// When the current run of refusals began.
    refused_since: Option<Instant>,
    /// Each refused send's client id, with the time it may be sent again.
    refused: HashMap<ClientId, Instant>,
    /// Refusals counted towards closing, in the current run.
    refusals: u32,
}

impl Pace {
    /// Whether `user` may send now. `held` says the send was held back before (it is
    /// asked about again, and cannot end the episode); `id` is the send's client id
    /// (none for a command without one, `create_room`).
    pub(crate) fn admit(
        &mut self,
        limiter: &MessageLimiter,
        user: &UserId,
        held: bool,
        id: Option<&ClientId>,
    ) -> Admit {
        let now = Instant::now();
        match limiter.take(user) {
            Ok(()) => {
                if let (Some(episode), Some(id)) = (self.episode.as_mut(), id) {
                    episode.refused.remove(id);
                }
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
                        refused: HashMap::new(),
                        refusals: 0,
                    })
                });
                episode.last_over = now;
                if held || now.duration_since(episode.slowed_since) < SLOWED_FOR {
                    return Admit::Wait(wait);
                }
                episode.refuse(now, wait.max(limiter.interval), id)
            }
        }
    }
}

impl Episode {
    /// Refuses a send over the limit, or closes on a client that does not wait.
    fn refuse(&mut self, now: Instant, wait: Duration, id: Option<&ClientId>) -> Admit {
        let defiant = match id.and_then(|id| self.refused.get(id)) {
            // Sent again as told: whatever came before is forgiven.
            Some(due) if now >= *due => {
                self.refused_since = Some(now);
                self.refusals = 0;
                false
            }
            // Sent again before its time.
            Some(_) => true,
            // A new send: defiance only once the client could have heard.
            None => {
                let since = *self.refused_since.get_or_insert(now);
                now.duration_since(since) >= HEARING_TIME
            }
        };
        if defiant {
            if self.refusals >= ABUSE_REFUSALS {
                return Admit::Abuse;
            }
            self.refusals += 1;
        }
        if let Some(id) = id
            && (self.refused.len() < TRACKED || self.refused.contains_key(id))
        {
            self.refused.insert(id.clone(), now + wait);
        }
        Admit::Refuse(wait)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str) -> UserId {
        UserId::new(name).expect("a user id")
    }

    fn id(n: usize) -> ClientId {
        ClientId::new(format!("c{n}")).expect("a client id")
    }

    #[test]
    fn a_person_on_several_nodes_gets_their_share_here() {
        let limiter = MessageLimiter::new(1, 6);
        let (ann, bob) = (user("u:1"), user("u:2"));
        let on_three = ann.clone();
        limiter.share_by(move |u| if *u == on_three { 3 } else { 1 });
        // ann sends from three nodes: a third of the burst here.
        assert!(limiter.take(&ann).is_ok() && limiter.take(&ann).is_ok());
        assert!(limiter.take(&ann).is_err(), "ann's share is spent");
        for n in 0..6 {
            assert!(
                limiter.take(&bob).is_ok(),
                "bob's send {n}: his whole burst"
            );
        }
    }

    #[test]
    fn a_burst_goes_then_the_sender_is_slowed() {
        let limiter = MessageLimiter::new(2, 5);
        let mut pace = Pace::default();
        let ann = user("u:1");
        for n in 0..5 {
            let admitted = pace.admit(&limiter, &ann, false, Some(&id(n)));
            assert_eq!(admitted, Admit::Go, "send {n}");
        }
        match pace.admit(&limiter, &ann, false, Some(&id(5))) {
            Admit::Wait(wait) => assert!(wait <= Duration::from_millis(500), "{wait:?}"),
            other => panic!("expected to be slowed, got {other:?}"),
        }
        // Someone else's allowance is their own.
        assert_eq!(pace.admit(&limiter, &user("u:2"), false, None), Admit::Go);
    }

    /// Spends `user`'s allowance and starts the refusing stage.
    async fn past_the_slowed_stage(limiter: &MessageLimiter, pace: &mut Pace, ann: &UserId) {
        assert_eq!(pace.admit(limiter, ann, false, None), Admit::Go);
        assert!(matches!(
            pace.admit(limiter, ann, false, None),
            Admit::Wait(_)
        ));
        // Tokio's clock is paused and moved by hand; the limiter's is real, so the
        // allowance stays spent while the episode ages.
        tokio::time::advance(SLOWED_FOR).await;
    }

    /// Refusals before `pace` closes, for sends of the ids `ids` gives, `step` apart.
    async fn refusals_until_closed(
        limiter: &MessageLimiter,
        pace: &mut Pace,
        ann: &UserId,
        step: Duration,
        ids: impl Fn(usize) -> ClientId,
    ) -> usize {
        for n in 0..1000 {
            match pace.admit(limiter, ann, false, Some(&ids(n))) {
                Admit::Refuse(wait) => assert!(wait >= Duration::from_secs(1), "{wait:?}"),
                Admit::Abuse => return n,
                other => panic!("after {n} refusals: {other:?}"),
            }
            tokio::time::advance(step).await;
        }
        panic!("never closed");
    }

    #[tokio::test(start_paused = true)]
    async fn new_sends_that_keep_coming_are_closed_after_20_counted_refusals() {
        let limiter = MessageLimiter::new(1, 1);
        let mut pace = Pace::default();
        let ann = user("u:1");
        past_the_slowed_stage(&limiter, &mut pace, &ann).await;
        // A pipelined backlog read at once: refused, not counted (the limiter's real
        // clock hardly moves, so the allowance stays spent).
        for n in 0..100 {
            let admitted = pace.admit(&limiter, &ann, false, Some(&id(1000 + n)));
            assert!(matches!(admitted, Admit::Refuse(_)), "pipelined send {n}");
        }
        // Then a new send every 20 ms: counted once HEARING_TIME has passed.
        let step = Duration::from_millis(20);
        let refused = refusals_until_closed(&limiter, &mut pace, &ann, step, id).await;
        let uncounted = (HEARING_TIME.as_millis() / step.as_millis()) as usize;
        assert!(
            (uncounted + 19..=uncounted + 21).contains(&refused),
            "20 counted: {refused}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_send_repeated_before_its_time_counts_at_once() {
        let limiter = MessageLimiter::new(1, 1);
        let mut pace = Pace::default();
        let ann = user("u:1");
        past_the_slowed_stage(&limiter, &mut pace, &ann).await;
        let step = Duration::from_millis(20);
        let refused = refusals_until_closed(&limiter, &mut pace, &ann, step, |_| id(7)).await;
        assert_eq!(refused, 21, "the first refusal, then 20 counted");
    }

    #[tokio::test(start_paused = true)]
    async fn a_client_that_waits_as_told_is_never_closed() {
        let limiter = MessageLimiter::new(1, 1);
        let mut pace = Pace::default();
        let ann = user("u:1");
        past_the_slowed_stage(&limiter, &mut pace, &ann).await;
        // A backlog of 50 at once, then each sent again when it was told, for a
        // while: never closed (the allowance stays spent, so all are refused).
        let mut due: Vec<(Instant, usize)> = Vec::new();
        for n in 0..50 {
            let Admit::Refuse(wait) = pace.admit(&limiter, &ann, false, Some(&id(n))) else {
                panic!("send {n} is refused");
            };
            due.push((Instant::now() + wait, n));
        }
        for _ in 0..500 {
            due.sort_unstable();
            let (at, n) = due.remove(0);
            tokio::time::advance(at.saturating_duration_since(Instant::now())).await;
            let Admit::Refuse(wait) = pace.admit(&limiter, &ann, false, Some(&id(n))) else {
                panic!("send {n} again is refused, not closed");
            };
            due.push((Instant::now() + wait, n));
        }
    }

    #[test]
    fn no_limit_when_turned_off() {
        let limiter = MessageLimiter::new(0, 0);
        let mut pace = Pace::default();
        for _ in 0..10_000 {
            assert_eq!(pace.admit(&limiter, &user("u:1"), false, None), Admit::Go);
        }
    }
}
