//! Project commands, so a fresh machine needs only Rust:
//!
//! - `cargo xtask run [-- SERVER FLAGS]`: installs what is missing, builds the page
//!   and the server (release), and runs the chat.
//! - `cargo xtask test`: installs what is missing (Chromium and axe-core too), checks
//!   formatting and lints, builds the page, and runs every test.
//!
//! Both are idempotent: a tool already present is not installed again.

// This is a terminal program: talking to the person at the terminal is its job.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod cmd;
mod compress;
mod shrink;
mod tools;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use cmd::{Fail, run};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = workspace_root();
    let result = match args.first().map(String::as_str) {
        Some("run") => run_chat(&root, &args[1..]),
        Some("test") => test(&root),
        Some("bench") => bench(&root, &args[1..]),
        Some("dist") => tools::ensure_build_tools(&root).and_then(|()| build_page(&root)),
        _ => {
            eprintln!(
                "usage: cargo xtask run [-- confab flags] | cargo xtask test | \
                 cargo xtask bench [-- confab-bench flags] | cargo xtask dist"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Fail(why)) => {
            eprintln!("xtask: {why}");
            ExitCode::FAILURE
        }
    }
}

fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(Path::to_path_buf).unwrap_or(manifest)
}

fn build_page(root: &Path) -> Result<(), Fail> {
    cmd::step("building the page (trunk build --release)");
    run(root, "trunk", &["build", "--release"])?;
    if let Some((before, after)) = shrink::shrink(&root.join("dist"))? {
        println!("the page's wasm: {before} bytes, {after} after wasm-opt");
    }
    let (raw, packed) = compress::precompress(&root.join("dist"))?;
    println!("precompressed the page: {raw} bytes, {packed} with Brotli");
    Ok(())
}

fn run_chat(root: &Path, flags: &[String]) -> Result<(), Fail> {
    tools::ensure_build_tools(root)?;
    build_page(root)?;
    cmd::step("building and starting the server; open the address it prints");
    let mut args = vec![
        "run",
        "--release",
        "--package",
        "confab-server",
        "--bin",
        "confab",
        "--",
    ];
    args.extend(flags.iter().map(String::as_str).filter(|f| *f != "--"));
    run(root, "cargo", &args)
}

fn test(root: &Path) -> Result<(), Fail> {
    tools::ensure_build_tools(root)?;
    tools::ensure_browser()?;
    tools::ensure_axe(root)?;
    tools::ensure_postgres()?;
    tools::ensure_redis()?;
    cmd::step("cargo fmt --check");
    run(root, "cargo", &["fmt", "--all", "--", "--check"])?;
    cmd::step("cargo clippy -D warnings");
    run(
        root,
        "cargo",
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--locked",
            "--",
            "-D",
            "warnings",
        ],
    )?;
    build_page(root)?;
    cmd::step("cargo test (shared, server, page model, browser end-to-end)");
    run(root, "cargo", &["test", "--workspace", "--locked"])?;
    cmd::step("load generator smoke run (release build)");
    build_bench(root)?;
    run(root, "target/release/confab-bench", &["--smoke"])
}

fn build_bench(root: &Path) -> Result<(), Fail> {
    run(
        root,
        "cargo",
        &[
            "build",
            "--release",
            "--locked",
            "-p",
            "confab-server",
            "-p",
            "confab-bench",
        ],
    )
}

/// The full benchmark: Confab against its peers (Node servers installed with npm).
fn bench(root: &Path, flags: &[String]) -> Result<(), Fail> {
    let peers = root.join("bench/peers");
    if !peers.join("node_modules").is_dir() {
        cmd::step("installing the Node peer servers (npm ci)");
        run(&peers, "npm", &["ci", "--no-audit", "--no-fund"])?;
    }
    build_bench(root)?;
    cmd::step("running the benchmark");
    let args: Vec<&str> = flags
        .iter()
        .map(String::as_str)
        .filter(|f| *f != "--")
        .collect();
    run(root, "target/release/confab-bench", &args)
}
