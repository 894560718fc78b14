//! The built page as a browser gets it: compressed when it may be, cached for a year
//! when its name says it never changes, revalidated otherwise, and under a
//! Content-Security-Policy that allows the page's inline scripts by hash and nothing
//! else inline. Security headers on every response.

mod common;

use base64::Engine;
use common::{TestServer, http_get};
use sha2::{Digest, Sha256};

const LOADER: &str = "import init from '/app-0123456789abcdef.js'; init();";
const WASM: &[u8] = b"\\0asm pretend wasm, long enough to be worth compressing";

fn index() -> String {
    format!(
        "<!doctype html><html><head><script type=\"module\" nonce=\"n\">{LOADER}</script>\
         </head><body><script src=\"/other.js\"></script></body></html>"
    )
}

async fn server() -> TestServer {
    let index = index();
    TestServer::start_with_page(&[
        ("index.html", index.as_bytes()),
        ("index.html.br", b"BR-INDEX"),
        ("sw.js", b"self.addEventListener('fetch', () => {});"),
        ("app-0123456789abcdef_bg.wasm", WASM),
        ("app-0123456789abcdef_bg.wasm.br", b"BR-WASM"),
        ("app-0123456789abcdef_bg.wasm.gz", b"GZ-WASM"),
    ])
    .await
}

fn assert_secure(response: &common::HttpResponse, what: &str) {
    assert_eq!(
        response.header("x-content-type-options"),
        Some("nosniff"),
        "{what}"
    );
    assert_eq!(
        response.header("referrer-policy"),
        Some("no-referrer"),
        "{what}"
    );
    assert_eq!(response.header("x-frame-options"), Some("DENY"), "{what}");
}

#[tokio::test]
async fn the_page_is_revalidated_and_allows_only_its_own_inline_script() {
    let server = server().await;
    let page = http_get(server.addr, "/", &[]).await;
    assert_eq!(page.status, 200);
    assert_eq!(page.body, index().as_bytes());
    assert_eq!(page.header("cache-control"), Some("no-cache"));
    assert_secure(&page, "/");
    let csp = page.header("content-security-policy").expect("a CSP");
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(LOADER));
    assert!(csp.contains(&format!("'sha256-{hash}'")), "{csp}");
    assert_eq!(
        csp.matches("'sha256-").count(),
        1,
        "one inline script: {csp}"
    );
    for needed in [
        "script-src 'self' 'wasm-unsafe-eval'",
        "frame-ancestors 'none'",
        "object-src 'none'",
        "connect-src 'self'",
    ] {
        assert!(csp.contains(needed), "{needed}: {csp}");
    }
    assert!(!csp.contains("unsafe-inline"), "{csp}");

    // Any other address opens the page too (a reload on /room/x), revalidated.
    let elsewhere = http_get(server.addr, "/room/general", &[]).await;
    assert_eq!(
        (elsewhere.status, elsewhere.body.as_slice()),
        (200, index().as_bytes())
    );
    assert_eq!(elsewhere.header("cache-control"), Some("no-cache"));
    let worker = http_get(server.addr, "/sw.js", &[]).await;
    assert_eq!(worker.header("cache-control"), Some("no-cache"));
    server.stop().await;
}

#[tokio::test]
async fn hashed_assets_are_immutable_and_sent_compressed_when_accepted() {
    let server = server().await;
    let path = "/app-0123456789abcdef_bg.wasm";
    let br = http_get(
        server.addr,
        path,
        &[("Accept-Encoding", "gzip, deflate, br")],
    )
    .await;
    assert_eq!(br.status, 200);
    assert_eq!(br.header("content-encoding"), Some("br"));
    assert_eq!(br.body, b"BR-WASM");
    assert_eq!(br.header("vary"), Some("accept-encoding"));
    assert_eq!(
        br.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    assert_secure(&br, path);

    let gz = http_get(server.addr, path, &[("Accept-Encoding", "gzip")]).await;
    assert_eq!(gz.header("content-encoding"), Some("gzip"));
    assert_eq!(gz.body, b"GZ-WASM");

    let plain = http_get(server.addr, path, &[]).await;
    assert_eq!(plain.header("content-encoding"), None);
    assert_eq!(plain.body, WASM);

    let page = http_get(server.addr, "/", &[("Accept-Encoding", "br")]).await;
    assert_eq!(page.header("content-encoding"), Some("br"));
    assert_eq!(page.body, b"BR-INDEX");
    // A repeat visit asks whether the page changed, and gets no body when it did not.
    let modified = page
        .header("last-modified")
        .expect("a Last-Modified")
        .to_owned();
    let again = http_get(server.addr, "/", &[("If-Modified-Since", &modified)]).await;
    assert_eq!((again.status, again.body.len()), (304, 0));
    server.stop().await;
}

#[tokio::test]
async fn the_server_s_own_routes_carry_the_security_headers() {
    let server = server().await;
    let health = http_get(server.addr, "/healthz", &[]).await;
    assert_eq!(
        (health.status, health.body.as_slice()),
        (200, b"ok".as_slice())
    );
    assert_secure(&health, "/healthz");
    server.stop().await;
}
