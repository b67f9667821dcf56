//! Sources: each turns one kind of input into inventories. Sources know formats and AWS
//! APIs, nothing about rules.
//!
//! Every source implements [`Source`]: which kind of input it is, which model kinds it can
//! produce, and how it loads. [`read`] is the one way a source is read: it loads the
//! inventories and records every kind the source cannot produce as a [`Gap`], so the
//! engine makes a rule that reads such a kind unknown (as for a denied live call) and no
//! rule names a source. Files and directories are detected by [`detect`]; live accounts
//! and AWS Config aggregators are named on the command line (`live::Live`,
//! `live::Aggregator`).

pub mod error;
pub mod hcl;
#[cfg(feature = "live")]
pub mod live;
pub mod plan;
pub mod terraform;

use std::path::{Path, PathBuf};

pub use error::SourceError;

use crate::model::{Gap, Inventory, Kind, Origin, Unknown};

/// One kind of input: a plan, a configuration directory, a live account, an aggregator.
pub trait Source {
    /// Where its resources come from (reports and `[scope]` read it).
    fn origin(&self) -> Origin;

    /// Whether this source reads resources of `kind`: when it does, none in its inventory
    /// means none exists. Default: every kind.
    fn produces(&self, kind: Kind) -> bool {
        let _ = kind;
        true
    }

    /// Why `kind`, which this source does not produce, is unknown.
    fn not_produced(&self, _kind: Kind) -> Unknown {
        Unknown::NotReadBySource(format!("not read from {} inputs", self.origin()))
    }

    /// Reads the input: one inventory per stack or account.
    fn load(&self) -> Result<Loaded, LoadError>;
}

/// What a source read.
#[derive(Debug, Default)]
pub struct Loaded {
    pub inventories: Vec<Inventory>,
    /// One line about the reading for people (a live scan's calls and time), if any.
    pub note: Option<String>,
}

/// Reads `source`: its inventories, each with a gap for every kind the source cannot
/// produce.
pub fn read(source: &dyn Source) -> Result<Loaded, LoadError> {
    let mut loaded = source.load()?;
    for inv in &mut loaded.inventories {
        mark_unproduced(source, inv);
    }
    Ok(loaded)
}

/// Records in `inv` a gap for every kind `source` cannot produce (in [`Kind::ALL`]
/// order), unless the kind already has one: a rule that reads it is unknown, never a
/// verdict on what the source could not see.
pub fn mark_unproduced(source: &dyn Source, inv: &mut Inventory) {
    for &kind in Kind::ALL {
        if !source.produces(kind) && inv.gap(kind).is_none() {
            inv.add_gap(Gap {
                kinds: vec![kind],
                reason: source.not_produced(kind),
            });
        }
    }
}

/// A Terraform plan JSON file (detected by content), with the configuration that locates
/// its resources when there is one.
pub struct PlanFile {
    path: PathBuf,
    bytes: Vec<u8>,
    opts: LoadOptions,
}

/// A directory of plan JSON files (no `.tf` in it): one inventory of them all.
pub struct PlanDir {
    dir: PathBuf,
}

/// A Terraform configuration directory (our HCL evaluator).
pub struct HclDir {
    dir: PathBuf,
    opts: hcl::HclOptions,
}

impl Source for PlanFile {
    fn origin(&self) -> Origin {
        Origin::Plan
    }
    fn load(&self) -> Result<Loaded, LoadError> {
        let mut inv = Inventory::new();
        self.load_into(&mut inv)?;
        Ok(one(inv))
    }
}

impl PlanFile {
    fn load_into(&self, inv: &mut Inventory) -> Result<(), LoadError> {
        let shown = self.path.display().to_string();
        let before = inv.len();
        let config_dir = self
            .opts
            .source_dir
            .clone()
            .or_else(|| configuration_next_to(&self.path));
        plan::load(&shown, trim_bom(&self.bytes), inv, config_dir.as_deref())?;
        locate_in_configuration(&self.path, &self.opts, inv, before)
    }
}

