//! Terraform's regular expressions (`regex`, `regexall`, `replace("/…/")`) on the `regex`
//! crate.
//!
//! Terraform compiles patterns with Go's `regexp` (RE2 syntax, leftmost-first, linear
//! time); the `regex` crate has the same model and nearly the same syntax. What differs is
//! translated here, before the pattern reaches the crate, so that a pattern means what it
//! means in Terraform (reference results from `terraform console`, Terraform 1.11; tests in
//! `tests/regex.rs` and `tests/regex_terraform.rs`; summary in
//! `docs/terraform-functions.md`):
//!
//! - `\d \w \s \b` (and `\D \W \S \B`) are ASCII in Go, Unicode in the crate: they become
//!   `[0-9]`, `[0-9A-Za-z_]`, `[\t\n\f\r ]` and `(?-u:\b)`.
//! - `\Q…\E` (Go) does not exist in the crate: its text becomes an escaped literal.
//! - Octal escapes `\0`, `\123` (Go) become `\x{…}`; a lone `\1`…`\7` is a backreference,
//!   an error in both.
//! - An escaped ASCII character that is not a letter or digit is that character in Go; the
//!   crate reads `\<` and `\>` as word-boundary assertions and refuses `\ `, so escapes
//!   are written out as literals.
//! - `{` that does not start a valid `{n}`, `{n,}`, `{n,m}` (no leading zeros) is a
//!   literal in Go (`a{,3}`, `a{02}`, `x{`), an error or a repetition (`a{ 2}`) in the
//!   crate; counts above 1000 and stacked repetitions (`a**`, `a+?+`, `a{2}*`) are errors
//!   in Go, accepted by the crate.
//! - Inside a class Go has no set operations or nested classes: `[a&&b]`, `[a~~b]`,
//!   `[[a]` are literal characters there, so class members are written out escaped.
//! - Flags: Go knows `i m s U`; the crate also knows `x u R`, refused here as Go refuses
//!   them; Go accepts an empty `(?)`, dropped here. `\p{^Greek}` (Go's negation) becomes
//!   `\P{Greek}`; an unknown `[[:name:]]` is an error as in Go.
//! - Replacement templates: Go reads `$01` as the group *named* `01` (none: empty), the
//!   crate as group 1; `${a-b}` is literal text in Go, a (missing) group in the crate.
//!   [`template`] rewrites a Go template into the crate's form.
//!
//! Left as they are (rare; documented, pinned in `tests/regex_terraform.rs`): Unicode
//! class tables follow the crate's Unicode version and it accepts more `\p{…}` names
//! (loosely matched) than Go; Go allows capture names starting with a digit (`(?P<1a>…)`)
//! and repeated names, the crate does not.

use std::iter::Peekable;
use std::str::Chars;

/// The largest repetition count Go accepts.
const MAX_REPEAT: u32 = 1000;

/// The POSIX classes Go knows (`[[:alpha:]]`); the crate knows the same.
const POSIX: &[&str] = &[
    "alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print", "punct",
    "space", "upper", "word", "xdigit",
];

const DIGIT: &str = "0-9";
const WORD: &str = "0-9A-Za-z_";
const SPACE: &str = r"\t\n\x0C\r ";

/// Compiles a Terraform (Go `regexp`) pattern.
pub(super) fn compile(pattern: &str) -> Result<regex::Regex, String> {
    let bad = |e: String| format!("invalid regular expression pattern {pattern:?}: {e}");
    let translated = translate(pattern).map_err(bad)?;
    regex::Regex::new(&translated).map_err(|e| {
        // The crate's message spans lines (pattern, caret, `error: …`): keep the last.
        let text = e.to_string();
        let last = text.lines().last().unwrap_or_default();
        bad(last.strip_prefix("error: ").unwrap_or(last).to_string())
    })
}

/// The literal text of `c`, escaped if the crate would read it as syntax.
fn literal(c: char, out: &mut String) {
    let mut buf = [0; 4];
    out.push_str(&regex::escape(c.encode_utf8(&mut buf)));
}

/// A Go pattern in the crate's syntax, or Go's complaint about it.
fn translate(pattern: &str) -> Result<String, String> {
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut it = pattern.chars().peekable();
    // The text of the repetition operator just written, if the last token was one.
    let mut last_repeat: Option<String> = None;
    // Open groups.
    let mut depth = 0usize;
    while let Some(c) = it.next() {
        let mut repeat = None;
        if c == '(' && it.clone().take(2).eq(['?', ')']) {
            // `(?)` sets no flag: Go accepts it and it matches nothing.
            it.nth(1);
            continue;
        }
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => return Err("unexpected )".into()),
            ')' => depth -= 1,
            _ => {}
        }
        match c {
            '\\' => escape(&mut it, &mut out, false)?,
            '[' => class(&mut it, &mut out)?,
            '(' if it.peek() == Some(&'?') => {
                it.next();
                group(&mut it, &mut out)?;
            }
            '*' | '+' | '?' => repeat = Some(c.to_string()),
            '{' => match counted(&it)? {
                Some((text, skip)) => {
                    for _ in 0..skip {
                        it.next();
                    }
                    repeat = Some(text);
                }
                None => out.push_str(r"\{"),
            },
            '}' | ']' => literal(c, &mut out),
            c => out.push(c),
        }
        match repeat {
            Some(mut op) => {
                if it.peek() == Some(&'?') {
                    it.next();
                    op.push('?');
                }
                if let Some(prev) = &last_repeat {
                    return Err(format!("invalid nested repetition operator: `{prev}{op}`"));
                }
                out.push_str(&op);
                last_repeat = Some(op);
            }
            None => last_repeat = None,
        }
    }
    if depth > 0 {
        return Err("missing closing )".into());
    }
    Ok(out)
}

