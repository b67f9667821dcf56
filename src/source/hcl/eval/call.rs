//! Function calls: the library in `super::super::functions` (`functions.rs`), and the functions that need
//! the evaluator (`try`, `can`, `file`, `templatefile`, `fileexists`).

use std::collections::BTreeMap;

use hcl::template::Template;

use super::values::is_error;
use super::{mark, to_string, unevaluated, unknown_in, unmark, EvalResult, Scope};
use crate::source::hcl::project::Evaluator;
use crate::source::terraform::TfValue;

impl Evaluator<'_> {
    pub(super) fn call(&self, f: &hcl::expr::FuncCall, scope: &Scope) -> EvalResult {
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
        if !crate::source::hcl::functions::is_known(name) {
            return Ok(unevaluated(format!("function {name}() is not supported")));
        }
        Ok(match crate::source::hcl::functions::call(name, args) {
            Ok(v) => v,
            Err(e) => unevaluated(format!("error: {name}(): {e}")),
        })
    }

    pub(super) fn file_function(&self, name: &str, args: &[TfValue], scope: &Scope) -> TfValue {
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
pub(super) fn setproduct(args: &[TfValue]) -> TfValue {
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
