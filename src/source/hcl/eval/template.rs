//! String templates: interpolations, `%{if}` and `%{for}` directives, strip markers.

use hcl::template::{Directive, Element, Template};

use super::{mark, to_string, unevaluated, unknown_in, unmark, EvalResult, Scope};
use crate::source::hcl::error::HclError;
use crate::source::hcl::project::Evaluator;
use crate::source::terraform::TfValue;

impl Evaluator<'_> {
    pub(super) fn render(&self, t: &Template, scope: &Scope) -> EvalResult {
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

    pub(super) fn render_into(
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
}
