//! At a phone's width (390 px) the room's header fits: the room's name gives way,
//! and the online count, the members button and the connection state stay whole and
//! on the screen.

use confab_e2e::Scene;
use confab_e2e::rooms::create_room;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Header {
    viewport: f64,
    /// Visible elements of the header reaching past the viewport's right edge.
    past_the_edge: Vec<String>,
    /// Elements whose own text does not fit in them.
    clipped: Vec<String>,
    /// The right edges of the parts that must be seen.
    parts: Vec<(String, f64, f64)>,
}

/// Everything measured in one script, so nothing re-renders in between.
const MEASURE: &str = r#"
    const viewport = document.documentElement.clientWidth;
    const header = document.querySelector('.room-header');
    const name = (e) => e.tagName.toLowerCase() + '.' + (e.getAttribute('class') || '');
    const shown = [...header.querySelectorAll('*')].filter((e) => {
        const r = e.getBoundingClientRect();
        return r.width > 1 && r.height > 1;
    });
    const past_the_edge = shown
        .filter((e) => e.getBoundingClientRect().right > viewport + 0.5)
        .map((e) => name(e) + ' right=' + e.getBoundingClientRect().right);
    const clipped = [...header.querySelectorAll('button.online-count, .status, form.invite')]
        .filter((e) => e.scrollWidth > e.clientWidth + 1)
        .map(name);
    const parts = ['button.menu-button', 'h1', 'button.online-count', '.status .dot', 'form.invite button']
        .map((s) => {
            const r = header.querySelector(s).getBoundingClientRect();
            return [s, r.left, r.right];
        });
    return { viewport, past_the_edge, clipped, parts };
"#;

#[tokio::test(flavor = "multi_thread")]
async fn the_room_header_fits_a_phone() {
    let scene = Scene::with(&[]).await;
    let url = scene.server.url();
    let ann = scene.driver.person().await;
    ann.try_account(&url, "ann", "correct horse", "Sign up")
        .await;
    ann.wait_connected().await;
    // A long name, and the invite box an account has.
    create_room(&ann, "the-longest-room-name-we-allow", false).await;
    ann.client
        .set_window_size(390, 844)
        .await
        .expect("a phone-sized window");
    ann.wait_connected().await;

    let header: Header = ann.eval("measure the header", MEASURE).await;
    assert!(
        (380.0..=400.0).contains(&header.viewport),
        "a phone's width: {header:?}"
    );
    assert!(header.past_the_edge.is_empty(), "cut off: {header:?}");
    assert!(header.clipped.is_empty(), "text cut: {header:?}");
    for (part, left, right) in &header.parts {
        assert!(
            *left >= 0.0 && *right <= header.viewport && right > left,
            "{part} off the screen: {header:?}"
        );
    }

    ann.say("Lunch at noon? Bring the **notes** 🥪").await;
    ann.wait_bodies("the message shown", |b| b.len() == 1).await;
    ann.screenshot("phone").await;
    ann.close().await;
    scene.end().await;
}
