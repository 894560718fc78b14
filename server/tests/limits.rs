//! Frame size limit: an oversized frame closes the socket with 1009.

mod common;

use common::TestServer;
use confab_shared::ErrorCode;

#[tokio::test]
async fn a_100_kib_frame_is_closed_with_1009() {
    let server = TestServer::start().await;
    let mut client = server.client("alice").await;
    client.send_text("x".repeat(100 * 1024)).await;
    assert_eq!(client.recv_close().await, 1009);
    server.stop().await;
}

#[tokio::test]
async fn a_frame_under_the_limit_is_only_refused() {
    let server = TestServer::start().await;
    let mut client = server.client("alice").await;
    // Big, but under 16 KiB: an ordinary bad request, and the socket stays open.
    client.send_text("x".repeat(15 * 1024)).await;
    client.recv_error(ErrorCode::BadRequest).await;
    assert_eq!(client.join("general", None).await.last_seq, 0);
    server.stop().await;
}
