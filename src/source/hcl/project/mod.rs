//! The module tree of a configuration and its evaluation into resource instances.
//!
//! - this file: [`Project`], the module directories of a configuration (local modules and
//!   those `terraform init` installed);
//! - `evaluator.rs`: [`Evaluator`], its module instances and memoized variables and locals;
//! - `resources.rs`: resource instances (`count` / `for_each`), their bodies (`dynamic`
//!   blocks) and the root provider configurations;
//! - `modules.rs`: module calls, their instances and outputs;
//! - `tfvars.rs`: `.tfvars` files and constant values.
//!
//! Expressions themselves are evaluated in `super::eval`.

mod evaluator;
mod modules;
mod resources;
mod tfvars;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::config::{load_module, ModuleConfig};
use super::error::HclError;

pub use evaluator::{Evaluator, InstId};
pub use tfvars::{constant, parse_tfvars};

/// Every module directory of a configuration: the root (index 0) and the modules it calls.
#[derive(Debug)]
pub struct Project {
    pub modules: Vec<ModuleConfig>,
    /// (module index, call name) → module index.
    children: HashMap<(usize, String), usize>,
}

impl Project {
    pub fn load(root: &Path) -> Result<Project, HclError> {
        let installed = installed_modules(root);
        let mut project = Project {
            modules: vec![load_module(root)?],
            children: HashMap::new(),
        };
        let mut by_dir: HashMap<PathBuf, usize> = HashMap::new();
        by_dir.insert(canonical(root), 0);
        // (module index, key path of installed modules: "net.sub")
        let mut stack: Vec<(usize, String)> = vec![(0, String::new())];
        while let Some((index, key)) = stack.pop() {
            let calls: Vec<_> = project.modules[index].module_calls.clone();
            let dir = project.modules[index].dir.clone();
            for call in calls {
                let call_key = if key.is_empty() {
                    call.name.clone()
                } else {
                    format!("{key}.{}", call.name)
                };
                let child_dir = if call.source.starts_with("./") || call.source.starts_with("../") {
                    lexical(&dir.join(&call.source))
                } else {
                    match installed.get(&call_key) {
                        Some(d) => root.join(d),
                        None => {
                            return Err(HclError::module_not_found(
                                &call.name,
                                &call.source,
                                &call.loc,
                            ));
                        }
                    }
                };
                if !child_dir.is_dir() {
                    return Err(HclError::module_not_found(
                        &call.name,
                        &child_dir.display().to_string(),
                        &call.loc,
                    ));
                }
                let canon = canonical(&child_dir);
                let child = match by_dir.get(&canon) {
                    Some(&i) => i,
                    None => {
                        if project.modules.len() > 256 {
                            continue; // a pathological (recursive) module tree
                        }
                        project.modules.push(load_module(&child_dir)?);
                        let i = project.modules.len() - 1;
                        by_dir.insert(canon, i);
                        stack.push((i, call_key.clone()));
                        i
                    }
                };
                project.children.insert((index, call.name.clone()), child);
            }
        }
        Ok(project)
    }
}

impl Project {
    /// The module a call of module `module` loads.
    pub fn child(&self, module: usize, call: &str) -> Option<usize> {
        self.children.get(&(module, call.to_string())).copied()
    }

    /// For each module (by index), the module call paths from the root that instantiate
    /// it, as address prefixes without instance keys: `""` for the root,
    /// `module.a.module.b` for a module called by `b` inside `a`. A module called from
    /// several places has several paths (a recursive tree is cut at depth 16).
    pub fn call_paths(&self) -> Vec<Vec<String>> {
        const MAX_DEPTH: usize = 16;
        let mut out = vec![Vec::new(); self.modules.len()];
        let mut stack = vec![(0usize, String::new(), 0usize)];
        while let Some((module, prefix, depth)) = stack.pop() {
            out[module].push(prefix.clone());
            if depth >= MAX_DEPTH {
                continue;
            }
            for call in self.modules[module].module_calls.iter().rev() {
                if let Some(child) = self.child(module, &call.name) {
                    let path = if prefix.is_empty() {
                        format!("module.{}", call.name)
                    } else {
                        format!("{prefix}.module.{}", call.name)
                    };
                    stack.push((child, path, depth + 1));
                }
            }
        }
        out
    }
}

/// `a/./b/../c` → `a/c`, without touching the file system (paths stay as the user gave
/// them, relative where they were relative).
fn lexical(p: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

fn canonical(p: &Path) -> PathBuf {
    p.canonicalize().unwrap_or_else(|_| p.to_path_buf())
}

/// `.terraform/modules/modules.json`: modules `terraform init` installed (Key → Dir).
fn installed_modules(root: &Path) -> HashMap<String, String> {
    let path = root.join(".terraform/modules/modules.json");
    let Ok(text) = std::fs::read_to_string(path) else {
        return HashMap::new();
    };
    let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
        return HashMap::new();
    };
    json["Modules"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| {
            Some((
                m["Key"].as_str()?.to_string(),
                m["Dir"].as_str()?.to_string(),
            ))
        })
        .filter(|(k, _)| !k.is_empty())
        .collect()
}
