//! The plan's `configuration` section: expressions and their references, used to resolve
//! what a still-unknown attribute points at.

use std::collections::BTreeMap;

use rustc_hash::FxHashSet as HashSet;

use serde::Deserialize;
use serde_json::{Map, Value};

#[derive(Debug, Default, Deserialize)]
pub struct Configuration {
    #[serde(default)]
    pub provider_config: BTreeMap<String, ProviderConfig>,
    #[serde(default)]
    pub root_module: ConfigModule,
}

#[derive(Debug, Default, Deserialize)]
pub struct ProviderConfig {
    #[serde(default)]
    pub expressions: Map<String, Value>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ConfigModule {
    #[serde(default)]
    pub resources: Vec<ConfigResource>,
    #[serde(default)]
    pub module_calls: BTreeMap<String, ModuleCall>,
    #[serde(default)]
    pub outputs: BTreeMap<String, ConfigOutput>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ConfigResource {
    pub address: String,
    #[serde(default)]
    pub provider_config_key: Option<String>,
    #[serde(default)]
    pub expressions: Map<String, Value>,
    #[serde(default)]
    pub for_each_expression: Option<Value>,
    #[serde(default)]
    pub count_expression: Option<Value>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ModuleCall {
    #[serde(default)]
    pub expressions: Map<String, Value>,
    #[serde(default)]
    pub module: ConfigModule,
}

#[derive(Debug, Default, Deserialize)]
pub struct ConfigOutput {
    #[serde(default)]
    pub expression: Option<Value>,
}

/// One step of a module instance path: `module.net["a"]` → ("net", Some("[\"a\"]")).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleStep {
    pub name: String,
    pub key: Option<String>,
}

/// Parses `module.a.module.b["x"]` into steps.
pub fn module_path(module_address: &str) -> Vec<ModuleStep> {
    let mut steps = Vec::new();
    for (segment, key) in segments(module_address) {
        if segment == "module" {
            continue;
        }
        steps.push(ModuleStep { name: segment, key });
    }
    steps
}

/// The module part of a resource address: `module.a["x"].aws_vpc.b` → `module.a["x"]`.
pub fn module_part(address: &str) -> &str {
    let mut end = 0;
    let mut rest = address;
    while let Some(after) = rest.strip_prefix("module.") {
        // The module name, then an optional `[key]`, then `.`.
        let name_len = after.find(['.', '[']).unwrap_or(after.len());
        let mut len = "module.".len() + name_len;
        if after[name_len..].starts_with('[') {
            let key: Vec<(String, Option<String>)> = segments(&after[name_len..]);
            len += key
                .first()
                .and_then(|(_, k)| k.as_ref())
                .map_or(0, String::len);
        }
        end += len;
        match address[end..].strip_prefix('.') {
            Some(r) if r.starts_with("module.") => {
                rest = r;
                end += 1;
            }
            _ => break,
        }
    }
    &address[..end]
}

fn module_prefix(path: &[ModuleStep]) -> String {
    let mut s = String::new();
    for step in path {
        s.push_str("module.");
        s.push_str(&step.name);
        if let Some(k) = &step.key {
            s.push_str(k);
        }
        s.push('.');
    }
    s
}

/// Splits a reference into dot-separated names, each with an optional `[...]` index.
fn segments(s: &str) -> Vec<(String, Option<String>)> {
    let mut out: Vec<(String, Option<String>)> = Vec::new();
    let bytes = s.as_bytes();
    let mut i = 0;
    let mut name = String::new();
    while i < bytes.len() {
        match bytes[i] {
            b'.' => {
                if !name.is_empty() {
                    out.push((std::mem::take(&mut name), None));
                }
                i += 1;
            }
            b'[' => {
                // Find the matching `]`, skipping quoted strings.
                let start = i;
                let mut in_str = false;
                while i < bytes.len() {
                    match bytes[i] {
                        b'\\' if in_str => i += 1,
                        b'"' => in_str = !in_str,
                        b']' if !in_str => break,
                        _ => {}
                    }
                    i += 1;
                }
                let end = (i + 1).min(bytes.len());
                let key = s[start..end].to_string();
                out.push((std::mem::take(&mut name), Some(key)));
                i = end;
            }
            _ => {
                let start = i;
                while i < bytes.len() && bytes[i] != b'.' && bytes[i] != b'[' {
                    i += 1;
                }
                name.push_str(&s[start..i]);
            }
        }
    }
    if !name.is_empty() {
        out.push((name, None));
    }
    out
}

/// `var.a.b["c"]` → ("a", ["b", "c"]); `None` for anything but a variable path with
/// attribute names and string keys.
pub fn variable_path(reference: &str) -> Option<(String, Vec<String>)> {
    let segs = segments(reference);
    let mut steps = Vec::new();
    let mut iter = segs.into_iter();
    match iter.next()? {
        (v, None) if v == "var" => {}
        _ => return None,
    }
    let (name, key) = iter.next()?;
    fn string_key(k: Option<String>, steps: &mut Vec<String>) -> Option<()> {
        if let Some(k) = k {
            let inner = k.strip_prefix('[')?.strip_suffix(']')?;
            steps.push(serde_json::from_str::<String>(inner).ok()?);
        }
        Some(())
    }
    string_key(key, &mut steps)?;
    for (seg, key) in iter {
        steps.push(seg);
        string_key(key, &mut steps)?;
    }
    Some((name, steps))
}

/// A parsed reference string.
#[derive(Debug, Clone, PartialEq)]
enum Reference {
    /// `aws_x.name` / `data.aws_x.name`, with an instance key when the expression indexes it.
    Resource {
        group: String,
        key: Option<String>,
    },
    Var(String),
    Local(String),
    ModuleOutput {
        name: String,
        key: Option<String>,
        output: String,
    },
    Each,
    CountIndex,
    Other,
}

fn parse_reference(s: &str) -> Reference {
    let segs = segments(s);
    let name = |i: usize| segs.get(i).map(|(n, _)| n.as_str()).unwrap_or("");
    let key = |i: usize| segs.get(i).and_then(|(_, k)| k.clone());
    match name(0) {
        "var" if segs.len() >= 2 => Reference::Var(name(1).to_string()),
        "local" if segs.len() >= 2 => Reference::Local(name(1).to_string()),
        "each" => Reference::Each,
        "count" => Reference::CountIndex,
        "module" if segs.len() >= 3 => Reference::ModuleOutput {
            name: name(1).to_string(),
            key: key(1),
            output: name(2).to_string(),
        },
        "module" => Reference::Other,
        "path" | "terraform" | "self" => Reference::Other,
        "data" if segs.len() >= 3 => Reference::Resource {
            group: format!("data.{}.{}", name(1), name(2)),
            key: key(2),
        },
        t if t.contains('_') && segs.len() >= 2 => Reference::Resource {
            group: format!("{}.{}", t, name(1)),
            key: key(1),
        },
        _ => Reference::Other,
    }
}

/// What an expression's references resolve to.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Resolved {
    /// Absolute resource addresses (instance or whole resource).
    pub addresses: Vec<String>,
    /// A reference that the plan cannot follow (a local value), if any.
    pub dead_end: Option<String>,
    /// The expression names instances the plan cannot pin down: none of its addresses
    /// stands for its value, which is unknown with `dead_end` as the reason.
    pub opaque: bool,
}

/// Resolves references in the context of one resource instance.
pub struct RefContext<'c> {
    pub config: &'c Configuration,
    pub module: Vec<ModuleStep>,
    /// The instance key of the resource (`["a"]`, `[0]`).
    pub key: Option<String>,
    /// References of the resource's `for_each` / `count` expression.
    pub repetition_refs: Vec<String>,
    pub addresses: &'c HashSet<String>,
    /// Resources with several instances (`aws_subnet.app` for `…["a"]`, `…["b"]`).
    pub multi_instance: &'c HashSet<String>,
}

