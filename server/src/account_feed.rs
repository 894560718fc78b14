//! Following the account change feed (see [`crate::accounts::AccountChange`]): every half
//! second, this server reads what changed since it last looked, whoever changed it
//! (this process, the operator's CLI on the same database, another node). The store
//! refreshes what it keeps in memory of those accounts (names, tokens) as it reads;
//! here, the sockets of every credential that ended are closed, as the API's own sign
//! out, ban and delete close them. Ending a credential twice (its sockets are already
//! gone when this server made the change itself) does nothing.

use std::time::Duration;

use tokio::time::MissedTickBehavior;

use crate::outbox::Revoked;
use crate::state::AppState;

/// How often the feed is read: a change reaches every server within about this.
const EVERY: Duration = Duration::from_millis(500);
/// Entries older than this are pruned (every server read them long ago).
const KEEP_SECS: i64 = 24 * 3600;
/// Pruning every this many reads (about an hour).
const PRUNE_EVERY: u32 = 7200;

/// Follows the feed from its newest entry at `start` until shutdown.
pub(crate) async fn follow(state: AppState, start: i64) {
    let mut seen = start;
    let mut ticks = tokio::time::interval(EVERY);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut reads = 0_u32;
    loop {
        tokio::select! {
            () = state.shutdown.cancelled() => return,
            _ = ticks.tick() => {}
        }
        seen = read_new(&state, seen).await;
        reads = reads.wrapping_add(1);
        if reads.is_multiple_of(PRUNE_EVERY)
            && let Err(error) = state.store.accounts().prune_changes(KEEP_SECS).await
        {
            tracing::warn!(%error, "could not prune the account change feed");
        }
    }
}

/// Acts on every entry after `seen`; gives the newest seq acted on.
async fn read_new(state: &AppState, mut seen: i64) -> i64 {
    loop {
        let changes = match state.store.accounts().changes_after(seen).await {
            Ok(changes) => changes,
            Err(error) => {
                tracing::warn!(%error, "could not read the account change feed; trying again");
                return seen;
            }
        };
        let Some(last) = changes.last() else {
            return seen;
        };
        seen = last.seq;
        for change in changes {
            let Some(credential) = change.ended else {
                continue;
            };
            let why = if change.banned {
                Revoked::Banned
            } else {
                Revoked::SignedOut
            };
            let ended = state.revocations.end(&credential, why);
            if ended > 0 {
                tracing::info!(
                    account = change.account,
                    sockets = ended,
                    "credential ended"
                );
            }
        }
    }
}
