//! `start_conversation`: a private conversation with these accounts, or the one they
//! already have (`Rooms::start_conversation` keeps it to one, also when both sides
//! start it at once). Its name is `dm-` and 26 random base32 characters, so nobody
//! outside can guess it; every socket of each of its people hears of a new one. A
//! name nobody has, and someone who blocked the starter, get the same answer.
//! Counted against the message rate, as making a room is.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use confab_shared::protocol::{
    CONVERSATION_ID_CHARS, CONVERSATION_MAX_PEOPLE, CONVERSATION_PREFIX,
};
use confab_shared::{ErrorCode, RoomName, ServerMsg, UserName};

use super::{Reply, Session};
use crate::identity::Kind;
use crate::rooms::Person;
use crate::wire;

pub(super) async fn run(mut session: Session<'_>, with: Vec<UserName>) -> Reply {
    if session.identity.kind == Kind::Guest {
        let text = "guests have no private conversations: sign in";
        return Reply::refusal(ErrorCode::Forbidden, text, None);
    }
    if let Some(not_now) = super::paced(&mut session, None) {
        return not_now;
    }
    let state = session.state;
    let identity = session.identity;
    let failed = |error: &dyn std::fmt::Display| {
        tracing::error!(%error, "starting a conversation failed");
        Reply::refusal(
            ErrorCode::Internal,
            "could not start the conversation; try again",
            None,
        )
    };
    let mut people = vec![identity.person()];
    for name in with {
        let no_account = || {
            let text = format!("no account has the name {name}");
            Reply::refusal(ErrorCode::NotFound, &text, None)
        };
        let account = match state.store.accounts().credentials(&name).await {
            Ok(Some(credentials)) if !credentials.banned => credentials.account,
            Ok(_) => return no_account(),
            Err(error) => return failed(&error),
        };
        let id = account.user_id();
        if state
            .store
            .rooms()
            .directory()
            .has_blocked(&id, &identity.user)
        {
            return no_account();
        }
        if !people.iter().any(|p| p.id == id) {
            people.push(Person {
                id,
                name: account.username,
            });
        }
    }
    if people.len() < 2 {
        let text = "name at least one other person";
        return Reply::refusal(ErrorCode::BadRequest, text, None);
    }
    if people.len() > CONVERSATION_MAX_PEOPLE {
        let text = format!("a conversation holds at most {CONVERSATION_MAX_PEOPLE} people");
        return Reply::refusal(ErrorCode::BadRequest, &text, None);
    }
    let Some(name) = fresh_name() else {
        return failed(&"a conversation's name did not make a room name");
    };
    let rooms = state.store.rooms();
    let (room, new) = match rooms.start_conversation(&name, &people).await {
        Ok(started) => started,
        Err(error) => return failed(&error),
    };
    let Some(info) = rooms.directory().info(&room, &identity.user) else {
        return failed(&"the conversation is not in the directory");
    };
    if new {
        tracing::info!(%room, by = %identity.name, people = people.len(), "conversation started");
        let news = wire::encode(&ServerMsg::Room(info.clone()));
        for person in &people {
            let _told = state.tell(&person.id, Some(session.conn), &news);
        }
    }
    Reply::frame(&ServerMsg::Room(info))
}

/// `dm-` and [`CONVERSATION_ID_CHARS`] characters of RFC 4648's base32 alphabet (in
/// lower case), each from 5 random bits: 130 bits nobody can guess.
fn fresh_name() -> Option<RoomName> {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut bytes = [0u8; CONVERSATION_ID_CHARS];
    OsRng.fill_bytes(&mut bytes);
    let id: String = bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(b & 31)]))
        .collect();
    RoomName::new(format!("{CONVERSATION_PREFIX}{id}")).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_prefix_and_26_base32_characters_each_time_new() {
        let a = fresh_name().unwrap();
        let b = fresh_name().unwrap();
        assert_ne!(a, b);
        let id = a.as_str().strip_prefix("dm-").unwrap();
        assert_eq!(id.len(), 26);
        assert!(
            id.bytes()
                .all(|c| c.is_ascii_lowercase() || (b'2'..=b'7').contains(&c))
        );
        assert!(a.is_conversation());
    }
}
