//! What the plan and HCL sources share: Terraform values and the mapping from Terraform
//! resource types and attributes to the model.

mod map;
mod value;

use std::sync::Arc;

pub use value::{format_number, Partial, TfRef, TfValue, UnknownValue, MARKER_PREFIX};

use crate::model::{Field, Location, Origin, Provenance, Resource, Tags};

/// One Terraform resource instance with its values as known before apply.
pub struct TfResource<'a> {
    pub address: &'a str,
    pub resource_type: &'a str,
    /// A data source (`data.aws_iam_policy_document.x`).
    pub data: bool,
    pub values: &'a TfValue,
    /// The region of the resource's provider configuration.
    pub region: Option<String>,
    /// The provider's `default_tags` (known empty when it sets none).
    pub default_tags: Field<Tags>,
}

/// Maps a Terraform resource into the model; `None` for types no rule reads.
pub fn map_resource(
    r: &TfResource<'_>,
    source: Origin,
    input: Arc<str>,
    location: Option<Location>,
) -> Option<Resource> {
    let v = TfRef::plain(r.values);
    let mapped = if r.data {
        map::data(r.resource_type, v)?
    } else {
        map::managed(r.resource_type, v)?
    };
    let mut identifiers = mapped.identifiers;
    for key in ["id", "arn"] {
        if let Field::Known(s) = v.get(key).string_nonempty() {
            if !identifiers.contains(&s) {
                identifiers.push(s);
            }
        }
    }
    Some(Resource {
        resource_type: r.resource_type.to_string(),
        provenance: Provenance {
            location,
            region: r.region.clone(),
            ..Provenance::new(source, r.address, input)
        },
        identifiers,
        tags: tags(v, &r.default_tags),
        body: mapped.body,
        secrets: sensitive_strings(r.values),
    })
}

/// Every string under a sensitivity mark (the strings of a sensitive JSON document too).
fn sensitive_strings(v: &TfValue) -> Vec<String> {
    fn walk(v: &TfValue, sensitive: bool, out: &mut Vec<String>) {
        match v {
            TfValue::Sensitive(inner) => walk(inner, true, out),
            TfValue::String(s) if sensitive => match serde_json::from_str::<serde_json::Value>(s) {
                Ok(json) if json.is_object() || json.is_array() => json_strings(&json, out),
                _ => out.push(s.clone()),
            },
            TfValue::List(items) => items.iter().for_each(|i| walk(i, sensitive, out)),
            TfValue::Map(m) => m.values().for_each(|i| walk(i, sensitive, out)),
            // The known parts of a sensitive partial JSON text (never its markers).
            TfValue::Unknown(u) => match &u.partial {
                Some(p) if sensitive || p.sensitive => {
                    if let Ok(json) = serde_json::from_str::<serde_json::Value>(&p.json) {
                        json_strings(&json, out);
                    }
                    out.retain(|s| !Partial::is_marker(s));
                }
                _ => {}
            },
            _ => {}
        }
    }
    fn json_strings(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::String(s) => out.push(s.clone()),
            serde_json::Value::Array(a) => a.iter().for_each(|i| json_strings(i, out)),
            serde_json::Value::Object(o) => o.values().for_each(|i| json_strings(i, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(v, false, &mut out);
    // Short secrets too: the human reporter masks whole values only, so a secret `db`
    // leaves `db_name` alone.
    out.retain(|s| !s.is_empty());
    out.sort();
    out.dedup();
    out
}

/// `tags_all` when known, else `tags` merged over the provider's default tags, as
/// Terraform computes `tags_all`.
fn tags(v: TfRef<'_>, default_tags: &Field<Tags>) -> Field<Tags> {
    let read = |t: TfRef<'_>| -> Field<Tags> {
        if t.is_null() {
            return Field::Absent;
        }
        if t.is_unknown() {
            return Field::Unknown(crate::model::Unknown::AfterApply);
        }
        let mut tags = Tags::new();
        for (k, val) in t.entries() {
            match val.string() {
                Field::Known(s) | Field::Sensitive(s) => {
                    tags.insert(k.to_string(), s);
                }
                Field::Unknown(u) => return Field::Unknown(u),
                Field::Absent => {}
            }
        }
        Field::Known(tags)
    };
    if let Field::Known(all) = read(v.get("tags_all")) {
        return Field::Known(all);
    }
    let own = match read(v.get("tags")) {
        Field::Known(t) | Field::Sensitive(t) => t,
        Field::Absent => Tags::new(),
        Field::Unknown(u) => return Field::Unknown(u),
    };
    match default_tags {
        Field::Known(defaults) | Field::Sensitive(defaults) => {
            let mut all = defaults.clone();
            all.extend(own);
            Field::Known(all)
        }
        Field::Unknown(u) => Field::Unknown(u.clone()),
        Field::Absent => Field::Known(own),
    }
}
