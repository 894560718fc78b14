//! Browser notifications (the Notification API): whether the page may raise them,
//! asking (only when the person presses "Turn on notifications", never on load), and
//! raising one, tagged so that several tabs of the person raising the same one show
//! it once; clicking it brings the tab to the front and does what the page asks.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Notification, NotificationOptions, NotificationPermission};

/// Where the page stands with notifications.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// This browser has none (or not here: they need a secure context).
    Unsupported,
    /// Not asked yet.
    Ask,
    Granted,
    Denied,
}

fn supported() -> bool {
    web_sys::window().is_some_and(|w| {
        js_sys::Reflect::has(&w, &JsValue::from_str("Notification")).unwrap_or(false)
    })
}

fn read(permission: NotificationPermission) -> Permission {
    match permission {
        NotificationPermission::Granted => Permission::Granted,
        NotificationPermission::Denied => Permission::Denied,
        _ => Permission::Ask,
    }
}

pub fn permission() -> Permission {
    if !supported() {
        return Permission::Unsupported;
    }
    read(Notification::permission())
}

/// Asks the person (the browser's own question); `done` gets the answer.
pub fn ask(done: impl FnOnce(Permission) + 'static) {
    if !supported() {
        return done(Permission::Unsupported);
    }
    let Ok(asked) = Notification::request_permission() else {
        return done(permission());
    };
    let answered: Closure<dyn FnMut(JsValue)> = Closure::once(move |_| done(permission()));
    let _ = asked.then(&answered);
    // Called once, by the browser, whenever the person answers.
    answered.forget();
}

/// Raises a notification titled `title` (with `body`, if any), tagged `tag`;
/// `on_click` runs when the person clicks it, after the tab is brought forward.
pub fn raise(title: &str, body: Option<&str>, tag: &str, on_click: impl FnOnce() + 'static) {
    if permission() != Permission::Granted {
        return;
    }
    let options = NotificationOptions::new();
    options.set_tag(tag);
    if let Some(body) = body {
        options.set_body(body);
    }
    let Ok(shown) = Notification::new_with_options(title, &options) else {
        return;
    };
    let closing = shown.clone();
    let clicked = Closure::once_into_js(move || {
        if let Some(window) = web_sys::window() {
            let _ = window.focus();
        }
        closing.close();
        on_click();
    });
    shown.set_onclick(Some(clicked.unchecked_ref()));
}
