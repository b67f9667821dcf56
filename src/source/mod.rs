//! Sources: each turns one kind of input into the [`Inventory`]. Sources know formats and
//! AWS APIs, nothing about rules.

pub mod error;
pub mod hcl;
pub mod plan;
pub mod terraform;

use std::path::Path;

pub use error::SourceError;

use crate::model::Inventory;

/// Reads every input path into one inventory. Files are detected by content.
pub fn load(paths: &[impl AsRef<Path>]) -> Result<Inventory, SourceError> {
    let mut inv = Inventory::new();
    for path in paths {
        load_path(path.as_ref(), &mut inv)?;
    }
    Ok(inv)
}

fn load_path(path: &Path, inv: &mut Inventory) -> Result<(), SourceError> {
    let shown = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => SourceError::NotFound {
            path: shown.clone(),
        },
        _ => SourceError::Io {
            path: shown.clone(),
            message: e.to_string(),
        },
    })?;
    if meta.is_dir() {
        return load_dir(path, inv);
    }
    let bytes = std::fs::read(path).map_err(|e| SourceError::Io {
        path: shown.clone(),
        message: e.to_string(),
    })?;
    load_bytes(&shown, &bytes, inv)
}

/// Detects the kind of one file by its content and reads it.
pub fn load_bytes(path: &str, bytes: &[u8], inv: &mut Inventory) -> Result<(), SourceError> {
    let text = trim_bom(bytes);
    if text.iter().all(u8::is_ascii_whitespace) {
        return Err(SourceError::Empty { path: path.into() });
    }
    if text.contains(&0) || std::str::from_utf8(text).is_err() {
        return Err(SourceError::Binary { path: path.into() });
    }
    let first = text.iter().find(|b| !b.is_ascii_whitespace()).copied();
    if first == Some(b'{') {
        return plan::load(path, text, inv);
    }
    if matches!(first, Some(b'[') | Some(b'"')) || first.is_some_and(|b| b.is_ascii_digit()) {
        return Err(SourceError::NotAPlan {
            path: path.into(),
            why: "the top level is not an object".into(),
        });
    }
    if path.ends_with(".tf") {
        return Err(SourceError::HclUnsupported { path: path.into() });
    }
    Err(SourceError::Unrecognised { path: path.into() })
}

fn trim_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// A directory: Terraform configuration (`.tf`) or plan JSON files inside it.
fn load_dir(dir: &Path, inv: &mut Inventory) -> Result<(), SourceError> {
    let shown = dir.display().to_string();
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| SourceError::Io {
            path: shown.clone(),
            message: e.to_string(),
        })?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    entries.sort();
    if entries
        .iter()
        .any(|p| p.extension().is_some_and(|e| e == "tf"))
    {
        return Err(SourceError::HclUnsupported { path: shown });
    }
    let mut found = false;
    for p in entries
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
    {
        let bytes = std::fs::read(p).map_err(|e| SourceError::Io {
            path: p.display().to_string(),
            message: e.to_string(),
        })?;
        if plan::looks_like_plan(&bytes) {
            load_bytes(&p.display().to_string(), &bytes, inv)?;
            found = true;
        }
    }
    if !found {
        return Err(SourceError::EmptyDirectory { path: shown });
    }
    Ok(())
}
