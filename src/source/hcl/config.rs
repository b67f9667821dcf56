//! A Terraform module directory, parsed with spans (hcl-edit): variables, locals,
//! resources, data sources, module calls, outputs and providers.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use hcl::edit::parser::parse_body;
use hcl::edit::structure::{Block, BlockLabel, Body, Structure};
use hcl::edit::Span;
use hcl::Expression;

use super::error::{HclError, HclErrorKind};

/// A parsed source file (kept for locations and snippets).
#[derive(Debug)]
pub struct SourceFile {
    pub path: Arc<str>,
    pub text: Arc<str>,
}

/// Where something is: a file of the module and a byte range.
#[derive(Debug, Clone)]
pub struct Loc {
    pub file: Arc<SourceFile>,
    pub span: Range<usize>,
}

/// A block body: attributes and nested blocks, in source order, with spans.
#[derive(Debug, Clone, Default)]
pub struct BodyNode {
    pub attrs: Vec<(String, Expression, Loc)>,
    pub blocks: Vec<BlockNode>,
}

#[derive(Debug, Clone)]
pub struct BlockNode {
    pub kind: String,
    pub labels: Vec<String>,
    pub body: BodyNode,
    pub loc: Loc,
}

impl BodyNode {
    pub fn attr(&self, name: &str) -> Option<&(String, Expression, Loc)> {
        self.attrs.iter().find(|(k, _, _)| k == name)
    }
}

#[derive(Debug, Clone)]
pub struct Variable {
    pub default: Option<Expression>,
    pub type_expr: Option<Expression>,
    pub sensitive: bool,
    pub loc: Loc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Managed,
    Data,
}

#[derive(Debug, Clone)]
pub struct ResourceBlock {
    pub mode: Mode,
    pub resource_type: String,
    pub name: String,
    /// The body without meta-arguments.
    pub body: BodyNode,
    pub count: Option<(Expression, Loc)>,
    pub for_each: Option<(Expression, Loc)>,
    /// `provider = aws.replica` → `aws.replica`.
    pub provider: Option<String>,
    pub loc: Loc,
}

