//! Installing what the build and the tests need, only when it is missing.
//! docs/development.md says why each is needed and how it is installed.

use std::path::Path;

use crate::cmd::{Fail, output, run, step};

/// trunk 0.22 needs a newer rustc than this project's; 0.21 works.
const TRUNK_VERSION: &str = "0.21";

pub fn ensure_build_tools(root: &Path) -> Result<(), Fail> {
    ensure_wasm_target(root)?;
    ensure_trunk(root)?;
    ensure_wasm_bindgen(root)?;
    ensure_wasm_opt(root);
    Ok(())
}

/// binaryen's wasm-opt, which shrinks the page (`shrink.rs`). Version 116, built from
/// source: it needs a C++ compiler, so where the build fails the page is built
/// without it (larger, the same otherwise), and that is said. (Debian's binaryen
/// 108 breaks wasm-bindgen's output: never that one.)
fn ensure_wasm_opt(root: &Path) {
    let version = output("wasm-opt", &["--version"]).unwrap_or_default();
    if version.starts_with("wasm-opt version 116") {
        return;
    }
    step("installing wasm-opt (binaryen 116; a one-time C++ build of about 10 minutes)");
    let installed = run(
        root,
        "cargo",
        &[
            "install",
            "wasm-opt",
            "--version",
            "~0.116",
            "--locked",
            "--force",
        ],
    );
    if let Err(Fail(why)) = installed {
        println!("could not install wasm-opt ({why}): the page is built without it");
    }
}

fn ensure_wasm_target(root: &Path) -> Result<(), Fail> {
    let installed = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if installed
        .lines()
        .any(|t| t.trim() == "wasm32-unknown-unknown")
    {
        return Ok(());
    }
    step("installing the wasm32-unknown-unknown target");
    run(root, "rustup", &["target", "add", "wasm32-unknown-unknown"])
}

fn ensure_trunk(root: &Path) -> Result<(), Fail> {
    let version = output("trunk", &["--version"]).unwrap_or_default();
    if version.starts_with(&format!("trunk {TRUNK_VERSION}.")) {
        return Ok(());
    }
    step("installing trunk (a one-time build of about 10 minutes)");
    let wanted = format!("~{TRUNK_VERSION}");
    run(
        root,
        "cargo",
        &["install", "trunk", "--version", &wanted, "--locked"],
    )
}

/// trunk needs the wasm-bindgen CLI of exactly the library's version; without it on
/// PATH it tries to download one, which this network does not allow.
fn ensure_wasm_bindgen(root: &Path) -> Result<(), Fail> {
    let lock = std::fs::read_to_string(root.join("Cargo.lock"))
        .map_err(|e| Fail(format!("cannot read Cargo.lock: {e}")))?;
    let wanted = locked_version(&lock, "wasm-bindgen")
        .ok_or_else(|| Fail("Cargo.lock names no wasm-bindgen".to_owned()))?;
    let have = output("wasm-bindgen", &["--version"]).unwrap_or_default();
    if have == format!("wasm-bindgen {wanted}") {
        return Ok(());
    }
    step(&format!("installing wasm-bindgen-cli {wanted}"));
    // Not --locked: its lock file pins crates the registry mirror may lack.
    run(
        root,
        "cargo",
        &[
            "install",
            "wasm-bindgen-cli",
            "--version",
            &wanted,
            "--force",
        ],
    )
}

/// The browser and its driver, for the end-to-end tests.
pub fn ensure_browser() -> Result<(), Fail> {
    let have = |p: &str| Path::new(p).exists();
    if have("/usr/bin/chromium") && have("/usr/bin/chromedriver") {
        return Ok(());
    }
    step("installing Chromium and ChromeDriver (apt-get)");
    let root = Path::new("/");
    run(root, "apt-get", &["update"])?;
    run(
        root,
        "apt-get",
        &["install", "-y", "chromium", "chromium-driver"],
    )
    .map_err(|Fail(why)| {
        Fail(format!(
            "{why}; the browser tests need Debian's chromium and chromium-driver (run as root)"
        ))
    })
}

/// A PostgreSQL server, which the PostgreSQL store's tests start (`confab-testkit`);
/// Debian's `postgresql` package where none is installed.
pub fn ensure_postgres() -> Result<(), Fail> {
    let installed = std::fs::read_dir("/usr/lib/postgresql").is_ok_and(|versions| {
        versions
            .filter_map(Result::ok)
            .any(|v| v.path().join("bin/initdb").is_file())
    });
    if installed || std::env::var_os("CONFAB_PG_BIN").is_some() {
        return Ok(());
    }
    step("installing PostgreSQL (apt-get)");
    let root = Path::new("/");
    run(root, "apt-get", &["update"])?;
    run(root, "apt-get", &["install", "-y", "postgresql"]).map_err(|Fail(why)| {
        Fail(format!(
            "{why}; the PostgreSQL store's tests need Debian's postgresql (run as root)"
        ))
    })
}

/// A Redis server, which the cluster tests start (`confab-testkit`); Debian's
/// `redis-server` package where none is installed.
pub fn ensure_redis() -> Result<(), Fail> {
    let on_path = std::env::var_os("PATH").is_some_and(|paths| {
        std::env::split_paths(&paths).any(|dir| dir.join("redis-server").is_file())
    });
    if on_path {
        return Ok(());
    }
    step("installing Redis (apt-get)");
    let root = Path::new("/");
    run(root, "apt-get", &["update"])?;
    run(root, "apt-get", &["install", "-y", "redis-server"]).map_err(|Fail(why)| {
        Fail(format!(
            "{why}; the cluster tests need Debian's redis-server (run as root)"
        ))
    })
}

/// axe-core, which the browser tests inject into the page to check its accessibility
/// (`npm ci` in `e2e/axe`, pinned by its lock file); skipped once installed.
pub fn ensure_axe(root: &Path) -> Result<(), Fail> {
    let axe = root.join("e2e/axe");
    if axe.join("node_modules/axe-core/axe.min.js").is_file() {
        return Ok(());
    }
    step("installing axe-core for the accessibility tests (npm ci in e2e/axe)");
    run(&axe, "npm", &["ci", "--no-audit", "--no-fund"])
}

/// The version of `package` in a Cargo.lock's text.
fn locked_version(lock: &str, package: &str) -> Option<String> {
    let needle = format!("name = \"{package}\"\n");
    let at = lock.find(&needle)? + needle.len();
    let line = lock[at..].lines().next()?;
    let version = line.strip_prefix("version = \"")?.strip_suffix('"')?;
    Some(version.to_owned())
}

#[cfg(test)]
mod tests {
    use super::locked_version;

    #[test]
    fn reads_a_version_from_a_lock_file() {
        let lock = "[[package]]\nname = \"wasm-bindgen-macro\"\nversion = \"9\"\n\n\
                    [[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\n";
        assert_eq!(
            locked_version(lock, "wasm-bindgen").as_deref(),
            Some("0.2.130")
        );
        assert_eq!(locked_version(lock, "nothing"), None);
    }
}
