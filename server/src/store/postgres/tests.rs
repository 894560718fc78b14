//! The PostgreSQL store against a real server (`confab-testkit`): the store contract
//! (`store/contract.rs`), and what only a database several nodes share has to keep.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use confab_shared::{
    ClientId, Deletion, Edit, EventKind, MemberChange, MessageBody, Notify, Role, RoomName, Topic,
    UserId, UserName,
};

use crate::accounts::{Blocked, Blocks};
use crate::rooms::{Person, Room, RoomError, Rooms};
use crate::store::contract::new_message;
use crate::store::{Appended, NewMessage, SearchQuery};

use super::PostgresStore;
use super::append::last_seq;

async fn fresh() -> (PostgresStore, String) {
    let url = confab_testkit::postgres().database();
    let store = PostgresStore::open(&url).await.expect("open the database");
    (store, url)
}

/// Three nodes (three stores on one database) append to the same rooms at once, in
/// batches that take the rooms in different orders, and resend some messages through
/// another node: every room's seqs are gapless and unique, each message is stored
/// once, and each answer (new or resend) names the one stored.
#[tokio::test]
async fn nodes_appending_at_once_keep_every_rooms_seqs_gapless() {
    let (first, url) = fresh().await;
    let mut nodes = vec![first];
    for _ in 0..2 {
        nodes.push(PostgresStore::open(&url).await.expect("another node"));
    }
    let rooms = ["x", "y", "z"];
    let mut tasks = Vec::new();
    for (n, node) in nodes.iter().enumerate() {
        let node = node.clone();
        tasks.push(tokio::spawn(async move {
            let mut answers = Vec::new();
            for b in 0..25 {
                let mut batch: Vec<NewMessage> = (0..6)
                    .map(|i| {
                        let room = rooms[(n + b + i) % 3];
                        new_message(room, "ann", &format!("n{n}b{b}i{i}"), "hello")
                    })
                    .collect();
                if n > 0 && b % 5 == 0 {
                    // A resend of what the previous node sent (maybe not yet stored).
                    let room = rooms[(n - 1 + b) % 3];
                    batch.push(new_message(
                        room,
                        "ann",
                        &format!("n{}b{b}i0", n - 1),
                        "again",
                    ));
                }
                if b % 2 == 1 {
                    batch.reverse();
                }
                let out = node
                    .append(Arc::from(batch))
                    .await
                    .expect("a batch is stored");
                answers.extend(out);
            }
            answers
        }));
    }
    let mut answers: Vec<Appended> = Vec::new();
    for task in tasks {
        answers.extend(task.await.expect("a node's task"));
    }
    let stored: Vec<(String, i64, String, i64)> = sqlx::query_as(
        "SELECT r.name, m.seq, m.client_id, m.id FROM messages m JOIN rooms r ON r.id = m.room_id",
    )
    .fetch_all(&nodes[0].pool)
    .await
    .unwrap();
    // 3 nodes x 25 batches x 6 messages, each stored once (the resends added none).
    assert_eq!(stored.len(), 3 * 25 * 6);
    let mut by_room: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    for (room, seq, _, _) in &stored {
        by_room.entry(room).or_default().push(*seq);
    }
    for (room, mut seqs) in by_room {
        seqs.sort_unstable();
        let expected: Vec<i64> = (1..=seqs.len() as i64).collect();
        assert_eq!(seqs, expected, "room {room}'s seqs are 1..=n");
        assert_eq!(
            last_seq(&nodes[0], room).await.unwrap(),
            expected.len() as i64
        );
    }
    let ids: BTreeSet<i64> = stored.iter().map(|s| s.3).collect();
    for answer in &answers {
        let m = answer.message().unwrap();
        assert!(ids.contains(&m.id), "{m:?} is stored");
        let row = stored.iter().find(|s| s.3 == m.id).expect("its row");
        assert_eq!(
            (row.1 as u64, row.2.as_str()),
            (m.seq, m.client_id.as_str())
        );
    }
    let fresh = answers
        .iter()
        .filter(|a| matches!(a, Appended::New(_)))
        .count();
    assert_eq!(fresh, stored.len(), "each stored message was new once");
}

fn person(name: &str) -> Person {
    Person {
        id: UserId::new(format!("u:{name}")).unwrap(),
        name: UserName::new(name).unwrap(),
    }
}

