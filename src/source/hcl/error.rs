//! Errors in a Terraform configuration: diagnostics with the span, exit status 2.

use miette::{Diagnostic, NamedSource, SourceSpan};

use super::config::Loc;

/// An error in a Terraform configuration (boxed: errors are rare, results are hot).
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error(transparent)]
#[diagnostic(transparent)]
pub struct HclError(Box<HclErrorKind>);

impl<T: Into<HclErrorKind>> From<T> for HclError {
    fn from(kind: T) -> HclError {
        HclError(Box::new(kind.into()))
    }
}

#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum HclErrorKind {
    #[error("{path}: cannot read: {message}")]
    #[diagnostic(code(cbaudit::hcl::io))]
    Io { path: String, message: String },

    #[error("{path}:{line}:{column}: syntax error: {message}")]
    #[diagnostic(
        code(cbaudit::hcl::syntax),
        help("fix the syntax; `terraform validate` shows the same error")
    )]
    Syntax {
        path: String,
        line: usize,
        column: usize,
        message: String,
        #[source_code]
        src: NamedSource<String>,
        #[label("{message}")]
        span: SourceSpan,
    },

    #[error("{path}:{line}: reference to undeclared input variable `{name}`")]
    #[diagnostic(
        code(cbaudit::hcl::unknown_variable),
        help("declare it with a `variable \"{name}\" {{}}` block")
    )]
    UnknownVariable {
        name: String,
        path: String,
        line: usize,
        #[source_code]
        src: NamedSource<String>,
        #[label("not declared in this module")]
        span: SourceSpan,
    },

    #[error("{path}:{line}: reference to undeclared local value `{name}`")]
    #[diagnostic(
        code(cbaudit::hcl::unknown_local),
        help("define it in a `locals` block")
    )]
    UnknownLocal {
        name: String,
        path: String,
        line: usize,
        #[source_code]
        src: NamedSource<String>,
        #[label("no such local value")]
        span: SourceSpan,
    },

    #[error("{path}:{line}: local values depend on each other in a cycle: {cycle}")]
    #[diagnostic(
        code(cbaudit::hcl::cycle),
        help("break the cycle: a local cannot depend on itself")
    )]
    Cycle {
        cycle: String,
        path: String,
        line: usize,
        #[source_code]
        src: NamedSource<String>,
        #[label("part of the cycle")]
        span: SourceSpan,
    },

    #[error("{path}:{line}: module `{name}`: source directory {dir} does not exist")]
    #[diagnostic(
        code(cbaudit::hcl::module_not_found),
        help("fix `source`, or run `terraform init` so that registry modules are installed under .terraform/modules")
    )]
    ModuleNotFound {
        name: String,
        dir: String,
        path: String,
        line: usize,
        #[source_code]
        src: NamedSource<String>,
        #[label("this module's source")]
        span: SourceSpan,
    },

    #[error("{path}:{line}: {message}")]
    #[diagnostic(code(cbaudit::hcl::waiver))]
    Waiver {
        message: String,
        #[help]
        help: String,
        path: String,
        line: usize,
        #[source_code]
        src: NamedSource<String>,
        #[label("this waiver")]
        span: SourceSpan,
    },

    #[error("{0}: no Terraform configuration (.tf files) in this directory")]
    #[diagnostic(code(cbaudit::hcl::empty))]
    Empty(String),

    #[error("--var {0}: expected NAME=VALUE")]
    #[diagnostic(code(cbaudit::hcl::var))]
    BadVar(String),
}

/// Source, span and line of a location, for diagnostics.
pub fn at(loc: &Loc) -> (NamedSource<String>, SourceSpan, usize, String) {
    let text = &loc.file.text;
    let start = loc.span.start.min(text.len());
    let len = loc.span.end.min(text.len()).saturating_sub(start);
    let line = text[..start].matches('\n').count() + 1;
    (
        NamedSource::new(&*loc.file.path, text.to_string()),
        SourceSpan::from((start, len)),
        line,
        loc.file.path.to_string(),
    )
}

impl HclError {
    pub fn syntax(path: &str, text: &str, e: &hcl::edit::parser::Error) -> HclError {
        let l = e.location();
        HclErrorKind::Syntax {
            path: path.to_string(),
            line: l.line(),
            column: l.column(),
            message: e.message().to_string(),
            src: NamedSource::new(path, text.to_string()),
            span: SourceSpan::from((l.offset().min(text.len()), 1)),
        }
        .into()
    }

    pub fn unknown_variable(name: &str, loc: &Loc) -> HclError {
        let (src, span, line, path) = at(loc);
        HclErrorKind::UnknownVariable {
            name: name.to_string(),
            path,
            line,
            src,
            span,
        }
        .into()
    }

    pub fn unknown_local(name: &str, loc: &Loc) -> HclError {
        let (src, span, line, path) = at(loc);
        HclErrorKind::UnknownLocal {
            name: name.to_string(),
            path,
            line,
            src,
            span,
        }
        .into()
    }

    pub fn cycle(cycle: &[String], loc: &Loc) -> HclError {
        let (src, span, line, path) = at(loc);
        HclErrorKind::Cycle {
            cycle: cycle.join(" → "),
            path,
            line,
            src,
            span,
        }
        .into()
    }

    /// A bad `cbaudit:waive` comment at `comment`; `span` (bytes of the file) is the part
    /// at fault. The line is the comment's.
    pub fn waiver(
        message: &str,
        help: &str,
        comment: &Loc,
        span: std::ops::Range<usize>,
    ) -> HclError {
        let (src, _, line, path) = at(comment);
        let text = &comment.file.text;
        let start = span.start.min(text.len());
        let len = span.end.min(text.len()).saturating_sub(start);
        HclErrorKind::Waiver {
            message: message.to_string(),
            help: help.to_string(),
            path,
            line,
            src,
            span: SourceSpan::from((start, len)),
        }
        .into()
    }

    pub fn module_not_found(name: &str, dir: &str, loc: &Loc) -> HclError {
        let (src, span, line, path) = at(loc);
        HclErrorKind::ModuleNotFound {
            name: name.to_string(),
            dir: dir.to_string(),
            path,
            line,
            src,
            span,
        }
        .into()
    }
}
