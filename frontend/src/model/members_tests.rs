//! The members list a page at a time: the first page, "Show more" after the last
//! name, a search starting the list again.

use confab_shared::{ClientMsg, MemberInfo, Role, ServerMsg, UserId};

use super::members::PAGE;
use super::tests::{chat, room, user};

fn member(name: &str) -> MemberInfo {
    MemberInfo {
        user: user(name),
        user_id: UserId::guest(&user(name)),
        role: Role::Member,
        muted: false,
    }
}

fn page(names: &[&str], has_more: bool) -> ServerMsg {
    ServerMsg::Members {
        room: room("general"),
        members: names.iter().map(|n| member(n)).collect(),
        has_more,
        request_id: None,
    }
}

fn shown(c: &super::Chat) -> Vec<String> {
    c.current_room()
        .and_then(|r| r.members.as_ref())
        .map(|m| m.iter().map(|m| m.user.to_string()).collect())
        .unwrap_or_default()
}

#[test]
fn members_come_a_page_at_a_time() {
    let mut c = chat();
    assert_eq!(
        c.ask_members(),
        ClientMsg::Members {
            room: room("general"),
            limit: Some(PAGE),
            after: None,
            query: String::new(),
            request_id: None,
        }
    );
    c.apply(page(&["ann", "bob"], true));
    assert!(c.members_has_more());
    assert_eq!(
        c.more_members(),
        Some(ClientMsg::Members {
            room: room("general"),
            limit: Some(PAGE),
            after: Some(user("bob")),
            query: String::new(),
            request_id: None,
        })
    );
    c.apply(page(&["cat", "dan"], false));
    assert_eq!(shown(&c), ["ann", "bob", "cat", "dan"]);
    assert!(!c.members_has_more());
    assert_eq!(c.more_members(), None, "nothing more");
}

#[test]
fn a_search_starts_the_list_again_and_pages_within_it() {
    let mut c = chat();
    c.ask_members();
    c.apply(page(&["ann", "bob"], true));
    assert_eq!(
        c.search_members(" b "),
        ClientMsg::Members {
            room: room("general"),
            limit: Some(PAGE),
            after: None,
            query: "b".to_owned(),
            request_id: None,
        }
    );
    c.apply(page(&["bea", "bob"], true));
    assert_eq!(shown(&c), ["bea", "bob"]);
    assert_eq!(
        c.more_members(),
        Some(ClientMsg::Members {
            room: room("general"),
            limit: Some(PAGE),
            after: Some(user("bob")),
            query: "b".to_owned(),
            request_id: None,
        })
    );
    // Opening the list again keeps the search.
    assert!(matches!(c.ask_members(), ClientMsg::Members { query, .. } if query == "b"));
}
