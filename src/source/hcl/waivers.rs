//! Inline waivers: `# cbaudit:waive RULE[,RULE…] reason="…" until=YYYY-MM-DD owner=… ticket=…`
//! comments in `.tf` files (`#`, `//` or `/* … */`).
//!
//! A waiver sits on the line(s) directly above a block or an attribute, or at the end of a
//! block's first line or of an attribute's line; it covers the enclosing top-level block:
//! a `resource` / `data` block (all its instances, through every instance of its module) or
//! a `module` block (everything under that call). A waiver in a module's files covers that
//! block in every call of the module.
//!
//! Reading happens in two steps. While a module's files are parsed ([`collect`]), every
//! comment that addresses cbaudit is found with a scanner that skips strings and heredocs,
//! and attached to its block by the spans hcl-edit gives. Once the module tree is known
//! ([`declared`]), each comment is parsed and checked (its rules against the checker the
//! CLI gives, its reason, its date), and its block is named from the root through every
//! module call path that instantiates the file's module. Any problem is an [`HclError`]
//! with a span on the comment (exit status 2).

use std::ops::Range;
use std::sync::Arc;

use hcl::edit::structure::{Body, Structure};
use hcl::edit::Span;
use time::Date;

use super::config::{label, Loc, SourceFile};
use super::error::HclError;
use super::project::Project;
use crate::model::{DeclaredWaiver, Location};

/// The directive, exactly.
const DIRECTIVE: &str = "cbaudit:waive";

/// A comment addressed to cbaudit, found in a module's file, with what it is attached to.
#[derive(Debug, Clone)]
pub struct WaiverComment {
    /// The whole comment (marker included).
    pub loc: Loc,
    /// The comment's text after the marker (without a closing `*/`), as a byte range of
    /// the file.
    pub body: Range<usize>,
    pub form: Form,
}

/// What a comment addressed to cbaudit says.
#[derive(Debug, Clone)]
pub enum Form {
    /// A near miss of `cbaudit:waive` (`cbaudit: waive`, `cbaudit:waiver`).
    Misspelt,
    /// `cbaudit:waive`: the top-level block it covers, or why it covers nothing.
    Waive(Result<Target, String>),
}

/// The top-level block a waiver covers, as an address inside its module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `aws_db_instance.main`, `data.aws_iam_policy_document.x`
    Resource(String),
    /// `module.db`
    Module(String),
}

impl Target {
    fn address(&self) -> &str {
        match self {
            Target::Resource(a) | Target::Module(a) => a,
        }
    }
}

/// One comment of a file: its span and the span of its text (after the marker).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub span: Range<usize>,
    pub body: Range<usize>,
}

/// Every comment of an HCL file, in order, skipping strings, templates and heredocs.
/// Comments inside `${ … }` interpolations are found too (they are code).
pub fn comments(text: &str) -> Vec<Comment> {
    enum Ctx {
        /// Code; `depth` counts open braces, so a template's `}` is told apart.
        Code {
            depth: usize,
        },
        Str,
    }
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut stack = vec![Ctx::Code { depth: 0 }];
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        let nested = stack.len() > 1;
        match stack.last_mut() {
            Some(Ctx::Code { depth }) => match (c, next) {
                (b'#', _) | (b'/', Some(b'/')) => {
                    let start = i;
                    let body = if c == b'#' { i + 1 } else { i + 2 };
                    let end = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |n| i + n);
                    let end_trim = if end > body && b[end - 1] == b'\r' {
                        end - 1
                    } else {
                        end
                    };
                    out.push(Comment {
                        span: start..end_trim,
                        body: body..end_trim,
                    });
                    i = end;
                }
                (b'/', Some(b'*')) => {
                    let start = i;
                    let close = memchr::memmem::find(&b[i + 2..], b"*/").map(|n| i + 2 + n);
                    let (body_end, end) = match close {
                        Some(c) => (c, c + 2),
                        None => (b.len(), b.len()),
                    };
                    out.push(Comment {
                        span: start..end,
                        body: start + 2..body_end,
                    });
                    i = end;
                }
                (b'"', _) => {
                    stack.push(Ctx::Str);
                    i += 1;
                }
                (b'<', Some(b'<')) => match heredoc_end(text, i) {
                    Some(end) => i = end,
                    None => i += 2,
                },
                (b'{', _) => {
                    *depth += 1;
                    i += 1;
                }
                (b'}', _) => {
                    if *depth == 0 && nested {
                        stack.pop();
                    } else {
                        *depth = depth.saturating_sub(1);
                    }
                    i += 1;
                }
                _ => i += 1,
            },
            Some(Ctx::Str) => match (c, next) {
                (b'\\', _) => i += 2,
                (b'$', Some(b'$')) | (b'%', Some(b'%')) if b.get(i + 2) == Some(&b'{') => i += 3,
                (b'$' | b'%', Some(b'{')) => {
                    stack.push(Ctx::Code { depth: 0 });
                    i += 2;
                }
                (b'"', _) | (b'\n', _) => {
                    stack.pop();
                    i += 1;
                }
                _ => i += 1,
            },
            None => break,
        }
    }
    out
}

