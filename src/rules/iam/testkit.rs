//! Builders for the CB-IAM-* unit tests.

use crate::model::{Field, PolicyDocument, PolicyText, RefTarget, Refs};

/// A reference by Terraform address.
pub fn addr(a: &str) -> Refs {
    Field::Known(vec![RefTarget::Address(a.to_string())])
}

/// A known policy document.
pub fn text(json: &str) -> PolicyText {
    PolicyText {
        document: Field::Known(PolicyDocument::parse(json).unwrap()),
        refs: Field::Absent,
    }
}

/// A one-statement Allow document: `actions` is a JSON list body (`"s3:GetObject"`).
pub fn stmt(actions: &str, resource: &str) -> String {
    format!(
        r#"{{"Statement":[{{"Effect":"Allow","Action":[{actions}],"Resource":"{resource}"}}]}}"#
    )
}