/// Rooms, members, conversations and blocks are kept, and a node that opens the
/// database later (or restarts) loads them all into its directory; two nodes
/// starting the same conversation at once make one.
#[tokio::test]
async fn rooms_and_blocks_are_kept_and_load_on_another_node() {
    let (store, url) = fresh().await;
    let (ann, bob, cy) = (person("ann"), person("bob"), person("cy"));
    let club = RoomName::new("club").unwrap();
    let topic = Topic::new("members only").unwrap();
    let room = Room::new(club.clone(), topic.clone(), true);
    store.create_room(&room, Some(&ann)).await.unwrap();
    assert!(matches!(
        store.create_room(&room, Some(&bob)).await,
        Err(RoomError::Exists)
    ));
    let joined = MemberChange {
        user: bob.name.clone(),
        user_id: bob.id.clone(),
        by: None,
        role: None,
        ts: String::new(),
    };
    // As the room log does: persisted, then folded into the directory.
    for event in store
        .persist(&club, vec![EventKind::MemberJoined(joined)])
        .await
        .unwrap()
    {
        store.directory().apply(&club, &event.kind);
    }
    assert!(
        store
            .set_notify(&club, &bob.id, Notify::Mentions)
            .await
            .unwrap()
    );
    store.keep_writer(&club, &bob.id).await.unwrap();
    let blocked = Blocked {
        user: cy.name.clone(),
        user_id: cy.id.clone(),
    };
    assert!(store.set_blocked(&ann.id, &blocked, true).await.unwrap());
    assert!(
        !store.set_blocked(&ann.id, &blocked, true).await.unwrap(),
        "already"
    );
    assert_eq!(
        store.blocked(&ann.id).await.unwrap(),
        std::slice::from_ref(&blocked)
    );

    // Two nodes start the same conversation at once: one conversation.
    let other = PostgresStore::open(&url).await.unwrap();
    let people = [ann.clone(), cy.clone()];
    let (dm_one, dm_two) = (
        RoomName::new("dm-one").unwrap(),
        RoomName::new("dm-two").unwrap(),
    );
    let (one, two) = tokio::join!(
        store.start_conversation(&dm_one, &people),
        other.start_conversation(&dm_two, &people),
    );
    let (one, two) = (one.unwrap(), two.unwrap());
    assert_eq!(one.0, two.0, "one conversation");
    assert!(one.1 != two.1, "made once: {one:?} {two:?}");

    // A node opening the database now loads it all.
    let later = PostgresStore::open(&url).await.unwrap();
    let directory = later.directory();
    let members: Vec<(String, Role)> = directory
        .members(&club)
        .into_iter()
        .map(|m| (m.user.to_string(), m.role))
        .collect();
    assert_eq!(members.len(), 2, "{members:?}");
    assert!(members.contains(&("ann".to_owned(), Role::Owner)));
    assert!(members.contains(&("bob".to_owned(), Role::Member)));
    assert_eq!(directory.topic(&club), Some(topic));
    assert!(directory.exists(&club));
    assert!(directory.has_written(&club, &bob.id));
    assert!(directory.has_blocked(&ann.id, &cy.id));
    assert_eq!(
        directory.conversation_of(&crate::rooms::people_key(&people)),
        Some(one.0.clone())
    );
}

/// The contract every store keeps (`store/contract.rs`), each part on a database of
/// its own.
#[tokio::test]
async fn keeps_the_store_contract() {
    use crate::store::contract;
    contract::seqs_and_duplicates(&fresh().await.0).await;
    contract::replay_and_history(&fresh().await.0).await;
    contract::accounts(&fresh().await.0).await;
    contract::look_alike_names(&fresh().await.0).await;
    contract::account_feed(&fresh().await.0).await;
    contract::rooms(&fresh().await.0).await;
    contract::room_log(&fresh().await.0).await;
    contract::blocks(&fresh().await.0).await;
    contract::conversations(&fresh().await.0).await;
    contract::reading(&fresh().await.0).await;
    contract::editing(&fresh().await.0).await;
    contract::reactions(&fresh().await.0).await;
    contract::threads(&fresh().await.0).await;
    contract::thread_reads(&fresh().await.0).await;
}

