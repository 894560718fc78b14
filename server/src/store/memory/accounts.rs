//! The memory twin's accounts: accounts, sessions, tokens and their change feed,
//! kept in the store's one map.

use async_trait::async_trait;
use confab_shared::UserName;

use crate::accounts::{
    Account, AccountChange, AccountError, Accounts, Credentials, TokenInfo, name_key,
};

use super::super::{StoreError, now_rfc3339};
use super::MemoryStore;

#[async_trait]
impl Accounts for MemoryStore {
    async fn create_account(
        &self,
        username: &UserName,
        password_hash: &str,
        is_admin: bool,
    ) -> Result<Account, AccountError> {
        let mut state = self.lock();
        let key = name_key(username.as_str());
        if state.accounts.contains_key(&key) {
            return Err(AccountError::Taken);
        }
        // Never an id used before, even by a deleted account.
        state.last_account += 1;
        let account = Account {
            id: state.last_account,
            username: username.clone(),
            is_admin,
        };
        let credentials = Credentials {
            account: account.clone(),
            password_hash: password_hash.to_owned(),
            banned: false,
        };
        state.accounts.insert(key, credentials);
        state.record(account.id, &[], false);
        Ok(account)
    }

    async fn credentials(&self, username: &UserName) -> Result<Option<Credentials>, StoreError> {
        let state = self.lock();
        Ok(state
            .key_of(username)
            .and_then(|key| state.accounts.get(&key).cloned()))
    }

    async fn create_session(
        &self,
        account: i64,
        token_hash: &str,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        let mut state = self.lock();
        state
            .sessions
            .insert(token_hash.to_owned(), (account, expires_at));
        Ok(())
    }

    async fn session_account(
        &self,
        token_hash: &str,
        now: i64,
        extend_to: i64,
    ) -> Result<Option<Account>, StoreError> {
        let mut state = self.lock();
        let Some(session) = state.sessions.get_mut(token_hash) else {
            return Ok(None);
        };
        if session.1 <= now {
            return Ok(None);
        }
        session.1 = session.1.max(extend_to);
        let id = session.0;
        Ok(state
            .accounts
            .values()
            .find(|c| c.account.id == id && !c.banned)
            .map(|c| c.account.clone()))
    }

    async fn end_session(&self, token_hash: &str) -> Result<(), StoreError> {
        let mut state = self.lock();
        if let Some((owner, _)) = state.sessions.remove(token_hash) {
            state.record(owner, &[token_hash.to_owned()], false);
        }
        Ok(())
    }

    async fn create_token(
        &self,
        account: i64,
        name: &str,
        token_hash: &str,
    ) -> Result<TokenInfo, StoreError> {
        let mut state = self.lock();
        let id = state.tokens.iter().map(|t| t.2.id).max().unwrap_or(0) + 1;
        let info = TokenInfo {
            id,
            name: name.to_owned(),
            created_at: now_rfc3339(),
        };
        state
            .tokens
            .push((account, token_hash.to_owned(), info.clone()));
        state.record(account, &[], false);
        Ok(info)
    }

    async fn tokens(&self, account: i64) -> Result<Vec<TokenInfo>, StoreError> {
        Ok(self
            .lock()
            .tokens
            .iter()
            .filter(|t| t.0 == account)
            .map(|t| t.2.clone())
            .collect())
    }

    async fn delete_token(&self, account: i64, id: i64) -> Result<Option<String>, StoreError> {
        let mut state = self.lock();
        let at = state
            .tokens
            .iter()
            .position(|t| t.0 == account && t.2.id == id);
        let deleted = at.map(|at| state.tokens.remove(at).1);
        if let Some(hash) = &deleted {
            state.record(account, std::slice::from_ref(hash), false);
        }
        Ok(deleted)
    }

    async fn set_password(
        &self,
        account: i64,
        password_hash: &str,
        keep_session: Option<&str>,
    ) -> Result<Vec<String>, StoreError> {
        let mut state = self.lock();
        if let Some(c) = state
            .accounts
            .values_mut()
            .find(|c| c.account.id == account)
        {
            password_hash.clone_into(&mut c.password_hash);
        }
        let ended = state.end_sessions(account, keep_session);
        state.record(account, &ended, false);
        Ok(ended)
    }

    async fn set_banned(
        &self,
        username: &UserName,
        banned: bool,
    ) -> Result<Option<(Account, Vec<String>)>, StoreError> {
        let mut state = self.lock();
        let Some(found) = state
            .key_of(username)
            .and_then(|key| state.accounts.get_mut(&key))
        else {
            return Ok(None);
        };
        found.banned = banned;
        let account = found.account.clone();
        let mut ended = Vec::new();
        if banned {
            ended = state.end_sessions(account.id, None);
            ended.extend(
                state
                    .tokens
                    .iter()
                    .filter(|t| t.0 == account.id)
                    .map(|t| t.1.clone()),
            );
        }
        state.record(account.id, &ended, banned);
        Ok(Some((account, ended)))
    }

    async fn delete_account(&self, username: &UserName) -> Result<Option<Vec<String>>, StoreError> {
        let mut state = self.lock();
        let Some(mut gone) = state
            .key_of(username)
            .and_then(|key| state.accounts.remove(&key))
        else {
            return Ok(None);
        };
        let id = gone.account.id;
        let mut ended = state.end_sessions(id, None);
        ended.extend(
            state
                .tokens
                .iter()
                .filter(|t| t.0 == id)
                .map(|t| t.1.clone()),
        );
        state.tokens.retain(|t| t.0 != id);
        // Kept under another name, as SQLite keeps the row: the id stays taken.
        let tombstone = format!("deleted.{id}");
        gone.account.username =
            UserName::new(tombstone.clone()).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        gone.account.is_admin = false;
        "!".clone_into(&mut gone.password_hash);
        state.accounts.insert(name_key(&tombstone), gone);
        state.record(id, &ended, false);
        Ok(Some(ended))
    }

    async fn last_change(&self) -> Result<i64, StoreError> {
        Ok(self.lock().last_change)
    }

    /// Its caches are its state: nothing to read again.
    async fn changes_after(&self, seq: i64) -> Result<Vec<AccountChange>, StoreError> {
        Ok(self
            .lock()
            .changes
            .iter()
            .filter(|(c, _)| c.seq > seq)
            .map(|(c, _)| c.clone())
            .collect())
    }

    async fn prune_changes(&self, age_secs: i64) -> Result<(), StoreError> {
        let oldest = crate::identity::unix_now() - age_secs;
        self.lock().changes.retain(|(_, at)| *at >= oldest);
        Ok(())
    }

    async fn token_account(&self, token_hash: &str) -> Result<Option<Account>, StoreError> {
        let state = self.lock();
        let Some(owner) = state.tokens.iter().find(|t| t.1 == token_hash).map(|t| t.0) else {
            return Ok(None);
        };
        Ok(state
            .accounts
            .values()
            .find(|c| c.account.id == owner && !c.banned)
            .map(|c| c.account.clone()))
    }
}
