//! The module tree of a configuration and its evaluation into resource instances.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use hcl::Expression;

use super::config::{load_module, BodyNode, Loc, Mode, ModuleConfig, ResourceBlock};
use super::error::{HclError, HclErrorKind};
use super::eval::{
    mark, to_string, unevaluated, unknown, unmark, Repetition, Scope, RESOURCE_MARKER,
};
use crate::source::terraform::TfValue;

pub type InstId = usize;

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

/// A module instance: the root, or one instance of a module call.
#[derive(Debug, Clone)]
struct Inst {
    config: usize,
    /// `module.net["a"].` (empty for the root).
    prefix: String,
    parent: Option<(InstId, usize, Repetition)>,
    /// Provider keys of this module → the root provider configuration they stand for.
    providers: HashMap<String, String>,
}

/// The instances of one module call: (repetition, module instance).
type CallInstances = Vec<(Repetition, InstId)>;

/// One evaluated resource instance.
pub struct Instance {
    pub address: String,
    pub block: ResourceBlock,
    pub values: TfValue,
    pub provider: String,
}

/// Evaluates a project: variables, locals, resources and modules, on demand and memoized.
pub struct Evaluator<'p> {
    project: &'p Project,
    root_vars: HashMap<String, TfValue>,
    insts: RefCell<Vec<Inst>>,
    calls: RefCell<HashMap<(InstId, usize), CallInstances>>,
    locals: RefCell<HashMap<(InstId, String), TfValue>>,
    local_stack: RefCell<Vec<(InstId, String)>>,
    vars: RefCell<HashMap<(InstId, String), TfValue>>,
    groups: RefCell<HashMap<(InstId, String), TfValue>>,
    group_stack: RefCell<Vec<(InstId, String)>>,
    /// Values of data source instances read while planning (a plan's `prior_state`), by
    /// address: used in place of what a directory scan cannot read from AWS.
    data_values: HashMap<String, TfValue>,
}

/// `[0]` / `["a"]`.
pub fn key_suffix(rep: &Repetition) -> String {
    match rep {
        Repetition::None => String::new(),
        Repetition::Count(i) => format!("[{i}]"),
        Repetition::Each(k, _) => format!("[{}]", serde_json::to_string(k).unwrap_or_default()),
    }
}

impl<'p> Evaluator<'p> {
    pub fn new(project: &'p Project, root_vars: HashMap<String, TfValue>) -> Evaluator<'p> {
        Evaluator {
            project,
            root_vars,
            insts: RefCell::new(vec![Inst {
                config: 0,
                prefix: String::new(),
                parent: None,
                providers: HashMap::new(),
            }]),
            calls: RefCell::default(),
            locals: RefCell::default(),
            local_stack: RefCell::default(),
            vars: RefCell::default(),
            groups: RefCell::default(),
            group_stack: RefCell::default(),
            data_values: HashMap::new(),
        }
    }

    /// Data source values a plan recorded (its `prior_state`), by instance address: the
    /// evaluation reads them instead of leaving the data sources unknown.
    pub fn with_data_values(mut self, values: HashMap<String, TfValue>) -> Evaluator<'p> {
        self.data_values = values;
        self
    }

    fn inst(&self, id: InstId) -> Inst {
        self.insts.borrow()[id].clone()
    }