/// After `{`: a valid Go repetition `{n}`, `{n,}`, `{n,m}` (its text and the characters it
/// takes after `{`), `None` when the brace is a literal.
fn counted(it: &Peekable<Chars<'_>>) -> Result<Option<(String, usize)>, String> {
    let rest: String = it.clone().take_while(|c| *c != '}').collect();
    if it.clone().nth(rest.chars().count()) != Some('}') {
        return Ok(None);
    }
    // Go takes no leading zeros (`{02}` is literal text).
    let number = |s: &str| {
        (!s.is_empty()
            && s.bytes().all(|b| b.is_ascii_digit())
            && (s == "0" || !s.starts_with('0')))
        .then(|| s.parse::<u32>().unwrap_or(u32::MAX))
    };
    let (min, max) = match rest.split_once(',') {
        None => (number(&rest), number(&rest)),
        Some((a, "")) => (number(a), Some(MAX_REPEAT)),
        Some((a, b)) => (number(a), number(b)),
    };
    let (Some(min), Some(max)) = (min, max) else {
        return Ok(None);
    };
    if min > MAX_REPEAT || max > MAX_REPEAT || max < min {
        return Err(format!("invalid repeat count: `{{{rest}}}`"));
    }
    Ok(Some((format!("{{{rest}}}"), rest.chars().count() + 1)))
}

/// After `(?`: a named group or a flag group, as Go accepts them.
fn group(it: &mut Peekable<Chars<'_>>, out: &mut String) -> Result<(), String> {
    let rest: String = it.clone().collect();
    let name_start = if rest.starts_with("P<") {
        Some(2)
    } else if rest.starts_with('<') {
        Some(1)
    } else {
        None
    };
    if let Some(skip) = name_start {
        let name: String = rest[skip..].chars().take_while(|c| *c != '>').collect();
        let valid = !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && rest[skip + name.len()..].starts_with('>');
        if !valid {
            return Err(format!("invalid named capture: `(?{rest}`"));
        }
        for _ in 0..skip + name.len() + 1 {
            it.next();
        }
        out.push_str(&format!("(?P<{name}>"));
        return Ok(());
    }
    let flags: String = rest
        .chars()
        .take_while(|c| *c != ')' && *c != ':')
        .collect();
    let bad_flag = flags
        .chars()
        .any(|c| !matches!(c, 'i' | 'm' | 's' | 'U' | '-'));
    let minus = flags.matches('-').count();
    let closes = rest[flags.len()..].starts_with(')');
    if flags.len() == rest.len()
        || bad_flag
        || minus > 1
        || (flags.is_empty() && closes)
        || (flags.ends_with('-') && !flags.is_empty())
    {
        return Err(format!("invalid or unsupported Perl syntax: `(?{rest}`"));
    }
    out.push_str("(?");
    Ok(())
}

