//! The contract every [`Store`] keeps, as tests any implementation runs: SQLite's
//! (`sqlite/tests.rs`) and the in-memory twin's (`memory.rs`).

use std::sync::Arc;

use confab_shared::{ClientId, EventKind, MessageBody, RoomName, UserId, UserName};

use super::{Appended, NewMessage, Store, StoreError};
use crate::room_log::record;

mod conversations;
mod editing;
mod reactions;
mod reading;
mod threads;
pub(super) use conversations::conversations;
pub(super) use editing::editing;
pub(super) use reactions::reactions;
pub(super) use reading::reading;
pub(super) use threads::{thread_reads, threads};

pub(super) fn new_message(room: &str, author: &str, client_id: &str, body: &str) -> NewMessage {
    NewMessage {
        room: RoomName::new(room).unwrap(),
        author: UserName::new(author).unwrap(),
        author_id: UserId::guest(&UserName::new(author).unwrap()),
        client_id: ClientId::new(client_id).unwrap(),
        body: MessageBody::new(body).unwrap(),
        thread: None,
        in_room: false,
        refused: None,
    }
}

pub(super) fn seqs(out: &[Appended]) -> Vec<(bool, u64)> {
    out.iter()
        .map(|a| (matches!(a, Appended::New(_)), a.message().unwrap().seq))
        .collect()
}

/// Seqs are per room and gapless; a resend (same author and client id, in the same
/// batch or a later one) is the original, takes no seq, and is stored once; a closed
/// store refuses appends.
pub(super) async fn seqs_and_duplicates(store: &dyn Store) {
    let out = store
        .append(Arc::from([
            new_message("a", "ann", "1", "one"),
            new_message("b", "ann", "2", "two"),
            new_message("a", "bob", "1", "three"),
            new_message("a", "ann", "1", "one again, same id"),
        ]))
        .await
        .unwrap();
    assert_eq!(seqs(&out), [(true, 1), (true, 1), (true, 2), (false, 1)]);
    assert_eq!(out[3].message().unwrap().body.as_str(), "one");

    // A later batch: the duplicate is found in the database, seqs continue.
    let out = store
        .append(Arc::from([
            new_message("a", "bob", "1", "dup"),
            new_message("a", "bob", "2", "four"),
        ]))
        .await
        .unwrap();
    assert_eq!(seqs(&out), [(false, 2), (true, 3)]);
    assert_eq!(out[0].message().unwrap().body.as_str(), "three");
    // Ids are unique and grow (a store may skip some: PostgreSQL's identity does
    // for a resend); only seqs are gapless.
    let mut last_id = out[0].message().unwrap().id;
    let mut newer_id = |id: i64| {
        assert!(id > last_id, "id {id} after {last_id}");
        last_id = id;
    };
    newer_id(out[1].message().unwrap().id);

    // Rooms known from earlier batches; then a resend among new messages stores
    // nothing twice and takes no seq.
    let out = store
        .append(Arc::from([
            new_message("b", "cy", "1", "five"),
            new_message("a", "cy", "2", "six"),
        ]))
        .await
        .unwrap();
    assert_eq!(seqs(&out), [(true, 2), (true, 4)]);
    newer_id(out[0].message().unwrap().id);
    newer_id(out[1].message().unwrap().id);
    let six = out[1].message().unwrap().id;
    let out = store
        .append(Arc::from([
            new_message("a", "cy", "3", "seven"),
            new_message("a", "cy", "2", "six again"),
        ]))
        .await
        .unwrap();
    assert_eq!(seqs(&out), [(true, 5), (false, 4)]);
    newer_id(out[0].message().unwrap().id);
    assert_eq!(
        out[1].message().unwrap().id,
        six,
        "a resend is its original"
    );
    let history = store
        .history(&RoomName::new("a").unwrap(), None, 100)
        .await
        .unwrap();
    let bodies: Vec<&str> = history.messages.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(bodies, ["one", "three", "four", "six", "seven"]);

    // Closed: the writer has let go of the file, and says so to a late append.
    store.close().await;
    assert!(matches!(
        store
            .append(Arc::from([new_message("a", "dee", "1", "late")]))
            .await,
        Err(StoreError::Closed)
    ));
}

