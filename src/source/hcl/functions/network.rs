//! `cidrhost`, `cidrnetmask`, `cidrsubnet`, `cidrsubnets` (IPv4 and IPv6), as Terraform
//! computes them with `go-cidr`.

use std::net::Ipv6Addr;

use super::Cx;
use crate::source::terraform::{format_number, TfValue};

type R = Result<TfValue, String>;

/// A network: address (masked to the prefix), prefix length, address width (32 or 128).
#[derive(Clone, Copy)]
struct Net {
    addr: u128,
    len: u32,
    bits: u32,
}

fn all_ones(bits: u32) -> u128 {
    if bits >= 128 {
        u128::MAX
    } else {
        (1u128 << bits) - 1
    }
}

/// The host part of a prefix of `len` bits in a `bits`-wide address.
fn host_mask(len: u32, bits: u32) -> u128 {
    if len >= bits {
        0
    } else {
        all_ones(bits - len)
    }
}

fn net_mask(len: u32, bits: u32) -> u128 {
    all_ones(bits) & !host_mask(len, bits)
}

impl Net {
    fn new(addr: u128, len: u32, bits: u32) -> Net {
        Net {
            addr: addr & net_mask(len, bits),
            len,
            bits,
        }
    }

    fn family(&self) -> &'static str {
        if self.bits == 32 {
            "IPv4"
        } else {
            "IPv6"
        }
    }
}

fn show_ip(addr: u128, bits: u32) -> String {
    if bits == 32 {
        let a = addr as u32;
        format!(
            "{}.{}.{}.{}",
            a >> 24,
            (a >> 16) & 255,
            (a >> 8) & 255,
            a & 255
        )
    } else {
        Ipv6Addr::from(addr).to_string()
    }
}

fn show_net(n: Net) -> String {
    format!("{}/{}", show_ip(n.addr, n.bits), n.len)
}

/// Dotted IPv4 (decimal octets, leading zeros allowed as Terraform allows them).
fn parse_v4(s: &str) -> Option<u128> {
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() != 4 {
        return None;
    }
    let mut addr = 0u128;
    for p in parts {
        if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let octet: u128 = p.parse().ok()?;
        if octet > 255 {
            return None;
        }
        addr = (addr << 8) | octet;
    }
    Some(addr)
}

fn parse_cidr(cx: &Cx, s: &str) -> Result<Net, String> {
    let bad = || {
        cx.err(format!(
            "invalid CIDR expression: invalid CIDR address: {s}"
        ))
    };
    let (ip, len) = s.split_once('/').ok_or_else(bad)?;
    if len.is_empty() || len.len() > 3 || !len.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let len: u32 = len.parse().map_err(|_| bad())?;
    let (addr, bits) = if ip.contains(':') {
        (u128::from(ip.parse::<Ipv6Addr>().map_err(|_| bad())?), 128)
    } else {
        (parse_v4(ip).ok_or_else(bad)?, 32)
    };
    if len > bits {
        return Err(bad());
    }
    Ok(Net::new(addr, len, bits))
}

/// A whole, non-negative number as an address offset.
fn whole(cx: &Cx, n: f64, what: &str) -> Result<u128, String> {
    if n.fract() != 0.0 || !(0.0..3.4e38).contains(&n) {
        return Err(cx.err(format!(
            "{what} must be a whole, non-negative number, got {}",
            format_number(n)
        )));
    }
    Ok(n as u128)
}

pub(super) fn cidrsubnet(cx: &mut Cx, args: Vec<TfValue>) -> R {
    let [prefix, newbits, netnum] = cx.args(args)?;
    let prefix = cx.string(prefix)?;
    let newbits = cx.int(newbits)?;
    let netnum = cx.number(netnum)?;
    let (Some(prefix), Some(newbits), Some(netnum)) = (prefix, newbits, netnum) else {
        return Ok(cx.unknown());
    };
    let net = parse_cidr(cx, &prefix)?;
    if newbits < 0 {
        return Err(cx.err("newbits must not be negative"));
    }
    let new_len = i64::from(net.len) + newbits;
    if new_len > i64::from(net.bits) {
        return Err(cx.err(format!(
            "insufficient address space to extend prefix of {} by {newbits}",
            net.len
        )));
    }
    let new_len = new_len as u32;
    let netnum_value = whole(cx, netnum, "netnum")?;
    if netnum_value > all_ones(newbits as u32) || (newbits == 0 && netnum_value > 0) {
        return Err(cx.err(format!(
            "prefix extension of {newbits} does not accommodate a subnet numbered {}",
            format_number(netnum)
        )));
    }
    let shift = net.bits - new_len;
    let offset = netnum_value.checked_shl(shift).unwrap_or(0);
    Ok(TfValue::String(show_net(Net::new(
        net.addr | offset,
        new_len,
        net.bits,
    ))))
}

