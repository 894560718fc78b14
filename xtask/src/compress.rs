//! Precompressing the built page, as the best static hosts serve theirs: next to each
//! text or wasm file in `dist/`, a `.br` (Brotli, quality 11) and a `.gz` (gzip, level
//! 9). The server sends whichever the browser accepts, with no work per request.

use std::io::Write;
use std::path::Path;

use crate::cmd::Fail;

/// Files worth compressing, by ending.
const COMPRESSIBLE: [&str; 6] = ["html", "js", "wasm", "css", "svg", "json"];

/// Writes `NAME.br` and `NAME.gz` beside every compressible file in `dir`; returns
/// the bytes before and after (Brotli) for the report.
pub fn precompress(dir: &Path) -> Result<(u64, u64), Fail> {
    let fail = |what: &str, e: std::io::Error| Fail(format!("{what}: {e}"));
    let mut sizes = (0, 0);
    let entries = std::fs::read_dir(dir).map_err(|e| fail(&dir.display().to_string(), e))?;
    for entry in entries {
        let path = entry.map_err(|e| fail("reading dist", e))?.path();
        if path.is_dir() {
            let (raw, packed) = precompress(&path)?;
            sizes = (sizes.0 + raw, sizes.1 + packed);
            continue;
        }
        let wanted = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| COMPRESSIBLE.contains(&e));
        if !wanted {
            continue;
        }
        let name = path.display().to_string();
        let data = std::fs::read(&path).map_err(|e| fail(&name, e))?;
        let br = brotli_of(&data).map_err(|e| fail(&name, e))?;
        let gz = gzip_of(&data).map_err(|e| fail(&name, e))?;
        std::fs::write(format!("{name}.br"), &br).map_err(|e| fail(&name, e))?;
        std::fs::write(format!("{name}.gz"), &gz).map_err(|e| fail(&name, e))?;
        sizes = (sizes.0 + data.len() as u64, sizes.1 + br.len() as u64);
    }
    Ok(sizes)
}

fn brotli_of(data: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut writer = brotli::CompressorWriter::new(&mut out, 64 * 1024, 11, 22);
        writer.write_all(data)?;
        writer.flush()?;
    }
    Ok(out)
}

fn gzip_of(data: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(data)?;
    encoder.finish()
}
