//! Expression evaluation with Terraform's plan-time semantics: what is known before apply is
//! computed, what is not is an unknown value that remembers the resources it comes from.

use std::collections::BTreeMap;
use std::sync::Arc;

use hcl::expr::{
    BinaryOperator, Expression, ObjectKey, Operation, TraversalOperator, UnaryOperator,
};
use hcl::template::{Directive, Element, Template};

use super::config::Loc;
use super::error::HclError;
use super::project::{Evaluator, InstId};
use crate::source::terraform::{format_number, TfValue, UnknownValue};

/// The key that marks a map as a resource instance object (its value is the address):
/// attributes it does not configure are unknown, with the resource as their identity.
pub const RESOURCE_MARKER: &str = "\u{0}resource";

/// `each` / `count` of the resource or module instance being evaluated.
#[derive(Debug, Clone, Default)]
pub enum Repetition {
    #[default]
    None,
    Count(i64),
    Each(String, TfValue),
}

/// Where an expression is evaluated.
#[derive(Clone)]
pub struct Scope {
    pub inst: InstId,
    pub rep: Repetition,
    /// `for` iteration variables and `dynamic` iterators, innermost last.
    pub vars: Vec<(String, TfValue)>,
    /// The location of the expression, for diagnostics.
    pub loc: Loc,
}

impl Scope {
    pub fn with_var(&self, name: &str, value: TfValue) -> Scope {
        let mut s = self.clone();
        s.vars.push((name.to_string(), value));
        s
    }
}

pub type EvalResult = Result<TfValue, HclError>;

/// An unknown value computed from `refs`.
pub fn unknown(refs: Vec<String>) -> TfValue {
    TfValue::Unknown(Arc::new(UnknownValue {
        refs,
        configured: true,
        reason: None,
        partial: None,
    }))
}

/// An unknown value that could not be evaluated, and why.
pub fn unevaluated(reason: impl Into<String>) -> TfValue {
    TfValue::Unknown(Arc::new(UnknownValue {
        refs: Vec::new(),
        configured: true,
        reason: Some(reason.into()),
        partial: None,
    }))
}

/// The value under any sensitivity mark, and whether it was marked.
pub fn unmark(v: &TfValue) -> (&TfValue, bool) {
    match v {
        TfValue::Sensitive(inner) => (unmark(inner).0, true),
        other => (other, false),
    }
}

pub fn mark(v: TfValue, sensitive: bool) -> TfValue {
    if sensitive && !matches!(v, TfValue::Sensitive(_) | TfValue::Unknown(_)) {
        TfValue::Sensitive(Box::new(v))
    } else {
        v
    }
}

/// The union of the references of every unknown inside `values` (deeply), if any is unknown.
pub fn unknown_in(values: &[&TfValue]) -> Option<TfValue> {
    let mut refs = Vec::new();
    let mut reason = None;
    let mut any = false;
    fn walk(v: &TfValue, refs: &mut Vec<String>, reason: &mut Option<String>, any: &mut bool) {
        match v {
            TfValue::Unknown(u) => {
                *any = true;
                for r in &u.refs {
                    if !refs.contains(r) {
                        refs.push(r.clone());
                    }
                }
                if reason.is_none() {
                    reason.clone_from(&u.reason);
                }
            }
            TfValue::Sensitive(inner) => walk(inner, refs, reason, any),
            TfValue::List(items) => items.iter().for_each(|i| walk(i, refs, reason, any)),
            TfValue::Map(m) => m
                .iter()
                .filter(|(k, _)| k.as_str() != RESOURCE_MARKER)
                .for_each(|(_, i)| walk(i, refs, reason, any)),
            _ => {}
        }
    }
    for v in values {
        walk(v, &mut refs, &mut reason, &mut any);
    }
    any.then(|| {
        TfValue::Unknown(Arc::new(UnknownValue {
            refs,
            configured: true,
            reason,
            partial: None,
        }))
    })
}

