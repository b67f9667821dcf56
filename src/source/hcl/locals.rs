//! `locals` blocks of a configuration and its local modules, read for reference resolution.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use hcl::expr::{Expression, ObjectKey};

use super::expression_references;

/// The local module calls (name, source) of the module at a path.
pub type ModuleSources<'a> = &'a dyn Fn(&[String]) -> Vec<(String, String)>;

/// Local values and `for_each` expressions per module path (root = empty path).
#[derive(Debug, Default)]
pub struct LocalsIndex {
    modules: HashMap<Vec<String>, HashMap<String, Expression>>,
    /// `for_each` expressions by module path and resource (`aws_ecs_service.svc`).
    for_each: HashMap<Vec<String>, HashMap<String, Expression>>,
}

impl LocalsIndex {
    /// Reads the `locals` of `dir` and of every local module under it (`source = "./…"`).
    /// Unreadable or unparsable files are skipped: this only sharpens references.
    pub fn load(dir: &Path, module_sources: ModuleSources<'_>) -> LocalsIndex {
        let mut index = LocalsIndex::default();
        let mut stack: Vec<(Vec<String>, PathBuf)> = vec![(Vec::new(), dir.to_path_buf())];
        while let Some((path, dir)) = stack.pop() {
            if path.len() > 16 {
                continue;
            }
            let (locals, for_each) = read_dir(&dir);
            index.modules.insert(path.clone(), locals);
            index.for_each.insert(path.clone(), for_each);
            for (name, source) in module_sources(&path) {
                if source.starts_with("./") || source.starts_with("../") {
                    let mut child = path.clone();
                    child.push(name);
                    stack.push((child, dir.join(source)));
                }
            }
        }
        index
    }

    pub fn is_empty(&self) -> bool {
        self.modules.values().all(HashMap::is_empty)
    }

    /// The references of `local.<name>.<attrs…>` in module `module`: the references of the
    /// object attribute the path selects, or of the whole value.
    pub fn references(
        &self,
        module: &[String],
        name: &str,
        attrs: &[String],
    ) -> Option<Vec<String>> {
        let expr = self.modules.get(module)?.get(name)?;
        Some(expression_references(select(expr, attrs)))
    }

    /// The references of `each.value.<attrs…>` for instance `key` of `resource`, when its
    /// `for_each` is an object literal (directly or through a local) with that key.
    pub fn each_value_references(
        &self,
        module: &[String],
        resource: &str,
        key: &str,
        attrs: &[String],
    ) -> Option<Vec<String>> {
        let mut expr = self.for_each.get(module)?.get(resource)?;
        // `for_each = local.services`: follow the local once.
        if let Expression::Traversal(t) = expr {
            if let (Expression::Variable(v), [hcl::expr::TraversalOperator::GetAttr(name)]) =
                (&t.expr, t.operators.as_slice())
            {
                if v.as_str() == "local" {
                    expr = self.modules.get(module)?.get(name.as_str())?;
                }
            }
        }
        let Expression::Object(obj) = expr else {
            return None;
        };
        let (_, item) = obj.iter().find(|(k, _)| object_key(k) == Some(key))?;
        Some(expression_references(select(item, attrs)))
    }
}

fn object_key(k: &ObjectKey) -> Option<&str> {
    match k {
        ObjectKey::Identifier(id) => Some(id.as_str()),
        ObjectKey::Expression(Expression::String(s)) => Some(s),
        _ => None,
    }
}

/// The sub-expression an attribute path selects in nested object literals.
fn select<'e>(mut expr: &'e Expression, attrs: &[String]) -> &'e Expression {
    {
        for attr in attrs {
            match expr {
                Expression::Object(obj) => {
                    match obj
                        .iter()
                        .find(|(k, _)| object_key(k) == Some(attr.as_str()))
                    {
                        Some((_, v)) => expr = v,
                        None => break,
                    }
                }
                _ => break,
            }
        }
    }
    expr
}

type Expressions = HashMap<String, Expression>;

fn read_dir(dir: &Path) -> (Expressions, Expressions) {
    let mut locals = HashMap::new();
    let mut for_each = HashMap::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return (locals, for_each);
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "tf"))
        .collect();
    files.sort();
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let Ok(body) = hcl::parse(&text) else {
            continue;
        };
        for block in body.blocks() {
            match (block.identifier.as_str(), block.labels.as_slice()) {
                ("locals", _) => {
                    for attr in block.body.attributes() {
                        locals.insert(attr.key.as_str().to_string(), attr.expr.clone());
                    }
                }
                (kind @ ("resource" | "data"), [t, n]) => {
                    if let Some(attr) = block
                        .body
                        .attributes()
                        .find(|a| a.key.as_str() == "for_each")
                    {
                        let prefix = if kind == "data" { "data." } else { "" };
                        let address = format!("{prefix}{}.{}", t.as_str(), n.as_str());
                        for_each.insert(address, attr.expr.clone());
                    }
                }
                _ => {}
            }
        }
    }
    (locals, for_each)
}