impl<'c> RefContext<'c> {
    pub fn module_config(&self, path: &[ModuleStep]) -> Option<&'c ConfigModule> {
        let mut m = &self.config.root_module;
        for step in path {
            m = &m.module_calls.get(&step.name)?.module;
        }
        Some(m)
    }

    /// Resolves the `references` of an expression object (`{"references": [...]}`).
    pub fn resolve_expression(&self, expr: &Value) -> Resolved {
        let refs = expression_refs(expr);
        let mut out = Resolved::default();
        self.resolve_into(&refs, &self.module, self.key.as_deref(), &mut out, 0);
        if out.opaque {
            out.addresses.clear();
            return out;
        }
        // A whole resource with several instances (`[for s in aws_subnet.x : s.id if …]`,
        // `aws_subnet.x[*].id`): a plan does not record which instances the expression
        // keeps, so the reference is unknown rather than guessed.
        if let Some(group) = out
            .addresses
            .iter()
            .find(|a| self.is_multi_instance_group(a))
        {
            out.dead_end = Some(format!(
                "it refers to instances of {group}, and a plan alone does not record which \
                 (scan the plan next to its .tf files)"
            ));
            out.addresses.clear();
        }
        out
    }

    /// Whether Terraform knew an expression's value while planning: a constant, or built
    /// only from inputs a plan always knows (root variables, module arguments built from
    /// them, `count.index`, `each` over such a collection, module outputs of the same).
    /// An attribute whose expression is known this way yet shows as "known after apply"
    /// was null in the configuration: Terraform sends nothing and AWS applies its default.
    /// Locals, resources and data sources are not followed (a plan does not record
    /// locals; a resource's attributes may be unknown), so they answer `false`.
    pub fn inputs_known(&self, expr: &Value) -> bool {
        let Value::Object(m) = expr else {
            return false;
        };
        if m.contains_key("constant_value") {
            return true;
        }
        let refs = expression_refs(expr);
        // `{}`: an expression with no reference that Terraform could not evaluate
        // (`timestamp()`, `uuid()`).
        !refs.is_empty() && self.refs_known(&refs, &self.module, true, 0)
    }

    fn refs_known(
        &self,
        refs: &[&str],
        module: &[ModuleStep],
        resource: bool,
        depth: usize,
    ) -> bool {
        if depth > 16 {
            return false;
        }
        refs.iter().all(|r| match parse_reference(r) {
            Reference::Var(name) => match module.split_last() {
                // Root variables are always known while planning.
                None => true,
                Some((step, parent)) => {
                    let call = self
                        .module_config(parent)
                        .and_then(|m| m.module_calls.get(&step.name));
                    match call {
                        None => false,
                        // Not passed: the variable's default, a constant.
                        Some(c) => match c.expressions.get(&name) {
                            None => true,
                            Some(e) => {
                                e.get("constant_value").is_some()
                                    || self.refs_known(
                                        &expression_refs(e),
                                        parent,
                                        false,
                                        depth + 1,
                                    )
                            }
                        },
                    }
                }
            },
            Reference::CountIndex => true,
            // `each` of the resource itself: known when its `for_each` is.
            Reference::Each if resource && depth == 0 => {
                let rep: Vec<&str> = self.repetition_refs.iter().map(String::as_str).collect();
                !rep.is_empty() && self.refs_known(&rep, module, false, depth + 1)
            }
            Reference::ModuleOutput { name, key, output } => {
                let mut child = module.to_vec();
                child.push(ModuleStep {
                    name: name.clone(),
                    key: key.clone(),
                });
                match self
                    .module_config(&child)
                    .and_then(|m| m.outputs.get(&output))
                    .and_then(|o| o.expression.as_ref())
                {
                    Some(e) => {
                        e.get("constant_value").is_some() || {
                            let inner = expression_refs(e);
                            !inner.is_empty() && self.refs_known(&inner, &child, false, depth + 1)
                        }
                    }
                    None => false,
                }
            }
            _ => false,
        })
    }

    /// `aws_subnet.app` when the plan holds `aws_subnet.app["a"]`, `…["b"]`, … but no
    /// instance without a key.
    fn is_multi_instance_group(&self, address: &str) -> bool {
        !self.addresses.contains(address) && self.multi_instance.contains(address)
    }

    fn resolve_into(
        &self,
        refs: &[&str],
        module: &[ModuleStep],
        key: Option<&str>,
        out: &mut Resolved,
        depth: usize,
    ) {
        if depth > 16 {
            return;
        }
        // Terraform lists `local.a.b` and `local.a`: keep the most specific spelling.
        let specific: Vec<&str> = refs
            .iter()
            .copied()
            .filter(|r| {
                !refs.iter().any(|o| {
                    o.len() > r.len()
                        && o.starts_with(r)
                        && matches!(o.as_bytes()[r.len()], b'.' | b'[')
                })
            })
            .collect();
        let parsed: Vec<Reference> = specific.iter().map(|r| parse_reference(r)).collect();
        let uses_key = parsed
            .iter()
            .any(|r| matches!(r, Reference::Each | Reference::CountIndex));
        let prefix = module_prefix(module);
        let mut groups: Vec<String> = Vec::new();
        let mut keyed: Vec<String> = Vec::new();
        for r in &parsed {
            match r {
                Reference::Resource {
                    group,
                    key: Some(k),
                } => {
                    keyed.push(format!("{prefix}{group}{k}"));
                }
                Reference::Resource { group, key: None } => groups.push(format!("{prefix}{group}")),
                Reference::Var(name) => {
                    if let Some((parent, step)) = module.split_last().map(|(l, p)| (p, l)) {
                        if let Some(expr) = self
                            .module_config(parent)
                            .and_then(|m| m.module_calls.get(&step.name))
                            .and_then(|c| c.expressions.get(name))
                        {
                            let inner = expression_refs(expr);
                            self.resolve_into(&inner, parent, step.key.as_deref(), out, depth + 1);
                        }
                    }
                }
                Reference::Local(name) => {
                    out.dead_end.get_or_insert_with(|| {
                        format!(
                            "it depends on local.{name}, which a plan does not record \
                             (scan the plan next to its .tf files to resolve it)"
                        )
                    });
                }
                Reference::ModuleOutput {
                    name,
                    key: mkey,
                    output,
                } => {
                    let mut child = module.to_vec();
                    child.push(ModuleStep {
                        name: name.clone(),
                        key: mkey.clone(),
                    });
                    if let Some(expr) = self
                        .module_config(&child)
                        .and_then(|m| m.outputs.get(output))
                        .and_then(|o| o.expression.as_ref())
                    {
                        let inner = expression_refs(expr);
                        self.resolve_into(&inner, &child, None, out, depth + 1);
                    }
                }
                Reference::Each | Reference::CountIndex | Reference::Other => {}
            }
        }
        // `aws_x.y["a"]` is more precise than `aws_x.y`, which Terraform lists too.
        groups.retain(|g| {
            !keyed
                .iter()
                .any(|k| k.starts_with(g.as_str()) && k[g.len()..].starts_with('['))
        });
        if uses_key {
            if let Some(k) = key {
                let from_repetition = groups.is_empty() && keyed.is_empty() && depth == 0;
                if from_repetition {
                    // `each.value.id` where `for_each = aws_x.y`: the instance with our key.
                    let mut rep = Resolved::default();
                    let rep_refs: Vec<&str> =
                        self.repetition_refs.iter().map(String::as_str).collect();
                    self.resolve_into(&rep_refs, module, None, &mut rep, depth + 1);
                    groups = rep.addresses;
                }
                if !from_repetition {
                    // `aws_subnet.s[each.key]` and `aws_subnet.s["data-${each.key}"]` are
                    // both recorded as `aws_subnet.s` + `each.key`: which instance the
                    // index names is not in the plan, so it is not guessed.
                    if let Some(g) = groups.iter().find(|g| self.is_multi_instance_group(g)) {
                        // What the index is built from: every other reference of the
                        // expression (`each.key`, `count.index`, a data source's values).
                        let inputs: Vec<&str> = specific
                            .iter()
                            .copied()
                            .filter(|r| {
                                let p = parse_reference(r);
                                !matches!(&p, Reference::Resource { group, .. }
                                    if format!("{prefix}{group}") == **g)
                            })
                            .collect();
                        let inputs = match inputs.as_slice() {
                            [] => "each.key or count.index".to_string(),
                            [one] => (*one).to_string(),
                            [init @ .., last] => format!("{} and {last}", init.join(", ")),
                        };
                        out.dead_end.get_or_insert_with(|| {
                            format!(
                                "it indexes {g} with an expression of {inputs}, and a plan \
                                 records only the references of an expression, not which \
                                 instance it names (scan the plan next to its .tf files)"
                            )
                        });
                        // The whole expression is unknown: the rest of its references (the
                        // data sources the index reads, other resources) are not what it
                        // names, or not all of it.
                        out.opaque = true;
                        return;
                    }
                }
                let mut unkeyed = 0;
                for g in &mut groups {
                    let instance = format!("{g}{k}");
                    if self.addresses.contains(&instance) {
                        *g = instance;
                    } else {
                        unkeyed += 1;
                    }
                }
                if from_repetition && unkeyed > 1 {
                    // for_each over a collection naming several resources: which one this
                    // instance refers to is not recorded in the plan.
                    out.dead_end.get_or_insert_with(|| {
                        "each.value names one of several resources, and the plan does not record which".to_string()
                    });
                    groups.clear();
                }
            }
        }
        for a in keyed.into_iter().chain(groups) {
            if !out.addresses.contains(&a) {
                out.addresses.push(a);
            }
        }
    }
}