/// Terraform's string conversion of a primitive.
pub fn to_string(v: &TfValue) -> Option<String> {
    match unmark(v).0 {
        TfValue::String(s) => Some(s.clone()),
        TfValue::Number(n) => Some(format_number(*n)),
        TfValue::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

impl Evaluator<'_> {
    pub fn eval(&self, expr: &Expression, scope: &Scope) -> EvalResult {
        Ok(match expr {
            Expression::Null => TfValue::Null,
            Expression::Bool(b) => TfValue::Bool(*b),
            Expression::Number(n) => TfValue::Number(n.as_f64().unwrap_or(f64::NAN)),
            Expression::String(s) => TfValue::String(s.clone()),
            Expression::Array(items) => TfValue::List(
                items
                    .iter()
                    .map(|e| self.eval(e, scope))
                    .collect::<Result<_, _>>()?,
            ),
            Expression::Object(obj) => {
                let mut out = BTreeMap::new();
                for (k, v) in obj {
                    let key = match k {
                        ObjectKey::Identifier(id) => id.as_str().to_string(),
                        ObjectKey::Expression(e) => {
                            let kv = self.eval(e, scope)?;
                            match to_string(&kv) {
                                Some(s) => s,
                                None => {
                                    return Ok(unknown_in(&[&kv]).unwrap_or_else(|| {
                                        unevaluated("error: object key is not a string")
                                    }))
                                }
                            }
                        }
                        _ => return Ok(unevaluated("unsupported object key")),
                    };
                    out.insert(key, self.eval(v, scope)?);
                }
                TfValue::Map(out)
            }
            Expression::TemplateExpr(t) => match Template::from_expr(t) {
                Ok(template) => self.render(&template, scope)?,
                Err(e) => unevaluated(format!("error: template: {e}")),
            },
            Expression::Variable(v) => self.traverse(v.as_str(), &[], scope)?,
            Expression::Traversal(t) => match &t.expr {
                Expression::Variable(v) => self.traverse(v.as_str(), &t.operators, scope)?,
                other => {
                    let base = self.eval(other, scope)?;
                    self.apply_ops(base, &t.operators, scope)?
                }
            },
            Expression::FuncCall(f) => self.call(f, scope)?,
            Expression::Parenthesis(e) => self.eval(e, scope)?,
            Expression::Conditional(c) => {
                let cond = self.eval(&c.cond_expr, scope)?;
                let (cv, sensitive) = unmark(&cond);
                match cv {
                    TfValue::Bool(true) => mark(self.eval(&c.true_expr, scope)?, sensitive),
                    TfValue::Bool(false) => mark(self.eval(&c.false_expr, scope)?, sensitive),
                    TfValue::Unknown(_) => {
                        let a = self.eval(&c.true_expr, scope)?;
                        let b = self.eval(&c.false_expr, scope)?;
                        let mut u = unknown_in(&[&cond, &a, &b]).unwrap_or_else(|| unknown(vec![]));
                        if let TfValue::Unknown(x) = &mut u {
                            Arc::make_mut(x).reason = None;
                        }
                        u
                    }
                    _ => unevaluated("error: condition is not a bool"),
                }
            }
            Expression::Operation(op) => self.operation(op, scope)?,
            Expression::ForExpr(f) => self.for_expr(f, scope)?,
            _ => unevaluated("unsupported expression"),
        })
    }

    fn render(&self, t: &Template, scope: &Scope) -> EvalResult {
        let mut out = String::new();
        let mut parts: Vec<TfValue> = Vec::new();
        let mut sensitive = false;
        self.render_into(t, scope, &mut out, &mut parts, &mut sensitive)?;
        let refs: Vec<&TfValue> = parts.iter().collect();
        if let Some(u) = unknown_in(&refs) {
            return Ok(u);
        }
        Ok(mark(TfValue::String(out), sensitive))
    }

    fn render_into(
        &self,
        t: &Template,
        scope: &Scope,
        out: &mut String,
        parts: &mut Vec<TfValue>,
        sensitive: &mut bool,
    ) -> Result<(), HclError> {
        for element in t.elements() {
            match element {
                Element::Literal(s) => out.push_str(s),
                Element::Interpolation(i) => {
                    let v = self.eval(&i.expr, scope)?;
                    let (inner, s) = unmark(&v);
                    *sensitive |= s;
                    match inner {
                        TfValue::Unknown(_) => parts.push(v.clone()),
                        TfValue::Null => parts.push(unevaluated("error: null in a template")),
                        other => match to_string(other) {
                            Some(text) => out.push_str(&text),
                            None => parts.push(unevaluated("error: a collection in a template")),
                        },
                    }
                }
                Element::Directive(d) => match d.as_ref() {
                    Directive::If(i) => {
                        let c = self.eval(&i.cond_expr, scope)?;
                        match unmark(&c).0 {
                            TfValue::Bool(true) => {
                                self.render_into(&i.true_template, scope, out, parts, sensitive)?
                            }
                            TfValue::Bool(false) => {
                                if let Some(f) = &i.false_template {
                                    self.render_into(f, scope, out, parts, sensitive)?;
                                }
                            }
                            _ => parts.push(
                                unknown_in(&[&c])
                                    .unwrap_or_else(|| unevaluated("error: condition")),
                            ),
                        }
                    }
                    Directive::For(f) => {
                        let coll = self.eval(&f.collection_expr, scope)?;
                        match unmark(&coll).0 {
                            TfValue::List(items) => {
                                for (n, item) in items.iter().enumerate() {
                                    let mut s = scope.with_var(f.value_var.as_str(), item.clone());
                                    if let Some(k) = &f.key_var {
                                        s = s.with_var(k.as_str(), TfValue::Number(n as f64));
                                    }
                                    self.render_into(&f.template, &s, out, parts, sensitive)?;
                                }
                            }
                            TfValue::Map(m) => {
                                for (k, item) in m {
                                    let mut s = scope.with_var(f.value_var.as_str(), item.clone());
                                    if let Some(kv) = &f.key_var {
                                        s = s.with_var(kv.as_str(), TfValue::String(k.clone()));
                                    }
                                    self.render_into(&f.template, &s, out, parts, sensitive)?;
                                }
                            }
                            _ => parts.push(unknown_in(&[&coll]).unwrap_or_else(|| {
                                unevaluated("error: for over a non-collection")
                            })),
                        }
                    }
                },
            }
        }
        Ok(())
    }

    /// `root.attr[...]…`: variables, locals, each/count, paths, resources, modules.
    fn traverse(&self, root: &str, ops: &[TraversalOperator], scope: &Scope) -> EvalResult {
        if let Some((_, v)) = scope.vars.iter().rev().find(|(n, _)| n == root) {
            return self.apply_ops(v.clone(), ops, scope);
        }
        let attr = |i: usize| match ops.get(i) {
            Some(TraversalOperator::GetAttr(id)) => Some(id.as_str()),
            _ => None,
        };
        match root {
            "var" => {
                let Some(name) = attr(0) else {
                    return Ok(unevaluated("error: `var` alone"));
                };
                let v = self.variable(scope.inst, name, &scope.loc)?;
                self.apply_ops(v, &ops[1..], scope)
            }
            "local" => {
                let Some(name) = attr(0) else {
                    return Ok(unevaluated("error: `local` alone"));
                };
                let v = self.local(scope.inst, name, &scope.loc)?;
                self.apply_ops(v, &ops[1..], scope)
            }
            "each" => {
                let Repetition::Each(key, value) = &scope.rep else {
                    return Ok(unevaluated("error: `each` outside for_each"));
                };
                match attr(0) {
                    Some("key") => self.apply_ops(TfValue::String(key.clone()), &ops[1..], scope),
                    Some("value") => self.apply_ops(value.clone(), &ops[1..], scope),
                    _ => Ok(unevaluated("error: each.key or each.value")),
                }
            }
            "count" => match (&scope.rep, attr(0)) {
                (Repetition::Count(i), Some("index")) => {
                    self.apply_ops(TfValue::Number(*i as f64), &ops[1..], scope)
                }
                _ => Ok(unevaluated("error: `count.index` outside count")),
            },
            "path" => {
                let dir = self.module_dir(scope.inst);
                let v = match attr(0) {
                    Some("module") => dir,
                    Some("root") => self.module_dir(0),
                    Some("cwd") => ".".to_string(),
                    _ => return Ok(unevaluated("error: unknown path attribute")),
                };
                self.apply_ops(TfValue::String(v), &ops[1..], scope)
            }
            "terraform" => match attr(0) {
                Some("workspace") => {
                    self.apply_ops(TfValue::String("default".into()), &ops[1..], scope)
                }
                _ => Ok(unevaluated("unsupported terraform attribute")),
            },
            "self" => Ok(unevaluated("`self` is known only after apply")),
            "module" => {
                let Some(name) = attr(0) else {
                    return Ok(unevaluated("error: `module` alone"));
                };
                let output = attr(1);
                let v = self.module_value(scope.inst, name, &ops[1..], output, scope)?;
                Ok(v)
            }
            "data" => match (attr(0), attr(1)) {
                (Some(t), Some(n)) => {
                    let v = self.resource_group(scope.inst, &format!("data.{t}.{n}"))?;
                    self.apply_ops(v, &ops[2..], scope)
                }
                _ => Ok(unevaluated("error: incomplete data source reference")),
            },
            t => match attr(0) {
                Some(n) if t.contains('_') => {
                    let v = self.resource_group(scope.inst, &format!("{t}.{n}"))?;
                    self.apply_ops(v, &ops[1..], scope)
                }
                _ => Ok(unevaluated(format!("unsupported reference `{t}`"))),
            },
        }
    }

    pub fn apply_ops(
        &self,
        mut v: TfValue,
        ops: &[TraversalOperator],
        scope: &Scope,
    ) -> EvalResult {
        for (n, op) in ops.iter().enumerate() {
            v = match op {
                TraversalOperator::GetAttr(id) => get_attr(v, id.as_str()),
                TraversalOperator::Index(e) => {
                    let key = self.eval(e, scope)?;
                    index(v, &key)
                }
                TraversalOperator::LegacyIndex(i) => index(v, &TfValue::Number(*i as f64)),
                TraversalOperator::AttrSplat | TraversalOperator::FullSplat => {
                    let rest = &ops[n + 1..];
                    let (inner, sensitive) = unmark(&v);
                    let items = match inner {
                        TfValue::List(items) => items.clone(),
                        TfValue::Null => Vec::new(),
                        TfValue::Unknown(_) => return Ok(v),
                        other => vec![other.clone()],
                    };
                    let mapped = items
                        .into_iter()
                        .map(|item| self.apply_ops(item, rest, scope))
                        .collect::<Result<Vec<_>, _>>()?;
                    return Ok(mark(TfValue::List(mapped), sensitive));
                }
            };
        }
        Ok(v)
    }

    fn operation(&self, op: &Operation, scope: &Scope) -> EvalResult {
        match op {
            Operation::Unary(u) => {
                let v = self.eval(&u.expr, scope)?;
                if let Some(unk) = unknown_in(&[&v]) {
                    return Ok(unk);
                }
                let (inner, s) = unmark(&v);
                Ok(mark(
                    match (u.operator, inner) {
                        (UnaryOperator::Neg, TfValue::Number(n)) => TfValue::Number(-n),
                        (UnaryOperator::Not, TfValue::Bool(b)) => TfValue::Bool(!b),
                        _ => unevaluated("error: operand type"),
                    },
                    s,
                ))
            }
            Operation::Binary(b) => {
                let l = self.eval(&b.lhs_expr, scope)?;
                // Short-circuit logic on known values.
                if let (BinaryOperator::And, TfValue::Bool(false))
                | (BinaryOperator::Or, TfValue::Bool(true)) = (b.operator, unmark(&l).0)
                {
                    return Ok(l);
                }
                let r = self.eval(&b.rhs_expr, scope)?;
                if let Some(unk) = unknown_in(&[&l, &r]) {
                    return Ok(unk);
                }
                let (lv, ls) = unmark(&l);
                let (rv, rs) = unmark(&r);
                Ok(mark(binary(b.operator, lv, rv), ls || rs))
            }
        }
    }

    fn for_expr(&self, f: &hcl::expr::ForExpr, scope: &Scope) -> EvalResult {
        let coll = self.eval(&f.collection_expr, scope)?;
        let (inner, sensitive) = unmark(&coll);
        let pairs: Vec<(TfValue, TfValue)> = match inner {
            TfValue::List(items) => items
                .iter()
                .enumerate()
                .map(|(n, v)| (TfValue::Number(n as f64), v.clone()))
                .collect(),
            TfValue::Map(m) => m
                .iter()
                .filter(|(k, _)| k.as_str() != RESOURCE_MARKER)
                .map(|(k, v)| (TfValue::String(k.clone()), v.clone()))
                .collect(),
            TfValue::Unknown(_) => return Ok(coll.clone()),
            TfValue::Null => return Ok(unevaluated("error: for over null")),
            _ => return Ok(unevaluated("error: for over a non-collection")),
        };
        let mut list = Vec::new();
        let mut map: BTreeMap<String, TfValue> = BTreeMap::new();
        let mut grouped: BTreeMap<String, Vec<TfValue>> = BTreeMap::new();
        for (k, v) in pairs {
            let mut s = scope.with_var(f.value_var.as_str(), v);
            if let Some(kv) = &f.key_var {
                s = s.with_var(kv.as_str(), k);
            }
            if let Some(cond) = &f.cond_expr {
                let c = self.eval(cond, &s)?;
                match unmark(&c).0 {
                    TfValue::Bool(true) => {}
                    TfValue::Bool(false) => continue,
                    _ => {
                        return Ok(unknown_in(&[&c])
                            .unwrap_or_else(|| unevaluated("error: for condition")))
                    }
                }
            }
            let value = self.eval(&f.value_expr, &s)?;
            match &f.key_expr {
                None => list.push(value),
                Some(ke) => {
                    let key = self.eval(ke, &s)?;
                    let Some(key) = to_string(&key) else {
                        return Ok(
                            unknown_in(&[&key]).unwrap_or_else(|| unevaluated("error: for key"))
                        );
                    };
                    if f.grouping {
                        grouped.entry(key).or_default().push(value);
                    } else {
                        map.insert(key, value);
                    }
                }
            }
        }
        let out = if f.key_expr.is_none() {
            TfValue::List(list)
        } else if f.grouping {
            TfValue::Map(
                grouped
                    .into_iter()
                    .map(|(k, v)| (k, TfValue::List(v)))
                    .collect(),
            )
        } else {
            TfValue::Map(map)
        };
        Ok(mark(out, sensitive))
    }

    fn call(&self, f: &hcl::expr::FuncCall, scope: &Scope) -> EvalResult {
        let name = f.name.name.as_str();
        match name {
            "try" => {
                for arg in &f.args {
                    let v = self.eval(arg, scope)?;
                    if !is_error(&v) {
                        return Ok(v);
                    }
                }
                return Ok(unevaluated(
                    "error: no argument of try() could be evaluated",
                ));
            }
            "can" => {
                let v = match f.args.first() {
                    Some(a) => self.eval(a, scope)?,
                    None => return Ok(unevaluated("error: can() needs an argument")),
                };
                if is_error(&v) {
                    return Ok(TfValue::Bool(false));
                }
                return Ok(match v {
                    TfValue::Unknown(_) => v,
                    _ => TfValue::Bool(true),
                });
            }
            _ => {}
        }
        let mut args = Vec::with_capacity(f.args.len());
        for (n, a) in f.args.iter().enumerate() {
            let v = self.eval(a, scope)?;
            if f.expand_final && n + 1 == f.args.len() {
                match unmark(&v).0 {
                    TfValue::List(items) => args.extend(items.iter().cloned()),
                    _ => args.push(v),
                }
            } else {
                args.push(v);
            }
        }
        match name {
            "file" | "fileexists" | "templatefile" => {
                return Ok(self.file_function(name, &args, scope))
            }
            "setproduct" => return Ok(setproduct(&args)),
            _ => {}
        }
        if !super::functions::is_known(name) {
            return Ok(unevaluated(format!("function {name}() is not supported")));
        }
        Ok(match super::functions::call(name, args) {
            Ok(v) => v,
            Err(e) => unevaluated(format!("error: {name}(): {e}")),
        })
    }

    fn file_function(&self, name: &str, args: &[TfValue], scope: &Scope) -> TfValue {
        let Some(path) = args.first().and_then(to_string) else {
            return unknown_in(&args.iter().collect::<Vec<_>>())
                .unwrap_or_else(|| unevaluated(format!("error: {name}() needs a path")));
        };
        let path = std::path::Path::new(&path);
        let full = if path.is_absolute() {
            path.to_path_buf()
        } else {
            // Terraform resolves relative paths against the working directory: the root.
            std::path::Path::new(&self.module_dir(0)).join(path)
        };
        let _ = scope;
        match name {
            "fileexists" => TfValue::Bool(full.is_file()),
            _ => match std::fs::read_to_string(&full) {
                Err(e) => unevaluated(format!("error: {name}({}): {e}", full.display())),
                Ok(text) if name == "file" => TfValue::String(text),
                Ok(text) => {
                    let vars = match args.get(1).map(|v| unmark(v).0) {
                        Some(TfValue::Map(m)) => m.clone(),
                        Some(other @ TfValue::Unknown(_)) => return other.clone(),
                        _ => BTreeMap::new(),
                    };
                    match text.parse::<Template>() {
                        Err(e) => unevaluated(format!("error: template {}: {e}", full.display())),
                        Ok(t) => {
                            let mut s = scope.clone();
                            s.vars = vars.into_iter().collect();
                            self.render(&t, &s)
                                .unwrap_or_else(|e| unevaluated(format!("error: {e}")))
                        }
                    }
                }
            },
        }
    }
}

/// `setproduct(a, b, …)`: every combination, as lists.
fn setproduct(args: &[TfValue]) -> TfValue {
    if let Some(u) = unknown_in(&args.iter().collect::<Vec<_>>()) {
        return u;
    }
    let mut sensitive = false;
    let mut product: Vec<Vec<TfValue>> = vec![Vec::new()];
    for arg in args {
        let (v, s) = unmark(arg);
        sensitive |= s;
        let TfValue::List(items) = v else {
            return unevaluated("error: setproduct() takes lists or sets");
        };
        product = product
            .into_iter()
            .flat_map(|prefix| {
                items.iter().map(move |item| {
                    let mut p = prefix.clone();
                    p.push(item.clone());
                    p
                })
            })
            .collect();
    }
    mark(
        TfValue::List(product.into_iter().map(TfValue::List).collect()),
        sensitive,
    )
}

/// An attribute of a resource instance that its configuration does not set: the provider
/// computes it. A managed resource's is known after apply and refers to the resource. A data
/// source's is read from AWS while planning (Terraform's plan knows it, a directory scan
/// does not call AWS): it is unknown with that reason and names no resource, since a data
/// source's values only feed other expressions (the one data source the model maps,
/// `aws_iam_policy_document`, is computed offline and keeps its reference).
fn computed(address: String) -> TfValue {
    let group = data_source_group(&address);
    let Some(group) = group.filter(|g| !g.contains("data.aws_iam_policy_document.")) else {
        return unknown(vec![address]);
    };
    TfValue::Unknown(Arc::new(UnknownValue {
        refs: Vec::new(),
        configured: true,
        reason: Some(format!(
            "it depends on {group}, which Terraform reads from AWS while planning; a \
             directory scan does not call AWS (scan a plan of this configuration)"
        )),
        partial: None,
    }))
}

/// `module.a["k"].data.aws_x.y` for the instance address `module.a["k"].data.aws_x.y[0]`,
/// `None` when the address is a managed resource's.
fn data_source_group(address: &str) -> Option<&str> {
    // Skip the `module.<name>[key].` steps.
    let mut rest = address;
    while let Some(after) = rest.strip_prefix("module.") {
        let name_end = after.find(['.', '[']).unwrap_or(after.len());
        let mut tail = &after[name_end..];
        if tail.starts_with('[') {
            tail = tail.find("].").map_or("", |i| &tail[i + 1..]);
        }
        rest = tail.strip_prefix('.').unwrap_or(tail);
    }
    if !rest.starts_with("data.") {
        return None;
    }
    let end = address.len() - rest.len() + rest.find('[').unwrap_or(rest.len());
    Some(&address[..end])
}

/// An unknown that stands for an evaluation error (skipped by `try`).
fn is_error(v: &TfValue) -> bool {
    matches!(v, TfValue::Unknown(u) if u.reason.as_deref().is_some_and(|r| r.starts_with("error:")))
}

pub fn get_attr(v: TfValue, name: &str) -> TfValue {
    match v {
        TfValue::Map(mut m) => match m.remove(name) {
            Some(x) => x,
            None => match m.get(RESOURCE_MARKER).and_then(to_string) {
                // An attribute the configuration does not set: computed by the provider.
                Some(address) => computed(address),
                // An object without the attribute: Terraform fills `optional()` attributes
                // with null (a configuration that plans never reads a truly missing one).
                None => TfValue::Null,
            },
        },
        TfValue::Sensitive(inner) => mark(get_attr(*inner, name), true),
        u @ TfValue::Unknown(_) => u,
        TfValue::Null => unevaluated(format!("error: attribute `{name}` of null")),
        _ => unevaluated(format!("error: attribute `{name}` of a non-object")),
    }
}

pub fn index(v: TfValue, key: &TfValue) -> TfValue {
    if let Some(u) = unknown_in(&[key]) {
        return match v {
            TfValue::Unknown(_) => v,
            _ => {
                let mut refs = Vec::new();
                if let TfValue::Unknown(k) = &u {
                    refs.extend(k.refs.iter().cloned());
                }
                unknown(refs)
            }
        };
    }
    let (k, ks) = unmark(key);
    let out = match v {
        TfValue::List(mut items) => match k {
            TfValue::Number(n) if *n >= 0.0 && (*n as usize) < items.len() => {
                items.swap_remove(*n as usize)
            }
            TfValue::String(s) => match s.parse::<usize>() {
                Ok(i) if i < items.len() => items.swap_remove(i),
                _ => unevaluated("error: index out of range"),
            },
            _ => unevaluated("error: index out of range"),
        },
        TfValue::Map(mut m) => match to_string(k) {
            Some(s) => m
                .remove(&s)
                .unwrap_or_else(|| unevaluated(format!("error: no key `{s}`"))),
            None => unevaluated("error: map key is not a string"),
        },
        TfValue::Sensitive(inner) => return mark(index(*inner, key), true),
        u @ TfValue::Unknown(_) => u,
        _ => unevaluated("error: index of a non-collection"),
    };
    mark(out, ks)
}

fn binary(op: BinaryOperator, l: &TfValue, r: &TfValue) -> TfValue {
    use BinaryOperator as B;
    let num = |v: &TfValue| match v {
        TfValue::Number(n) => Some(*n),
        TfValue::String(s) => s.trim().parse().ok(),
        _ => None,
    };
    match op {
        B::Eq => TfValue::Bool(values_equal(l, r)),
        B::NotEq => TfValue::Bool(!values_equal(l, r)),
        B::And | B::Or => match (l, r) {
            (TfValue::Bool(a), TfValue::Bool(b)) => {
                TfValue::Bool(if op == B::And { *a && *b } else { *a || *b })
            }
            _ => unevaluated("error: logical operands must be bools"),
        },
        _ => match (num(l), num(r)) {
            (Some(a), Some(b)) => match op {
                B::Plus => TfValue::Number(a + b),
                B::Minus => TfValue::Number(a - b),
                B::Mul => TfValue::Number(a * b),
                B::Div if b != 0.0 => TfValue::Number(a / b),
                B::Mod if b != 0.0 => TfValue::Number(a % b),
                B::Less => TfValue::Bool(a < b),
                B::LessEq => TfValue::Bool(a <= b),
                B::Greater => TfValue::Bool(a > b),
                B::GreaterEq => TfValue::Bool(a >= b),
                _ => unevaluated("error: division by zero"),
            },
            _ => unevaluated("error: arithmetic on a non-number"),
        },
    }
}

/// Terraform equality: numbers and their string forms differ, collections compare deeply.
fn values_equal(l: &TfValue, r: &TfValue) -> bool {
    match (unmark(l).0, unmark(r).0) {
        (TfValue::Number(a), TfValue::Number(b)) => a == b,
        (a, b) => strip_marker(a) == strip_marker(b),
    }
}

fn strip_marker(v: &TfValue) -> TfValue {
    match v {
        TfValue::Map(m) => TfValue::Map(
            m.iter()
                .filter(|(k, _)| k.as_str() != RESOURCE_MARKER)
                .map(|(k, v)| (k.clone(), strip_marker(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_source_groups_are_found_behind_module_steps() {
        let g = data_source_group;
        assert_eq!(
            g("data.aws_availability_zones.available"),
            Some("data.aws_availability_zones.available")
        );
        assert_eq!(g("data.aws_region.r[0]"), Some("data.aws_region.r"));
        assert_eq!(
            g(r#"module.a["data.x"].data.aws_region.here"#),
            Some(r#"module.a["data.x"].data.aws_region.here"#)
        );
        assert_eq!(g("module.data.aws_s3_bucket.b"), None);
        assert_eq!(g("aws_s3_bucket.data"), None);
        // A data source's computed attribute names no resource and says why.
        let TfValue::Unknown(u) = computed("module.net.data.aws_availability_zones.az".into())
        else {
            panic!("unknown");
        };
        assert!(u.refs.is_empty());
        assert!(u
            .reason
            .as_deref()
            .is_some_and(|r| r.contains("module.net.data.aws_availability_zones.az, which")));
        let TfValue::Unknown(u) = computed("aws_vpc.main".into()) else {
            panic!("unknown");
        };
        assert_eq!(u.refs, vec!["aws_vpc.main".to_string()]);
    }
}
