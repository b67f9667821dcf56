//! [`Evaluator`]: module instances, and variables and locals evaluated on demand and
//! memoized.

use std::cell::RefCell;
use std::collections::HashMap;

use hcl::Expression;

use super::Project;
use crate::source::hcl::config::{Loc, ModuleConfig, ResourceBlock};
use crate::source::hcl::error::HclError;
use crate::source::hcl::eval::{mark, to_string, unevaluated, Repetition, Scope, RESOURCE_MARKER};
use crate::source::terraform::TfValue;

pub type InstId = usize;

/// A module instance: the root, or one instance of a module call.
#[derive(Debug, Clone)]
pub(super) struct Inst {
    pub(super) config: usize,
    /// `module.net["a"].` (empty for the root).
    pub(super) prefix: String,
    pub(super) parent: Option<(InstId, usize, Repetition)>,
    /// Provider keys of this module → the root provider configuration they stand for.
    pub(super) providers: HashMap<String, String>,
}

/// The instances of one module call: (repetition, module instance).
pub(super) type CallInstances = Vec<(Repetition, InstId)>;

/// One evaluated resource instance.
pub struct Instance {
    pub address: String,
    pub block: ResourceBlock,
    pub values: TfValue,
    pub provider: String,
}

/// Evaluates a project: variables, locals, resources and modules, on demand and memoized.
pub struct Evaluator<'p> {
    pub(super) project: &'p Project,
    pub(super) root_vars: HashMap<String, TfValue>,
    pub(super) insts: RefCell<Vec<Inst>>,
    pub(super) calls: RefCell<HashMap<(InstId, usize), CallInstances>>,
    pub(super) locals: RefCell<HashMap<(InstId, String), TfValue>>,
    pub(super) local_stack: RefCell<Vec<(InstId, String)>>,
    pub(super) vars: RefCell<HashMap<(InstId, String), TfValue>>,
    pub(super) groups: RefCell<HashMap<(InstId, String), TfValue>>,
    pub(super) group_stack: RefCell<Vec<(InstId, String)>>,
    /// Values of data source instances read while planning (a plan's `prior_state`), by
    /// address: used in place of what a directory scan cannot read from AWS.
    pub(super) data_values: HashMap<String, TfValue>,
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

    pub(super) fn inst(&self, id: InstId) -> Inst {
        self.insts.borrow()[id].clone()
    }

    pub(super) fn config(&self, id: InstId) -> &'p ModuleConfig {
        &self.project.modules[self.inst(id).config]
    }

    pub fn module_dir(&self, id: InstId) -> String {
        self.config(id).dir.display().to_string()
    }

    pub(super) fn scope(&self, inst: InstId, rep: Repetition, loc: &Loc) -> Scope {
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
}

/// Removes the resource marker (it is for references only).
pub(super) fn strip(v: TfValue) -> TfValue {
    match v {
        TfValue::Map(mut m) => {
            m.remove(RESOURCE_MARKER);
            TfValue::Map(m)
        }
        other => other,
    }
}

/// Converts a given variable value to its declared primitive type.
pub(super) fn convert(v: TfValue, ty: Option<&Expression>) -> TfValue {
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
