//! Mentions: `@name` picked out of a message (the reader's own apart), and
//! completing one in the message box.

use confab_shared::{MemberInfo, Role, ServerMsg, UserId};

use super::mentions::{Piece, complete, pieces, typing_mention};
use super::tests::{chat, message, room, user};

fn text(s: &str) -> Piece {
    Piece::Text(s.to_owned())
}

fn at(s: &str, me: bool) -> Piece {
    Piece::Mention(s.to_owned(), me)
}

#[test]
fn mentions_are_picked_out_and_mine_apart() {
    let me = user("ann");
    assert_eq!(
        pieces("hi @Ann and @bob.", &me),
        [
            text("hi "),
            at("@Ann", true),
            text(" and "),
            at("@bob", false),
            text(".")
        ]
    );
    assert_eq!(pieces("mail@ann.example", &me), [text("mail@ann.example")]);
    assert_eq!(pieces("@ @", &me), [text("@ @")]);
    assert_eq!(pieces("@anna", &me), [at("@anna", false)]);
    assert_eq!(
        pieces("(@ann)", &me),
        [text("("), at("@ann", true), text(")")]
    );
    assert_eq!(pieces("plain", &me), [text("plain")]);
    assert_eq!(pieces("é @j.doe", &me), [text("é "), at("@j.doe", false)]);
}

#[test]
fn a_mention_is_completed_where_it_is_typed() {
    assert_eq!(typing_mention("hi @bo", 6), Some((3, "bo")));
    assert_eq!(typing_mention("hi @", 4), Some((3, "")));
    assert_eq!(typing_mention("mail@bo", 7), None, "an address");
    assert_eq!(typing_mention("@bob hi", 7), None, "after a space");
    assert_eq!(
        complete("hi @bo, see", 6, &user("bob")),
        Some(("hi @bob , see".to_owned(), 8))
    );
    assert_eq!(
        complete("@", 1, &user("cat")),
        Some(("@cat ".to_owned(), 5))
    );
}

#[test]
fn names_offered_are_the_rooms_people_but_me() {
    let mut c = chat();
    c.apply(message("general", 1, "bob", "b1"));
    c.apply(message("general", 2, "me", "m1"));
    c.apply(ServerMsg::Members {
        room: room("general"),
        members: ["bea", "cat", "me"]
            .iter()
            .map(|n| MemberInfo {
                user: user(n),
                user_id: UserId::guest(&user(n)),
                role: Role::Member,
                muted: false,
            })
            .collect(),
        has_more: false,
        request_id: None,
    });
    assert_eq!(c.mention_names("B"), [user("bea"), user("bob")]);
    assert_eq!(c.mention_names(""), [user("bea"), user("bob"), user("cat")]);
    assert!(c.mention_names("m").is_empty(), "not myself");
    assert!(
        c.mention_names("Bob").is_empty(),
        "typed whole: nothing to complete"
    );
    assert_eq!(c.mention_names("be"), [user("bea")]);
    assert!(c.mentions_me(&UserId::guest(&user("bob")), "hi @me"));
    assert!(!c.mentions_me(&UserId::guest(&user("me")), "hi @me"));
}
