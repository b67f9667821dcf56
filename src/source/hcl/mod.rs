//! Terraform configuration (`.tf` directories): the HCL source.
//!
//! A directory becomes the same inventory its plan gives: variables (defaults, tfvars,
//! `--var-file`, `--var`), locals, `count` / `for_each`, `dynamic` blocks, local and
//! installed modules, provider `default_tags`, and the functions teams use are evaluated;
//! attributes known only after apply are unknown values that keep the identity of their
//! resource, so references resolve as they do in plans. Every resource and attribute keeps
//! its file, line and column.
//!
//! It also serves plans: the configuration next to a plan, evaluated with the plan's
//! variable values, resolves references the plan does not record ([`instance_values`]) and
//! locates its resources ([`SourceMap`]).
//!
//! Both read the inline waivers of the configuration (`# cbaudit:waive` comments,
//! `waivers.rs`, documented in `docs/waivers.md`) into [`Inventory::waivers`]; a
//! malformed one is an [`HclError`] on the comment.

mod config;
mod error;
mod eval;
mod functions;
mod project;
mod waivers;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use error::{HclError, HclErrorKind};
pub use waivers::RuleCheck;

use crate::model::{Inventory, Location, Origin};
use crate::source::terraform::{self, TfResource, TfValue};

use config::{Loc, Mode};
use project::{Evaluator, Project};

/// Variable values given on the command line.
#[derive(Debug, Clone, Default)]
pub struct HclOptions {
    pub var_files: Vec<PathBuf>,
    /// `NAME=VALUE`
    pub vars: Vec<String>,
    /// Checks the rules `cbaudit:waive` comments name (the CLI sets
    /// `|k| rules::find(k).is_some()`); without one, any rule key is accepted.
    pub is_rule: Option<RuleCheck>,
}

/// Whether a directory holds Terraform configuration.
pub fn is_configuration(dir: &Path) -> bool {
    config::tf_files(dir).is_ok_and(|f| !f.is_empty())
}

/// Reads the configuration in `dir` into the inventory.
pub fn load(dir: &Path, opts: &HclOptions, inv: &mut Inventory) -> Result<(), HclError> {
    if !is_configuration(dir) {
        return Err(HclErrorKind::Empty(dir.display().to_string()).into());
    }
    let project = Project::load(dir)?;
    inv.waivers
        .extend(waivers::declared(&project, opts.is_rule)?);
    let vars = root_variables(dir, opts)?;
    let evaluator = Evaluator::new(&project, vars);
    let mut providers: HashMap<String, (Option<String>, crate::model::Field<crate::model::Tags>)> =
        HashMap::new();
    let mut locations = LocationCache::default();
    for mut instance in evaluator.instances()? {
        mark_schema_sensitive(&mut instance.values);
        let settings = providers
            .entry(instance.provider.clone())
            .or_insert_with(|| evaluator.provider(&instance.provider))
            .clone();
        let r = TfResource {
            address: &instance.address,
            resource_type: &instance.block.resource_type,
            data: instance.block.mode == Mode::Data,
            values: &instance.values,
            region: settings.0,
            default_tags: settings.1,
        };
        let input: Arc<str> = instance.block.loc.file.path.clone();
        let location = locations.of(&instance.block.loc);
        if let Some(mut resource) = terraform::map_resource(&r, Origin::Hcl, input, Some(location))
        {
            resource.provenance.attributes =
                attribute_locations(&instance.block.body, &mut locations);
            resource.provenance.set_by = set_by_module_inputs(
                &project,
                &instance.address,
                &instance.block.body,
                &mut locations,
            );
            inv.push(resource);
        }
    }
    inv.inputs.push(crate::model::Input {
        kind: Origin::Hcl,
        path: dir.display().to_string(),
    });
    Ok(())
}

