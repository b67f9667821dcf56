//! `.tfvars` files and `--var` values: constant expressions.

use std::path::Path;

use hcl::Expression;

use crate::source::hcl::error::{HclError, HclErrorKind};
use crate::source::hcl::eval::{to_string, unevaluated};
use crate::source::terraform::TfValue;

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
