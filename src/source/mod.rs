//! Sources: each turns one kind of input into the [`Inventory`]. Sources know formats and
//! AWS APIs, nothing about rules.

pub mod error;
pub mod hcl;
#[cfg(feature = "live")]
pub mod live;
pub mod plan;
pub mod terraform;

use std::path::Path;

pub use error::SourceError;

use crate::model::Inventory;

/// What the sources need besides the paths.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    pub hcl: hcl::HclOptions,
    /// The configuration of the plans scanned, for `.tf` locations (`--source-dir`);
    /// without it, a plan's own directory when it holds `.tf` files.
    pub source_dir: Option<std::path::PathBuf>,
}

/// Reads every input path into one inventory. Files are detected by content; a directory
/// of `.tf` files is Terraform configuration.
pub fn load(paths: &[impl AsRef<Path>]) -> Result<Inventory, LoadError> {
    load_with(paths, &LoadOptions::default())
}

pub fn load_with(paths: &[impl AsRef<Path>], opts: &LoadOptions) -> Result<Inventory, LoadError> {
    let mut inv = Inventory::new();
    for path in paths {
        load_path(path.as_ref(), opts, &mut inv)?;
    }
    Ok(inv)
}

/// A source that failed: a file or a configuration.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum LoadError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Input(#[from] SourceError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Hcl(#[from] hcl::HclError),
}

fn load_path(path: &Path, opts: &LoadOptions, inv: &mut Inventory) -> Result<(), LoadError> {
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
        if hcl::is_configuration(path) {
            return Ok(hcl::load(path, &opts.hcl, inv)?);
        }
        return Ok(load_dir(path, inv)?);
    }
    if path.extension().is_some_and(|e| e == "tf") {
        // A single .tf file: its directory's configuration.
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        return Ok(hcl::load(dir, &opts.hcl, inv)?);
    }
    let bytes = std::fs::read(path).map_err(|e| SourceError::Io {
        path: shown.clone(),
        message: e.to_string(),
    })?;
    let before = inv.len();
    let config_dir = opts
        .source_dir
        .clone()
        .or_else(|| configuration_next_to(path));
    load_file(&shown, &bytes, inv, config_dir.as_deref())?;
    locate_in_configuration(path, opts, inv, before)
}

/// The directory of a file when it holds Terraform configuration.
fn configuration_next_to(file: &Path) -> Option<std::path::PathBuf> {
    file.parent()
        .map(|p| {
            if p.as_os_str().is_empty() {
                Path::new(".")
            } else {
                p
            }
        })
        .filter(|d| hcl::is_configuration(d))
        .map(Path::to_path_buf)
}

/// Points the resources a plan added (from index `from`) at their `.tf` blocks: with
/// `--source-dir`, or when the plan sits in its configuration directory.
fn locate_in_configuration(
    plan: &Path,
    opts: &LoadOptions,
    inv: &mut Inventory,
    from: usize,
) -> Result<(), LoadError> {
    let dir = opts
        .source_dir
        .clone()
        .or_else(|| configuration_next_to(plan));
    let Some(dir) = dir else { return Ok(()) };
    let map = match hcl::SourceMap::load(&dir) {
        Ok(map) => map,
        // Found by itself, a configuration that does not parse only costs the locations;
        // named with --source-dir, it is an error.
        Err(e) if opts.source_dir.is_some() => return Err(e.into()),
        Err(_) => return Ok(()),
    };
    for resource in &mut inv.resources_mut()[from..] {
        if let Some(located) = map.locate(resource.address()) {
            resource.provenance.location = Some(located.block);
            resource.provenance.attributes = located.attributes;
            resource.provenance.set_by = located.set_by;
        }
    }
    Ok(())
}

/// Detects the kind of one file by its content and reads it (a plan without its
/// configuration).
pub fn load_bytes(path: &str, bytes: &[u8], inv: &mut Inventory) -> Result<(), SourceError> {
    load_file(path, bytes, inv, None)
}

fn load_file(
    path: &str,
    bytes: &[u8],
    inv: &mut Inventory,
    config_dir: Option<&Path>,
) -> Result<(), SourceError> {
    let text = trim_bom(bytes);
    if text.iter().all(u8::is_ascii_whitespace) {
        return Err(SourceError::Empty { path: path.into() });
    }
    if text.contains(&0) || std::str::from_utf8(text).is_err() {
        return Err(SourceError::Binary { path: path.into() });
    }
    let first = text.iter().find(|b| !b.is_ascii_whitespace()).copied();
    if first == Some(b'{') {
        return plan::load(path, text, inv, config_dir);
    }
    if matches!(first, Some(b'[') | Some(b'"')) || first.is_some_and(|b| b.is_ascii_digit()) {
        return Err(SourceError::NotAPlan {
            path: path.into(),
            why: "the top level is not an object".into(),
        });
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
            load_file(&p.display().to_string(), &bytes, inv, None)?;
            found = true;
        }
    }
    if !found {
        return Err(SourceError::EmptyDirectory { path: shown });
    }
    Ok(())
}