/// The evaluated values of every resource instance of the configuration in `dir`, by
/// address, with the given root variable values (a plan's `variables`).
///
/// `data_values` are the data source instances the plan read while planning (its
/// `prior_state`), by address: the evaluation uses them where a directory scan, which
/// does not call AWS, leaves data sources unknown.
pub fn instance_values(
    dir: &Path,
    root_vars: HashMap<String, TfValue>,
    data_values: HashMap<String, TfValue>,
) -> Result<Evaluated, HclError> {
    let project = Project::load(dir)?;
    let evaluator = Evaluator::new(&project, root_vars).with_data_values(data_values);
    let values = evaluator
        .instances()?
        .into_iter()
        .map(|i| (i.address, i.values))
        .collect();
    let provider_regions = project.modules[0]
        .providers
        .iter()
        .map(|p| {
            let key = match &p.alias {
                Some(a) => format!("{}.{a}", p.name),
                None => p.name.clone(),
            };
            let region = evaluator.provider(&key).0;
            (key, region)
        })
        .collect();
    Ok(Evaluated {
        values,
        provider_regions,
    })
}

/// A configuration evaluated beside its plan.
pub struct Evaluated {
    /// The values of every resource instance, by address.
    pub values: HashMap<String, TfValue>,
    /// The region of each root provider configuration (`aws`, `aws.dr`), where the
    /// evaluation knows it (a region from a local, say, which a plan does not record).
    pub provider_regions: HashMap<String, Option<String>>,
}

/// Attributes the AWS provider's schema marks sensitive (a plan reports them in
/// `after_sensitive`; the configuration alone does not say so).
const SCHEMA_SENSITIVE: &[&str] = &[
    "password",
    "master_password",
    "password_wo",
    "secret_string",
    "secret_binary",
    "secret_string_wo",
    "auth_token",
    "private_key",
    "secret",
    "ses_smtp_password_v4",
];

fn mark_schema_sensitive(values: &mut TfValue) {
    if let TfValue::Map(m) = values {
        for (k, v) in m.iter_mut() {
            if SCHEMA_SENSITIVE.contains(&k.as_str())
                && !matches!(v, TfValue::Null | TfValue::Sensitive(_))
            {
                *v = TfValue::Sensitive(Box::new(std::mem::take(v)));
            }
        }
    }
}

/// Top-level attributes and nested blocks of a resource body, with their locations
/// (a nested block's attributes as `block.attr` too).
fn attribute_locations(
    body: &config::BodyNode,
    cache: &mut LocationCache,
) -> Vec<(String, Location)> {
    let mut out = Vec::new();
    for (name, _, loc) in &body.attrs {
        out.push((name.clone(), cache.of(loc)));
    }
    for block in &body.blocks {
        let kind = if block.kind == "dynamic" {
            block.labels.first().cloned().unwrap_or_default()
        } else {
            block.kind.clone()
        };
        if !out.iter().any(|(n, _)| n == &kind) {
            out.push((kind.clone(), cache.of(&block.loc)));
        }
        // A dynamic block's attributes are in its `content` block.
        let content = block
            .body
            .blocks
            .iter()
            .filter(|b| block.kind == "dynamic" && b.kind == "content")
            .map(|b| &b.body);
        for body in std::iter::once(&block.body).chain(content) {
            for (name, _, loc) in &body.attrs {
                let path = format!("{kind}.{name}");
                if !out.iter().any(|(n, _)| n == &path) {
                    out.push((path, cache.of(loc)));
                }
            }
        }
    }
    out
}

/// Line/column computation per file, with the newline offsets computed once.
#[derive(Default)]
struct LocationCache {
    lines: HashMap<Arc<str>, Vec<usize>>,
}

impl LocationCache {
    fn of(&mut self, loc: &Loc) -> Location {
        let text = &loc.file.text;
        let lines = self
            .lines
            .entry(loc.file.path.clone())
            .or_insert_with(|| text.match_indices('\n').map(|(i, _)| i).collect());
        let offset = loc.span.start.min(text.len());
        let line = lines.partition_point(|&nl| nl < offset);
        let line_start = if line == 0 { 0 } else { lines[line - 1] + 1 };
        let column = text[line_start..offset].chars().count() + 1;
        Location {
            path: loc.file.path.clone(),
            line: line as u32 + 1,
            column: column as u32,
            offset,
            len: loc.span.end.saturating_sub(loc.span.start),
        }
    }
}