impl Source for PlanDir {
    fn origin(&self) -> Origin {
        Origin::Plan
    }
    fn load(&self) -> Result<Loaded, LoadError> {
        let mut inv = Inventory::new();
        load_dir(&self.dir, &mut inv)?;
        Ok(one(inv))
    }
}

impl Source for HclDir {
    fn origin(&self) -> Origin {
        Origin::Hcl
    }
    fn load(&self) -> Result<Loaded, LoadError> {
        let mut inv = Inventory::new();
        hcl::load(&self.dir, &self.opts, &mut inv)?;
        Ok(one(inv))
    }
}

fn one(inv: Inventory) -> Loaded {
    Loaded {
        inventories: vec![inv],
        note: None,
    }
}

/// The source that reads `path`: a directory holding `.tf` files (or a `.tf` file) is
/// Terraform configuration, another directory holds plans, a file is detected by its
/// content.
pub fn detect(path: &Path, opts: &LoadOptions) -> Result<Box<dyn Source>, LoadError> {
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
            return Ok(Box::new(HclDir {
                dir: path.to_path_buf(),
                opts: opts.hcl.clone(),
            }));
        }
        return Ok(Box::new(PlanDir {
            dir: path.to_path_buf(),
        }));
    }
    if path.extension().is_some_and(|e| e == "tf") {
        // A single .tf file: its directory's configuration.
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        return Ok(Box::new(HclDir {
            dir: dir.to_path_buf(),
            opts: opts.hcl.clone(),
        }));
    }
    let bytes = std::fs::read(path).map_err(|e| SourceError::Io {
        path: shown.clone(),
        message: e.to_string(),
    })?;
    detect_content(&shown, &bytes)?;
    Ok(Box::new(PlanFile {
        path: path.to_path_buf(),
        bytes,
        opts: opts.clone(),
    }))
}

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

/// Reads every input path ([`detect`], [`read`]) into one inventory.
pub fn load_with(paths: &[impl AsRef<Path>], opts: &LoadOptions) -> Result<Inventory, LoadError> {
    let mut all = Vec::new();
    for path in paths {
        let source = detect(path.as_ref(), opts)?;
        all.extend(read(source.as_ref())?.inventories);
    }
    Ok(merge(all))
}

/// One inventory of several (inputs, account, resources and gaps in order).
fn merge(inventories: Vec<Inventory>) -> Inventory {
    let mut all = inventories.into_iter();
    let mut inv = all.next().unwrap_or_default();
    for other in all {
        inv.inputs.extend(other.inputs.iter().cloned());
        if inv.account.is_none() {
            inv.account.clone_from(&other.account);
        }
        for r in other.resources() {
            inv.push(r.clone());
        }
        for g in other.gaps() {
            inv.add_gap(g.clone());
        }
        inv.missing_permissions
            .extend(other.missing_permissions.iter().cloned());
        inv.waivers.extend(other.waivers.iter().cloned());
    }
    inv
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
    #[cfg(feature = "live")]
    #[error(transparent)]
    #[diagnostic(transparent)]
    Live(#[from] live::LiveError),
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
    inv.waivers.extend(map.waivers(opts.hcl.is_rule)?);
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
    detect_content(path, bytes)?;
    plan::load(path, trim_bom(bytes), inv, None)
}

/// Checks that a file is a plan by its content: not empty, text, a JSON object.
fn detect_content(path: &str, bytes: &[u8]) -> Result<(), SourceError> {
    let text = trim_bom(bytes);
    if text.iter().all(u8::is_ascii_whitespace) {
        return Err(SourceError::Empty { path: path.into() });
    }
    if text.contains(&0) || std::str::from_utf8(text).is_err() {
        return Err(SourceError::Binary { path: path.into() });
    }
    let first = text.iter().find(|b| !b.is_ascii_whitespace()).copied();
    if first == Some(b'{') {
        return Ok(());
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
            load_bytes(&p.display().to_string(), &bytes, inv)?;
            found = true;
        }
    }
    if !found {
        return Err(SourceError::EmptyDirectory { path: shown });
    }
    Ok(())
}
