//! A tab hidden and shown again, as switching tabs does, without freezing the page:
//! `document.visibilityState` (and `hidden`) overridden in the page, and the
//! `visibilitychange` event fired.

use crate::Person;

/// Makes `person`'s page believe its tab is hidden (`true`) or shown again.
pub async fn set_hidden(person: &Person, hidden: bool) {
    let script = format!(
        "window.__hidden = {hidden};\
         if (!window.__visibility) {{\
           window.__visibility = true;\
           Object.defineProperty(document, 'visibilityState', {{\
             configurable: true, get: () => window.__hidden ? 'hidden' : 'visible' }});\
           Object.defineProperty(document, 'hidden', {{\
             configurable: true, get: () => window.__hidden }});\
         }}\
         document.dispatchEvent(new Event('visibilitychange', {{ bubbles: true }}));\
         return null;"
    );
    let _: Option<bool> = person.eval("hide or show the tab", &script).await;
}