/// Root variable values: `terraform.tfvars`, `*.auto.tfvars` (sorted), `--var-file`s, then
/// `--var`s, later ones winning, as Terraform orders them.
fn root_variables(dir: &Path, opts: &HclOptions) -> Result<HashMap<String, TfValue>, HclError> {
    let mut files: Vec<PathBuf> = Vec::new();
    let default = dir.join("terraform.tfvars");
    if default.is_file() {
        files.push(default);
    }
    if let Ok(entries) = std::fs::read_dir(dir) {
        let mut auto: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.to_str().is_some_and(|s| s.ends_with(".auto.tfvars")))
            .collect();
        auto.sort();
        files.extend(auto);
    }
    files.extend(opts.var_files.iter().cloned());
    let mut vars = HashMap::new();
    for f in files {
        for (k, v) in project::parse_tfvars(&f)? {
            vars.insert(k, v);
        }
    }
    for kv in &opts.vars {
        let (k, v) = kv
            .split_once('=')
            .ok_or_else(|| HclErrorKind::BadVar(kv.clone()))?;
        // Terraform parses non-string values (lists, maps, numbers) as HCL.
        let value = match hcl::parse(&format!("v = {v}\n")) {
            Ok(body) => body
                .attributes()
                .next()
                .map(|a| project::constant(&a.expr))
                .filter(|c| !matches!(c, TfValue::Unknown(_)))
                .unwrap_or_else(|| TfValue::String(v.to_string())),
            Err(_) => TfValue::String(v.to_string()),
        };
        vars.insert(k.trim().to_string(), value);
    }
    Ok(vars)
}

/// Where each resource of a configuration is declared: maps plan addresses (module paths
/// and instance keys included) back to the block and attribute lines.
pub struct SourceMap {
    project: Project,
    locations: std::cell::RefCell<LocationCache>,
}

impl SourceMap {
    /// Parses the configuration in `dir` (without evaluating it).
    pub fn load(dir: &Path) -> Result<SourceMap, HclError> {
        Ok(SourceMap {
            project: Project::load(dir)?,
            locations: std::cell::RefCell::new(LocationCache::default()),
        })
    }

    /// The `cbaudit:waive` comments of the configuration, checked (see
    /// [`HclOptions::is_rule`]).
    pub fn waivers(
        &self,
        is_rule: Option<RuleCheck>,
    ) -> Result<Vec<crate::model::DeclaredWaiver>, HclError> {
        waivers::declared(&self.project, is_rule)
    }

    /// The block and attribute locations of `address`
    /// (`module.net["a"].aws_subnet.app["x"]`), if the configuration declares it, and
    /// where module inputs set its attributes (see [`set_by_module_inputs`]).
    pub fn locate(&self, address: &str) -> Option<Located> {
        let (chain, module) = module_chain(&self.project, address)?;
        let rest = resource_part(address);
        let block = self.project.modules[module].resource(strip_key(rest))?;
        let mut cache = self.locations.borrow_mut();
        Some(Located {
            block: cache.of(&block.loc),
            attributes: attribute_locations(&block.body, &mut cache),
            set_by: input_arguments(&self.project, &chain, &block.body, &mut cache),
        })
    }
}

/// Where a resource is declared: its block, its attributes, and the module arguments that
/// set attributes through module inputs.
pub struct Located {
    pub block: Location,
    pub attributes: Vec<(String, Location)>,
    pub set_by: Vec<(String, Location)>,
}

/// The module calls leading to the resource at `address` (each as the calling module's
/// index and the call's name) and the module that declares it.
fn module_chain(project: &Project, address: &str) -> Option<(Vec<(usize, String)>, usize)> {
    let mut module = 0usize;
    let mut chain = Vec::new();
    let mut rest = address;
    while let Some(after) = rest.strip_prefix("module.") {
        let end = after.find(['.', '[']).unwrap_or(after.len());
        let name = &after[..end];
        let child = project.child(module, name)?;
        chain.push((module, name.to_string()));
        module = child;
        rest = skip_key(&after[end..]);
    }
    Some((chain, module))
}

