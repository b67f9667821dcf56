//! Resource instances: `count` / `for_each` repetitions, instance objects and block bodies
//! (`dynamic` blocks expanded), and the root provider configurations.

use std::collections::BTreeMap;

use hcl::Expression;

use super::evaluator::{key_suffix, strip, Evaluator, InstId, Instance};
use crate::source::hcl::config::{BodyNode, Loc, Mode, ResourceBlock};
use crate::source::hcl::error::HclError;
use crate::source::hcl::eval::{
    to_string, unevaluated, unknown, unmark, Repetition, Scope, RESOURCE_MARKER,
};
use crate::source::terraform::TfValue;

impl<'p> Evaluator<'p> {
    /// The repetitions of a `count` / `for_each`, or why they are not known.
    pub(super) fn repetitions(
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
                                return Ok(Err(crate::source::hcl::eval::unknown_in(&[item])
                                    .unwrap_or_else(|| {
                                        unevaluated("error: for_each over a set of non-strings")
                                    })))
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

    pub(super) fn group_value(
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

    pub(super) fn instance_object(
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
    pub(super) fn dynamic_items(
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