/// After `\` (outside a class when `in_class` is false).
fn escape(it: &mut Peekable<Chars<'_>>, out: &mut String, in_class: bool) -> Result<(), String> {
    let Some(c) = it.next() else {
        return Err("trailing backslash at end of expression".into());
    };
    let perl = |set: &str, negated: bool| match (in_class, negated) {
        (true, false) => set.to_string(),
        (_, true) => format!("[^{set}]"),
        (false, false) => format!("[{set}]"),
    };
    match c {
        'd' | 'D' => out.push_str(&perl(DIGIT, c == 'D')),
        'w' | 'W' => out.push_str(&perl(WORD, c == 'W')),
        's' | 'S' => out.push_str(&perl(SPACE, c == 'S')),
        'b' | 'B' | 'A' | 'z' | 'Q' if in_class => {
            return Err(format!("invalid escape sequence: `\\{c}`"));
        }
        'b' => out.push_str(r"(?-u:\b)"),
        'B' => out.push_str(r"(?-u:\B)"),
        'A' | 'z' => {
            out.push('\\');
            out.push(c);
        }
        'Q' => {
            let mut text = String::new();
            while let Some(c) = it.next() {
                if c == '\\' && it.peek() == Some(&'E') {
                    it.next();
                    break;
                }
                text.push(c);
            }
            out.push_str(&regex::escape(&text));
        }
        'p' | 'P' => {
            let mut name = String::new();
            match it.next() {
                Some('{') => {
                    for c in it.by_ref() {
                        if c == '}' {
                            break;
                        }
                        name.push(c);
                    }
                }
                Some(c) => name.push(c),
                None => return Err(format!("invalid character class range: `\\{c}`")),
            }
            let negated = (c == 'P') != name.starts_with('^');
            let name = name.trim_start_matches('^');
            out.push_str(&format!("\\{}{{{name}}}", if negated { 'P' } else { 'p' }));
        }
        'x' => {
            out.push_str(r"\x");
            let digits = if it.peek() == Some(&'{') {
                usize::MAX
            } else {
                2
            };
            for (n, c) in it.by_ref().enumerate() {
                out.push(c);
                if c == '}' || n + 1 == digits {
                    break;
                }
            }
        }
        '0'..='7' => {
            let octal = |c: Option<&char>| c.is_some_and(|c| ('0'..='7').contains(c));
            if c != '0' && !octal(it.peek()) {
                return Err(format!("invalid escape sequence: `\\{c}`"));
            }
            let mut value = c.to_digit(8).unwrap_or(0);
            for _ in 0..2 {
                if !octal(it.peek()) {
                    break;
                }
                value = value * 8 + it.next().and_then(|c| c.to_digit(8)).unwrap_or(0);
            }
            out.push_str(&format!("\\x{{{value:x}}}"));
        }
        'a' | 'f' | 't' | 'n' | 'r' | 'v' => {
            out.push('\\');
            out.push(c);
        }
        // Any other ASCII character that is not a letter or digit stands for itself.
        c if c.is_ascii() && !c.is_ascii_alphanumeric() => literal(c, out),
        c => return Err(format!("invalid escape sequence: `\\{c}`")),
    }
    Ok(())
}

/// After `[`: a Go character class, written with every member escaped.
fn class(it: &mut Peekable<Chars<'_>>, out: &mut String) -> Result<(), String> {
    out.push('[');
    if it.peek() == Some(&'^') {
        it.next();
        out.push('^');
    }
    let mut first = true;
    loop {
        let Some(c) = it.next() else {
            return Err("missing closing ]".into());
        };
        if c == ']' && !first {
            out.push(']');
            return Ok(());
        }
        first = false;
        if c == '[' && it.peek() == Some(&':') {
            let rest: String = it.clone().collect();
            if let Some(end) = rest.find(":]") {
                let name = rest[1..end].trim_start_matches('^');
                if !POSIX.contains(&name) {
                    return Err(format!(
                        "invalid character class range: `[{}`",
                        &rest[..end + 2]
                    ));
                }
                out.push('[');
                out.push_str(&rest[..end + 2]);
                for _ in 0..rest[..end + 2].chars().count() {
                    it.next();
                }
                continue;
            }
        }
        let set = c == '\\' && it.peek().is_some_and(|n| "dDwWsSpP".contains(*n));
        member(c, it, out)?;
        if set {
            // `[\d-z]`: a set is no range bound; the `-` is a member.
            continue;
        }
        // `[a-]`: a final `-` is a literal.
        let mut ahead = it.clone();
        if ahead.next() == Some('-') && ahead.next().is_some_and(|n| n != ']') {
            it.next();
            out.push('-');
            let hi = it.next().ok_or("missing closing ]")?;
            member(hi, it, out)?;
        }
    }
}

/// One member of a class (a character or an escape).
fn member(c: char, it: &mut Peekable<Chars<'_>>, out: &mut String) -> Result<(), String> {
    if c == '\\' {
        escape(it, out, true)
    } else {
        literal(c, out);
        Ok(())
    }
}

/// A Go replacement template (`$1`, `${1}`, `$name`, `${name}`, `$$`) in the crate's form.
pub(super) fn template(go: &str) -> String {
    let name_char = |c: &char| c.is_ascii_alphanumeric() || *c == '_';
    let mut out = String::with_capacity(go.len());
    let mut it = go.chars().peekable();
    while let Some(c) = it.next() {
        if c != '$' {
            out.push(c);
            continue;
        }
        if it.peek() == Some(&'$') {
            it.next();
            out.push_str("$$");
            continue;
        }
        let braced = it.peek() == Some(&'{');
        let mut ahead = it.clone();
        if braced {
            ahead.next();
        }
        let name: String = ahead.clone().take_while(name_char).collect();
        let len = name.chars().count();
        let closed = !braced || ahead.clone().nth(len) == Some('}');
        if name.is_empty() || !closed {
            // Not a reference: `$` is text.
            out.push_str("$$");
            continue;
        }
        for _ in 0..len + if braced { 2 } else { 0 } {
            it.next();
        }
        // Go numbers a group only without leading zeros; `$01` names a group "01", which
        // the crate cannot have: it expands to nothing.
        if !(name.len() > 1 && name.starts_with('0') && name.bytes().all(|b| b.is_ascii_digit())) {
            out.push_str(&format!("${{{name}}}"));
        }
    }
    out
}