/// Replay of the events after a seq (none, and truncated, when there are more than
/// the limit), a snapshot of the newest messages, and history pages back to the first.
pub(super) async fn replay_and_history(store: &dyn Store) {
    let room = RoomName::new("r").unwrap();
    let batch: Vec<_> = (1..=30)
        .map(|i| new_message("r", "ann", &format!("c{i}"), &format!("m{i}")))
        .collect();
    store.append(batch.into()).await.unwrap();

    let all = store.replay(&room, 25, 10).await.unwrap();
    assert_eq!(all.last_seq, 30);
    assert!(!all.truncated);
    let got: Vec<u64> = all.events.iter().map(|e| e.seq).collect();
    assert_eq!(got, [26, 27, 28, 29, 30]);
    assert!(matches!(
        &all.events[0].kind,
        EventKind::Message(posted) if posted.body.as_str() == "m26"
    ));
    let exact = store.replay(&room, 20, 10).await.unwrap();
    assert!(!exact.truncated, "ten events after 20 fit in ten");
    assert_eq!(exact.events.len(), 10);

    let cut = store.replay(&room, 5, 10).await.unwrap();
    assert!(cut.truncated, "25 events after 5 do not fit in 10");
    assert!(cut.events.is_empty());
    assert_eq!(cut.last_seq, 30);

    let latest = store.snapshot(&room, 10).await.unwrap();
    assert_eq!(latest.last_seq, 30);
    assert!(latest.has_more);
    let got: Vec<u64> = latest.messages.iter().map(|m| m.seq).collect();
    assert_eq!(got, (21..=30).collect::<Vec<_>>());

    let page = store.history(&room, Some(21), 15).await.unwrap();
    assert!(page.has_more);
    assert_eq!(page.messages.first().unwrap().seq, 6);
    assert_eq!(page.messages.last().unwrap().seq, 20);
    let last = store.history(&room, Some(6), 15).await.unwrap();
    assert!(!last.has_more);
    assert_eq!(last.messages.len(), 5);

    let nobody = RoomName::new("nobody-here").unwrap();
    let empty = store.replay(&nobody, 0, 10).await.unwrap();
    assert_eq!((empty.last_seq, empty.events.len()), (0, 0));
    let empty = store.snapshot(&nobody, 10).await.unwrap();
    assert_eq!(
        (empty.last_seq, empty.messages.len(), empty.has_more),
        (0, 0, false)
    );
}

/// Accounts: a username is taken in any case; a session finds its account until it
/// expires, is extended as it is used, and ends on sign-out.
/// Names are unique as people see them (`accounts::name_key`), for accounts and for
/// the guest-name check, and signing in by a look-alike reaches the account.
pub(super) async fn look_alike_names(store: &dyn Store) {
    let accounts = store.accounts();
    let name = |n: &str| UserName::new(n).unwrap();
    for (first, look_alike) in [("émile", "ÉMILE"), ("zoe", "ｚｏｅ"), ("bo", "b\u{43e}")] {
        let made = accounts
            .create_account(&name(first), "$hash", false)
            .await
            .unwrap();
        let again = accounts
            .create_account(&name(look_alike), "$other", false)
            .await;
        assert!(
            matches!(again, Err(crate::accounts::AccountError::Taken)),
            "{look_alike} after {first}: {again:?}"
        );
        assert!(accounts.username_taken(&name(look_alike)).await.unwrap());
        let found = accounts.credentials(&name(look_alike)).await.unwrap();
        assert_eq!(found.map(|c| c.account.id), Some(made.id), "{look_alike}");
    }
    assert!(!accounts.username_taken(&name("emilie")).await.unwrap());
}

