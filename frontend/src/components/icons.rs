//! Icons the page carries itself (inline SVG), so they show without any emoji font.

use leptos::prelude::*;

/// A padlock, for a private room. `label` is its text alternative; without one the
/// icon is decoration beside words that say the same.
#[component]
pub fn LockIcon(#[prop(optional)] label: Option<&'static str>) -> impl IntoView {
    view! {
        <svg
            class="icon-lock"
            viewBox="0 0 16 16"
            width="14"
            height="14"
            role=label.map(|_| "img")
            aria-label=label
            aria-hidden=label.is_none().then_some("true")
            focusable="false"
        >
            <path d="M5 7V5a3 3 0 0 1 6 0v2" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" />
            <rect x="3" y="7" width="10" height="7.5" rx="1.6" fill="currentColor" />
        </svg>
    }
}
