//! Search and reading forward in the in-memory twin: every live message of the rooms
//! asked for, checked with the one matching rule (`find_terms`), newest first; as the
//! SQLite store answers, without an index.

use confab_shared::{SearchHit, Seq, find_terms};

use super::{Entry, State};
use crate::store::{Found, Page, SearchQuery};

pub(super) fn search(state: &State, query: &SearchQuery) -> Found {
    let mut hits: Vec<SearchHit> = query
        .rooms
        .iter()
        .filter_map(|room| state.rooms.get(room))
        .flat_map(|log| {
            log.iter()
                .filter_map(Entry::live)
                .map(|m| super::threads::current(log, m))
        })
        .filter(|m| query.older_than.is_none_or(|older| m.id < older))
        .filter(|m| query.from.as_ref().is_none_or(|from| m.author == *from))
        .filter(|m| {
            query
                .after
                .as_deref()
                .is_none_or(|after| m.ts.as_str() >= after)
        })
        .filter(|m| {
            query
                .before
                .as_deref()
                .is_none_or(|before| m.ts.as_str() < before)
        })
        .filter_map(|m| {
            let matches = find_terms(m.body.as_str(), &query.terms)?;
            Some(SearchHit {
                message: m,
                matches,
            })
        })
        .collect();
    hits.sort_by_key(|hit| std::cmp::Reverse(hit.message.id));
    let limit = query.limit as usize;
    let next = (hits.len() > limit).then(|| hits[limit - 1].message.id);
    hits.truncate(limit);
    Found { hits, next }
}

/// Up to `limit` live messages of `log` after `after`, oldest first.
pub(super) fn newer(log: &[Entry], after: Seq, limit: u32) -> Page {
    let limit = limit as usize;
    let mut live = log
        .iter()
        .skip(usize::try_from(after).unwrap_or(usize::MAX))
        .filter_map(Entry::live)
        .filter(|m| super::threads::listed(m));
    let messages = live
        .by_ref()
        .take(limit)
        .map(|m| super::threads::current(log, m))
        .collect();
    Page {
        messages,
        has_more: live.next().is_some(),
    }
}
