//! What the reader has actually seen: the newest stored line wholly on screen in the
//! message list, while the tab is shown. The list asks every second and tells the
//! model (which tells the server, `read`), so a message that came while the tab was
//! hidden, or below the fold, stays unread until it is looked at.

use confab_shared::Seq;
use web_sys::{Element, VisibilityState};

/// Whether the page is on screen (its tab shown, the window not minimised).
pub fn tab_shown() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_some_and(|d| d.visibility_state() == VisibilityState::Visible)
}

/// The newest stored line (message or room note, by its `data-seq`) whose bottom is
/// within the list's box, if the tab is shown.
pub fn newest_on_screen(list: &Element) -> Option<Seq> {
    if !tab_shown() {
        return None;
    }
    let view = list.get_bounding_client_rect();
    let mut child = list.last_element_child();
    while let Some(el) = child {
        child = el.previous_element_sibling();
        let Some(seq) = el
            .get_attribute("data-seq")
            .and_then(|s| s.parse::<Seq>().ok())
            .filter(|s| *s != 0)
        else {
            continue;
        };
        let rect = el.get_bounding_client_rect();
        if rect.bottom() <= view.top() {
            // Above the view: every line before it is too.
            return None;
        }
        if rect.bottom() <= view.bottom() + 1.0 {
            return Some(seq);
        }
    }
    None
}