/// Search finds every term without case in any script, two-character Chinese words
/// too, newest first and paged; never a deleted message or an edited-away word, nor
/// one of a room not asked.
#[tokio::test]
async fn search_finds_terms_in_any_script_and_only_what_is_there_now() {
    let (store, _) = fresh().await;
    let out = store
        .append(Arc::from([
            new_message("r", "ann", "1", "Plans for the MEETING"),
            new_message("r", "bob", "2", "明天的会议在哪里"),
            new_message("r", "ann", "3", "the meeting moved"),
            new_message("s", "ann", "4", "a meeting elsewhere"),
            new_message("r", "cy", "5", "100% _sure_ about the meeting"),
        ]))
        .await
        .unwrap();
    let ids: Vec<i64> = out.iter().map(|a| a.message().unwrap().id).collect();
    let query = |terms: &[&str]| SearchQuery {
        rooms: vec![RoomName::new("r").unwrap()],
        terms: terms.iter().map(|t| t.to_string()).collect(),
        limit: 10,
        ..SearchQuery::default()
    };
    let found = |f: crate::store::Found| f.hits.iter().map(|h| h.message.id).collect::<Vec<_>>();

    assert_eq!(
        found(store.search(&query(&["meeting"])).await.unwrap()),
        [ids[4], ids[2], ids[0]]
    );
    let hit = store.search(&query(&["plans", "meeting"])).await.unwrap();
    assert_eq!(found(hit.clone()), [ids[0]]);
    assert_eq!(hit.hits[0].matches, [[0, 5], [14, 21]]);
    assert_eq!(
        found(store.search(&query(&["会议"])).await.unwrap()),
        [ids[1]]
    );
    assert_eq!(
        found(store.search(&query(&["100%"])).await.unwrap()),
        [ids[4]]
    );
    assert!(store.search(&query(&["_x"])).await.unwrap().hits.is_empty());
    let page = store
        .search(&SearchQuery {
            limit: 2,
            ..query(&["meeting"])
        })
        .await
        .unwrap();
    assert_eq!(
        (found(page.clone()), page.next),
        (vec![ids[4], ids[2]], Some(ids[2]))
    );
    let rest = store
        .search(&SearchQuery {
            older_than: page.next,
            ..query(&["meeting"])
        })
        .await
        .unwrap();
    assert_eq!(found(rest), [ids[0]]);

    let room = RoomName::new("r").unwrap();
    store
        .persist(
            &room,
            vec![
                EventKind::MessageEdited(Edit {
                    id: ids[2],
                    body: MessageBody::new("it moved").unwrap(),
                    edited_at: "2026-12-04T12:00:00.000Z".into(),
                    client_id: ClientId::new("e1").unwrap(),
                }),
                EventKind::MessageDeleted(Deletion {
                    id: ids[4],
                    by: UserName::new("cy").unwrap(),
                    ts: String::new(),
                    thread: None,
                    tombstone: None,
                }),
            ],
        )
        .await
        .unwrap();
    assert_eq!(
        found(store.search(&query(&["meeting"])).await.unwrap()),
        [ids[0]]
    );
    assert_eq!(
        found(store.search(&query(&["moved"])).await.unwrap()),
        [ids[2]]
    );
}

/// Account changes made on two nodes at once reach a third node's feed reader
/// whole: every entry, in seq order, none skipped (an entry of a later seq never
/// commits before one of an earlier seq), and the reader's caches follow.
#[tokio::test]
async fn a_node_following_the_account_feed_misses_no_change_made_on_others() {
    use crate::accounts::Accounts;
    let (a, url) = fresh().await;
    let b = PostgresStore::open(&url).await.unwrap();
    let reader = PostgresStore::open(&url).await.unwrap();
    let start = reader.last_change().await.unwrap();
    let makers: Vec<_> = [a.clone(), b.clone()]
        .into_iter()
        .enumerate()
        .map(|(n, node)| {
            tokio::spawn(async move {
                for i in 0..25 {
                    let name = UserName::new(format!("p{n}x{i}")).unwrap();
                    node.create_account(&name, "$hash", false).await.unwrap();
                }
            })
        })
        .collect();
    let mut seen = Vec::new();
    let mut last = start;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    while seen.len() < 50 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "saw {} of 50",
            seen.len()
        );
        for change in reader.changes_after(last).await.unwrap() {
            last = change.seq;
            seen.push(change.seq);
        }
        tokio::task::yield_now().await;
    }
    for maker in makers {
        maker.await.unwrap();
    }
    let all: Vec<i64> =
        sqlx::query_scalar("SELECT seq FROM account_changes WHERE seq > $1 ORDER BY seq")
            .bind(start)
            .fetch_all(&reader.pool)
            .await
            .unwrap();
    assert_eq!(seen, all, "every entry, once, in order");
    let taken = reader
        .username_taken(&UserName::new("p1x24").unwrap())
        .await
        .unwrap();
    assert!(taken, "the reader's names follow the feed");
}

