//! What every request handler and connection shares: one cheap-to-clone handle (a
//! pointer: every idle connection holds one, so its size is paid ten thousand times).

use std::sync::Arc;

use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::hub::Hub;
use crate::limits::Guards;
use crate::metrics::Metrics;
use crate::origin::OriginPolicy;
use crate::people::People;
use crate::revocations::Revocations;
use crate::sequencer::Sequencer;
use crate::server::SessionPolicy;
use crate::settings::Settings;
use crate::store::Store;

#[derive(Clone)]
pub(crate) struct AppState(Arc<Shared>);

impl AppState {
    pub(crate) fn new(shared: Shared) -> Self {
        Self(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl Shared {
    /// Ends every socket signed in with `credential` (a session's or token's hash),
    /// here at once and on the other nodes through the broker (the account feed,
    /// read every half second, ends them there too, should the note be lost).
    pub(crate) fn end_credential(&self, credential: &str, why: crate::outbox::Revoked) -> usize {
        self.broker.note(&crate::nodes::Note::Ended {
            node: self.nodes.me().to_owned(),
            credential: credential.to_owned(),
            banned: why == crate::outbox::Revoked::Banned,
        });
        self.revocations.end(credential, why)
    }

    /// Tells every socket of `user` on every node, but `except` on this one (the
    /// connection that asked, which has its answer): this node's at once, the
    /// others' through the broker. Gives how many were told here.
    pub(crate) fn tell(
        &self,
        user: &confab_shared::UserId,
        except: Option<crate::hub::ConnId>,
        frame: &axum::extract::ws::Utf8Bytes,
    ) -> usize {
        if self.broker.clustered() {
            self.broker.note(&crate::nodes::Note::Tell {
                node: self.nodes.me().to_owned(),
                user: user.clone(),
                frame: frame.to_string(),
            });
        }
        self.people.tell_but(user, except, frame)
    }
}

/// The parts, behind the one pointer.
pub(crate) struct Shared {
    pub(crate) hub: Arc<Hub>,
    pub(crate) store: Arc<dyn Store>,
    pub(crate) sequencer: Sequencer,
    pub(crate) settings: Settings,
    /// The store's history id, announced in every `welcome`.
    pub(crate) epoch: Arc<str>,
    /// Which pages may open a socket.
    pub(crate) origins: Arc<OriginPolicy>,
    /// How long sessions last, and how their cookie is set.
    pub(crate) sessions: SessionPolicy,
    /// Whether people may join without an account (`--guests`).
    pub(crate) guests: bool,
    /// Rate limits and socket caps, and what they count.
    pub(crate) guards: Arc<Guards>,
    /// What this server counts, for `GET /metrics`.
    pub(crate) metrics: Arc<Metrics>,
    /// How this node's events reach other nodes (and whether it hears them).
    pub(crate) broker: Arc<dyn crate::broker::Broker>,
    /// This node among the others (its id, who is where on them).
    pub(crate) nodes: Arc<crate::nodes::Nodes>,
    /// Live connections by person.
    pub(crate) people: Arc<People>,
    /// Live signed-in connections, to end when their credential is revoked.
    pub(crate) revocations: Arc<Revocations>,
    /// Cancelled when the server starts shutting down; connections close with 1001.
    pub(crate) shutdown: CancellationToken,
    /// Every connection task, so shutdown can wait for them.
    pub(crate) connections: TaskTracker,
}