    fn config(&self, id: InstId) -> &'p ModuleConfig {
        &self.project.modules[self.inst(id).config]
    }

    pub fn module_dir(&self, id: InstId) -> String {
        self.config(id).dir.display().to_string()
    }

    fn scope(&self, inst: InstId, rep: Repetition, loc: &Loc) -> Scope {
        Scope {
            inst,
            rep,
            vars: Vec::new(),
            loc: loc.clone(),
        }
    }

    pub fn variable(&self, inst: InstId, name: &str, at: &Loc) -> Result<TfValue, HclError> {
        let config = self.config(inst);
        let Some(decl) = config.variables.get(name) else {
            return Err(HclError::unknown_variable(name, at));
        };
        if let Some(v) = self.vars.borrow().get(&(inst, name.to_string())) {
            return Ok(v.clone());
        }
        let i = self.inst(inst);
        let given = match &i.parent {
            None => self.root_vars.get(name).cloned(),
            Some((parent, call, rep)) => {
                let call = &self.config(*parent).module_calls[*call];
                match call.args.iter().find(|(k, _, _)| k == name) {
                    Some((_, expr, loc)) => {
                        Some(self.eval(expr, &self.scope(*parent, rep.clone(), loc))?)
                    }
                    None => None,
                }
            }
        };
        let value = match given {
            Some(v) => convert(v, decl.type_expr.as_ref()),
            None => match &decl.default {
                Some(d) => self.eval(d, &self.scope(inst, Repetition::None, &decl.loc))?,
                None => unevaluated(format!(
                    "no value for var.{name}: give one with --var {name}=VALUE or a .tfvars file"
                )),
            },
        };
        let value = mark(value, decl.sensitive);
        self.vars
            .borrow_mut()
            .insert((inst, name.to_string()), value.clone());
        Ok(value)
    }

    pub fn local(&self, inst: InstId, name: &str, at: &Loc) -> Result<TfValue, HclError> {
        let key = (inst, name.to_string());
        if let Some(v) = self.locals.borrow().get(&key) {
            return Ok(v.clone());
        }
        let Some((expr, loc)) = self.config(inst).locals.get(name) else {
            return Err(HclError::unknown_local(name, at));
        };
        if let Some(pos) = self.local_stack.borrow().iter().position(|k| k == &key) {
            let mut cycle: Vec<String> = self.local_stack.borrow()[pos..]
                .iter()
                .map(|(_, n)| format!("local.{n}"))
                .collect();
            cycle.push(format!("local.{name}"));
            return Err(HclError::cycle(&cycle, loc));
        }
        self.local_stack.borrow_mut().push(key.clone());
        let value = self.eval(expr, &self.scope(inst, Repetition::None, loc));
        self.local_stack.borrow_mut().pop();
        let value = value?;
        self.locals.borrow_mut().insert(key, value.clone());
        Ok(value)
    }

    /// The repetitions of a `count` / `for_each`, or why they are not known.
    fn repetitions(
        &self,
        count: Option<&(Expression, Loc)>,
        for_each: Option<&(Expression, Loc)>,
        scope: &Scope,
    ) -> Result<Result<Vec<Repetition>, TfValue>, HclError> {
        if let Some((e, loc)) = count {
            let mut s = scope.clone();
            s.loc = loc.clone();
            let v = self.eval(e, &s)?;
            return Ok(match unmark(&v).0 {
                TfValue::Number(n) if *n >= 0.0 => {
                    Ok((0..*n as i64).map(Repetition::Count).collect())
                }
                TfValue::Unknown(_) => Err(v.clone()),
                _ => Err(unevaluated("error: count is not a whole number")),
            });
        }
        if let Some((e, loc)) = for_each {
            let mut s = scope.clone();
            s.loc = loc.clone();
            let v = self.eval(e, &s)?;
            return Ok(match unmark(&v).0 {
                TfValue::Map(m) => Ok(m
                    .iter()
                    .filter(|(k, _)| k.as_str() != RESOURCE_MARKER)
                    .map(|(k, v)| Repetition::Each(k.clone(), v.clone()))
                    .collect()),
                TfValue::List(items) => {
                    let mut keys: Vec<String> = Vec::new();
                    for item in items {
                        match to_string(item) {
                            Some(k) => keys.push(k),
                            None => {
                                return Ok(Err(super::eval::unknown_in(&[item]).unwrap_or_else(
                                    || unevaluated("error: for_each over a set of non-strings"),
                                )))
                            }
                        }
                    }
                    keys.sort();
                    keys.dedup();
                    Ok(keys
                        .into_iter()
                        .map(|k| Repetition::Each(k.clone(), TfValue::String(k)))
                        .collect())
                }
                TfValue::Unknown(_) => Err(v.clone()),
                TfValue::Null => Err(unevaluated("error: for_each is null")),
                _ => Err(unevaluated("error: for_each is not a map or set")),
            });
        }
        Ok(Ok(vec![Repetition::None]))
    }

    /// The value of `aws_x.y` (or `data.aws_x.y`) in a module instance: an object, a list
    /// (count) or a map (for_each) of instance objects.
    pub fn resource_group(&self, inst: InstId, address: &str) -> Result<TfValue, HclError> {
        let key = (inst, address.to_string());
        if let Some(v) = self.groups.borrow().get(&key) {
            return Ok(v.clone());
        }
        let full = format!("{}{address}", self.inst(inst).prefix);
        if self.group_stack.borrow().contains(&key) {
            return Ok(unknown(vec![full]));
        }
        let Some(block) = self.config(inst).resource(address) else {
            return Ok(unevaluated(format!(
                "error: reference to undeclared resource {address}"
            )));
        };
        self.group_stack.borrow_mut().push(key.clone());
        let value = self.group_value(inst, block, &full);
        self.group_stack.borrow_mut().pop();
        let value = value?;
        self.groups.borrow_mut().insert(key, value.clone());
        Ok(value)
    }

    fn group_value(
        &self,
        inst: InstId,
        block: &ResourceBlock,
        full: &str,
    ) -> Result<TfValue, HclError> {
        let scope = self.scope(inst, Repetition::None, &block.loc);
        let reps = match self.repetitions(block.count.as_ref(), block.for_each.as_ref(), &scope)? {
            Ok(r) => r,
            Err(u) => return Ok(u),
        };
        let mut list = Vec::new();
        let mut map = BTreeMap::new();
        for rep in &reps {
            let object = self.instance_object(inst, block, rep, full)?;
            match rep {
                Repetition::None => return Ok(object),
                Repetition::Count(_) => list.push(object),
                Repetition::Each(k, _) => {
                    map.insert(k.clone(), object);
                }
            }
        }
        Ok(if block.count.is_some() {
            TfValue::List(list)
        } else {
            TfValue::Map(map)
        })
    }

    fn instance_object(
        &self,
        inst: InstId,
        block: &ResourceBlock,
        rep: &Repetition,
        full: &str,
    ) -> Result<TfValue, HclError> {
        let scope = self.scope(inst, rep.clone(), &block.loc);
        let mut values = self.eval_body(&block.body, &scope)?;
        let address = format!("{full}{}", key_suffix(rep));
        if block.mode == Mode::Data {
            // What the plan read from AWS: the provider's values win over the arguments.
            if let (Some(TfValue::Map(read)), TfValue::Map(m)) =
                (self.data_values.get(&address), &mut values)
            {
                for (k, v) in read {
                    if !matches!(v, TfValue::Null) || !m.contains_key(k) {
                        m.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        if let TfValue::Map(m) = &mut values {
            m.insert(RESOURCE_MARKER.to_string(), TfValue::String(address));
        }
        Ok(values)
    }

    /// A block body as Terraform's JSON represents it: attributes, and nested blocks as
    /// lists of objects (`dynamic` blocks expanded).
    pub fn eval_body(&self, body: &BodyNode, scope: &Scope) -> Result<TfValue, HclError> {
        let mut out: BTreeMap<String, TfValue> = BTreeMap::new();
        for (name, expr, loc) in &body.attrs {
            let mut s = scope.clone();
            s.loc = loc.clone();
            out.insert(name.clone(), self.eval(expr, &s)?);
        }
        for block in &body.blocks {
            if block.kind == "dynamic" {
                let Some(kind) = block.labels.first() else {
                    continue;
                };
                let iterator = match block.body.attr("iterator") {
                    Some((_, Expression::Variable(v), _)) => v.as_str().to_string(),
                    _ => kind.clone(),
                };
                let Some(content) = block.body.blocks.iter().find(|b| b.kind == "content") else {
                    continue;
                };
                let reps = match block.body.attr("for_each") {
                    Some((_, e, l)) => self.dynamic_items(e, l, scope)?,
                    None => Ok(Vec::new()),
                };
                let entry = out
                    .entry(kind.clone())
                    .or_insert_with(|| TfValue::List(Vec::new()));
                match reps {
                    Err(u) => *entry = u,
                    Ok(reps) => {
                        for (k, v) in reps {
                            let mut it = BTreeMap::new();
                            it.insert("key".to_string(), k);
                            it.insert("value".to_string(), v);
                            let s = scope.with_var(&iterator, TfValue::Map(it));
                            let value = self.eval_body(&content.body, &s)?;
                            if let TfValue::List(items) = out
                                .entry(kind.clone())
                                .or_insert_with(|| TfValue::List(Vec::new()))
                            {
                                items.push(value);
                            }
                        }
                    }
                }
                continue;
            }
            let value = self.eval_body(&block.body, scope)?;
            if let TfValue::List(items) = out
                .entry(block.kind.clone())
                .or_insert_with(|| TfValue::List(Vec::new()))
            {
                items.push(value);
            }
        }
        Ok(TfValue::Map(out))
    }

    /// The (key, value) pairs of a `dynamic` block's `for_each`: map keys, or list indexes
    /// (set elements are their own keys).
    fn dynamic_items(
        &self,
        e: &Expression,
        loc: &Loc,
        scope: &Scope,
    ) -> Result<Result<Vec<(TfValue, TfValue)>, TfValue>, HclError> {
        let mut s = scope.clone();
        s.loc = loc.clone();
        let v = self.eval(e, &s)?;
        Ok(match unmark(&v).0 {
            TfValue::Map(m) => Ok(m
                .iter()
                .filter(|(k, _)| k.as_str() != RESOURCE_MARKER)
                .map(|(k, v)| (TfValue::String(k.clone()), v.clone()))
                .collect()),
            TfValue::List(items) => Ok(items
                .iter()
                .enumerate()
                .map(|(n, v)| (TfValue::Number(n as f64), v.clone()))
                .collect()),
            TfValue::Null => Ok(Vec::new()),
            TfValue::Unknown(_) => Err(v.clone()),
            _ => Err(unevaluated("error: dynamic for_each is not a collection")),
        })
    }

    /// The instances of module call `call` of a module instance.
    fn call_instances(
        &self,
        inst: InstId,
        call: usize,
    ) -> Result<Vec<(Repetition, InstId)>, HclError> {
        if let Some(v) = self.calls.borrow().get(&(inst, call)) {
            return Ok(v.clone());
        }
        let config = self.config(inst);
        let c = &config.module_calls[call];
        let Some(&child) = self
            .project
            .children
            .get(&(self.inst(inst).config, c.name.clone()))
        else {
            return Ok(Vec::new());
        };
        let scope = self.scope(inst, Repetition::None, &c.loc);
        // Unknown repetitions: nothing can be expanded.
        let reps = self
            .repetitions(c.count.as_ref(), c.for_each.as_ref(), &scope)?
            .unwrap_or_default();
        let parent = self.inst(inst);
        let prefix = parent.prefix.clone();
        // Modules inherit their caller's providers unless `providers = {…}` maps them.
        let mut providers = parent.providers.clone();
        for (child_key, parent_key) in &c.providers {
            let root_key = parent
                .providers
                .get(parent_key)
                .cloned()
                .unwrap_or_else(|| parent_key.clone());
            providers.insert(child_key.clone(), root_key);
        }
        let mut out = Vec::new();
        for rep in reps {
            let id = {
                let mut insts = self.insts.borrow_mut();
                insts.push(Inst {
                    config: child,
                    prefix: format!("{prefix}module.{}{}.", c.name, key_suffix(&rep)),
                    parent: Some((inst, call, rep.clone())),
                    providers: providers.clone(),
                });
                insts.len() - 1
            };
            out.push((rep, id));
        }
        self.calls.borrow_mut().insert((inst, call), out.clone());
        Ok(out)
    }

    /// `module.<name>…`: the outputs of a module call's instance(s).
    pub fn module_value(
        &self,
        inst: InstId,
        name: &str,
        ops: &[hcl::expr::TraversalOperator],
        output: Option<&str>,
        scope: &Scope,
    ) -> Result<TfValue, HclError> {
        let config = self.config(inst);
        let Some(call) = config.module_calls.iter().position(|c| c.name == name) else {
            return Ok(unevaluated(format!(
                "error: reference to undeclared module {name}"
            )));
        };
        let c = &config.module_calls[call];
        let instances = self.call_instances(inst, call)?;
        if c.count.is_none() && c.for_each.is_none() {
            let Some(&(_, child)) = instances.first() else {
                return Ok(unevaluated("error: module has no instance"));
            };
            return match output {
                Some(out) => {
                    let v = self.output(child, out)?;
                    self.apply_ops(v, &ops[1..], scope)
                }
                None => {
                    let v = self.outputs(child)?;
                    self.apply_ops(v, ops, scope)
                }
            };
        }
        let mut list = Vec::new();
        let mut map = BTreeMap::new();
        for (rep, child) in instances {
            let v = self.outputs(child)?;
            match rep {
                Repetition::Each(k, _) => {
                    map.insert(k, v);
                }
                _ => list.push(v),
            }
        }
        let all = if c.count.is_some() {
            TfValue::List(list)
        } else {
            TfValue::Map(map)
        };
        self.apply_ops(all, ops, scope)
    }

    fn output(&self, inst: InstId, name: &str) -> Result<TfValue, HclError> {
        match self.config(inst).outputs.get(name) {
            Some((expr, loc)) => self.eval(expr, &self.scope(inst, Repetition::None, loc)),
            None => Ok(unevaluated(format!("error: module has no output {name}"))),
        }
    }

    fn outputs(&self, inst: InstId) -> Result<TfValue, HclError> {
        let mut out = BTreeMap::new();
        for name in self.config(inst).outputs.keys() {
            out.insert(name.clone(), self.output(inst, name)?);
        }
        Ok(TfValue::Map(out))
    }

    /// Every resource instance of the configuration, modules included.
    pub fn instances(&self) -> Result<Vec<Instance>, HclError> {
        let mut out = Vec::new();
        let mut stack = vec![0];
        while let Some(inst) = stack.pop() {
            let config = self.config(inst);
            let prefix = self.inst(inst).prefix;
            for block in &config.resources {
                let full = format!("{prefix}{}", block.address());
                let scope = self.scope(inst, Repetition::None, &block.loc);
                let key = block.provider.clone().unwrap_or_else(|| "aws".to_string());
                let provider = self.inst(inst).providers.get(&key).cloned().unwrap_or(key);
                match self.repetitions(block.count.as_ref(), block.for_each.as_ref(), &scope)? {
                    Ok(reps) => {
                        for rep in reps {
                            let values = self.instance_object(inst, block, &rep, &full)?;
                            out.push(Instance {
                                address: format!("{full}{}", key_suffix(&rep)),
                                block: block.clone(),
                                values: strip(values),
                                provider: provider.clone(),
                            });
                        }
                    }
                    // Instances unknown before apply: one resource whose values are unknown,
                    // so every rule that reads it says so.
                    Err(u) => out.push(Instance {
                        address: full,
                        block: block.clone(),
                        values: u,
                        provider,
                    }),
                }
            }
            for call in (0..config.module_calls.len()).rev() {
                for (_, child) in self.call_instances(inst, call)?.into_iter().rev() {
                    stack.push(child);
                }
            }
        }
        Ok(out)
    }

    /// The region and default tags of a root provider configuration (`aws`, `aws.replica`).
    pub fn provider(&self, key: &str) -> (Option<String>, crate::model::Field<crate::model::Tags>) {
        use crate::model::{Field, Tags, Unknown};
        let (name, alias) = match key.split_once('.') {
            Some((n, a)) => (n, Some(a)),
            None => (key, None),
        };
        let root = &self.project.modules[0];
        let Some(p) = root
            .providers
            .iter()
            .find(|p| p.name == name && p.alias.as_deref() == alias)
        else {
            return (None, Field::Known(Tags::new()));
        };
        let eval =
            |e: &Expression, loc: &Loc| self.eval(e, &self.scope(0, Repetition::None, loc)).ok();
        let region = p
            .body
            .attr("region")
            .and_then(|(_, e, l)| eval(e, l))
            .and_then(|v| to_string(&v));
        let tags = match p.body.blocks.iter().find(|b| b.kind == "default_tags") {
            None => Field::Known(Tags::new()),
            Some(b) => match b.body.attr("tags").map(|(_, e, l)| eval(e, l)) {
                None => Field::Known(Tags::new()),
                Some(Some(TfValue::Map(m))) => {
                    let mut tags = Tags::new();
                    for (k, v) in m {
                        match to_string(&v) {
                            Some(s) => {
                                tags.insert(k, s);
                            }
                            None => {
                                return (
                                    region,
                                    Field::Unknown(Unknown::Unresolved("default_tags".into())),
                                )
                            }
                        }
                    }
                    Field::Known(tags)
                }
                _ => Field::Unknown(Unknown::Unresolved("the provider's default_tags".into())),
            },
        };
        (region, tags)
    }
}

/// Removes the resource marker (it is for references only).
fn strip(v: TfValue) -> TfValue {
    match v {
        TfValue::Map(mut m) => {
            m.remove(RESOURCE_MARKER);
            TfValue::Map(m)
        }
        other => other,
    }
}

/// Converts a given variable value to its declared primitive type.
fn convert(v: TfValue, ty: Option<&Expression>) -> TfValue {
    let ty = match ty {
        Some(Expression::Variable(v)) => v.as_str().to_string(),
        _ => return v,
    };
    match (ty.as_str(), &v) {
        ("number", TfValue::String(s)) => s.trim().parse().map(TfValue::Number).unwrap_or(v),
        ("bool", TfValue::String(s)) if s == "true" || s == "false" => TfValue::Bool(s == "true"),
        ("string", TfValue::Number(_) | TfValue::Bool(_)) => {
            to_string(&v).map(TfValue::String).unwrap_or(v)
        }
        _ => v,
    }
}

/// Reads `.tfvars` text (HCL attributes with constant values).
pub fn parse_tfvars(path: &Path) -> Result<Vec<(String, TfValue)>, HclError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| HclErrorKind::Io {
        path: shown.clone(),
        message: e.to_string(),
    })?;
    let body =
        hcl::edit::parser::parse_body(&text).map_err(|e| HclError::syntax(&shown, &text, &e))?;
    let mut out = Vec::new();
    for s in body.iter() {
        if let hcl::edit::structure::Structure::Attribute(a) = s {
            let expr = Expression::from(a.value.clone());
            out.push((a.key.value().as_str().to_string(), constant(&expr)));
        }
    }
    Ok(out)
}

/// The value of a constant expression (tfvars, `--var`).
pub fn constant(e: &Expression) -> TfValue {
    match e {
        Expression::Null => TfValue::Null,
        Expression::Bool(b) => TfValue::Bool(*b),
        Expression::Number(n) => TfValue::Number(n.as_f64().unwrap_or(f64::NAN)),
        Expression::String(s) => TfValue::String(s.clone()),
        Expression::TemplateExpr(t) => match hcl::template::Template::from_expr(t) {
            Ok(t)
                if t.elements()
                    .iter()
                    .all(|e| matches!(e, hcl::template::Element::Literal(_))) =>
            {
                TfValue::String(
                    t.elements()
                        .iter()
                        .filter_map(|e| match e {
                            hcl::template::Element::Literal(s) => Some(s.as_str()),
                            _ => None,
                        })
                        .collect(),
                )
            }
            _ => unevaluated("a tfvars value must be constant"),
        },
        Expression::Array(items) => TfValue::List(items.iter().map(constant).collect()),
        Expression::Object(obj) => TfValue::Map(
            obj.iter()
                .map(|(k, v)| {
                    let key = match k {
                        hcl::expr::ObjectKey::Identifier(i) => i.as_str().to_string(),
                        hcl::expr::ObjectKey::Expression(e) => {
                            to_string(&constant(e)).unwrap_or_default()
                        }
                        _ => String::new(),
                    };
                    (key, constant(v))
                })
                .collect(),
        ),
        Expression::Parenthesis(e) => constant(e),
        _ => unevaluated("a tfvars value must be constant"),
    }
}
