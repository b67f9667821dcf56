//! References between resources, resolved to resource identities.
//!
//! A source records what an attribute points at as [`RefTarget`]s: a known identifier (an
//! id, ARN or name: what live accounts and existing resources give) or a Terraform address
//! (what a plan's `configuration.references` or an HCL expression give while the id is
//! still unknown). [`crate::model::Inventory::resolve`] turns them into resources.

use super::Field;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RefTarget {
    /// A known identifier: an id (`sg-0abc`), ARN or name.
    Ident(String),
    /// A Terraform address: `aws_subnet.app["a"]`, or a whole resource (`aws_subnet.app`,
    /// every instance).
    Address(String),
}

/// What one attribute refers to.
pub type Refs = Field<Vec<RefTarget>>;

pub fn ident(s: impl Into<String>) -> RefTarget {
    RefTarget::Ident(s.into())
}