/// If a heredoc (`<<EOF` / `<<-EOF`) starts at `at`, the offset just after its closing
/// marker's line.
fn heredoc_end(text: &str, at: usize) -> Option<usize> {
    let rest = &text[at + 2..];
    let rest = rest.strip_prefix('-').unwrap_or(rest);
    let ident_len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(rest.len());
    let ident = &rest[..ident_len];
    if ident.is_empty() || !ident.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        return None;
    }
    let after = &rest[ident_len..];
    let newline = after.find('\n')?;
    if !after[..newline].trim().is_empty() {
        return None;
    }
    let mut pos = text.len() - after.len() + newline + 1;
    while pos < text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |n| pos + n);
        if text[pos..end].trim() == ident {
            return Some(end);
        }
        pos = end + 1;
    }
    Some(text.len())
}

/// Whether a comment's text addresses cbaudit: `Some(Ok(n))` when an exact
/// `cbaudit:waive` ends at byte `n` of `body`; `Some(Err(()))` for a near miss
/// (`cbaudit: waive`, `cbaudit:waiver`, `CBAUDIT:WAIVE`, `cbaudit waive`, `cbaudit:ignore`);
/// `None` for any other comment (`# cbaudit: scanned in CI` included). Doubled markers
/// (`##`, `///`, `/**`) count as the marker.
fn directive(body: &str) -> Option<Result<usize, ()>> {
    let trimmed = body.trim_start_matches(['#', '/', '*']).trim_start();
    let lead = body.len() - trimmed.len();
    if let Some(rest) = trimmed.strip_prefix(DIRECTIVE) {
        if rest.is_empty() || rest.starts_with(char::is_whitespace) {
            return Some(Ok(lead + DIRECTIVE.len()));
        }
    }
    let lower = trimmed.to_ascii_lowercase();
    let after = lower.strip_prefix("cbaudit")?;
    let colon = after.trim_start().starts_with(':');
    let word =
        after.trim_start_matches(|c: char| c.is_whitespace() || matches!(c, ':' | '-' | '_'));
    let other_tools = ["ignore", "skip", "disable", "suppress", "nolint"];
    if word.starts_with("waiv") || (colon && other_tools.iter().any(|t| word.starts_with(t))) {
        return Some(Err(()));
    }
    None
}

/// A block or an attribute of a file, at any depth, with the top-level block it is in.
struct Node {
    span: Range<usize>,
    top: usize,
    attribute: bool,
}

/// Finds the waiver comments of one parsed file and what each is attached to.
pub fn collect(body: &Body, file: &Arc<SourceFile>) -> Vec<WaiverComment> {
    let text: &str = &file.text;
    let found: Vec<(Comment, Result<usize, ()>)> = comments(text)
        .into_iter()
        .filter_map(|c| directive(&text[c.body.clone()]).map(|d| (c, d)))
        .collect();
    if found.is_empty() {
        return Vec::new();
    }
    let all = comments(text);
    let mut nodes = Vec::new();
    let mut tops: Vec<(String, Vec<String>)> = Vec::new();
    for s in body.iter() {
        let top = tops.len();
        match s {
            Structure::Block(b) => {
                tops.push((
                    b.ident.value().as_str().to_string(),
                    b.labels.iter().map(label).collect(),
                ));
                walk_block(s, top, &mut nodes);
            }
            Structure::Attribute(_) => {
                tops.push((String::new(), Vec::new()));
                walk_block(s, top, &mut nodes);
            }
        }
    }
    let lines = Lines::new(text);
    found
        .into_iter()
        .map(|(c, d)| {
            let (body, form) = match d {
                Ok(skip) => (
                    c.body.start + skip..c.body.end,
                    Form::Waive(
                        attach(text, &lines, &all, &c, &nodes)
                            .and_then(|top| target_of(&tops[top])),
                    ),
                ),
                Err(()) => (c.body.clone(), Form::Misspelt),
            };
            WaiverComment {
                loc: Loc {
                    file: file.clone(),
                    span: c.span.clone(),
                },
                body,
                form,
            }
        })
        .collect()
}

