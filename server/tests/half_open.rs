//! A client that vanishes without closing (its socket stays open, but it neither
//! reads nor writes, so it never answers a ping) is removed in bounded time, while a
//! quiet client that does answer pings stays.

mod common;

use std::time::Duration;

use common::{TestServer, user};
use confab_server::Settings;
use confab_shared::ServerMsg;
use tokio::time::Instant;

const ROOM: &str = "general";

#[tokio::test]
async fn a_vanished_client_is_removed_and_a_quiet_one_is_not() {
    let settings = Settings {
        ping_interval: Duration::from_millis(200),
        idle_timeout: Duration::from_millis(500),
        ..Settings::default()
    };
    let server = TestServer::start_with(settings).await;

    let mut ghost = server.client("ghost").await;
    ghost.join(ROOM, None).await;
    let mut watcher = server.client("watcher").await;
    let joined = watcher.join(ROOM, None).await;
    assert_eq!(joined.online, [user("ghost"), user("watcher")]);

    // From now on nobody polls the ghost's socket: no reads, no writes, no pongs. The
    // watcher sends nothing either, but it reads, so it answers pings.
    let vanished = Instant::now();
    let presence = watcher
        .recv_until(|msg| matches!(msg, ServerMsg::Presence { left, .. } if !left.is_empty()))
        .await;
    let removed_after = vanished.elapsed();
    match presence {
        ServerMsg::Presence {
            room,
            left,
            online_count,
            ..
        } => {
            assert_eq!(room.as_str(), ROOM);
            assert_eq!(
                (left, online_count),
                (vec![user("ghost")], 1),
                "the ghost is gone"
            );
        }
        _ => unreachable!("recv_until returned a frame it was not asked for"),
    }
    // Waited for (within the client's generous deadline), not timed: how soon is
    // the ping interval's business, recorded for reading.
    common::record(
        "half_open",
        &format!("ghost removed after {removed_after:?}"),
    );

    // The watcher has been silent longer than the idle timeout too, but it answers
    // pings: it stays, hears nothing more, and can still talk.
    watcher.expect_quiet(settings.idle_timeout * 3).await;
    let (seq, _) = watcher.send_acked(ROOM, "still-here", "still here").await;
    assert_eq!(seq, 1);

    // When the ghost reads again it finds why it was dropped.
    assert_eq!(ghost.recv_close().await, 4008, "closed for not reading");
    server.stop().await;
}
