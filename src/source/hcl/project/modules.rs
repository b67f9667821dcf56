//! Module calls: their instances (`count` / `for_each` on a call) and their outputs.

use std::collections::BTreeMap;

use super::evaluator::{key_suffix, Evaluator, Inst, InstId};
use crate::source::hcl::error::HclError;
use crate::source::hcl::eval::{unevaluated, Repetition, Scope};
use crate::source::terraform::TfValue;

impl<'p> Evaluator<'p> {
    /// The instances of module call `call` of a module instance.
    pub(super) fn call_instances(
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

    pub(super) fn output(&self, inst: InstId, name: &str) -> Result<TfValue, HclError> {
        match self.config(inst).outputs.get(name) {
            Some((expr, loc)) => self.eval(expr, &self.scope(inst, Repetition::None, loc)),
            None => Ok(unevaluated(format!("error: module has no output {name}"))),
        }
    }

    pub(super) fn outputs(&self, inst: InstId) -> Result<TfValue, HclError> {
        let mut out = BTreeMap::new();
        for name in self.config(inst).outputs.keys() {
            out.insert(name.clone(), self.output(inst, name)?);
        }
        Ok(TfValue::Map(out))
    }
}
