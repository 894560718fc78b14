//! What every request handler and connection shares: one cheap-to-clone handle.

use std::sync::Arc;

use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::hub::Hub;
use crate::sequencer::Sequencer;
use crate::settings::Settings;
use crate::store::Store;

#[derive(Clone)]
pub struct AppState {
    pub hub: Arc<Hub>,
    pub store: Arc<dyn Store>,
    pub sequencer: Sequencer,
    pub settings: Settings,
    /// The store's history id, announced in every `welcome`.
    pub epoch: Arc<str>,
    /// Cancelled when the server starts shutting down; connections close with 1001.
    pub shutdown: CancellationToken,
    /// Every connection task, so shutdown can wait for them.
    pub connections: TaskTracker,
}
