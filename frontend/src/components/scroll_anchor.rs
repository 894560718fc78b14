//! Keeping the reader's place while lines are added or removed above it: note where
//! the first line in view is, let the list change, then scroll by however far that
//! line moved.

use web_sys::Element;

/// A stored line in view and its distance (px) from the top of the list's box.
pub struct Anchor {
    seq: String,
    offset: f64,
}

/// The first stored line at least partly in view.
pub fn take(list: &Element) -> Option<Anchor> {
    let top = list.get_bounding_client_rect().top();
    let mut child = list.first_element_child();
    while let Some(el) = child {
        let rect = el.get_bounding_client_rect();
        if rect.bottom() > top
            && let Some(seq) = el.get_attribute("data-seq").filter(|s| s != "0")
        {
            return Some(Anchor {
                seq,
                offset: rect.top() - top,
            });
        }
        child = el.next_element_sibling();
    }
    None
}

/// Scrolls `list` so the anchored line is where it was.
pub fn restore(list: &Element, anchor: &Anchor) {
    let selector = format!("[data-seq=\"{}\"]", anchor.seq);
    let Ok(Some(el)) = list.query_selector(&selector) else {
        return;
    };
    let top = list.get_bounding_client_rect().top();
    let moved = el.get_bounding_client_rect().top() - top - anchor.offset;
    // Whole pixels: scrollTop is set as an integer.
    list.set_scroll_top(list.scroll_top() + moved.round() as i32);
}
