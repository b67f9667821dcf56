//! Shared by the CB-S3-* rules: which bucket is the model bucket.

use crate::model::{Bucket, BucketReplication, Field, Inventory, ResId, Unknown, View};
use crate::policy::Selector;

/// Whether a bucket is the model bucket, or why that is unknown.
fn is_model(sel: &Selector, b: &View<'_, Bucket>) -> Result<bool, Unknown> {
    let name = b
        .name
        .get()
        .map(String::as_str)
        .or_else(|| b.resource.tag("Name"));
    let tags = match &b.resource.tags {
        Field::Unknown(u) => {
            return if sel.matches(None, name) {
                Ok(true)
            } else {
                Err(u.clone())
            }
        }
        tags => tags.get(),
    };
    if sel.matches(tags, name) {
        return Ok(true);
    }
    let carried = tags.is_some_and(|t| sel.tags.keys().any(|k| t.contains_key(k)));
    match &b.name {
        Field::Unknown(u) if !carried => Err(u.clone()),
        _ => Ok(false),
    }
}

/// The selector, for messages: "tag Purpose = models, or name *model*".
pub fn describe(sel: &Selector) -> String {
    let mut parts: Vec<String> = sel
        .tags
        .iter()
        .map(|(k, v)| format!("tag {k} = {v}"))
        .collect();
    if !sel.names.is_empty() {
        parts.push(format!("name {}", sel.names.patterns().join(" or ")));
    }
    parts.join(", or ")
}

/// Buckets that are the destination of a replication rule: replicas, not the model bucket.
fn replica_ids(inv: &Inventory) -> Vec<ResId> {
    let mut ids = Vec::new();
    let separate = inv
        .all::<BucketReplication>()
        .map(|config| &config.data.rules);
    let inline = inv.all::<Bucket>().map(|b| &b.data.inline.replication);
    for rules in separate.chain(inline) {
        for rule in rules.get().into_iter().flatten() {
            if let Ok(Some(d)) = inv.resolve_one::<Bucket>(&rule.destination) {
                ids.push(d.id);
            }
        }
    }
    ids
}

/// The model buckets, and the buckets that may be one but whose tags or name are unknown.
pub struct Selection<'a> {
    pub models: Vec<View<'a, Bucket>>,
    pub undecided: Vec<(View<'a, Bucket>, Unknown)>,
}

/// Selects the model buckets (`storage.model_bucket`), leaving replicas out.
pub fn select<'a>(inv: &'a Inventory, sel: &Selector) -> Selection<'a> {
    let replicas = replica_ids(inv);
    let mut out = Selection {
        models: Vec::new(),
        undecided: Vec::new(),
    };
    for b in inv.all::<Bucket>().filter(|b| !replicas.contains(&b.id)) {
        match is_model(sel, &b) {
            Ok(true) => out.models.push(b),
            Ok(false) => {}
            Err(u) => out.undecided.push((b, u)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Policy;
    use crate::rules::testing::res;

    fn pick(b: Bucket, tags: &[(&str, &str)]) -> (usize, usize) {
        let mut inv = Inventory::new();
        inv.push(res("aws_s3_bucket.b", b).with_tags(tags.to_vec()));
        let s = select(&inv, &Policy::default_policy().storage.model_bucket);
        (s.models.len(), s.undecided.len())
    }

    fn named(name: Field<&str>) -> Bucket {
        Bucket {
            name: name.map(str::to_string),
            ..Bucket::default()
        }
    }

    #[test]
    fn by_tag_then_by_name() {
        assert_eq!(
            pick(named(Field::Known("artifacts")), &[("Purpose", "Models")]),
            (1, 0)
        );
        assert_eq!(
            pick(named(Field::Known("ml-models")), &[("Purpose", "logs")]),
            (0, 0)
        );
        assert_eq!(pick(named(Field::Known("ml-models")), &[]), (1, 0));
        assert_eq!(pick(named(Field::Known("logs")), &[]), (0, 0));
    }

    #[test]
    fn unknown_name_without_tag_is_undecided() {
        assert_eq!(
            pick(named(Field::Unknown(Unknown::AfterApply)), &[]),
            (0, 1)
        );
        let tagged = pick(
            named(Field::Unknown(Unknown::AfterApply)),
            &[("Purpose", "models")],
        );
        assert_eq!(tagged, (1, 0));
    }
}
