//! Where each resource of a plan is: the byte offset of its first `"address"`, found
//! without parsing the whole file, and the address of one raw `resource_changes` entry.

use rustc_hash::FxHashMap as HashMap;
use serde::Deserialize;
use std::sync::Arc;

use crate::model::Location;

/// The location of each address's first `"address": "<addr>"`: resource locations.
pub(super) fn address_locations(path: &Arc<str>, text: &[u8]) -> HashMap<String, Location> {
    let offsets = address_offsets(text);
    let mut sorted: Vec<usize> = offsets.values().copied().collect();
    let locations = Location::many(path, text, &mut sorted);
    let by_offset: HashMap<usize, Location> = sorted.into_iter().zip(locations).collect();
    offsets
        .into_iter()
        .filter_map(|(address, offset)| Some((address, by_offset.get(&offset)?.clone())))
        .collect()
}

/// After `"address"`: the JSON string of `: "<addr>"`, quotes included.
fn address_value(after_key: &str) -> Option<&str> {
    let rest = after_key.trim_start().strip_prefix(':')?.trim_start();
    if !rest.starts_with('"') {
        return None;
    }
    // Find the closing quote (addresses contain escaped quotes for for_each keys).
    let bytes = rest.as_bytes();
    let mut i = 1;
    while i < bytes.len() && bytes[i] != b'"' {
        i += if bytes[i] == b'\\' { 2 } else { 1 };
    }
    (i < bytes.len()).then(|| &rest[..=i])
}

/// The address of one `resource_changes` entry. Terraform writes `address` first, so the
/// entry's text is read no further than that; any other order is parsed in full.
pub(super) fn entry_address(raw: &str) -> Result<String, serde_json::Error> {
    let first = raw
        .trim_start()
        .strip_prefix('{')
        .map(str::trim_start)
        .and_then(|r| r.strip_prefix("\"address\""))
        .and_then(address_value);
    if let Some(Ok(address)) = first.map(serde_json::from_str::<String>) {
        return Ok(address);
    }
    #[derive(Deserialize)]
    struct Addressed<'a> {
        #[serde(borrow)]
        address: std::borrow::Cow<'a, str>,
    }
    serde_json::from_str::<Addressed<'_>>(raw).map(|a| a.address.into_owned())
}

/// Byte offset of the first `"address": "<addr>"` of each address.
fn address_offsets(text: &[u8]) -> HashMap<String, usize> {
    let mut out = HashMap::default();
    let Ok(s) = std::str::from_utf8(text) else {
        return out;
    };
    for pos in memchr::memmem::find_iter(s.as_bytes(), b"\"address\"") {
        let Some(rest) = address_value(&s[pos + 9..]) else {
            continue;
        };
        if let Ok(address) = serde_json::from_str::<String>(rest) {
            out.entry(address).or_insert(pos);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_address_reads_the_first_key_or_parses_the_entry() {
        let first = r#" { "address" : "aws_subnet.app[\"a\\\"b\"]", "mode": "managed" }"#;
        assert_eq!(entry_address(first).unwrap(), r#"aws_subnet.app["a\"b"]"#);
        let later = r#"{"mode":"managed","change":{"address":"x"},"address":"aws_vpc.main"}"#;
        assert_eq!(entry_address(later).unwrap(), "aws_vpc.main");
        assert!(entry_address(r#"{"mode":"managed"}"#).is_err());
    }
}
