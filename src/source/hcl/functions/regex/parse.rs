//! The RE2 pattern parser.

use super::{Class, Look, Pred};

pub(super) enum Node {
    Empty,
    Char(char, bool),
    Class(Class, bool),
    Any(bool),
    Look(Look),
    Group(Box<Node>, usize),
    Concat(Vec<Node>),
    Alt(Vec<Node>),
    Repeat {
        node: Box<Node>,
        min: u32,
        max: Option<u32>,
        greedy: bool,
    },
}

#[derive(Clone, Copy, Default)]
struct Flags {
    /// Case-insensitive.
    i: bool,
    /// `^`/`$` match at line boundaries.
    m: bool,
    /// `.` matches `\n`.
    s: bool,
    /// Quantifiers are lazy by default.
    u: bool,
}

struct Parser {
    c: Vec<char>,
    pos: usize,
    names: Vec<Option<String>>,
    depth: usize,
}

const MAX_REPEAT: u32 = 1000;

/// The pattern's syntax tree and its capture group names (groups 1…n).
pub(super) fn parse(pattern: &str) -> Result<(Node, Vec<Option<String>>), String> {
    let mut p = Parser {
        c: pattern.chars().collect(),
        pos: 0,
        names: Vec::new(),
        depth: 0,
    };
    let node = p.alternation(&mut Flags::default())?;
    if p.pos < p.c.len() {
        return Err("unexpected )".into());
    }
    Ok((node, p.names))
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit()
}
fn is_space(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\x0c' | '\r' | ' ')
}
fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// `\d \D \s \S \w \W`.
fn perl(c: char) -> Option<Pred> {
    let f: fn(char) -> bool = match c.to_ascii_lowercase() {
        'd' => is_digit,
        's' => is_space,
        'w' => is_word,
        _ => return None,
    };
    Some((f, c.is_ascii_uppercase()))
}

fn posix(name: &str) -> Option<fn(char) -> bool> {
    Some(match name {
        "alnum" => |c: char| c.is_ascii_alphanumeric(),
        "alpha" => |c: char| c.is_ascii_alphabetic(),
        "ascii" => |c: char| c.is_ascii(),
        "blank" => |c: char| c == ' ' || c == '\t',
        "cntrl" => |c: char| c.is_ascii_control(),
        "digit" => is_digit,
        "graph" => |c: char| c.is_ascii_graphic(),
        "lower" => |c: char| c.is_ascii_lowercase(),
        "print" => |c: char| c == ' ' || c.is_ascii_graphic(),
        "punct" => |c: char| c.is_ascii_punctuation(),
        "space" => |c: char| is_space(c) || c == '\x0b',
        "upper" => |c: char| c.is_ascii_uppercase(),
        "word" => is_word,
        "xdigit" => |c: char| c.is_ascii_hexdigit(),
        _ => return None,
    })
}

