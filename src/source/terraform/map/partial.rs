//! The known parts of JSON texts that are unknown as a whole: `container_definitions` and
//! IAM policies built with `jsonencode` over values with unknown leaves (an image from
//! `aws_ecr_repository.x.repository_url`, a Resource from `aws_s3_bucket.x.arn`).
//!
//! The evaluated configuration keeps such a text as a [`Partial`]: the JSON with a marker
//! string in place of each unknown leaf. The existing JSON mappers parse it, then every
//! marker becomes an unknown field naming what it depends on. A marker is never a value:
//!
//! - where a marker would decide what the mapped structure is (a container, an
//!   `environment` list or entry, a variable's name, a `secrets` entry, a health check; a
//!   policy's `Statement`, a statement, its `Effect`), the whole field is unknown;
//! - an environment variable's value, a policy statement's `Action`/`NotAction`/`Resource`/
//!   `NotResource` holding a marker is unknown (never `*`, never a named resource, never an
//!   allowed action), while the other parts of the statement or container stay known;
//! - a container whose name is unknown is named by what it depends on (`${aws_x.y}`).

use serde_json::Value;

use super::compute::parse_containers;
use crate::model::{Container, Field, PolicyDocument, Unknown};
use crate::source::terraform::Partial;

/// The reason of the first marker anywhere inside `v` (strings and object keys).
fn marker_in(p: &Partial, v: &Value) -> Option<Unknown> {
    match v {
        Value::String(s) => p.unknown_in(s),
        Value::Array(items) => items.iter().find_map(|i| marker_in(p, i)),
        Value::Object(m) => m
            .iter()
            .find_map(|(k, v)| p.unknown_in(k).or_else(|| marker_in(p, v))),
        _ => None,
    }
}

/// An unknown's reason as a clause.
fn why(u: &Unknown) -> String {
    match u {
        Unknown::Unresolved(r) => r.clone(),
        other => other.to_string(),
    }
}

/// The value at `key`, matched without regard to case (the provider accepts both).
fn key<'a>(v: &'a Value, key: &str) -> Vec<&'a Value> {
    match v {
        Value::Object(m) => m
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
            .collect(),
        _ => Vec::new(),
    }
}

/// A marker where it decides the shape of the container definitions.
fn container_shape_unknown(p: &Partial, json: &Value) -> Option<(String, Unknown)> {
    let Value::Array(items) = json else {
        return None;
    };
    for c in items {
        if !c.is_object() {
            if let Some(u) = marker_in(p, c) {
                return Some(("a container definition".into(), u));
            }
            continue;
        }
        for env in key(c, "environment") {
            let entries = match env {
                Value::Array(entries) => entries,
                other => match marker_in(p, other) {
                    Some(u) => return Some(("a container's environment list".into(), u)),
                    None => continue,
                },
            };
            for e in entries {
                let name = key(e, "name");
                let value = key(e, "value");
                let shape = !e.is_object()
                    || name.iter().any(|n| marker_in(p, n).is_some())
                    || value
                        .iter()
                        .any(|v| !v.is_string() && marker_in(p, v).is_some());
                if shape {
                    let u = marker_in(p, e).unwrap_or(Unknown::AfterApply);
                    return Some(("the name of an environment variable".into(), u));
                }
            }
        }
        // `secrets` entries are read by name only: an unknown `valueFrom` (a secret's ARN)
        // is the normal case and decides nothing.
        for secrets in key(c, "secrets") {
            let u = match secrets {
                Value::Array(entries) => entries.iter().find_map(|e| {
                    if e.is_object() {
                        key(e, "name").into_iter().find_map(|n| marker_in(p, n))
                    } else {
                        marker_in(p, e)
                    }
                }),
                other => marker_in(p, other),
            };
            if let Some(u) = u {
                return Some(("a container's secrets".into(), u));
            }
        }
        for hc in key(c, "healthCheck") {
            if let Some(u) = marker_in(p, hc) {
                return Some(("a container's healthCheck".into(), u));
            }
        }
    }
    None
}

