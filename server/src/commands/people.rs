//! The presence of people: `watch_people` (whose status this connection follows)
//! and `status` (this connection's person is away, or back). A person's status goes
//! to those who share a room or a conversation with them in which they have written
//! (a reader who never writes stays unseen; [`People::may_see`]), never to someone
//! they blocked; anyone else is told "offline", as for someone not connected, so asking
//! reveals nothing. Whom one may see is judged when one asks.

use std::collections::HashSet;

use confab_shared::UserId;

use super::{Reply, Session};
use crate::identity::Kind;
use crate::people::People;

pub(super) fn watch(session: Session<'_>, users: Vec<UserId>) -> Reply {
    let me = &session.identity.user;
    let directory = session.state.store.rooms().directory();
    let hidden: HashSet<UserId> = users
        .iter()
        .filter(|user| {
            let visible = *user == me
                || (session.identity.kind == Kind::Member && People::may_see(directory, me, user));
            !visible
        })
        .cloned()
        .collect();
    let viewer = (session.identity.kind == Kind::Member).then_some(me);
    let answer = session
        .state
        .people
        .watch(session.conn, session.outbox, viewer, users, &hidden);
    Reply::frame(&answer)
}

pub(super) fn status(session: Session<'_>, away: bool) -> Reply {
    let user = &session.identity.user;
    session.state.people.set_away(user, session.conn, away);
    Reply::default()
}