/// Every change to an account is in the feed, in order, with the credentials it
/// ended and whether by a ban.
pub(super) async fn account_feed(store: &dyn Store) {
    let accounts = store.accounts();
    let start = accounts.last_change().await.unwrap();
    let ann = UserName::new("ann").unwrap();
    let made = accounts.create_account(&ann, "$hash", false).await.unwrap();
    accounts
        .create_session(made.id, "s1", i64::MAX)
        .await
        .unwrap();
    accounts.create_token(made.id, "bot", "t1").await.unwrap();
    accounts.end_session("s1").await.unwrap();
    accounts
        .create_session(made.id, "s2", i64::MAX)
        .await
        .unwrap();
    accounts.set_banned(&ann, true).await.unwrap();
    let changes = accounts.changes_after(start).await.unwrap();
    let seen: Vec<(Option<&str>, bool)> = changes
        .iter()
        .map(|c| (c.ended.as_deref(), c.banned))
        .collect();
    let mut banned_ends: Vec<&str> = seen[3..].iter().filter_map(|(e, _)| *e).collect();
    banned_ends.sort_unstable();
    assert_eq!(
        seen[..3],
        [(None, false), (None, false), (Some("s1"), false)],
        "made, a token, signed out"
    );
    assert_eq!(
        banned_ends,
        ["s2", "t1"],
        "the ban ended the session and token"
    );
    assert!(seen[3..].iter().all(|(_, banned)| *banned));
    assert!(changes.iter().all(|c| c.account == made.id));
    assert!(changes.windows(2).all(|w| w[0].seq < w[1].seq), "in order");
    let last = changes.last().map(|c| c.seq).unwrap();
    assert_eq!(accounts.last_change().await.unwrap(), last);
    assert!(accounts.changes_after(last).await.unwrap().is_empty());
    // Pruning keeps what is recent.
    accounts.prune_changes(3600).await.unwrap();
    assert_eq!(
        accounts.changes_after(start).await.unwrap().len(),
        changes.len()
    );
}

pub(super) async fn accounts(store: &dyn Store) {
    let accounts = store.accounts();
    let ann = UserName::new("Ann").unwrap();
    let created = accounts.create_account(&ann, "$hash", false).await.unwrap();
    assert_eq!(created.username, ann);
    let again = accounts
        .create_account(&UserName::new("ann").unwrap(), "$other", false)
        .await;
    assert!(
        matches!(again, Err(crate::accounts::AccountError::Taken)),
        "{again:?}"
    );
    let found = accounts
        .credentials(&UserName::new("ANN").unwrap())
        .await
        .unwrap()
        .expect("found in any case");
    assert_eq!(
        (found.account.id, found.password_hash.as_str()),
        (created.id, "$hash")
    );
    assert!(
        !accounts
            .username_taken(&UserName::new("bob").unwrap())
            .await
            .unwrap()
    );
    assert!(
        accounts
            .username_taken(&UserName::new("aNn").unwrap())
            .await
            .unwrap()
    );

    accounts
        .create_session(created.id, "h1", 1_000)
        .await
        .unwrap();
    let live = accounts.session_account("h1", 500, 10_000).await.unwrap();
    assert_eq!(live.map(|a| a.id), Some(created.id));
    // Extended to 10,000 by that use: still live at 5,000.
    assert!(
        accounts
            .session_account("h1", 5_000, 5_000)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        accounts
            .session_account("h1", 20_000, 20_000)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        accounts
            .session_account("nope", 0, 0)
            .await
            .unwrap()
            .is_none()
    );
    accounts
        .create_session(created.id, "h2", 1_000)
        .await
        .unwrap();
    accounts.end_session("h2").await.unwrap();
    assert!(
        accounts
            .session_account("h2", 0, 0)
            .await
            .unwrap()
            .is_none()
    );
    // API tokens: listed for their owner only, found by hash, deleted by their owner.
    let bob = accounts
        .create_account(&UserName::new("bob").unwrap(), "$b", false)
        .await
        .unwrap();
    let token = accounts
        .create_token(created.id, "bot", "t1")
        .await
        .unwrap();
    accounts.create_token(bob.id, "bob's", "t2").await.unwrap();
    let listed: Vec<String> = accounts
        .tokens(created.id)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(listed, ["bot"]);
    let owner = accounts.token_account("t1").await.unwrap();
    assert_eq!(owner.map(|a| a.id), Some(created.id));
    let not_bobs = accounts.delete_token(bob.id, token.id).await.unwrap();
    assert_eq!(not_bobs, None, "bob cannot delete ann's token");
    let deleted = accounts.delete_token(created.id, token.id).await.unwrap();
    assert_eq!(deleted.as_deref(), Some("t1"));
    assert!(accounts.token_account("t1").await.unwrap().is_none());

    // A new password ends the other sessions, not the one that asked.
    for hash in ["s1", "s2", "s3"] {
        accounts.create_session(bob.id, hash, 10_000).await.unwrap();
    }
    let mut ended = accounts
        .set_password(bob.id, "$new", Some("s2"))
        .await
        .unwrap();
    ended.sort();
    assert_eq!(ended, ["s1", "s3"]);
    assert!(
        accounts
            .session_account("s2", 0, 0)
            .await
            .unwrap()
            .is_some()
    );
    let bobs = accounts.credentials(&bob.username).await.unwrap().unwrap();
    assert_eq!(bobs.password_hash, "$new");

    // A ban ends the sessions, and sessions and tokens stop finding the account until
    // it is lifted; signing in sees it.
    accounts.create_session(bob.id, "s4", 10_000).await.unwrap();
    accounts.create_token(bob.id, "bot2", "t4").await.unwrap();
    let (banned, mut ended) = accounts
        .set_banned(&bob.username, true)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(banned.id, bob.id);
    ended.sort();
    assert_eq!(ended, ["s2", "s4", "t2", "t4"]);
    assert!(
        accounts
            .session_account("s4", 0, 0)
            .await
            .unwrap()
            .is_none()
    );
    assert!(accounts.token_account("t4").await.unwrap().is_none());
    assert!(
        accounts
            .credentials(&bob.username)
            .await
            .unwrap()
            .unwrap()
            .banned
    );
    accounts
        .set_banned(&bob.username, false)
        .await
        .unwrap()
        .unwrap();
    assert!(
        accounts.token_account("t4").await.unwrap().is_some(),
        "tokens work again"
    );
    assert!(
        !accounts
            .credentials(&bob.username)
            .await
            .unwrap()
            .unwrap()
            .banned
    );
    assert!(
        accounts
            .set_banned(&UserName::new("nobody").unwrap(), true)
            .await
            .unwrap()
            .is_none()
    );
    accounts.create_session(bob.id, "s2", 10_000).await.unwrap();

    // Deleting frees the name, ends everything, and never reuses the id.
    accounts.create_token(bob.id, "bot", "t3").await.unwrap();
    let mut ended = accounts
        .delete_account(&UserName::new("BOB").unwrap())
        .await
        .unwrap()
        .unwrap();
    ended.sort();
    assert_eq!(ended, ["s2", "t2", "t3", "t4"]);
    assert!(accounts.token_account("t3").await.unwrap().is_none());
    assert!(!accounts.username_taken(&bob.username).await.unwrap());
    let new_bob = accounts
        .create_account(&bob.username, "$nb", false)
        .await
        .unwrap();
    assert_ne!(
        new_bob.id, bob.id,
        "a new account never gets a deleted one's id"
    );
    assert!(
        accounts
            .delete_account(&UserName::new("nobody").unwrap())
            .await
            .unwrap()
            .is_none()
    );
}