/// `container_definitions` from a partial JSON text.
pub fn containers(p: &Partial) -> Field<Vec<Container>> {
    let json: Value = match serde_json::from_str(&p.json) {
        Ok(j) => j,
        Err(e) => {
            return Field::Unknown(Unknown::Unresolved(format!("container_definitions: {e}")))
        }
    };
    if let Some((what, u)) = container_shape_unknown(p, &json) {
        return Field::Unknown(Unknown::Unresolved(format!(
            "{what} in container_definitions: {}",
            why(&u)
        )));
    }
    let mut containers = match parse_containers(&p.json, p.sensitive) {
        Ok(c) => c,
        Err(e) => {
            return Field::Unknown(Unknown::Unresolved(format!("container_definitions: {e}")))
        }
    };
    for c in &mut containers {
        if let Some(u) = p.unknown_in(&c.name) {
            c.name = name_of(p, &c.name, &u);
        }
        for var in &mut c.environment {
            let marker = match &var.value {
                Field::Known(s) | Field::Sensitive(s) => p.unknown_in(s),
                _ => None,
            };
            if let Some(u) = marker {
                var.value = Field::Unknown(u);
            }
        }
    }
    Field::Known(containers)
}

/// How messages name a container whose name is unknown: what it refers to.
fn name_of(p: &Partial, marker: &str, u: &Unknown) -> String {
    let refs: Vec<&str> = p
        .unknowns
        .iter()
        .enumerate()
        .filter(|(n, _)| marker.contains(&Partial::marker(*n)))
        .flat_map(|(_, u)| u.refs.iter().map(String::as_str))
        .collect();
    if refs.is_empty() {
        format!("(name {u})")
    } else {
        format!("${{{}}}", refs.join(", "))
    }
}

/// A marker where it decides the shape of a policy document.
fn policy_shape_unknown(p: &Partial, json: &Value) -> Option<(String, Unknown)> {
    for statements in key(json, "Statement") {
        let list: Vec<&Value> = match statements {
            Value::Array(items) => items.iter().collect(),
            Value::Object(_) => vec![statements],
            other => match marker_in(p, other) {
                Some(u) => return Some(("its Statement".into(), u)),
                None => continue,
            },
        };
        for s in list {
            if !s.is_object() {
                if let Some(u) = marker_in(p, s) {
                    return Some(("a statement".into(), u));
                }
            }
            for effect in key(s, "Effect") {
                if let Some(u) = marker_in(p, effect) {
                    return Some(("a statement's Effect".into(), u));
                }
            }
        }
    }
    None
}

