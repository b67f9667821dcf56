//! The references an HCL expression makes, spelled as Terraform's plan JSON spells them
//! (`aws_subnet.app["a"].id`, `var.x`, `local.y.z`, `module.m.out`).

use hcl::expr::{Expression, ObjectKey, TraversalOperator};
use hcl::template::{Directive, Element, Template};

/// Every reference in `expr`, most specific spelling only.
pub fn expression_references(expr: &Expression) -> Vec<String> {
    let mut out = Vec::new();
    collect(expr, &mut Vec::new(), &mut out);
    out
}

fn collect(expr: &Expression, scope: &mut Vec<String>, out: &mut Vec<String>) {
    match expr {
        Expression::Variable(v) => push_root(v.as_str(), &[], scope, out),
        Expression::Traversal(t) => {
            if let Expression::Variable(v) = &t.expr {
                push_root(v.as_str(), &t.operators, scope, out);
            } else {
                collect(&t.expr, scope, out);
            }
            for op in &t.operators {
                if let TraversalOperator::Index(i) = op {
                    collect(i, scope, out);
                }
            }
        }
        Expression::Array(items) => items.iter().for_each(|e| collect(e, scope, out)),
        Expression::Object(obj) => {
            for (k, v) in obj {
                if let ObjectKey::Expression(k) = k {
                    collect(k, scope, out);
                }
                collect(v, scope, out);
            }
        }
        Expression::TemplateExpr(t) => {
            if let Ok(template) = Template::from_expr(t) {
                collect_template(&template, scope, out);
            }
        }
        Expression::FuncCall(f) => f.args.iter().for_each(|e| collect(e, scope, out)),
        Expression::Parenthesis(e) => collect(e, scope, out),
        Expression::Conditional(c) => {
            collect(&c.cond_expr, scope, out);
            collect(&c.true_expr, scope, out);
            collect(&c.false_expr, scope, out);
        }
        Expression::Operation(op) => match op.as_ref() {
            hcl::expr::Operation::Unary(u) => collect(&u.expr, scope, out),
            hcl::expr::Operation::Binary(b) => {
                collect(&b.lhs_expr, scope, out);
                collect(&b.rhs_expr, scope, out);
            }
        },
        Expression::ForExpr(f) => {
            collect(&f.collection_expr, scope, out);
            let added = 1 + usize::from(f.key_var.is_some());
            scope.push(f.value_var.as_str().to_string());
            if let Some(k) = &f.key_var {
                scope.push(k.as_str().to_string());
            }
            if let Some(k) = &f.key_expr {
                collect(k, scope, out);
            }
            collect(&f.value_expr, scope, out);
            if let Some(c) = &f.cond_expr {
                collect(c, scope, out);
            }
            scope.truncate(scope.len() - added);
        }
        _ => {}
    }
}

fn collect_template(t: &Template, scope: &mut Vec<String>, out: &mut Vec<String>) {
    for element in t.elements() {
        match element {
            Element::Interpolation(i) => collect(&i.expr, scope, out),
            Element::Directive(d) => match d.as_ref() {
                Directive::If(i) => {
                    collect(&i.cond_expr, scope, out);
                    collect_template(&i.true_template, scope, out);
                    if let Some(f) = &i.false_template {
                        collect_template(f, scope, out);
                    }
                }
                Directive::For(f) => {
                    collect(&f.collection_expr, scope, out);
                    scope.push(f.value_var.as_str().to_string());
                    collect_template(&f.template, scope, out);
                    scope.pop();
                }
            },
            Element::Literal(_) => {}
        }
    }
}

/// `root` followed by attribute names and literal indexes, up to the first dynamic index
/// or splat: `aws_subnet.app["a"].id`, `aws_subnet.app` (for `aws_subnet.app[*].id`).
fn push_root(root: &str, ops: &[TraversalOperator], scope: &[String], out: &mut Vec<String>) {
    if scope.iter().any(|s| s == root) {
        return; // a `for` iteration variable
    }
    let mut s = root.to_string();
    for op in ops {
        match op {
            TraversalOperator::GetAttr(id) => {
                s.push('.');
                s.push_str(id.as_str());
            }
            TraversalOperator::Index(Expression::String(k)) => {
                s.push('[');
                s.push_str(&serde_json::to_string(k).unwrap_or_default());
                s.push(']');
            }
            TraversalOperator::Index(Expression::Number(n)) => {
                s.push_str(&format!("[{n}]"));
            }
            TraversalOperator::LegacyIndex(n) => s.push_str(&format!("[{n}]")),
            _ => break,
        }
    }
    if !out.contains(&s) {
        out.push(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(src: &str) -> Vec<String> {
        let body = hcl::parse(&format!("x = {src}\n")).expect("parses");
        let attr = body.attributes().next().expect("attribute");
        expression_references(&attr.expr)
    }

    #[test]
    fn traversals_keep_literal_keys() {
        assert_eq!(
            refs(r#"aws_subnet.app["a"].id"#),
            vec![r#"aws_subnet.app["a"].id"#]
        );
        assert_eq!(refs("aws_subnet.app[*].id"), vec!["aws_subnet.app"]);
    }

    #[test]
    fn for_expressions_skip_iteration_variables() {
        assert_eq!(
            refs("[for s in aws_subnet.app : s.id]"),
            vec!["aws_subnet.app"]
        );
    }

    #[test]
    fn templates_and_calls_are_searched() {
        assert_eq!(
            refs(r#"concat(["${aws_s3_bucket.m.arn}/*"], var.extra)"#),
            vec!["aws_s3_bucket.m.arn", "var.extra"]
        );
    }
}
