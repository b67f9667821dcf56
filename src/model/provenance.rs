//! Where a resource came from: source kind, address, file position, account and region.

use std::fmt;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    Plan,
    Hcl,
    Live,
    Aggregator,
}

impl Origin {
    pub const ALL: &'static [Origin] =
        &[Origin::Plan, Origin::Hcl, Origin::Live, Origin::Aggregator];

    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Plan => "plan",
            Origin::Hcl => "hcl",
            Origin::Live => "live",
            Origin::Aggregator => "aggregator",
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A position in an input file. Lines and columns are 1-based; `offset`/`len` are bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub path: Arc<str>,
    pub line: u32,
    pub column: u32,
    pub offset: usize,
    pub len: usize,
}

impl Location {
    /// Locations of many offsets in one pass over `text` (linear, whatever the count).
    pub fn many(path: &Arc<str>, text: &[u8], offsets: &mut [usize]) -> Vec<Location> {
        offsets.sort_unstable();
        let mut out = Vec::with_capacity(offsets.len());
        let (mut line, mut column, mut pos) = (1u32, 1u32, 0usize);
        for &offset in offsets.iter() {
            let offset = offset.min(text.len()).max(pos);
            let segment = &text[pos..offset];
            let mut tail = segment;
            if let Some(last) = memchr::memrchr(b'\n', segment) {
                line += memchr::memchr_iter(b'\n', segment).count() as u32;
                column = 1;
                tail = &segment[last + 1..];
            }
            // Count characters, not UTF-8 continuation bytes.
            column += tail.iter().filter(|&&b| b & 0xC0 != 0x80).count() as u32;
            pos = offset;
            out.push(Location {
                path: path.clone(),
                line,
                column,
                offset,
                len: 0,
            });
        }
        out
    }

    /// Computes line and column of `offset` in `text`.
    pub fn at(path: Arc<str>, text: &[u8], offset: usize, len: usize) -> Location {
        let offset = offset.min(text.len());
        let before = &text[..offset];
        let line = before.iter().filter(|&&b| b == b'\n').count() as u32 + 1;
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
        let column = String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count() as u32
            + 1;
        Location {
            path,
            line,
            column,
            offset,
            len,
        }
    }
}

/// Provenance of one resource.
#[derive(Debug, Clone, PartialEq)]
pub struct Provenance {
    pub source: Origin,
    /// Terraform address (`module.net.aws_subnet.app["a"]`) or ARN for live resources.
    pub address: String,
    /// The input this resource was read from (a file path, or `live:<account>/<region>`).
    pub input: Arc<str>,
    /// The resource's position in its input (the block in `.tf`, the entry in a plan).
    pub location: Option<Location>,
    /// Positions of individual attributes, where the source knows them (HCL).
    pub attributes: Vec<(String, Location)>,
    /// For an attribute whose expression is exactly a module input (`var.x` inside a
    /// module), the arguments that set it in the calling module blocks, innermost first
    /// (the last is the root module's): what to change lives there.
    pub set_by: Vec<(String, Location)>,
    pub account: Option<String>,
    pub region: Option<String>,
}

impl Provenance {
    /// Where a resource comes from: its source, its address (Terraform address or ARN) and
    /// its input; the source adds what it knows (location, attributes, module inputs,
    /// account, region) to this one value rather than spelling out the whole struct.
    pub fn new(source: Origin, address: impl Into<String>, input: Arc<str>) -> Provenance {
        Provenance {
            source,
            address: address.into(),
            input,
            location: None,
            attributes: Vec::new(),
            set_by: Vec::new(),
            account: None,
            region: None,
        }
    }

    /// The account and region a live reader or an aggregator read it in.
    pub fn in_account(self, account: &str, region: &str) -> Provenance {
        Provenance {
            account: Some(account.to_string()),
            region: Some(region.to_string()),
            ..self
        }
    }

    /// The most precise location for `attribute`: the attribute, else its enclosing block
    /// (`ingress` for `ingress.cidr_blocks`, when the block is dynamic), else the resource's.
    pub fn location_of(&self, attribute: Option<&str>) -> Option<&Location> {
        let find = |a: &str| {
            self.attributes
                .iter()
                .find(|(name, _)| name == a)
                .map(|(_, l)| l)
        };
        attribute
            .and_then(|a| find(a).or_else(|| a.rsplit_once('.').and_then(|(block, _)| find(block))))
            .or(self.location.as_ref())
    }

    /// Where `attribute`'s value is set when it comes from module inputs (see `set_by`).
    pub fn set_by(&self, attribute: Option<&str>) -> Vec<&Location> {
        let Some(a) = attribute else {
            return Vec::new();
        };
        self.set_by
            .iter()
            .filter(|(name, _)| name == a)
            .map(|(_, l)| l)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_agrees_with_at() {
        let path: Arc<str> = Arc::from("plan.json");
        let text = "{\n  \"a\": \"\u{e9}t\u{e9}\",\n\n  \"b\": [1,\n 2], \"\u{1f600}x\": 3\n}";
        let bytes = text.as_bytes();
        let mut offsets: Vec<usize> = text.char_indices().map(|(i, _)| i).rev().collect();
        offsets.push(bytes.len());
        let many = Location::many(&path, bytes, &mut offsets);
        for (offset, got) in offsets.iter().zip(many) {
            let want = Location::at(path.clone(), bytes, *offset, 0);
            assert_eq!(
                (got.line, got.column),
                (want.line, want.column),
                "offset {offset}"
            );
        }
    }

    #[test]
    fn location_of_falls_back_to_the_enclosing_block_then_the_resource() {
        let path: Arc<str> = Arc::from("main.tf");
        let at = |line| Location {
            path: path.clone(),
            line,
            column: 1,
            offset: 0,
            len: 0,
        };
        let p = Provenance {
            location: Some(at(1)),
            attributes: vec![
                ("ingress".into(), at(5)),
                ("ingress.cidr_blocks".into(), at(8)),
            ],
            ..Provenance::new(Origin::Hcl, "aws_security_group.db", path.clone())
        };
        let line = |a: Option<&str>| p.location_of(a).map(|l| l.line);
        assert_eq!(line(Some("ingress.cidr_blocks")), Some(8));
        assert_eq!(line(Some("ingress.prefix_list_ids")), Some(5));
        assert_eq!(line(Some("egress.cidr_blocks")), Some(1));
        assert_eq!(line(None), Some(1));
    }
}
