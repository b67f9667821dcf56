//! What the plan and HCL sources share: Terraform values and the mapping from Terraform
//! resource types and attributes to the model.

mod map;
mod value;

use std::sync::Arc;

pub use value::{format_number, TfRef, TfValue, UnknownValue};

use crate::model::{Field, Location, Provenance, Resource, SourceKind, Tags};

/// One Terraform resource instance with its values as known before apply.
pub struct TfResource<'a> {
    pub address: &'a str,
    pub resource_type: &'a str,
    /// A data source (`data.aws_iam_policy_document.x`).
    pub data: bool,
    pub values: &'a TfValue,
    /// The region of the resource's provider configuration.
    pub region: Option<String>,
}

/// Maps a Terraform resource into the model; `None` for types no rule reads.
pub fn map_resource(
    r: &TfResource<'_>,
    source: SourceKind,
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
            source,
            address: r.address.to_string(),
            input,
            location,
            attributes: Vec::new(),
            account: None,
            region: r.region.clone(),
        },
        identifiers,
        tags: tags(v),
        kind: mapped.kind,
    })
}

/// `tags_all` (with provider default tags) when known, else `tags`.
fn tags(v: TfRef<'_>) -> Field<Tags> {
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
    match read(v.get("tags_all")) {
        Field::Known(t) => Field::Known(t),
        all => match read(v.get("tags")) {
            Field::Absent if !all.is_known() => match all {
                Field::Absent => Field::Known(Tags::new()),
                other => other,
            },
            tags => tags,
        },
    }
}