impl ResourceBlock {
    /// `aws_vpc.main` / `data.aws_iam_policy_document.x`.
    pub fn address(&self) -> String {
        match self.mode {
            Mode::Managed => format!("{}.{}", self.resource_type, self.name),
            Mode::Data => format!("data.{}.{}", self.resource_type, self.name),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ModuleCall {
    pub name: String,
    pub source: String,
    /// `providers = { aws = aws.replica }`: (the module's key, the caller's key).
    pub providers: Vec<(String, String)>,
    pub args: Vec<(String, Expression, Loc)>,
    pub count: Option<(Expression, Loc)>,
    pub for_each: Option<(Expression, Loc)>,
    pub loc: Loc,
}

#[derive(Debug, Clone)]
pub struct ProviderBlock {
    pub name: String,
    pub alias: Option<String>,
    pub body: BodyNode,
}

/// One module directory.
#[derive(Debug, Default)]
pub struct ModuleConfig {
    pub dir: PathBuf,
    pub variables: BTreeMap<String, Variable>,
    pub locals: BTreeMap<String, (Expression, Loc)>,
    pub resources: Vec<ResourceBlock>,
    pub module_calls: Vec<ModuleCall>,
    pub outputs: BTreeMap<String, (Expression, Loc)>,
    pub providers: Vec<ProviderBlock>,
    /// `cbaudit:waive` comments in its files (checked once the module tree is known).
    pub waivers: Vec<super::waivers::WaiverComment>,
}

impl ModuleConfig {
    pub fn resource(&self, address: &str) -> Option<&ResourceBlock> {
        self.resources.iter().find(|r| r.address() == address)
    }
}

/// The `.tf` files of a directory, sorted.
pub fn tf_files(dir: &Path) -> Result<Vec<PathBuf>, HclError> {
    let entries = std::fs::read_dir(dir).map_err(|e| HclErrorKind::Io {
        path: dir.display().to_string(),
        message: e.to_string(),
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "tf"))
        .collect();
    files.sort();
    Ok(files)
}

/// Parses every `.tf` file of `dir` into one module.
pub fn load_module(dir: &Path) -> Result<ModuleConfig, HclError> {
    let files = tf_files(dir)?;
    let mut module = ModuleConfig {
        dir: dir.to_path_buf(),
        ..ModuleConfig::default()
    };
    for path in files {
        let shown = path.display().to_string();
        let bytes = std::fs::read(&path).map_err(|e| HclErrorKind::Io {
            path: shown.clone(),
            message: e.to_string(),
        })?;
        let text = String::from_utf8(bytes).map_err(|_| HclErrorKind::Io {
            path: shown.clone(),
            message: "not UTF-8 text".into(),
        })?;
        let body = parse_body(&text).map_err(|e| HclError::syntax(&shown, &text, &e))?;
        let file = Arc::new(SourceFile {
            path: Arc::from(shown.as_str()),
            text: Arc::from(text.as_str()),
        });
        read_file(&mut module, &body, &file);
        module.waivers.extend(super::waivers::collect(&body, &file));
    }
    Ok(module)
}

fn loc(file: &Arc<SourceFile>, span: Option<Range<usize>>) -> Loc {
    Loc {
        file: file.clone(),
        span: span.unwrap_or(0..0),
    }
}

pub(super) fn label(l: &BlockLabel) -> String {
    match l {
        BlockLabel::Ident(i) => i.value().as_str().to_string(),
        BlockLabel::String(s) => s.value().to_string(),
    }
}

/// A body with spans; `strip` names meta-arguments to leave out.
fn body_node(body: &Body, file: &Arc<SourceFile>, strip: &[&str]) -> BodyNode {
    let mut node = BodyNode::default();
    for s in body.iter() {
        match s {
            Structure::Attribute(a) => {
                let key = a.key.value().as_str().to_string();
                if strip.contains(&key.as_str()) {
                    continue;
                }
                node.attrs
                    .push((key, Expression::from(a.value.clone()), loc(file, a.span())));
            }
            Structure::Block(b) => {
                let kind = b.ident.value().as_str().to_string();
                if strip.contains(&kind.as_str()) {
                    continue;
                }
                node.blocks.push(block_node(b, file));
            }
        }
    }
    node
}

fn block_node(b: &Block, file: &Arc<SourceFile>) -> BlockNode {
    BlockNode {
        kind: b.ident.value().as_str().to_string(),
        labels: b.labels.iter().map(label).collect(),
        body: body_node(&b.body, file, &[]),
        loc: loc(file, b.span()),
    }
}

const RESOURCE_META: &[&str] = &[
    "count",
    "for_each",
    "provider",
    "depends_on",
    "lifecycle",
    "provisioner",
    "connection",
];

fn read_file(module: &mut ModuleConfig, body: &Body, file: &Arc<SourceFile>) {
    for s in body.iter() {
        let Structure::Block(b) = s else { continue };
        let kind = b.ident.value().as_str();
        let labels: Vec<String> = b.labels.iter().map(label).collect();
        let node = body_node(&b.body, file, &[]);
        let at = loc(file, b.span());
        let expr_of = |name: &str| node.attr(name).map(|(_, e, l)| (e.clone(), l.clone()));
        match (kind, labels.as_slice()) {
            ("variable", [name]) => {
                let sensitive = matches!(expr_of("sensitive"), Some((Expression::Bool(true), _)));
                module.variables.insert(
                    name.clone(),
                    Variable {
                        default: expr_of("default").map(|(e, _)| e),
                        type_expr: expr_of("type").map(|(e, _)| e),
                        sensitive,
                        loc: at,
                    },
                );
            }
            ("locals", []) => {
                for (k, e, l) in node.attrs {
                    module.locals.insert(k, (e, l));
                }
            }
            ("output", [name]) => {
                if let Some(v) = expr_of("value") {
                    module.outputs.insert(name.clone(), v);
                }
            }
            ("resource" | "data", [t, n]) => {
                let provider = expr_of("provider").and_then(|(e, _)| provider_ref(&e));
                module.resources.push(ResourceBlock {
                    mode: if kind == "data" {
                        Mode::Data
                    } else {
                        Mode::Managed
                    },
                    resource_type: t.clone(),
                    name: n.clone(),
                    count: expr_of("count"),
                    for_each: expr_of("for_each"),
                    provider,
                    body: body_node(&b.body, file, RESOURCE_META),
                    loc: at,
                });
            }
            ("module", [name]) => {
                let source = match expr_of("source") {
                    Some((Expression::String(s), _)) => s,
                    _ => String::new(),
                };
                let args = node
                    .attrs
                    .iter()
                    .filter(|(k, _, _)| {
                        !matches!(
                            k.as_str(),
                            "source"
                                | "version"
                                | "count"
                                | "for_each"
                                | "providers"
                                | "depends_on"
                        )
                    })
                    .cloned()
                    .collect();
                let providers = match expr_of("providers") {
                    Some((Expression::Object(obj), _)) => obj
                        .iter()
                        .filter_map(|(k, v)| {
                            let key = match k {
                                hcl::expr::ObjectKey::Identifier(i) => i.as_str().to_string(),
                                hcl::expr::ObjectKey::Expression(e) => provider_ref(e)?,
                                _ => return None,
                            };
                            Some((key, provider_ref(v)?))
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                module.module_calls.push(ModuleCall {
                    name: name.clone(),
                    source,
                    providers,
                    args,
                    count: expr_of("count"),
                    for_each: expr_of("for_each"),
                    loc: at,
                });
            }
            ("provider", [name]) => {
                let alias = match expr_of("alias") {
                    Some((Expression::String(s), _)) => Some(s),
                    _ => None,
                };
                module.providers.push(ProviderBlock {
                    name: name.clone(),
                    alias,
                    body: node,
                });
            }
            _ => {}
        }
    }
}

/// `aws.replica` from the traversal expression `aws.replica`.
fn provider_ref(e: &Expression) -> Option<String> {
    match e {
        Expression::Variable(v) => Some(v.as_str().to_string()),
        Expression::Traversal(t) => {
            let Expression::Variable(root) = &t.expr else {
                return None;
            };
            let mut s = root.as_str().to_string();
            for op in &t.operators {
                if let hcl::expr::TraversalOperator::GetAttr(id) = op {
                    s.push('.');
                    s.push_str(id.as_str());
                }
            }
            Some(s)
        }
        _ => None,
    }
}
