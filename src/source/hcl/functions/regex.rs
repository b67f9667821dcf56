//! A small regular-expression engine with Go `regexp` (RE2) syntax and leftmost-first
//! semantics, for `regex`, `regexall` and `replace("/…/")`.
//!
//! Supported: literals, `.`, classes (`[a-z]`, `[^…]`, `[[:alpha:]]`, `\d \w \s` and
//! negations, `\pL`-style Unicode classes), anchors (`^ $ \A \z \b \B`), groups (capturing,
//! `(?:…)`, `(?P<name>…)`, `(?<name>…)`), flags (`(?i) (?m) (?s) (?U)`), alternation and
//! greedy/lazy quantifiers (`* + ? {n} {n,} {n,m}`). Matching is a bit-state backtracker
//! (each instruction/position pair is explored at most once), so time is bounded by
//! program length × text length.

mod parse;

use parse::Node;

#[derive(Clone, Copy, PartialEq)]
pub(super) enum Look {
    TextStart,
    TextEnd,
    LineStart,
    LineEnd,
    Word,
    NotWord,
}

/// A character predicate (`\d`, `[:alpha:]`, `\pL`) and whether it is negated.
pub(super) type Pred = (fn(char) -> bool, bool);

/// A set of characters.
#[derive(Clone, Default)]
pub(super) struct Class {
    pub(super) ranges: Vec<(char, char)>,
    pub(super) preds: Vec<Pred>,
    pub(super) negated: bool,
}

impl Class {
    fn contains(&self, c: char) -> bool {
        let hit = self.ranges.iter().any(|&(a, b)| a <= c && c <= b)
            || self.preds.iter().any(|&(p, neg)| p(c) != neg);
        hit != self.negated
    }
}

/// `c` and its other (single-character) cases.
fn cases(c: char) -> [char; 3] {
    let mut lower = c.to_lowercase();
    let mut upper = c.to_uppercase();
    let l = if lower.len() == 1 {
        lower.next().unwrap_or(c)
    } else {
        c
    };
    let u = if upper.len() == 1 {
        upper.next().unwrap_or(c)
    } else {
        c
    };
    [c, l, u]
}

enum Inst {
    Char(char, bool),
    Class(Class, bool),
    Any(bool),
    Split(usize, usize),
    Jmp(usize),
    Save(usize),
    Look(Look),
    Match,
}

const MAX_PROGRAM: usize = 50_000;
const MAX_CELLS: usize = 64_000_000;

/// A compiled regular expression.
pub(super) struct Regex {
    prog: Vec<Inst>,
    /// Capture group names (`None` when unnamed), groups 1…n.
    names: Vec<Option<String>>,
}

/// Capture slots of one match, by character index.
pub(super) type Captures = Vec<Option<usize>>;

impl Regex {
    pub(super) fn new(pattern: &str) -> Result<Regex, String> {
        let (node, names) = parse::parse(pattern)
            .map_err(|e| format!("invalid regular expression pattern {pattern:?}: {e}"))?;
        let mut re = Regex {
            prog: Vec::new(),
            names,
        };
        re.prog.push(Inst::Save(0));
        re.compile(&node)?;
        re.prog.push(Inst::Save(1));
        re.prog.push(Inst::Match);
        Ok(re)
    }

    pub(super) fn names(&self) -> &[Option<String>] {
        &self.names
    }

    fn emit(&mut self, inst: Inst) -> Result<usize, String> {
        if self.prog.len() >= MAX_PROGRAM {
            return Err("regular expression too large".into());
        }
        self.prog.push(inst);
        Ok(self.prog.len() - 1)
    }