/// An IAM policy document from a partial JSON text.
pub fn policy(p: &Partial) -> Field<PolicyDocument> {
    let json: Value = match serde_json::from_str(&p.json) {
        Ok(j) => j,
        Err(e) => return Field::Unknown(Unknown::Unresolved(format!("policy JSON: {e}"))),
    };
    if let Some((what, u)) = policy_shape_unknown(p, &json) {
        return Field::Unknown(Unknown::Unresolved(format!("{what}: {}", why(&u))));
    }
    let mut doc = match PolicyDocument::from_value(&json) {
        Ok(d) => d,
        Err(e) => return Field::Unknown(Unknown::Unresolved(format!("policy JSON: {e}"))),
    };
    for s in &mut doc.statements {
        for f in [
            &mut s.actions,
            &mut s.not_actions,
            &mut s.resources,
            &mut s.not_resources,
        ] {
            let marker = f
                .get()
                .and_then(|list| list.iter().find_map(|x| p.unknown_in(x)));
            if let Some(u) = marker {
                *f = Field::Unknown(u);
            }
        }
    }
    Field::Known(doc)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::source::terraform::UnknownValue;

    /// A partial whose `@n` placeholders are markers of unknowns referring to `refs[n]`.
    fn partial(json: &str, refs: &[&str]) -> Partial {
        let mut json = json.to_string();
        for n in 0..refs.len() {
            json = json.replace(
                &format!("@{n}"),
                &Partial::marker(n).replace('\u{0}', "\\u0000"),
            );
        }
        Partial {
            json,
            unknowns: refs
                .iter()
                .map(|r| {
                    Arc::new(UnknownValue {
                        refs: vec![r.to_string()],
                        configured: true,
                        reason: None,
                        partial: None,
                    })
                })
                .collect(),
            sensitive: false,
        }
    }

    fn no_marker(text: &str) {
        assert!(
            !text.contains('\u{0}') && !text.contains("cbaudit-unknown"),
            "a marker leaked: {text:?}"
        );
    }

    #[test]
    fn environment_values_stay_known_beside_an_unknown_image() {
        let p = partial(
            r#"[{"name":"bot","image":"@0:latest","environment":[
                {"name":"DB_PASSWORD","value":"hunter2"},{"name":"BUCKET","value":"@1"}],
                "secrets":[{"name":"API_KEY","valueFrom":"@2"}]}]"#,
            &[
                "aws_ecr_repository.app",
                "aws_s3_bucket.b",
                "aws_secretsmanager_secret.k",
            ],
        );
        let Field::Known(cs) = containers(&p) else {
            panic!("{:?}", containers(&p))
        };
        assert_eq!(cs[0].name, "bot");
        assert_eq!(cs[0].secrets, vec!["API_KEY"]);
        assert_eq!(cs[0].environment[0].value, Field::Known("hunter2".into()));
        match &cs[0].environment[1].value {
            Field::Unknown(u) => {
                let text = u.to_string();
                assert!(text.contains("aws_s3_bucket.b"), "{text}");
                no_marker(&text);
            }
            other => panic!("{other:?}"),
        }
        // A sensitive partial gives sensitive values.
        let sensitive = Partial {
            sensitive: true,
            ..p
        };
        let Field::Known(cs) = containers(&sensitive) else {
            panic!()
        };
        assert_eq!(
            cs[0].environment[0].value,
            Field::Sensitive("hunter2".into())
        );
    }

    #[test]
    fn unknown_names_and_lists_make_the_definitions_unknown() {
        for json in [
            r#"[{"name":"bot","environment":"@0"}]"#,
            r#"[{"name":"bot","environment":["@0"]}]"#,
            r#"[{"name":"bot","environment":[{"name":"@0","value":"x"}]}]"#,
            r#"[{"name":"bot","Environment":[{"Name":"@0","Value":"x"}]}]"#,
            r#"[{"name":"bot","environment":[{"name":"A","value":{"k":"@0"}}]}]"#,
            r#"[{"name":"bot","secrets":[{"name":"@0","valueFrom":"arn"}]}]"#,
            r#"[{"name":"bot","healthCheck":{"command":["CMD","@0"],"interval":30}}]"#,
            r#"[{"name":"bot"},"@0"]"#,
        ] {
            match containers(&partial(json, &["aws_x.y"])) {
                Field::Unknown(u) => {
                    let text = u.to_string();
                    assert!(text.contains("aws_x.y"), "{json}: {text}");
                    no_marker(&text);
                }
                other => panic!("{json}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_container_with_an_unknown_name_is_named_by_its_reference() {
        let p = partial(
            r#"[{"name":"@0","environment":[]}]"#,
            &["aws_ecs_cluster.c"],
        );
        let Field::Known(cs) = containers(&p) else {
            panic!()
        };
        assert_eq!(cs[0].name, "${aws_ecs_cluster.c}");
    }

    #[test]
    fn statements_keep_known_actions_beside_unknown_resources() {
        let p = partial(
            r#"{"Version":"2012-10-17","Statement":[
                {"Effect":"Allow","Action":["s3:*"],"Resource":"@0"},
                {"Effect":"Allow","Action":"@1","Resource":["arn:aws:s3:::x","@0/*"]},
                {"Effect":"Allow","NotAction":"iam:*","NotResource":["@1"]}]}"#,
            &["aws_s3_bucket.x", "aws_iam_role.r"],
        );
        let Field::Known(doc) = policy(&p) else {
            panic!("{:?}", policy(&p))
        };
        let s = &doc.statements;
        assert_eq!(s[0].actions, Field::Known(vec!["s3:*".to_string()]));
        assert!(
            matches!(&s[0].resources, Field::Unknown(u) if u.to_string().contains("aws_s3_bucket.x"))
        );
        assert!(
            matches!(&s[1].actions, Field::Unknown(u) if u.to_string().contains("aws_iam_role.r"))
        );
        assert!(matches!(&s[1].resources, Field::Unknown(_)));
        assert_eq!(s[2].not_actions, Field::Known(vec!["iam:*".to_string()]));
        assert!(matches!(&s[2].not_resources, Field::Unknown(_)));
        for st in s {
            for f in [
                &st.actions,
                &st.not_actions,
                &st.resources,
                &st.not_resources,
            ] {
                match f {
                    Field::Known(l) => l.iter().for_each(|x| no_marker(x)),
                    Field::Unknown(u) => no_marker(&u.to_string()),
                    _ => {}
                }
            }
        }
    }

    #[test]
    fn unknown_statements_or_effects_make_the_document_unknown() {
        for json in [
            r#"{"Statement":"@0"}"#,
            r#"{"Statement":["@0"]}"#,
            r#"{"Statement":[{"Effect":"@0","Action":"*","Resource":"*"}]}"#,
        ] {
            match policy(&partial(json, &["aws_x.y"])) {
                Field::Unknown(u) => {
                    let text = u.to_string();
                    assert!(text.contains("aws_x.y"), "{json}: {text}");
                    no_marker(&text);
                }
                other => panic!("{json}: {other:?}"),
            }
        }
    }
}
