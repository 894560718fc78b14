//! Shrinking the built page's WebAssembly with binaryen's `wasm-opt -Oz`, when it is
//! installed (`tools::ensure_wasm_opt`; a machine without a C++ compiler builds the
//! page without it). trunk wrote the file's Subresource Integrity hash into
//! index.html before: it is written again for the smaller file, or the browser would
//! refuse it.

use std::path::{Path, PathBuf};

use base64::Engine;
use sha2::{Digest, Sha384};

use crate::cmd::{Fail, output, run, step};

/// The features rustc's wasm32 target turns on by default: the module uses them,
/// and its features section (which says so) is stripped with the names.
const FEATURES: [&str; 6] = [
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
];

/// Shrinks the page's wasm in `dist` in place; gives its size before and after, or
/// None when wasm-opt is not installed.
pub fn shrink(dist: &Path) -> Result<Option<(u64, u64)>, Fail> {
    if output("wasm-opt", &["--version"]).is_none() {
        println!("wasm-opt is not installed: the page's WebAssembly stays as built");
        return Ok(None);
    }
    let wasm = the_wasm(dist)?;
    let before = std::fs::read(&wasm).map_err(|e| Fail(format!("cannot read {wasm:?}: {e}")))?;
    step("shrinking the page's WebAssembly (wasm-opt -Oz)");
    let path = wasm.to_string_lossy().into_owned();
    let mut args = vec!["-Oz", path.as_str(), "-o", path.as_str()];
    args.extend(FEATURES);
    run(dist, "wasm-opt", &args)?;
    let after = std::fs::read(&wasm).map_err(|e| Fail(format!("cannot read {wasm:?}: {e}")))?;
    let index = dist.join("index.html");
    let html =
        std::fs::read_to_string(&index).map_err(|e| Fail(format!("cannot read {index:?}: {e}")))?;
    let (old, new) = (integrity(&before), integrity(&after));
    if !html.contains(&old) {
        return Err(Fail(format!(
            "index.html does not name the wasm's hash {old}: cannot fix it"
        )));
    }
    std::fs::write(&index, html.replace(&old, &new))
        .map_err(|e| Fail(format!("cannot write {index:?}: {e}")))?;
    Ok(Some((before.len() as u64, after.len() as u64)))
}

/// The one `.wasm` file trunk wrote.
fn the_wasm(dist: &Path) -> Result<PathBuf, Fail> {
    let entries =
        std::fs::read_dir(dist).map_err(|e| Fail(format!("cannot read {dist:?}: {e}")))?;
    let mut found: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "wasm"))
        .collect();
    match (found.pop(), found.is_empty()) {
        (Some(wasm), true) => Ok(wasm),
        _ => Err(Fail(format!("expected one .wasm file in {dist:?}"))),
    }
}

/// A Subresource Integrity value: `sha384-` and the digest in base64.
fn integrity(bytes: &[u8]) -> String {
    let digest = Sha384::digest(bytes);
    format!(
        "sha384-{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

#[cfg(test)]
mod tests {
    use super::integrity;

    #[test]
    fn integrity_is_sha384_in_base64() {
        // The SRI value of the empty file, as `openssl dgst -sha384 -binary | base64`
        // gives it.
        assert_eq!(
            integrity(b""),
            "sha384-OLBgp1GsljhM2TJ+sbHjaiH9txEUvgdDTAzHv2P24donTt6/529l+9Ua0vFImLlb"
        );
    }
}
