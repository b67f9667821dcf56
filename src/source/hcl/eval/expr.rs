//! Expressions: literals, traversals (`var.x`, `aws_x.y[0].z`, splats), operators and
//! `for` expressions.

use std::collections::BTreeMap;
use std::sync::Arc;

use hcl::expr::{
    BinaryOperator, Expression, ObjectKey, Operation, TraversalOperator, UnaryOperator,
};
use hcl::template::Template;

use super::values::{binary, get_attr, index};
use super::{
    mark, to_string, unevaluated, unknown, unknown_in, unmark, EvalResult, Repetition, Scope,
    RESOURCE_MARKER,
};
use crate::source::hcl::project::Evaluator;
use crate::source::terraform::TfValue;

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

    /// `root.attr[...]…`: variables, locals, each/count, paths, resources, modules.
    pub(super) fn traverse(
        &self,
        root: &str,
        ops: &[TraversalOperator],
        scope: &Scope,
    ) -> EvalResult {
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

    pub(super) fn operation(&self, op: &Operation, scope: &Scope) -> EvalResult {
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

    pub(super) fn for_expr(&self, f: &hcl::expr::ForExpr, scope: &Scope) -> EvalResult {
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
}