/// The `references` strings of an expression object (empty for constants).
pub fn expression_refs(expr: &Value) -> Vec<&str> {
    match expr.get("references") {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// Whether a JSON object is an expression (`constant_value` / `references`) rather than a
/// nested block of expressions.
pub fn is_expression(v: &Value) -> bool {
    match v {
        Value::Object(m) => {
            m.is_empty() || m.contains_key("constant_value") || m.contains_key("references")
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variable_paths() {
        assert_eq!(variable_path("var.region"), Some(("region".into(), vec![])));
        assert_eq!(
            variable_path(r#"var.regions["replica"]"#),
            Some(("regions".into(), vec!["replica".into()]))
        );
        assert_eq!(
            variable_path("var.regions.replica"),
            Some(("regions".into(), vec!["replica".into()]))
        );
        assert_eq!(variable_path("var.regions[0]"), None);
        assert_eq!(variable_path("local.region"), None);
    }

    #[test]
    fn segments_keep_quoted_keys() {
        assert_eq!(
            segments(r#"module.net["a.b"].aws_subnet.app[0].id"#),
            vec![
                ("module".to_string(), None),
                ("net".to_string(), Some(r#"["a.b"]"#.to_string())),
                ("aws_subnet".to_string(), None),
                ("app".to_string(), Some("[0]".to_string())),
                ("id".to_string(), None),
            ]
        );
    }

    #[test]
    fn module_part_of_addresses() {
        assert_eq!(
            module_part(r#"module.a["x.y"].module.b.aws_vpc.c[0]"#),
            r#"module.a["x.y"].module.b"#
        );
        assert_eq!(module_part("aws_vpc.c"), "");
        assert_eq!(
            module_part("module.net.data.aws_iam_policy_document.d"),
            "module.net"
        );
    }

    #[test]
    fn references_parse() {
        assert_eq!(
            parse_reference(r#"aws_subnet.app["a"].id"#),
            Reference::Resource {
                group: "aws_subnet.app".into(),
                key: Some(r#"["a"]"#.into())
            }
        );
        assert_eq!(
            parse_reference("data.aws_iam_policy_document.task.json"),
            Reference::Resource {
                group: "data.aws_iam_policy_document.task".into(),
                key: None
            }
        );
        assert_eq!(
            parse_reference("var.vpc_id"),
            Reference::Var("vpc_id".into())
        );
        assert_eq!(parse_reference("each.value.id"), Reference::Each);
        assert_eq!(
            module_path(r#"module.a.module.b["x"]"#),
            vec![
                ModuleStep {
                    name: "a".into(),
                    key: None
                },
                ModuleStep {
                    name: "b".into(),
                    key: Some(r#"["x"]"#.into())
                }
            ]
        );
    }
}
