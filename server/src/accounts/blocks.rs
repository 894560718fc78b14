//! Blocking: anyone can block another person. The page collapses the messages of
//! people its person blocked; an invite or a conversation from someone who was
//! blocked is refused as if the blocker did not exist, and in a conversation of the
//! two the blocked person's messages are refused. The stores keep every block in
//! their `Directory` too, so these checks never wait for the database.

use async_trait::async_trait;
use confab_shared::{UserId, UserName};

use crate::store::StoreError;

/// Someone blocked.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Blocked {
    pub user: UserName,
    pub user_id: UserId,
}

#[async_trait]
pub trait Blocks: Send + Sync + 'static {
    /// `user` blocks (`on`) or unblocks `other`; gives whether anything changed.
    async fn set_blocked(
        &self,
        user: &UserId,
        other: &Blocked,
        on: bool,
    ) -> Result<bool, StoreError>;

    /// Whom `user` blocked, by name.
    async fn blocked(&self, user: &UserId) -> Result<Vec<Blocked>, StoreError>;

    /// Whether `user` blocked `other`.
    async fn has_blocked(&self, user: &UserId, other: &UserId) -> Result<bool, StoreError>;
}