fn unicode(name: &str) -> Option<fn(char) -> bool> {
    Some(match name {
        "L" => |c: char| c.is_alphabetic(),
        "Lu" => |c: char| c.is_uppercase(),
        "Ll" => |c: char| c.is_lowercase(),
        "N" | "Nd" => |c: char| c.is_numeric(),
        "Z" | "Zs" => |c: char| c.is_whitespace() && !c.is_control(),
        "P" => |c: char| c.is_ascii_punctuation(),
        "Any" => |_: char| true,
        _ => return None,
    })
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.c.get(self.pos).copied()
    }

    fn eat(&mut self, ch: char) -> bool {
        let hit = self.peek() == Some(ch);
        if hit {
            self.pos += 1;
        }
        hit
    }

    fn next(&mut self, missing: &str) -> Result<char, String> {
        let c = self.peek().ok_or_else(|| missing.to_string())?;
        self.pos += 1;
        Ok(c)
    }

    fn alternation(&mut self, flags: &mut Flags) -> Result<Node, String> {
        self.depth += 1;
        if self.depth > 250 {
            return Err("expression nests too deeply".into());
        }
        let mut branches = Vec::new();
        let mut seq: Vec<Node> = Vec::new();
        loop {
            match self.peek() {
                None | Some(')') => break,
                Some('|') => {
                    self.pos += 1;
                    branches.push(Node::Concat(std::mem::take(&mut seq)));
                }
                Some(c @ ('*' | '+' | '?')) => {
                    return Err(format!("missing argument to repetition operator: `{c}`"))
                }
                Some(_) => {
                    if let Some(atom) = self.atom(flags)? {
                        seq.push(self.quantifiers(atom, flags)?);
                    }
                }
            }
        }
        self.depth -= 1;
        branches.push(Node::Concat(seq));
        Ok(if branches.len() == 1 {
            branches.pop().unwrap_or(Node::Empty)
        } else {
            Node::Alt(branches)
        })
    }

    fn quantifiers(&mut self, mut atom: Node, flags: &Flags) -> Result<Node, String> {
        let mut quantified = false;
        loop {
            let start = self.pos;
            let (min, max) = match self.peek() {
                Some('*') => (0, None),
                Some('+') => (1, None),
                Some('?') => (0, Some(1)),
                Some('{') => match self.counted()? {
                    Some(bounds) => bounds,
                    None => return Ok(atom),
                },
                _ => return Ok(atom),
            };
            if self.pos == start {
                self.pos += 1;
            }
            if quantified {
                let op: String = self.c[start..self.pos].iter().collect();
                return Err(format!("invalid nested repetition operator: `{op}`"));
            }
            quantified = true;
            let lazy = self.eat('?');
            atom = Node::Repeat {
                node: Box::new(atom),
                min,
                max,
                greedy: lazy == flags.u,
            };
        }
    }

    /// `{n}`, `{n,}`, `{n,m}` (consumed), or `None` when this `{` is a literal.
    fn counted(&mut self) -> Result<Option<(u32, Option<u32>)>, String> {
        let start = self.pos;
        let number = |p: &mut Parser| -> Option<u32> {
            let from = p.pos;
            while p.peek().is_some_and(|c| c.is_ascii_digit()) {
                p.pos += 1;
            }
            let text: String = p.c[from..p.pos].iter().collect();
            if text.is_empty() {
                None
            } else {
                Some(text.parse().unwrap_or(u32::MAX))
            }
        };
        self.pos += 1;
        let parsed = (|| {
            let min = number(self)?;
            let max = if self.eat(',') {
                if self.peek() == Some('}') {
                    None
                } else {
                    Some(number(self)?)
                }
            } else {
                Some(min)
            };
            self.eat('}').then_some((min, max))
        })();
        match parsed {
            None => {
                self.pos = start;
                Ok(None)
            }
            Some((min, max)) => {
                if min > MAX_REPEAT || max.is_some_and(|m| m > MAX_REPEAT || m < min) {
                    let text: String = self.c[start..self.pos].iter().collect();
                    return Err(format!("invalid repeat count: `{text}`"));
                }
                Ok(Some((min, max)))
            }
        }
    }

    fn atom(&mut self, flags: &mut Flags) -> Result<Option<Node>, String> {
        let c = self.next("unexpected end")?;
        Ok(Some(match c {
            '(' => return self.group(flags),
            '[' => Node::Class(self.class()?, flags.i),
            '.' => Node::Any(flags.s),
            '^' => Node::Look(if flags.m {
                Look::LineStart
            } else {
                Look::TextStart
            }),
            '$' => Node::Look(if flags.m {
                Look::LineEnd
            } else {
                Look::TextEnd
            }),
            '\\' => self.escape(flags)?,
            c => Node::Char(c, flags.i),
        }))
    }

    fn group(&mut self, flags: &mut Flags) -> Result<Option<Node>, String> {
        let mut inner = *flags;
        let mut name = None;
        let mut capture = true;
        if self.eat('?') {
            if self.eat('P') || self.peek() == Some('<') {
                if !self.eat('<') {
                    return Err("invalid named capture".into());
                }
                name = Some(self.group_name()?);
            } else {
                let mut on = true;
                loop {
                    match self.next("missing closing )")? {
                        'i' => inner.i = on,
                        'm' => inner.m = on,
                        's' => inner.s = on,
                        'U' => inner.u = on,
                        '-' if on => on = false,
                        ':' => {
                            capture = false;
                            break;
                        }
                        ')' => {
                            *flags = inner;
                            return Ok(None);
                        }
                        _ => return Err("invalid or unsupported Perl syntax".into()),
                    }
                }
            }
        }
        let index = capture.then(|| {
            self.names.push(name);
            self.names.len()
        });
        let node = self.alternation(&mut inner)?;
        if !self.eat(')') {
            return Err("missing closing )".into());
        }
        Ok(Some(match index {
            Some(i) => Node::Group(Box::new(node), i),
            None => node,
        }))
    }

    fn group_name(&mut self) -> Result<String, String> {
        let mut name = String::new();
        loop {
            match self.next("invalid named capture")? {
                '>' => break,
                c if is_word(c) => name.push(c),
                _ => return Err("invalid named capture".into()),
            }
        }
        if name.is_empty() {
            return Err("invalid named capture".into());
        }
        if self
            .names
            .iter()
            .any(|n| n.as_deref() == Some(name.as_str()))
        {
            return Err(format!("duplicate capture group name: `{name}`"));
        }
        Ok(name)
    }

    fn escape(&mut self, flags: &Flags) -> Result<Node, String> {
        let c = self.next("trailing backslash at end of expression")?;
        if let Some(p) = perl(c) {
            return Ok(Node::Class(
                Class {
                    preds: vec![p],
                    ..Class::default()
                },
                false,
            ));
        }
        Ok(match c {
            'A' => Node::Look(Look::TextStart),
            'z' => Node::Look(Look::TextEnd),
            'b' => Node::Look(Look::Word),
            'B' => Node::Look(Look::NotWord),
            'p' | 'P' => Node::Class(
                Class {
                    preds: vec![self.unicode_class(c == 'P')?],
                    ..Class::default()
                },
                flags.i,
            ),
            'Q' => {
                let mut items = Vec::new();
                while let Some(c) = self.peek() {
                    if c == '\\' && self.c.get(self.pos + 1) == Some(&'E') {
                        self.pos += 2;
                        break;
                    }
                    self.pos += 1;
                    items.push(Node::Char(c, flags.i));
                }
                Node::Concat(items)
            }
            c => Node::Char(self.escaped_char(c)?, flags.i),
        })
    }

    fn escaped_char(&mut self, c: char) -> Result<char, String> {
        Ok(match c {
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            'f' => '\x0c',
            'v' => '\x0b',
            'a' => '\x07',
            'x' => {
                let digits: String = if self.eat('{') {
                    let from = self.pos;
                    while self.peek().is_some_and(|c| c != '}') {
                        self.pos += 1;
                    }
                    let d = self.c[from..self.pos].iter().collect();
                    if !self.eat('}') {
                        return Err("invalid escape sequence: `\\x{`".into());
                    }
                    d
                } else {
                    let a = self.next("invalid escape sequence: `\\x`")?;
                    let b = self.next("invalid escape sequence: `\\x`")?;
                    [a, b].iter().collect()
                };
                u32::from_str_radix(&digits, 16)
                    .ok()
                    .and_then(char::from_u32)
                    .ok_or_else(|| format!("invalid escape sequence: `\\x{digits}`"))?
            }
            '0'..='7' => {
                if c != '0' && !self.peek().is_some_and(|n| ('0'..='7').contains(&n)) {
                    return Err(format!(
                        "invalid escape sequence: `\\{c}` (backreferences are not supported)"
                    ));
                }
                let mut v = c as u32 - '0' as u32;
                for _ in 0..2 {
                    match self.peek() {
                        Some(d @ '0'..='7') => {
                            v = v * 8 + (d as u32 - '0' as u32);
                            self.pos += 1;
                        }
                        _ => break,
                    }
                }
                char::from_u32(v).unwrap_or('\0')
            }
            c if c.is_ascii_punctuation() => c,
            c => return Err(format!("invalid escape sequence: `\\{c}`")),
        })
    }

    /// `\pL`, `\p{Lu}`, `\p{^L}` (after the `p`/`P`).
    fn unicode_class(&mut self, negated: bool) -> Result<Pred, String> {
        let mut negated = negated;
        let name: String = if self.eat('{') {
            if self.eat('^') {
                negated = !negated;
            }
            let from = self.pos;
            while self.peek().is_some_and(|c| c != '}') {
                self.pos += 1;
            }
            let n = self.c[from..self.pos].iter().collect();
            if !self.eat('}') {
                return Err("invalid character class range".into());
            }
            n
        } else {
            self.next("invalid character class range")?.to_string()
        };
        let f = unicode(&name).ok_or_else(|| format!("unsupported character class: `{name}`"))?;
        Ok((f, negated))
    }

    /// A bracketed class (after the `[`).
    fn class(&mut self) -> Result<Class, String> {
        let mut class = Class {
            negated: self.eat('^'),
            ..Class::default()
        };
        let mut first = true;
        loop {
            let c = self.next("missing closing ]")?;
            if c == ']' && !first {
                break;
            }
            first = false;
            if c == '[' && self.peek() == Some(':') {
                let rest: String = self.c[self.pos..].iter().collect();
                if let Some(end) = rest.find(":]").filter(|&e| e >= 1) {
                    let name = &rest[1..end];
                    let (neg, name) = match name.strip_prefix('^') {
                        Some(n) => (true, n),
                        None => (false, name),
                    };
                    let f = posix(name)
                        .ok_or_else(|| format!("invalid character class range: `[:{name}:]`"))?;
                    class.preds.push((f, neg));
                    self.pos += rest[..end + 2].chars().count();
                    continue;
                }
            }
            let lo = if c == '\\' {
                let e = self.next("missing closing ]")?;
                if let Some(p) = perl(e) {
                    class.preds.push(p);
                    continue;
                }
                if e == 'p' || e == 'P' {
                    let u = self.unicode_class(e == 'P')?;
                    class.preds.push(u);
                    continue;
                }
                self.escaped_char(e)?
            } else {
                c
            };
            if self.peek() == Some('-') && self.c.get(self.pos + 1).is_some_and(|&n| n != ']') {
                self.pos += 1;
                let h = self.next("missing closing ]")?;
                let hi = if h == '\\' {
                    let e = self.next("missing closing ]")?;
                    self.escaped_char(e)?
                } else {
                    h
                };
                if hi < lo {
                    return Err(format!("invalid character class range: `{lo}-{hi}`"));
                }
                class.ranges.push((lo, hi));
            } else {
                class.ranges.push((lo, lo));
            }
        }
        Ok(class)
    }
}
