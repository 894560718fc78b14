//! Running commands and saying what is happening.

use std::path::Path;
use std::process::{Command, Stdio};

/// Why a command failed, for the person at the terminal.
#[derive(Debug)]
pub struct Fail(pub String);

pub fn step(what: &str) {
    println!("\n==> {what}");
}

/// Runs `program` in `dir`, passing its output through; fails unless it succeeds.
pub fn run(dir: &Path, program: &str, args: &[&str]) -> Result<(), Fail> {
    let status = Command::new(program)
        .args(args)
        .current_dir(dir)
        .status()
        .map_err(|e| Fail(format!("could not start {program}: {e}")))?;
    if status.success() {
        Ok(())
    } else {
        Err(Fail(format!(
            "`{program} {}` failed ({status})",
            args.join(" ")
        )))
    }
}

/// The trimmed standard output of a command that succeeded, or None.
pub fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program)
        .args(args)
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}
