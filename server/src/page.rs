//! Serving the built page (`dist/`) as the best static hosts serve theirs: precompressed
//! (the `.br` or `.gz` beside each file, whichever the browser takes; `cargo xtask`
//! writes them), hashed assets cached for a year as immutable, everything else
//! (`index.html`, `sw.js`, any path that falls back to the page) revalidated each
//! time, and a Content-Security-Policy that lets the wasm app run and nothing inline
//! but the page's own scripts, allowed by their SHA-256.

use std::path::Path;

use axum::Router;
use axum::extract::Request;
use axum::http::HeaderValue;
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, VARY};
use axum::middleware::{self, Next};
use axum::response::Response;
use base64::Engine;
use sha2::{Digest, Sha256};
use tower_http::services::{ServeDir, ServeFile};

/// For files whose names carry a hash of their content: they never change.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// For the rest: use the copy you have only after asking whether it changed.
const REVALIDATE: &str = "no-cache";

/// The page's routes: every path not taken by the server's own routes.
pub(crate) fn service(dir: &Path) -> Router {
    let index = dir.join("index.html");
    let csp = policy(&std::fs::read_to_string(&index).unwrap_or_default());
    let csp = HeaderValue::from_str(&csp).unwrap_or_else(|_| HeaderValue::from_static(""));
    // Unknown paths get the page, so a reload on any address still opens the chat.
    let files = ServeDir::new(dir)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(
            ServeFile::new(index)
                .precompressed_br()
                .precompressed_gzip(),
        );
    Router::new()
        .fallback_service(files)
        .layer(middleware::from_fn(move |request: Request, next: Next| {
            let csp = csp.clone();
            async move {
                let hashed = is_hashed(request.uri().path());
                let mut response: Response = next.run(request).await;
                let headers = response.headers_mut();
                let cache = if hashed { IMMUTABLE } else { REVALIDATE };
                headers.insert(CACHE_CONTROL, HeaderValue::from_static(cache));
                // The body depends on what the browser accepts (br, gzip or neither):
                // a cache in between must keep them apart.
                headers.insert(VARY, HeaderValue::from_static("accept-encoding"));
                headers.insert(CONTENT_SECURITY_POLICY, csp);
                response
            }
        }))
}

/// Whether the file at `path` has a content hash in its name, as trunk names what it
/// builds: `NAME-<16 hex digits>[_bg].EXT`.
fn is_hashed(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or_default();
    let Some((stem, _ext)) = file.rsplit_once('.') else {
        return false;
    };
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    let Some((_, hash)) = stem.rsplit_once('-') else {
        return false;
    };
    hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The Content-Security-Policy for a page whose `index.html` is `html`: scripts from
/// this origin and the page's own inline scripts (trunk's loader, the service worker's
/// registration) by hash; WebAssembly compiled from them; styles and connections
/// (the socket) to this origin only; never framed.
pub(crate) fn policy(html: &str) -> String {
    let hashes: String = inline_scripts(html)
        .map(|script| {
            let digest = Sha256::digest(script.as_bytes());
            let encoded = base64::engine::general_purpose::STANDARD.encode(digest);
            format!(" 'sha256-{encoded}'")
        })
        .collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; \
         object-src 'none'; form-action 'self'"
    )
}

/// The text of each `<script>` without a `src`, as the browser hashes it.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    html.split("<script").skip(1).filter_map(|rest| {
        let (attributes, after) = rest.split_once('>')?;
        if attributes.contains("src=") {
            return None;
        }
        let (body, _) = after.split_once("</script>")?;
        Some(body)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names_are_trunks() {
        for hashed in [
            "/confab-frontend-ec0182539c040eef.js",
            "/confab-frontend-ec0182539c040eef_bg.wasm",
            "/style-5a541510e110804d.css",
        ] {
            assert!(is_hashed(hashed), "{hashed}");
        }
        for plain in [
            "/",
            "/index.html",
            "/sw.js",
            "/room/general",
            "/a-b.js",
            "/x-zz0182539c040eef.js",
        ] {
            assert!(!is_hashed(plain), "{plain}");
        }
    }

    #[test]
    fn each_inline_script_is_allowed_by_its_hash_and_nothing_else_inline() {
        let html = r#"<html><head><script type="module" nonce="abc">import init from '/a.js';
init();</script><script src="/x.js"></script></head>
<body><script>
  register();
</script></body></html>"#;
        let csp = policy(html);
        let hash = |s: &str| {
            base64::engine::general_purpose::STANDARD.encode(Sha256::digest(s.as_bytes()))
        };
        assert!(csp.contains(&format!(
            "'sha256-{}'",
            hash("import init from '/a.js';\ninit();")
        )));
        assert!(csp.contains(&format!("'sha256-{}'", hash("\n  register();\n"))));
        assert_eq!(csp.matches("'sha256-").count(), 2, "{csp}");
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(csp.contains("'wasm-unsafe-eval'"), "{csp}");
    }
}