fn walk_block(s: &Structure, top: usize, nodes: &mut Vec<Node>) {
    match s {
        Structure::Attribute(a) => {
            if let Some(span) = a.span() {
                nodes.push(Node {
                    span,
                    top,
                    attribute: true,
                });
            }
        }
        Structure::Block(b) => {
            if let Some(span) = b.span() {
                nodes.push(Node {
                    span,
                    top,
                    attribute: false,
                });
            }
            for inner in b.body.iter() {
                walk_block(inner, top, nodes);
            }
        }
    }
}

/// Line starts of a text.
struct Lines {
    starts: Vec<usize>,
    len: usize,
}

impl Lines {
    fn new(text: &str) -> Lines {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines {
            starts,
            len: text.len(),
        }
    }
    /// 0-based line of an offset.
    fn of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset) - 1
    }
    fn range(&self, line: usize) -> Range<usize> {
        let start = self.starts[line];
        let end = self.starts.get(line + 1).map_or(self.len, |&next| next - 1);
        start..end
    }
    fn count(&self) -> usize {
        self.starts.len()
    }
}

/// The top-level structure a waiver comment is attached to, or why it is attached to
/// nothing.
fn attach(
    text: &str,
    lines: &Lines,
    all: &[Comment],
    c: &Comment,
    nodes: &[Node],
) -> Result<usize, String> {
    let first = lines.of(c.span.start);
    let starting_on = |line: usize| {
        nodes
            .iter()
            .filter(|n| lines.of(n.span.start) == line)
            .min_by_key(|n| n.span.start)
    };
    let before = &text[lines.range(first).start..c.span.start];
    if !before.trim().is_empty() {
        // At the end of a line: the block or attribute starting on it, else a (multi-line)
        // attribute ending on it.
        if let Some(n) = starting_on(first) {
            return Ok(n.top);
        }
        if let Some(n) = nodes
            .iter()
            .filter(|n| n.attribute && lines.of(n.span.end.saturating_sub(1)) == first)
            .min_by_key(|n| n.span.start)
        {
            return Ok(n.top);
        }
        return Err(
            "it ends a line that starts no block or attribute (put it on the line above a block or an attribute, or at the end of its first line)"
                .to_string(),
        );
    }
    // On its own line(s): the next line that is not a comment starts the block or
    // attribute.
    let mut line = lines.of(c.span.end.saturating_sub(1).max(c.span.start)) + 1;
    loop {
        if line >= lines.count() || text[lines.range(line).start..].trim().is_empty() {
            return Err(
                "nothing follows it: a waiver goes on the line above a block or an attribute"
                    .to_string(),
            );
        }
        let range = lines.range(line);
        let content = &text[range.clone()];
        if content.trim().is_empty() {
            return Err("a blank line separates it from what follows: a waiver goes on the line directly above a block or an attribute".to_string());
        }
        let indent = content.len() - content.trim_start().len();
        let at = range.start + indent;
        match all.iter().find(|k| k.span.start == at) {
            Some(k)
                if text[k.span.end..lines.range(lines.of(k.span.end.max(1) - 1)).end]
                    .trim()
                    .is_empty() =>
            {
                line = lines.of(k.span.end.saturating_sub(1).max(k.span.start)) + 1;
            }
            _ => break,
        }
    }
    match starting_on(line) {
        Some(n) => Ok(n.top),
        None => Err("the line below it starts no block or attribute: a waiver goes on the line directly above a block or an attribute".to_string()),
    }
}

