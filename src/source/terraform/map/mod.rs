//! Terraform resource types → model kinds, one file per area.

mod audit;
mod compute;
mod database;
mod edge;
mod identity;
mod network;
mod partial;
mod storage;

use crate::model::{Body, Field};

use super::TfRef;

/// A mapped resource body and the identifiers other resources may use for it.
pub struct Mapped {
    pub body: Body,
    pub identifiers: Vec<String>,
}

impl Mapped {
    fn new(kind: impl Into<Body>) -> Mapped {
        Mapped {
            body: kind.into(),
            identifiers: Vec::new(),
        }
    }

    /// Adds the known value of `field` as an identifier.
    fn id(mut self, field: &Field<String>) -> Mapped {
        if let Some(s) = field.get() {
            if !s.is_empty() && !self.identifiers.contains(s) {
                self.identifiers.push(s.clone());
            }
        }
        self
    }
}

pub fn managed(resource_type: &str, v: TfRef<'_>) -> Option<Mapped> {
    network::map(resource_type, v)
        .or_else(|| edge::map(resource_type, v))
        .or_else(|| compute::map(resource_type, v))
        .or_else(|| database::map(resource_type, v))
        .or_else(|| identity::map(resource_type, v))
        .or_else(|| storage::map(resource_type, v))
        .or_else(|| audit::map(resource_type, v))
}

pub fn data(resource_type: &str, v: TfRef<'_>) -> Option<Mapped> {
    match resource_type {
        "aws_iam_policy_document" => Some(identity::policy_document_data(v)),
        _ => None,
    }
}