pub(super) fn cidrhost(cx: &mut Cx, args: Vec<TfValue>) -> R {
    let [prefix, hostnum] = cx.args(args)?;
    let prefix = cx.string(prefix)?;
    let hostnum = cx.number(hostnum)?;
    let (Some(prefix), Some(hostnum)) = (prefix, hostnum) else {
        return Ok(cx.unknown());
    };
    let net = parse_cidr(cx, &prefix)?;
    let max = host_mask(net.len, net.bits);
    let too_big = || {
        cx.err(format!(
            "prefix of {} does not accommodate a host numbered {}",
            net.len,
            format_number(hostnum)
        ))
    };
    let host = if hostnum < 0.0 {
        // -1 is the last address of the network.
        let back = whole(cx, -hostnum, "hostnum")? - 1;
        max.checked_sub(back).ok_or_else(too_big)?
    } else {
        let n = whole(cx, hostnum, "hostnum")?;
        if n > max {
            return Err(too_big());
        }
        n
    };
    Ok(TfValue::String(show_ip(net.addr | host, net.bits)))
}

pub(super) fn cidrnetmask(cx: &mut Cx, args: Vec<TfValue>) -> R {
    let [prefix] = cx.args(args)?;
    let Some(prefix) = cx.string(prefix)? else {
        return Ok(cx.unknown());
    };
    let net = parse_cidr(cx, &prefix)?;
    if net.bits != 32 {
        return Err(cx.err(format!("IPv6 addresses cannot have a netmask: {prefix}")));
    }
    Ok(TfValue::String(show_ip(net_mask(net.len, 32), 32)))
}

pub(super) fn cidrsubnets(cx: &mut Cx, args: Vec<TfValue>) -> R {
    cx.arity(&args, 1, None)?;
    let mut it = args.into_iter();
    let prefix = cx.string(it.next().unwrap_or_default())?;
    let mut lengths = Vec::new();
    for a in it {
        lengths.push(cx.int(a)?);
    }
    let Some(prefix) = prefix.filter(|_| !cx.is_unknown()) else {
        return Ok(cx.unknown());
    };
    let net = parse_cidr(cx, &prefix)?;
    let mut out = Vec::with_capacity(lengths.len());
    let mut current: Option<Net> = None;
    for (i, newbits) in lengths.into_iter().flatten().enumerate() {
        let arg = i + 2;
        if newbits < 1 {
            return Err(cx.err(format!(
                "argument {arg}: must extend prefix by at least one bit"
            )));
        }
        if newbits > 32 {
            return Err(cx.err(format!(
                "argument {arg}: may not extend prefix by more than 32 bits"
            )));
        }
        let len = net.len + newbits as u32;
        if len > net.bits {
            return Err(cx.err(format!(
                "argument {arg}: would extend prefix to {len} bits, which is too long for an {} address",
                net.family()
            )));
        }
        let next = match current {
            // The first subnet starts at the base address.
            None => Some(Net::new(net.addr, len, net.bits)),
            Some(cur) => next_subnet(cur, len),
        };
        let next = next.filter(|n| n.addr & net_mask(net.len, net.bits) == net.addr);
        let Some(next) = next else {
            let after = current.map(show_net).unwrap_or_default();
            return Err(cx.err(format!(
                "argument {arg}: not enough remaining address space for a subnet with a prefix of {len} bits after {after}"
            )));
        };
        out.push(TfValue::String(show_net(next)));
        current = Some(next);
    }
    Ok(TfValue::List(out))
}

/// `go-cidr`'s `NextSubnet`: the first subnet of prefix `len` after `cur` (`None` when the
/// address space rolls over).
fn next_subnet(cur: Net, len: u32) -> Option<Net> {
    let last = cur.addr | host_mask(cur.len, cur.bits);
    let containing = Net::new(last, len, cur.bits);
    let end = containing.addr | host_mask(len, cur.bits);
    let next = end.wrapping_add(1) & all_ones(cur.bits);
    (next != 0).then(|| Net::new(next, len, cur.bits))
}