/// What a waiver on a top-level block `kind "labels…"` covers.
fn target_of((kind, labels): &(String, Vec<String>)) -> Result<Target, String> {
    match (kind.as_str(), labels.as_slice()) {
        ("resource", [t, n]) => Ok(Target::Resource(format!("{t}.{n}"))),
        ("data", [t, n]) => Ok(Target::Resource(format!("data.{t}.{n}"))),
        ("module", [n]) => Ok(Target::Module(format!("module.{n}"))),
        ("", _) => Err("it is attached to a top-level attribute, not a block: a waiver covers a resource, data or module block".to_string()),
        (kind, _) => Err(format!(
            "it is attached to a `{kind}` block, which holds no resource: a waiver covers a resource, data or module block"
        )),
    }
}

/// Checks the rule keys of waivers: `rules::find(key).is_some()`, given by the CLI (the
/// source does not know the rules). Without one, any key is accepted.
pub type RuleCheck = fn(&str) -> bool;

/// The waivers declared in a configuration's files, checked, each covering its block
/// through every module call path that instantiates its module.
pub fn declared(
    project: &Project,
    is_rule: Option<RuleCheck>,
) -> Result<Vec<DeclaredWaiver>, HclError> {
    let paths = project.call_paths();
    let mut out = Vec::new();
    for (module, config) in project.modules.iter().enumerate() {
        for w in &config.waivers {
            let parsed = check(w, is_rule)?;
            let covers = paths[module]
                .iter()
                .map(|prefix| {
                    if prefix.is_empty() {
                        parsed.target.address().to_string()
                    } else {
                        format!("{prefix}.{}", parsed.target.address())
                    }
                })
                .collect();
            let file = &w.loc.file;
            out.push(DeclaredWaiver {
                rules: parsed.rules,
                covers,
                reason: parsed.reason,
                until: parsed.until,
                owner: parsed.owner,
                ticket: parsed.ticket,
                location: Location::at(
                    file.path.clone(),
                    file.text.as_bytes(),
                    w.loc.span.start,
                    w.loc.span.len(),
                ),
            });
        }
    }
    Ok(out)
}

/// A waiver comment, parsed and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub rules: Vec<String>,
    pub reason: String,
    pub until: Option<Date>,
    pub owner: Option<String>,
    pub ticket: Option<String>,
    pub target: Target,
}

/// A problem in a waiver comment: message, help, and the byte range it is about.
type Problem = (String, String, Range<usize>);

const KEYS_HELP: &str = "cbaudit:waive RULE[,RULE…] reason=\"…\" until=YYYY-MM-DD owner=… ticket=…";

fn check(w: &WaiverComment, is_rule: Option<RuleCheck>) -> Result<Parsed, HclError> {
    let text: &str = &w.loc.file.text;
    let fail = |(message, help, span): Problem| HclError::waiver(&message, &help, &w.loc, span);
    let target = match &w.form {
        Form::Misspelt => {
            // The directive as written: `cbaudit:waiver`, `cbaudit: waive`, `cbaudit waive`.
            let mut words = text[w.body.clone()]
                .trim_start_matches(['#', '/', '*'])
                .split_whitespace();
            let first = words.next().unwrap_or_default();
            let said = match words.next() {
                Some(second) if first.ends_with(':') || first.eq_ignore_ascii_case("cbaudit") => {
                    format!("{first} {second}")
                }
                _ => first.to_string(),
            };
            let said: String = said.chars().take(40).collect();
            return Err(fail((
                format!("`{said}` is not a cbaudit directive: did you mean `cbaudit:waive`?"),
                format!("write it exactly: {KEYS_HELP}"),
                w.loc.span.clone(),
            )));
        }
        Form::Waive(Err(why)) => {
            return Err(fail((
                format!("waiver attached to nothing: {why}"),
                "put it on the line directly above a resource, data or module block (or one of its attributes), or at the end of that line".to_string(),
                w.loc.span.clone(),
            )))
        }
        Form::Waive(Ok(t)) => t.clone(),
    };
    let fields = parse(&text[w.body.clone()], w.body.start).map_err(fail)?;
    if let Some(is_rule) = is_rule {
        if let Some((key, span)) = fields.rules.iter().find(|(k, _)| !is_rule(k)) {
            return Err(fail((
                format!("unknown rule `{key}`"),
                "`cbaudit rules` lists every rule ID and name".to_string(),
                span.clone(),
            )));
        }
    }
    Ok(Parsed {
        rules: fields.rules.into_iter().map(|(k, _)| k).collect(),
        reason: fields.reason,
        until: fields.until,
        owner: fields.owner,
        ticket: fields.ticket,
        target,
    })
}

