//! Accessibility checks with axe-core: injected into the page through WebDriver and
//! run there. axe-core comes from npm, pinned in `e2e/axe/package-lock.json`;
//! `cargo xtask test` installs it (`npm ci` in `e2e/axe`).

use std::path::PathBuf;

use serde::Deserialize;

use crate::Person;

/// Chromium's flag for a colour scheme the page's `prefers-color-scheme` sees.
pub const LIGHT: &str = "--blink-settings=preferredColorScheme=1";
pub const DARK: &str = "--blink-settings=preferredColorScheme=0";

/// One rule the page breaks, with the elements that break it.
#[derive(Debug, Deserialize)]
pub struct Violation {
    pub id: String,
    pub impact: Option<String>,
    pub help: String,
    /// Each element's selector and what is wrong with it.
    pub nodes: Vec<String>,
}

impl Violation {
    /// Serious or critical: what the tests refuse.
    pub fn is_grave(&self) -> bool {
        matches!(self.impact.as_deref(), Some("serious" | "critical"))
    }
}

fn source() -> String {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("axe/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e} (`cargo xtask test` installs axe-core; or run `npm ci` in e2e/axe)",
            path.display()
        )
    })
}

/// Runs axe-core on the page as it is now; gives every violation it finds.
pub async fn check(person: &Person) -> Vec<Violation> {
    let loaded: bool = person
        .eval(
            "inject axe-core",
            &format!("{}\n;return typeof window.axe === 'object';", source()),
        )
        .await;
    assert!(loaded, "axe-core did not load in the page");
    let script = r#"
        const done = arguments[arguments.length - 1];
        window.axe
            .run(document, { resultTypes: ["violations"] })
            .then((results) => done(results.violations.map((v) => ({
                id: v.id,
                impact: v.impact,
                help: v.help,
                nodes: v.nodes.map((n) => n.target.join(" ") + ": " + n.failureSummary),
            }))))
            .catch((error) => done({ error: String(error) }));
    "#;
    let value = person
        .client
        .execute_async(script, vec![])
        .await
        .unwrap_or_else(|e| panic!("run axe-core: {e}"));
    serde_json::from_value(value.clone())
        .unwrap_or_else(|e| panic!("axe-core's answer {value}: {e}"))
}

/// Fails the test with every serious or critical violation on the page, naming
/// `screen` (which screen, which scheme).
pub async fn assert_no_grave_violations(person: &Person, screen: &str) {
    let found = check(person).await;
    let grave: Vec<&Violation> = found.iter().filter(|v| v.is_grave()).collect();
    assert!(
        grave.is_empty(),
        "{screen}: axe-core found serious or critical violations:\n{grave:#?}"
    );
}