fn person(id: &str, name: &str) -> crate::rooms::Person {
    crate::rooms::Person {
        id: UserId::new(id).unwrap(),
        name: UserName::new(name).unwrap(),
    }
}

/// Rooms: `general` exists from the start; names are unique; members are remembered
/// with their roles, and each person's rooms listed.
pub(super) async fn rooms(store: &dyn Store) {
    use confab_shared::{Role, Topic};

    use crate::rooms::{Change, Room, RoomChange, RoomError, Standing};

    let rooms = store.rooms();
    let general = RoomName::new("general").unwrap();
    let (ann, bob) = (person("u:1", "ann"), person("u:2", "bob"));
    let found = rooms
        .directory()
        .access(&general, &ann.id)
        .expect("general exists");
    assert!(!found.room.private);
    assert_eq!(found.standing, Standing::default());
    let dev = Room::new(
        RoomName::new("dev").unwrap(),
        Topic::new("builds").unwrap(),
        true,
    );
    rooms.create_room(&dev, Some(&ann)).await.unwrap();
    assert!(matches!(
        rooms.create_room(&dev, Some(&bob)).await,
        Err(RoomError::Exists)
    ));
    let role_of = |room: &RoomName, who: &crate::rooms::Person| {
        rooms
            .directory()
            .access(room, &who.id)
            .and_then(|a| a.standing.role)
    };
    assert_eq!(role_of(&dev.name, &ann), Some(Role::Owner));
    assert_eq!(role_of(&dev.name, &bob), None);
    let join = |room: &RoomName| RoomChange {
        room: room.clone(),
        change: Change::Join {
            who: bob.clone(),
            role: Role::Member,
            by: Some(ann.clone()),
        },
    };
    assert_eq!(record(store, &join(&dev.name)).await.unwrap().len(), 1);
    assert!(
        record(store, &join(&dev.name)).await.unwrap().is_empty(),
        "once"
    );
    let nope = RoomName::new("nope").unwrap();
    assert!(record(store, &join(&nope)).await.unwrap().is_empty());
    assert_eq!(record(store, &join(&general)).await.unwrap().len(), 1);
    let bobs: Vec<(String, Option<Role>)> = rooms
        .directory()
        .rooms_of(&bob.id)
        .into_iter()
        .map(|r| (r.room.to_string(), r.role))
        .collect();
    assert_eq!(
        bobs,
        [
            ("dev".to_owned(), Some(Role::Member)),
            ("general".to_owned(), Some(Role::Member))
        ]
    );
    let names: Vec<String> = rooms
        .directory()
        .members(&dev.name)
        .into_iter()
        .map(|m| format!("{}:{}", m.user, m.role.as_str()))
        .collect();
    assert_eq!(names, ["ann:owner", "bob:member"]);
}