/// The fields of a waiver, rules with their spans.
#[derive(Debug)]
struct Fields {
    rules: Vec<(String, Range<usize>)>,
    reason: String,
    until: Option<Date>,
    owner: Option<String>,
    ticket: Option<String>,
}

/// Parses what follows `cbaudit:waive` (`body`, at offset `base` of its file).
fn parse(body: &str, base: usize) -> Result<Fields, Problem> {
    let b = body.as_bytes();
    let at = |r: Range<usize>| base + r.start..base + r.end;
    let whole = base..base + body.len();
    let mut i = 0;
    // Whitespace, and the `*` that starts a continuation line of a `/* … */` comment.
    let skip = |i: &mut usize| {
        let mut line_start = false;
        while *i < b.len() {
            match b[*i] {
                b'\n' => {
                    line_start = true;
                    *i += 1;
                }
                c if c.is_ascii_whitespace() => *i += 1,
                b'*' if line_start && b.get(*i + 1).is_none_or(|c| c.is_ascii_whitespace()) => {
                    *i += 1;
                    line_start = false;
                }
                _ => break,
            }
        }
    };
    let token_end = |from: usize| {
        body[from..]
            .find(char::is_whitespace)
            .map_or(body.len(), |n| from + n)
    };

    // The rules: comma-separated, spaces allowed around the commas.
    let mut rules: Vec<(String, Range<usize>)> = Vec::new();
    skip(&mut i);
    loop {
        if i >= b.len() || body[i..token_end(i)].contains('=') {
            if rules.is_empty() {
                return Err((
                    "waiver names no rule".to_string(),
                    format!("name the rules first: {KEYS_HELP}"),
                    whole,
                ));
            }
            break;
        }
        let end = token_end(i);
        let mut pos = i;
        for part in body[i..end].split(',') {
            let trimmed = part.trim();
            if !trimmed.is_empty() {
                rules.push((trimmed.to_string(), at(pos..pos + part.len())));
            }
            pos += part.len() + 1;
        }
        let continues = body[i..end].ends_with(',');
        i = end;
        let mut j = i;
        skip(&mut j);
        if continues || b.get(j) == Some(&b',') {
            i = j;
            continue;
        }
        i = j;
        break;
    }
    if rules.is_empty() {
        return Err((
            "waiver names no rule".to_string(),
            format!("name the rules first: {KEYS_HELP}"),
            whole,
        ));
    }

    let mut reason: Option<(String, Range<usize>)> = None;
    let (mut until, mut owner, mut ticket) = (None, None, None);
    let mut seen: Vec<String> = Vec::new();
    loop {
        skip(&mut i);
        if i >= b.len() {
            break;
        }
        let key_end = body[i..]
            .find(|c: char| c == '=' || c.is_whitespace())
            .map_or(body.len(), |n| i + n);
        let key = &body[i..key_end];
        if b.get(key_end) != Some(&b'=') {
            let tok = &body[i..token_end(i)];
            return Err((
                format!("expected KEY=VALUE, found `{tok}`"),
                format!("several rules are separated by commas (CB-RDS-002,CB-RDS-003); then: {KEYS_HELP}"),
                at(i..token_end(i)),
            ));
        }
        let key_span = at(i..key_end);
        if !matches!(key, "reason" | "until" | "owner" | "ticket") {
            return Err((
                format!("unknown waiver key `{key}`"),
                format!("the keys are reason (required), until, owner and ticket: {KEYS_HELP}"),
                key_span,
            ));
        }
        if seen.iter().any(|k| k == key) {
            return Err((
                format!("`{key}` is given twice"),
                "give each key once".to_string(),
                key_span,
            ));
        }
        seen.push(key.to_string());
        let start = key_end + 1;
        let (value, end) = if b.get(start) == Some(&b'"') {
            let mut v = String::new();
            let mut j = start + 1;
            let mut closed = None;
            while j < b.len() {
                match b[j] {
                    b'\\' if matches!(b.get(j + 1), Some(b'"' | b'\\')) => {
                        v.push(b[j + 1] as char);
                        j += 2;
                    }
                    b'"' => {
                        closed = Some(j);
                        break;
                    }
                    _ => {
                        let ch = body[j..].chars().next().unwrap_or(' ');
                        v.push(ch);
                        j += ch.len_utf8();
                    }
                }
            }
            let Some(close) = closed else {
                return Err((
                    format!("unterminated quote in `{key}`"),
                    "close the value with `\"` (write `\\\"` for a quote inside it)".to_string(),
                    at(start..b.len()),
                ));
            };
            if b.get(close + 1).is_some_and(|c| !c.is_ascii_whitespace()) {
                return Err((
                    format!("unexpected text after the quoted value of `{key}`"),
                    "separate KEY=VALUE pairs with spaces".to_string(),
                    at(close + 1..token_end(close + 1)),
                ));
            }
            (v, close + 1)
        } else {
            let end = token_end(start);
            let v = &body[start..end];
            if v.contains('"') {
                return Err((
                    format!("stray quote in the value of `{key}`"),
                    format!("quote the whole value: {key}=\"…\""),
                    at(start..end),
                ));
            }
            (v.to_string(), end)
        };
        let span = at(start..end);
        i = end;
        match key {
            "reason" => reason = Some((value, span)),
            "until" => {
                until = Some(crate::waiver::parse_date(&value).map_err(|e| {
                    (
                        e,
                        "until=YYYY-MM-DD, a real calendar date: the waiver applies until the day before".to_string(),
                        span.clone(),
                    )
                })?);
            }
            _ => {
                if value.trim().is_empty() {
                    return Err((
                        format!("`{key}` is empty"),
                        format!("give a value, or leave `{key}` out"),
                        span,
                    ));
                }
                if key == "owner" {
                    owner = Some(value);
                } else {
                    ticket = Some(value);
                }
            }
        }
    }
    let reason = match reason {
        Some((r, _)) if !r.trim().is_empty() => r.trim().to_string(),
        Some((_, span)) => {
            return Err((
                "a waiver's reason is empty".to_string(),
                "say why the finding is accepted: reason=\"…\"".to_string(),
                span,
            ))
        }
        None => {
            return Err((
                "a waiver needs a reason".to_string(),
                "say why the finding is accepted: reason=\"…\"".to_string(),
                whole,
            ))
        }
    };
    Ok(Fields {
        rules,
        reason,
        until,
        owner,
        ticket,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bodies(text: &str) -> Vec<&str> {
        comments(text).into_iter().map(|c| &text[c.body]).collect()
    }

    #[test]
    fn comments_skip_strings_templates_and_heredocs() {
        let text = r#"a = "x # not // a /* comment" # one
b = "${var.x # still in the template
}" // two
c = "$${not} \" # no" /* three
*/
d = <<-EOT
  # not a comment
  ${"}"} // nor this
  EOT
e = <<EOF
EOF
# four
f = { for k, v in var.m : k => "${v}" } # five
"#;
        assert_eq!(
            bodies(text),
            vec![
                " one",
                " still in the template",
                " two",
                " three\n",
                " four",
                " five"
            ]
        );
    }

    #[test]
    fn the_directive_is_exact_and_near_misses_are_told() {
        assert_eq!(directive(" cbaudit:waive CB-RDS-002"), Some(Ok(14)));
        assert_eq!(directive("cbaudit:waive"), Some(Ok(13)));
        for near in [
            " cbaudit:waiver CB-RDS-002",
            " cbaudit: waive CB-RDS-002",
            " CBAUDIT:WAIVE CB-RDS-002",
            " cbaudit waive CB-RDS-002",
            " cbaudit-waive CB-RDS-002",
            " cbaudit:ignore CB-RDS-002",
            " cbaudit:waive:CB-RDS-002",
        ] {
            assert_eq!(directive(near), Some(Err(())), "{near}");
        }
        assert_eq!(directive("# cbaudit:waive CB-RDS-002"), Some(Ok(15)));
        assert_eq!(directive("* cbaudit:waive"), Some(Ok(15)));
        for other in [
            " cbaudit is run in CI",
            " cbaudit: this module is scanned in CI",
            " see the waiver docs",
            " TODO",
        ] {
            assert_eq!(directive(other), None, "{other}");
        }
    }

    #[test]
    fn fields_are_parsed_with_quotes_and_escapes() {
        let f = parse(
            r#" CB-RDS-002, rds-backup-retention until=2027-03-31 reason="staging: \"single\" AZ" owner=platform ticket="OPS 1""#,
            0,
        )
        .expect("parses");
        let rules: Vec<&str> = f.rules.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(rules, ["CB-RDS-002", "rds-backup-retention"]);
        assert_eq!(f.reason, r#"staging: "single" AZ"#);
        assert_eq!(
            f.until.map(|d| d.to_string()).as_deref(),
            Some("2027-03-31")
        );
        assert_eq!(f.owner.as_deref(), Some("platform"));
        assert_eq!(f.ticket.as_deref(), Some("OPS 1"));
        // A block comment's continuation lines may start with `*`.
        let f = parse(" CB-RDS-002\n * reason=ok\n ", 0).expect("parses");
        assert_eq!(f.reason, "ok");
    }

    #[test]
    fn bad_fields_are_errors_on_their_span() {
        let cases: &[(&str, &str, &str)] = &[
            (" CB-RDS-002 owner=x", "needs a reason", ""),
            (r#" CB-RDS-002 reason="  ""#, "reason is empty", r#""  ""#),
            (
                " CB-RDS-002 reason=x until=2027-02-30",
                "invalid date",
                "2027-02-30",
            ),
            (
                " CB-RDS-002 reason=x until=31/03/2027",
                "invalid date",
                "31/03/2027",
            ),
            (
                " CB-RDS-002 reason=x expires=2027-01-01",
                "unknown waiver key `expires`",
                "expires",
            ),
            (
                r#" CB-RDS-002 reason="oops"#,
                "unterminated quote",
                r#""oops"#,
            ),
            (r#" reason="no rule""#, "names no rule", ""),
            ("", "names no rule", ""),
            (
                " CB-RDS-002 CB-RDS-003 reason=x",
                "expected KEY=VALUE, found `CB-RDS-003`",
                "CB-RDS-003",
            ),
            (" CB-RDS-002 reason=x reason=y", "given twice", "reason"),
            (" CB-RDS-002 reason=x owner=", "`owner` is empty", ""),
        ];
        for (body, message, span) in cases {
            let (m, _, s) = parse(body, 100).expect_err(body);
            assert!(m.contains(message), "{body}: {m}");
            if !span.is_empty() {
                assert_eq!(&body[s.start - 100..s.end - 100], *span, "{body}");
            }
        }
    }

    fn attached(text: &str) -> Vec<Result<Target, String>> {
        let body = hcl::edit::parser::parse_body(text).expect("parses");
        let file = Arc::new(SourceFile {
            path: Arc::from("main.tf"),
            text: Arc::from(text),
        });
        collect(&body, &file)
            .into_iter()
            .map(|w| match w.form {
                Form::Waive(t) => t,
                Form::Misspelt => Err("misspelt".into()),
            })
            .collect()
    }

    #[test]
    fn waivers_attach_to_the_enclosing_top_level_block() {
        let text = r#"# cbaudit:waive A reason=x
resource "aws_s3_bucket" "above" {
  # cbaudit:waive A reason=x
  bucket = "b"
  tags = { # cbaudit:waive A reason=x
    Name = "n"
  }
  versioning { // cbaudit:waive A reason=x
    enabled = true
  }
  policy = jsonencode({
    a = 1
  }) # cbaudit:waive A reason=x
}
data "aws_iam_policy_document" "d" { # cbaudit:waive A reason=x
}
# cbaudit:waive A reason=x
# another comment
/* and another */
module "m" {
  source = "./m" /* cbaudit:waive A
  reason=x */
}
"#;
        let got = attached(text);
        let r = |a: &str| Ok(Target::Resource(a.to_string()));
        assert_eq!(
            got,
            vec![
                r("aws_s3_bucket.above"),
                r("aws_s3_bucket.above"),
                r("aws_s3_bucket.above"),
                r("aws_s3_bucket.above"),
                r("aws_s3_bucket.above"),
                r("data.aws_iam_policy_document.d"),
                Ok(Target::Module("module.m".into())),
                Ok(Target::Module("module.m".into())),
            ]
        );
    }

    #[test]
    fn waivers_attached_to_nothing_say_why() {
        let cases = [
            (
                "# cbaudit:waive A reason=x\n\nresource \"a\" \"b\" {}\n",
                "blank line",
            ),
            (
                "resource \"a\" \"b\" {}\n# cbaudit:waive A reason=x\n",
                "nothing follows",
            ),
            (
                "resource \"a\" \"b\" {}\n# cbaudit:waive A reason=x",
                "nothing follows",
            ),
            (
                "# cbaudit:waive A reason=x\nvariable \"v\" {}\n",
                "`variable` block",
            ),
            (
                "locals {\n  # cbaudit:waive A reason=x\n  a = 1\n}\n",
                "`locals` block",
            ),
            (
                "# cbaudit:waive A reason=x\noutput \"o\" { value = 1 }\n",
                "`output` block",
            ),
            (
                "provider \"aws\" { # cbaudit:waive A reason=x\n}\n",
                "`provider` block",
            ),
            (
                "# cbaudit:waive A reason=x\nterraform {}\n",
                "`terraform` block",
            ),
            (
                "resource \"a\" \"b\" {\n  tags = {\n    # cbaudit:waive A reason=x\n    Name = \"n\"\n  }\n}\n",
                "starts no block or attribute",
            ),
            (
                "resource \"a\" \"b\" {\n  x = 1\n} # cbaudit:waive A reason=x\n",
                "ends a line",
            ),
        ];
        for (text, why) in cases {
            let got = attached(text);
            assert_eq!(got.len(), 1, "{text}");
            let err = got[0].clone().expect_err(text);
            assert!(err.contains(why), "{text}: {err}");
        }
        assert_eq!(
            attached("# cbaudit: waive A reason=x\nresource \"a\" \"b\" {}\n"),
            vec![Err("misspelt".to_string())]
        );
    }

    /// No input makes the scanner or the parser panic: every prefix of a file full of
    /// strings, templates, heredocs and comments, and every prefix of a waiver's text.
    #[test]
    fn truncated_input_never_panics() {
        let text = "a = \"x ${b # c\n}\" /* d */\nb = <<-EOT\n  ${\"}\"}\n  EOT\n# cbaudit:waive A,B reason=\"x \\\" y\" until=2027-01-01 owner=o ticket=\"t\"\nresource \"a\" \"b\" { // cbaudit: waive\n  c = 1 /* cbaudit:waive A\n * reason=x */\n}\n";
        for end in (0..=text.len()).filter(|&e| text.is_char_boundary(e)) {
            let prefix = &text[..end];
            let _ = comments(prefix);
            let _ = directive(prefix);
            let _ = parse(prefix, 7);
            if let Ok(body) = hcl::edit::parser::parse_body(prefix) {
                let file = Arc::new(SourceFile {
                    path: Arc::from("main.tf"),
                    text: Arc::from(prefix),
                });
                for w in collect(&body, &file) {
                    let _ = check(&w, Some(|k| k == "A"));
                }
            }
        }
    }

    /// The `covers` of a waiver match the plan and directory addresses of every instance
    /// (count, for_each, module instances), and nothing else.
    #[test]
    fn covers_match_instance_addresses() {
        use crate::waiver::covered;
        let covers = vec![
            "module.db.aws_db_instance.main".to_string(),
            "module.w.module.inner.aws_db_instance.main".to_string(),
        ];
        for yes in [
            "module.db.aws_db_instance.main",
            r#"module.db["a"].aws_db_instance.main[0]"#,
            r#"module.db[1].aws_db_instance.main["x.y"]"#,
            r#"module.w["k"].module.inner[0].aws_db_instance.main"#,
        ] {
            assert!(covered(&covers, yes), "{yes}");
        }
        for no in [
            "aws_db_instance.main",
            "module.db.aws_db_instance.main2",
            "module.dbx.aws_db_instance.main",
            "module.db.module.x.aws_db_instance.main",
        ] {
            assert!(!covered(&covers, no), "{no}");
        }
        let module = vec!["module.b".to_string()];
        assert!(covered(&module, r#"module.b["x"].aws_db_instance.this"#));
        assert!(covered(
            &module,
            r#"module.b["x"].module.c[0].aws_s3_bucket.y"#
        ));
        assert!(!covered(&module, "module.bb.aws_db_instance.this"));
        let counted = vec!["aws_db_instance.counted".to_string()];
        assert!(covered(&counted, "aws_db_instance.counted[1]"));
        assert!(covered(&counted, r#"aws_db_instance.counted["a"]"#));
    }
}
