//! The contract for conversations and blocks, which every store keeps.

use confab_shared::{RoomKind, RoomName};

use crate::accounts::Blocked;
use crate::rooms::PostDenied;
use crate::store::Store;

use super::person;

/// One conversation per set of people, whatever the order they are named in and
/// whatever name a later start proposes; listed for each of them as a conversation
/// with its people; a two-person conversation is closed to someone the other blocked.
pub(in crate::store) async fn conversations(store: &dyn Store) {
    let (ann, bob, cy) = (
        person("u:1", "ann"),
        person("u:2", "bob"),
        person("u:3", "cy"),
    );
    let first = RoomName::new("dm-aaaaaaaaaaaaaaaaaaaaaaaaaa").unwrap();
    let second = RoomName::new("dm-bbbbbbbbbbbbbbbbbbbbbbbbbb").unwrap();
    let rooms = store.rooms();
    let started = rooms
        .start_conversation(&first, &[ann.clone(), bob.clone()])
        .await
        .unwrap();
    assert_eq!(started, (first.clone(), true));
    let again = rooms
        .start_conversation(&second, &[bob.clone(), ann.clone()])
        .await
        .unwrap();
    assert_eq!(again, (first.clone(), false), "the one they have");
    let group = rooms
        .start_conversation(&second, &[ann.clone(), bob.clone(), cy.clone()])
        .await
        .unwrap();
    assert_eq!(group, (second.clone(), true), "other people, another one");

    let directory = rooms.directory();
    let listed = directory.rooms_of(&cy.id);
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].room, second);
    assert_eq!(listed[0].kind, RoomKind::Conversation);
    let names: Vec<&str> = listed[0].members.iter().map(|p| p.user.as_str()).collect();
    assert_eq!(names, ["ann", "bob", "cy"]);
    assert!(
        directory
            .access(&first, &cy.id)
            .unwrap()
            .standing
            .role
            .is_none()
    );

    let blocked = Blocked {
        user: ann.name.clone(),
        user_id: ann.id.clone(),
    };
    assert!(
        store
            .blocks()
            .set_blocked(&bob.id, &blocked, true)
            .await
            .unwrap()
    );
    assert!(store.blocks().has_blocked(&bob.id, &ann.id).await.unwrap());
    assert_eq!(
        directory.may_post(&first, &ann.id),
        Err(PostDenied::Blocked)
    );
    assert_eq!(
        directory.may_post(&first, &bob.id),
        Ok(()),
        "the blocker may"
    );
    assert_eq!(
        directory.may_post(&second, &ann.id),
        Ok(()),
        "a group is open"
    );
    assert!(
        store
            .blocks()
            .set_blocked(&bob.id, &blocked, false)
            .await
            .unwrap()
    );
    assert_eq!(directory.may_post(&first, &ann.id), Ok(()));
}