/// An entry of the account feed being appended holds back the next one, on any
/// node, until it commits: so entries commit in seq order, and a reader that saw a
/// seq never finds an earlier one after it.
#[tokio::test]
async fn feed_entries_commit_in_seq_order() {
    use crate::accounts::Accounts;
    let (a, url) = fresh().await;
    let b = PostgresStore::open(&url).await.unwrap();
    let mut open = a.pool.begin().await.unwrap();
    super::account_feed::record(&mut open, 1, &[], false)
        .await
        .unwrap();
    let other = tokio::spawn(async move {
        b.create_account(&UserName::new("later").unwrap(), "$hash", false)
            .await
            .unwrap()
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(
        !other.is_finished(),
        "the next entry waits for the open one"
    );
    let before = a.changes_after(0).await.unwrap();
    assert!(before.is_empty(), "nothing committed yet: {before:?}");
    open.commit().await.unwrap();
    other.await.unwrap();
    let seqs: Vec<i64> = a
        .changes_after(0)
        .await
        .unwrap()
        .iter()
        .map(|c| c.seq)
        .collect();
    assert_eq!(seqs.len(), 2);
    assert!(seqs[0] < seqs[1]);
}

/// A send stored by another node while a batch holding the same send is being
/// stored (a client that resent through two nodes at once) leaves no hole in the
/// seqs: the batch is stored again one message at a time, and the send is the other
/// node's original.
#[tokio::test]
async fn a_send_stored_elsewhere_meanwhile_leaves_no_hole_in_the_seqs() {
    let (store, url) = fresh().await;
    let other = PostgresStore::open(&url).await.unwrap();
    store
        .append(Arc::from([new_message("elsewhere", "ann", "warm", "x")]))
        .await
        .unwrap();
    // The other node's insert of the same send, not yet committed.
    let mut open = other.pool.begin().await.unwrap();
    sqlx::query(
        "INSERT INTO messages (room_id, seq, author_id, author, client_id, body, ts)
         SELECT id, 2, 'guest:ann', 'ann', 'k1', 'first', 'now' FROM rooms
         WHERE name = 'elsewhere'",
    )
    .execute(&mut *open)
    .await
    .unwrap();
    let batch = Arc::from([
        new_message("r", "ann", "k1", "the same send, again"),
        new_message("r", "bob", "k2", "another"),
    ]);
    let appending = tokio::spawn(async move { store.append(batch).await });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    open.commit().await.unwrap();
    let out = appending.await.unwrap().unwrap();
    assert!(matches!(&out[0], Appended::Duplicate(m) if m.body.as_str() == "first"));
    assert!(matches!(&out[1], Appended::New(m) if m.seq == 1), "{out:?}");
}

/// A mute recorded on one node refuses the author's next message on another that
/// has not heard of it yet (its directory still lets them post), while a resend of
/// what they sent before the mute is acknowledged again; a removal from a private
/// room refuses the same way. No message is stored after the event that muted or
/// removed its author.
#[tokio::test]
async fn a_change_made_elsewhere_refuses_a_send_that_came_after_it() {
    let (store, url) = fresh().await;
    let other = PostgresStore::open(&url).await.unwrap();
    let room = RoomName::new("r").unwrap();
    let bob = UserId::new("guest:bob").unwrap();
    let before = store
        .append(Arc::from([new_message("r", "bob", "b1", "before")]))
        .await
        .unwrap();
    assert!(matches!(&before[0], Appended::New(_)));
    let muted = MemberChange {
        user: UserName::new("bob").unwrap(),
        user_id: bob.clone(),
        by: None,
        role: None,
        ts: String::new(),
    };
    other
        .persist(&room, vec![EventKind::MemberMuted(muted)])
        .await
        .unwrap();
    // `store`, another node, has not folded the mute into its directory.
    let out = store
        .append(Arc::from([
            new_message("r", "bob", "b1", "before"),
            new_message("r", "bob", "b2", "after the mute"),
            new_message("r", "ann", "a1", "someone else"),
        ]))
        .await
        .unwrap();
    assert!(
        matches!(&out[0], Appended::Duplicate(m) if m.seq == 1),
        "{out:?}"
    );
    assert!(matches!(
        out[1],
        Appended::Refused(crate::rooms::PostDenied::Muted)
    ));
    // The mute took seq 2: ann's message is 3, with no hole where bob's would be.
    assert!(matches!(&out[2], Appended::New(m) if m.seq == 3), "{out:?}");

    // A private room: cy is no member there, on any node.
    let (ann, cy) = (person("ann"), person("cy"));
    let club = RoomName::new("club").unwrap();
    let made = Room::new(club.clone(), Topic::default(), true);
    other.create_room(&made, Some(&ann)).await.unwrap();
    let mut stray = new_message("club", "cy", "c1", "let me in");
    stray.author_id = cy.id.clone();
    let out = store.append(Arc::from([stray])).await.unwrap();
    assert!(matches!(
        out[0],
        Appended::Refused(crate::rooms::PostDenied::NotFound)
    ));
}

/// A block made on one node reaches another's directory through the account feed
/// (presence, typing and conversations there ask it), and so does its undoing.
#[tokio::test]
async fn blocks_made_on_one_node_reach_the_others() {
    use crate::accounts::Accounts;
    let (store, url) = fresh().await;
    let other = PostgresStore::open(&url).await.unwrap();
    // Accounts' ids, as members have them (`u:N`).
    let member = |id: &str, name: &str| Person {
        id: UserId::new(id).unwrap(),
        name: UserName::new(name).unwrap(),
    };
    let (ann, cy) = (member("u:1", "ann"), member("u:3", "cy"));
    let mut seen = Accounts::last_change(&other).await.unwrap();
    let blocked = Blocked {
        user: cy.name.clone(),
        user_id: cy.id.clone(),
    };
    for on in [true, false] {
        assert!(store.set_blocked(&ann.id, &blocked, on).await.unwrap());
        assert_eq!(store.directory().has_blocked(&ann.id, &cy.id), on);
        let changes = Accounts::changes_after(&other, seen).await.unwrap();
        seen = changes.last().map_or(seen, |c| c.seq);
        assert_eq!(
            other.directory().has_blocked(&ann.id, &cy.id),
            on,
            "the other node, after reading the feed"
        );
    }
}

/// A node of the release before opens a database a newer node has migrated further
/// (a cluster upgraded node by node): migrations only add, so it runs on it.
#[tokio::test]
async fn an_older_node_opens_a_database_a_newer_one_migrated() {
    let (store, url) = fresh().await;
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
         VALUES (99990101000000, 'a newer release adds a table', TRUE, '\\x00', 0)",
    )
    .execute(&store.pool)
    .await
    .unwrap();
    sqlx::query("CREATE TABLE from_a_newer_release (id BIGINT)")
        .execute(&store.pool)
        .await
        .unwrap();
    let older = PostgresStore::open(&url).await;
    assert!(older.is_ok(), "{:?}", older.err());
}

/// Reading a room again replaces what a node had of it: a removal it missed (made
/// on another node) is gone from its directory too.
#[tokio::test]
async fn reading_a_room_again_forgets_what_changed_elsewhere() {
    let (store, url) = fresh().await;
    let other = PostgresStore::open(&url).await.unwrap();
    let (ann, bob) = (person("ann"), person("bob"));
    let club = RoomName::new("club").unwrap();
    store
        .create_room(&Room::new(club.clone(), Topic::default(), true), Some(&ann))
        .await
        .unwrap();
    let change = |who: &Person| MemberChange {
        user: who.name.clone(),
        user_id: who.id.clone(),
        by: None,
        role: None,
        ts: String::new(),
    };
    for event in store
        .persist(&club, vec![EventKind::MemberJoined(change(&bob))])
        .await
        .unwrap()
    {
        store.directory().apply(&club, &event.kind);
    }
    assert!(other.load_room(&club).await.unwrap());
    let member = |s: &PostgresStore| {
        s.directory()
            .access(&club, &bob.id)
            .is_some_and(|a| a.standing.role.is_some())
    };
    assert!(member(&store) && member(&other));
    // Kicked on the first node; the other did not hear of it.
    store
        .persist(&club, vec![EventKind::MemberKicked(change(&bob))])
        .await
        .unwrap();
    assert!(member(&other), "not heard of yet");
    assert!(other.load_room(&club).await.unwrap());
    assert!(!member(&other), "read again: bob is out");
    assert!(other.directory().rooms_of(&bob.id).is_empty());
}
