//! The socket refuses pages of other origins (cross-site WebSocket hijacking) with a
//! 403 before upgrading; a request without an Origin (not a browser) may connect.

mod common;

use common::{TestServer, try_connect_with};
use confab_server::Options;
use confab_server::origin::OriginPolicy;
use tokio_tungstenite::tungstenite::Error;

async fn status(server: &TestServer, origin: Option<&str>) -> u16 {
    let url = server.ws_url("?v=2&name=ann");
    let headers: Vec<(&'static str, &str)> = origin.map(|o| ("Origin", o)).into_iter().collect();
    match try_connect_with(&url, &headers).await {
        Ok(_) => 101,
        Err(Error::Http(response)) => response.status().as_u16(),
        Err(other) => panic!("{origin:?}: {other}"),
    }
}

#[tokio::test]
async fn only_the_server_s_own_pages_and_non_browsers_may_connect() {
    let server = TestServer::start().await;
    let own = format!("http://{}", server.addr);
    assert_eq!(status(&server, None).await, 101, "no Origin: not a browser");
    assert_eq!(status(&server, Some(&own)).await, 101, "the page it serves");
    assert_eq!(status(&server, Some("https://evil.example")).await, 403);
    assert_eq!(status(&server, Some("null")).await, 403);
    let other_port = format!("http://127.0.0.1:{}", server.addr.port() + 1);
    assert_eq!(
        status(&server, Some(&other_port)).await,
        403,
        "another site on this host"
    );
    server.stop().await;
}

#[tokio::test]
async fn behind_a_proxy_the_public_url_and_the_allow_list_decide() {
    let origins = OriginPolicy::new(
        Some("https://chat.example.com"),
        &["http://127.0.0.1:8080".to_owned()],
    )
    .expect("valid origins");
    let server = TestServer::start_with_options(Options {
        origins,
        guests: true,
        ..Options::default()
    })
    .await;
    assert_eq!(status(&server, Some("https://chat.example.com")).await, 101);
    assert_eq!(status(&server, Some("http://127.0.0.1:8080")).await, 101);
    let direct = format!("http://{}", server.addr);
    assert_eq!(
        status(&server, Some(&direct)).await,
        403,
        "only through the proxy"
    );
    assert_eq!(status(&server, None).await, 101);
    server.stop().await;
}