    fn compile(&mut self, node: &Node) -> Result<(), String> {
        match node {
            Node::Empty => {}
            Node::Char(c, fold) => {
                self.emit(Inst::Char(*c, *fold))?;
            }
            Node::Class(class, fold) => {
                self.emit(Inst::Class(class.clone(), *fold))?;
            }
            Node::Any(nl) => {
                self.emit(Inst::Any(*nl))?;
            }
            Node::Look(l) => {
                self.emit(Inst::Look(*l))?;
            }
            Node::Group(inner, index) => {
                self.emit(Inst::Save(2 * index))?;
                self.compile(inner)?;
                self.emit(Inst::Save(2 * index + 1))?;
            }
            Node::Concat(items) => {
                for item in items {
                    self.compile(item)?;
                }
            }
            Node::Alt(branches) => {
                let mut jumps = Vec::new();
                for (i, branch) in branches.iter().enumerate() {
                    if i + 1 == branches.len() {
                        self.compile(branch)?;
                        break;
                    }
                    let split = self.emit(Inst::Split(0, 0))?;
                    self.compile(branch)?;
                    jumps.push(self.emit(Inst::Jmp(0))?);
                    let next = self.prog.len();
                    self.prog[split] = Inst::Split(split + 1, next);
                }
                let end = self.prog.len();
                for j in jumps {
                    self.prog[j] = Inst::Jmp(end);
                }
            }
            Node::Repeat {
                node,
                min,
                max,
                greedy,
            } => {
                for _ in 0..*min {
                    self.compile(node)?;
                }
                let split_to = |body: usize, end: usize| {
                    if *greedy {
                        Inst::Split(body, end)
                    } else {
                        Inst::Split(end, body)
                    }
                };
                match max {
                    None => {
                        let split = self.emit(Inst::Split(0, 0))?;
                        self.compile(node)?;
                        self.emit(Inst::Jmp(split))?;
                        let end = self.prog.len();
                        self.prog[split] = split_to(split + 1, end);
                    }
                    Some(max) => {
                        let mut splits = Vec::new();
                        for _ in *min..*max {
                            splits.push(self.emit(Inst::Split(0, 0))?);
                            self.compile(node)?;
                        }
                        let end = self.prog.len();
                        for s in splits {
                            self.prog[s] = split_to(s + 1, end);
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn slots(&self) -> usize {
        2 * (self.names.len() + 1)
    }

    /// The leftmost-first match starting at or after character `from`.
    pub(super) fn find_at(&self, text: &[char], from: usize) -> Result<Option<Captures>, String> {
        let width = text.len() + 1;
        let cells = self.prog.len().saturating_mul(width);
        if cells > MAX_CELLS {
            return Err("the text is too long for this regular expression".into());
        }
        let mut visited = vec![0u64; cells / 64 + 1];
        let mut caps: Captures = vec![None; self.slots()];
        enum Job {
            Run(usize, usize),
            Restore(usize, Option<usize>),
        }
        let mut stack: Vec<Job> = Vec::new();
        for start in from..=text.len() {
            stack.push(Job::Run(0, start));
            while let Some(job) = stack.pop() {
                let (mut pc, mut pos) = match job {
                    Job::Restore(slot, v) => {
                        caps[slot] = v;
                        continue;
                    }
                    Job::Run(pc, pos) => (pc, pos),
                };
                loop {
                    let cell = pc * width + pos;
                    if visited[cell / 64] & (1 << (cell % 64)) != 0 {
                        break;
                    }
                    visited[cell / 64] |= 1 << (cell % 64);
                    let here = text.get(pos).copied();
                    match &self.prog[pc] {
                        Inst::Char(c, fold) => match here {
                            Some(h) if h == *c || (*fold && cases(h).contains(c)) => {
                                pc += 1;
                                pos += 1;
                            }
                            _ => break,
                        },
                        Inst::Class(class, fold) => match here {
                            Some(h)
                                if class.contains(h)
                                    || (*fold && cases(h).iter().any(|x| class.contains(*x))) =>
                            {
                                pc += 1;
                                pos += 1;
                            }
                            _ => break,
                        },
                        Inst::Any(nl) => match here {
                            Some(h) if *nl || h != '\n' => {
                                pc += 1;
                                pos += 1;
                            }
                            _ => break,
                        },
                        Inst::Split(a, b) => {
                            stack.push(Job::Run(*b, pos));
                            pc = *a;
                        }
                        Inst::Jmp(a) => pc = *a,
                        Inst::Save(slot) => {
                            stack.push(Job::Restore(*slot, caps[*slot]));
                            caps[*slot] = Some(pos);
                            pc += 1;
                        }
                        Inst::Look(l) => {
                            if !look(*l, text, pos) {
                                break;
                            }
                            pc += 1;
                        }
                        Inst::Match => return Ok(Some(caps)),
                    }
                }
            }
        }
        Ok(None)
    }

    /// Every successive non-overlapping match, as Go's `FindAll` (an empty match right
    /// after a previous match is skipped).
    pub(super) fn find_all(&self, text: &[char]) -> Result<Vec<Captures>, String> {
        let mut out = Vec::new();
        let mut pos = 0;
        let mut prev_end: Option<usize> = None;
        while pos <= text.len() {
            let Some(caps) = self.find_at(text, pos)? else {
                break;
            };
            let (start, end) = (caps[0].unwrap_or(pos), caps[1].unwrap_or(pos));
            let mut accept = true;
            if end == start {
                if prev_end == Some(start) {
                    accept = false;
                }
                pos = end + 1;
            } else {
                pos = end;
            }
            prev_end = Some(end);
            if accept {
                out.push(caps);
            }
        }
        Ok(out)
    }

    /// Go's `ReplaceAllString`: `$1`, `${1}`, `$name`, `${name}` expand, `$$` is `$`.
    pub(super) fn replace_all(&self, text: &str, template: &str) -> Result<String, String> {
        let chars: Vec<char> = text.chars().collect();
        let mut out = String::new();
        let mut last = 0;
        let mut search = 0;
        while search <= chars.len() {
            let Some(caps) = self.find_at(&chars, search)? else {
                break;
            };
            let (start, end) = (caps[0].unwrap_or(search), caps[1].unwrap_or(search));
            out.extend(&chars[last..start]);
            if end > last || start == 0 {
                self.expand(template, &chars, &caps, &mut out);
            }
            last = end;
            search = if search + 1 > end { search + 1 } else { end };
        }
        if last < chars.len() {
            out.extend(&chars[last..]);
        }
        Ok(out)
    }

    fn group_text(&self, text: &[char], caps: &Captures, index: usize) -> String {
        match (
            caps.get(2 * index).copied().flatten(),
            caps.get(2 * index + 1).copied().flatten(),
        ) {
            (Some(a), Some(b)) if a <= b && b <= text.len() => text[a..b].iter().collect(),
            _ => String::new(),
        }
    }

    fn expand(&self, template: &str, text: &[char], caps: &Captures, out: &mut String) {
        let t: Vec<char> = template.chars().collect();
        let mut i = 0;
        while i < t.len() {
            if t[i] != '$' {
                out.push(t[i]);
                i += 1;
                continue;
            }
            if t.get(i + 1) == Some(&'$') {
                out.push('$');
                i += 2;
                continue;
            }
            let name_char = |c: &char| c.is_ascii_alphanumeric() || *c == '_';
            let (name, next) = if t.get(i + 1) == Some(&'{') {
                let len = t[i + 2..].iter().take_while(|c| name_char(c)).count();
                if len == 0 || t.get(i + 2 + len) != Some(&'}') {
                    (None, i + 1)
                } else {
                    (
                        Some(t[i + 2..i + 2 + len].iter().collect::<String>()),
                        i + 3 + len,
                    )
                }
            } else {
                let len = t[i + 1..].iter().take_while(|c| name_char(c)).count();
                if len == 0 {
                    (None, i + 1)
                } else {
                    (
                        Some(t[i + 1..i + 1 + len].iter().collect::<String>()),
                        i + 1 + len,
                    )
                }
            };
            let Some(name) = name else {
                out.push('$');
                i = next;
                continue;
            };
            let numbered = name.bytes().all(|b| b.is_ascii_digit())
                && (name.len() == 1 || !name.starts_with('0'));
            let index = if numbered {
                name.parse::<usize>().ok()
            } else {
                self.names
                    .iter()
                    .position(|n| n.as_deref() == Some(name.as_str()))
                    .map(|p| p + 1)
            };
            if let Some(index) = index.filter(|i| *i <= self.names.len()) {
                out.push_str(&self.group_text(text, caps, index));
            }
            i = next;
        }
    }
}

fn is_word(c: Option<&char>) -> bool {
    c.is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_')
}

fn look(l: Look, text: &[char], pos: usize) -> bool {
    let before = pos.checked_sub(1).and_then(|p| text.get(p));
    let after = text.get(pos);
    match l {
        Look::TextStart => pos == 0,
        Look::TextEnd => pos == text.len(),
        Look::LineStart => pos == 0 || before == Some(&'\n'),
        Look::LineEnd => pos == text.len() || after == Some(&'\n'),
        Look::Word => is_word(before) != is_word(after),
        Look::NotWord => is_word(before) == is_word(after),
    }
}