/// `["a"].rest` / `[0].rest` / `.rest` → `rest`.
fn skip_key(tail: &str) -> &str {
    let tail = if tail.starts_with('[') {
        let close = tail.find("].").map(|i| i + 1).unwrap_or(tail.len());
        &tail[close..]
    } else {
        tail
    };
    tail.strip_prefix('.').unwrap_or(tail)
}

/// The resource part of an address (`module.a["k"].aws_x.y[0]` → `aws_x.y[0]`).
fn resource_part(address: &str) -> &str {
    let mut rest = address;
    while let Some(after) = rest.strip_prefix("module.") {
        let end = after.find(['.', '[']).unwrap_or(after.len());
        rest = skip_key(&after[end..]);
    }
    rest
}

/// `var.NAME` exactly: the module input an expression passes through unchanged.
fn module_input(expr: &hcl::Expression) -> Option<&str> {
    let hcl::Expression::Traversal(t) = expr else {
        return None;
    };
    let hcl::Expression::Variable(root) = &t.expr else {
        return None;
    };
    match t.operators.as_slice() {
        [hcl::expr::TraversalOperator::GetAttr(id)] if root.as_str() == "var" => Some(id.as_str()),
        _ => None,
    }
}

/// For the resource at `address`: every attribute whose expression is exactly a module
/// input (`storage_encrypted = var.storage_encrypted`), with the location of the argument
/// that sets it in the calling `module` block, then in that module's caller while the
/// argument is itself an input (innermost first). An input left to its default has no
/// argument; the chain stops there.
fn set_by_module_inputs(
    project: &Project,
    address: &str,
    body: &config::BodyNode,
    cache: &mut LocationCache,
) -> Vec<(String, Location)> {
    match module_chain(project, address) {
        Some((chain, _)) => input_arguments(project, &chain, body, cache),
        None => Vec::new(),
    }
}

fn input_arguments(
    project: &Project,
    chain: &[(usize, String)],
    body: &config::BodyNode,
    cache: &mut LocationCache,
) -> Vec<(String, Location)> {
    if chain.is_empty() {
        return Vec::new();
    }
    let mut attrs: Vec<(String, &hcl::Expression)> = body
        .attrs
        .iter()
        .map(|(name, expr, _)| (name.clone(), expr))
        .collect();
    for block in &body.blocks {
        if block.kind == "dynamic" {
            continue;
        }
        for (name, expr, _) in &block.body.attrs {
            attrs.push((format!("{}.{name}", block.kind), expr));
        }
    }
    let mut out = Vec::new();
    for (attr, expr) in attrs {
        let mut input = module_input(expr);
        for (caller, call_name) in chain.iter().rev() {
            let Some(name) = input else { break };
            let Some(call) = project.modules[*caller]
                .module_calls
                .iter()
                .find(|c| &c.name == call_name)
            else {
                break;
            };
            let Some((_, arg_expr, loc)) = call.args.iter().find(|(n, _, _)| n == name) else {
                break;
            };
            out.push((attr.clone(), cache.of(loc)));
            input = module_input(arg_expr);
        }
    }
    out
}

/// `aws_subnet.app["a"]` → `aws_subnet.app`.
fn strip_key(address: &str) -> &str {
    crate::model::group_address(address)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_of_dynamic_blocks_are_located_in_their_content() {
        let dir = tempfile::tempdir().expect("tempdir");
        let tf = r#"resource "aws_security_group" "db" {
  name = "db"
  dynamic "ingress" {
    for_each = var.lists
    content {
      protocol        = "tcp"
      prefix_list_ids = [ingress.value]
    }
  }
}
"#;
        std::fs::write(dir.path().join("main.tf"), tf).expect("write");
        let map = SourceMap::load(dir.path()).expect("parses");
        let located = map.locate("aws_security_group.db").expect("declared");
        let (block, attrs) = (located.block, located.attributes);
        assert_eq!(block.line, 1);
        let line = |name: &str| attrs.iter().find(|(n, _)| n == name).map(|(_, l)| l.line);
        assert_eq!(line("ingress"), Some(3));
        assert_eq!(line("ingress.prefix_list_ids"), Some(7));
        assert_eq!(line("ingress.protocol"), Some(6));
    }
}