/// Membership, moderation and deletions are events of the room's log: they take
/// the room's next seqs between messages, are replayed, change the directory, and
/// make the audit log; a deleted message is never served again.
pub(super) async fn room_log(store: &dyn Store) {
    use confab_shared::{EventKind, Role, Topic};

    use crate::rooms::{Change, Room, RoomChange};

    let (ann, bob, cat) = (
        person("u:1", "ann"),
        person("u:2", "bob"),
        person("u:3", "cat"),
    );
    let room = Room::new(RoomName::new("mods").unwrap(), Topic::default(), false);
    store.rooms().create_room(&room, Some(&ann)).await.unwrap();
    let change = |change| RoomChange {
        room: room.name.clone(),
        change,
    };
    let joined = record(
        store,
        &change(Change::Join {
            who: bob.clone(),
            role: Role::Member,
            by: None,
        }),
    )
    .await
    .unwrap();
    assert_eq!(joined[0].seq, 1);
    let sent = |client: &str, author: &crate::rooms::Person, body: &str| NewMessage {
        room: room.name.clone(),
        author: author.name.clone(),
        author_id: author.id.clone(),
        client_id: ClientId::new(client).unwrap(),
        body: MessageBody::new(body).unwrap(),
        thread: None,
        in_room: false,
        refused: None,
    };
    let out = store
        .append(Arc::from([
            sent("1", &bob, "first"),
            sent("2", &bob, "second"),
        ]))
        .await
        .unwrap();
    assert_eq!(seqs(&out), [(true, 2), (true, 3)], "after the join's seq");
    let first = out[0].message().unwrap().id;
    // The store knows whose message it is (for authz); deleting it twice is nothing.
    let author = store.message_author(&room.name, first).await.unwrap();
    assert_eq!(author, Some(bob.id.clone()));
    let delete = |by: &crate::rooms::Person| {
        change(Change::Delete {
            id: first,
            by: by.clone(),
        })
    };
    let deleted = record(store, &delete(&bob)).await.unwrap();
    assert_eq!(deleted.len(), 1);
    assert_eq!(deleted[0].seq, 4);
    assert!(
        record(store, &delete(&ann)).await.unwrap().is_empty(),
        "once"
    );
    assert_eq!(store.message_author(&room.name, first).await.unwrap(), None);
    for (what, moderation) in [
        (
            "mute",
            Change::Mute {
                who: bob.clone(),
                by: ann.clone(),
            },
        ),
        (
            "promote",
            Change::SetRole {
                who: bob.clone(),
                role: Role::Moderator,
                by: ann.clone(),
            },
        ),
        (
            "ban",
            Change::Ban {
                who: cat.clone(),
                by: ann.clone(),
            },
        ),
    ] {
        assert_eq!(
            record(store, &change(moderation)).await.unwrap().len(),
            1,
            "{what}"
        );
    }
    let standing = |who: &crate::rooms::Person| {
        store
            .rooms()
            .directory()
            .access(&room.name, &who.id)
            .unwrap()
            .standing
    };
    assert!(standing(&bob).muted);
    assert_eq!(standing(&bob).role, Some(Role::Moderator));
    assert!(standing(&cat).banned);
    let out = store
        .append(Arc::from([sent("3", &ann, "third")]))
        .await
        .unwrap();
    assert_eq!(seqs(&out), [(true, 8)]);
    // A replay gives every seq in its current state: the deleted message as its
    // deletion, the rest as they were.
    let replay = store.replay(&room.name, 0, 100).await.unwrap();
    assert_eq!(replay.last_seq, 8);
    let kinds: Vec<(u64, &str)> = replay
        .events
        .iter()
        .map(|e| {
            let kind = match &e.kind {
                EventKind::Message(_) => "message",
                EventKind::MessageDeleted(_) => "message_deleted",
                EventKind::MemberJoined(_) => "member_joined",
                EventKind::MemberMuted(_) => "member_muted",
                EventKind::RoleChanged(_) => "role_changed",
                EventKind::MemberBanned(_) => "member_banned",
                _ => "other",
            };
            (e.seq, kind)
        })
        .collect();
    assert_eq!(
        kinds,
        [
            (1, "member_joined"),
            (2, "message_deleted"),
            (3, "message"),
            (4, "message_deleted"),
            (5, "member_muted"),
            (6, "role_changed"),
            (7, "member_banned"),
            (8, "message")
        ]
    );
    assert!(
        !format!("{:?}", replay.events).contains("first"),
        "a deleted message's text is never replayed"
    );
    let snapshot = store.snapshot(&room.name, 10).await.unwrap();
    assert_eq!(snapshot.last_seq, 8);
    let bodies: Vec<&str> = snapshot.messages.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(bodies, ["second", "third"]);
    let page = store.history(&room.name, Some(8), 10).await.unwrap();
    let bodies: Vec<&str> = page.messages.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(bodies, ["second"]);
    assert!(store.replay(&room.name, 0, 7).await.unwrap().truncated);
    // The audit log: every event but the messages, newest first, paged by seq.
    let audit: Vec<u64> = store
        .audit(&room.name, None, 100)
        .await
        .unwrap()
        .iter()
        .map(|e| e.seq)
        .collect();
    assert_eq!(audit, [7, 6, 5, 4, 1]);
    let older: Vec<u64> = store
        .audit(&room.name, Some(5), 1)
        .await
        .unwrap()
        .iter()
        .map(|e| e.seq)
        .collect();
    assert_eq!(older, [4]);
    // The banned stay out; the owner cannot be removed.
    let rejoin = change(Change::Join {
        who: cat.clone(),
        role: Role::Member,
        by: None,
    });
    assert!(record(store, &rejoin).await.unwrap().is_empty());
    let kick_owner = change(Change::Kick {
        who: ann.clone(),
        by: bob.clone(),
    });
    assert!(record(store, &kick_owner).await.unwrap().is_empty());
    let unban = change(Change::Unban {
        who: cat.clone(),
        by: ann.clone(),
    });
    assert_eq!(record(store, &unban).await.unwrap().len(), 1);
    assert_eq!(record(store, &rejoin).await.unwrap().len(), 1);
}

/// Blocking: per person, once, undone.
pub(super) async fn blocks(store: &dyn Store) {
    use crate::accounts::Blocked;

    let ann = UserId::new("u:1").unwrap();
    let bob = Blocked {
        user: UserName::new("bob").unwrap(),
        user_id: UserId::new("u:2").unwrap(),
    };
    let blocks = store.blocks();
    assert!(blocks.set_blocked(&ann, &bob, true).await.unwrap());
    assert!(!blocks.set_blocked(&ann, &bob, true).await.unwrap(), "once");
    assert_eq!(
        blocks.blocked(&ann).await.unwrap(),
        std::slice::from_ref(&bob)
    );
    assert!(blocks.has_blocked(&ann, &bob.user_id).await.unwrap());
    assert!(
        !blocks.has_blocked(&bob.user_id, &ann).await.unwrap(),
        "one way"
    );
    assert!(blocks.set_blocked(&ann, &bob, false).await.unwrap());
    assert!(blocks.blocked(&ann).await.unwrap().is_empty());
}
