//! Input errors: each is one clear line with a code, and exit status 2.

use miette::Diagnostic;

#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum SourceError {
    #[error("{path}: no such file or directory")]
    #[diagnostic(code(cbaudit::input::not_found), help("check the path"))]
    NotFound { path: String },

    #[error("{path}: cannot read: {message}")]
    #[diagnostic(code(cbaudit::input::io))]
    Io { path: String, message: String },

    #[error("{path}: the file is empty")]
    #[diagnostic(
        code(cbaudit::input::empty),
        help("produce a plan with `terraform plan -out plan.out && terraform show -json plan.out > plan.json`")
    )]
    Empty { path: String },

    #[error("{path}: not a text file (binary content)")]
    #[diagnostic(
        code(cbaudit::input::binary),
        help("give a Terraform plan JSON (`terraform show -json plan.out`) or a directory of .tf files")
    )]
    Binary { path: String },

    #[error("{path}: invalid JSON at line {line}, column {column}: {message}")]
    #[diagnostic(code(cbaudit::plan::json), help("{help}"))]
    Json {
        path: String,
        line: usize,
        column: usize,
        message: String,
        help: String,
    },

    #[error("{path}: JSON, but not a Terraform plan ({why})")]
    #[diagnostic(
        code(cbaudit::plan::not_a_plan),
        help("produce one with `terraform show -json plan.out > plan.json`")
    )]
    NotAPlan { path: String, why: String },

    #[error("{path}: unsupported plan format_version {version} (cbaudit reads 1.x)")]
    #[diagnostic(
        code(cbaudit::plan::version),
        help("use a Terraform release whose `terraform show -json` writes format_version 1.x")
    )]
    UnsupportedVersion { path: String, version: String },

    #[error("{path}: not a recognised input (neither a Terraform plan JSON nor Terraform configuration)")]
    #[diagnostic(code(cbaudit::input::unrecognised))]
    Unrecognised { path: String },

    #[error("{path}: no Terraform plan or configuration found in this directory")]
    #[diagnostic(
        code(cbaudit::input::empty_directory),
        help("point cbaudit at a plan JSON file or a directory holding .tf files")
    )]
    EmptyDirectory { path: String },
}
