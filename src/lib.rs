//! cbaudit: a compliance and policy linter for AWS infrastructure.
//!
//! Data flows one way (`docs/architecture.md`; to contribute: `docs/CONTRIBUTING.md`):
//! sources turn inputs into a
//! [`model::Inventory`], rules check it against a [`policy::Policy`], reporters render the
//! findings, and the exit status says whether the gate passes.

pub mod cli;
pub mod engine;
pub mod model;
pub mod policy;
pub mod report;
pub mod rules;
pub mod scope;
pub mod source;
pub mod verdict;
pub mod waiver;
