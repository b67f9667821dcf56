use std::collections::{BTreeMap, HashMap};

use ipnetwork::IpNetwork;

use crate::declare_rule;
use crate::model::{Field, Kind, Subnet, Unknown, View, Vpc};
use crate::policy::{Policy, SubnetSpec};
use crate::rules::Check;

declare_rule! {
    /// ## What it checks
    /// Every subnet is one of the documented subnets (`network.subnets`, by CIDR), lies
    /// inside its VPC's CIDR, overlaps no other subnet of its VPC, and sits in the right
    /// availability zone: subnets sharing an AZ label (`a`, `b`) share a zone, different
    /// labels use different zones. A documented subnet with no `aws_subnet` fails with no
    /// resource (subject = its documented name, e.g. `app-b`).
    ///
    /// A subnet without `availability_zone` fails: AWS then picks a zone, so the label
    /// cannot be guaranteed. While a subnet's CIDR is unknown, no documented subnet is
    /// reported missing (the unknown one may be it) and the subnet itself is reported
    /// unknown.
    ///
    /// Overlaps are judged only between subnets of the same VPC whose CIDRs are known. A
    /// subnet that overlaps others gets one finding naming them (the first five, then
    /// "and N more"), never one finding per pair, and the work is O(n log n) (CIDR blocks
    /// are nested or disjoint, so a sorted sweep finds every overlap). A subnet whose VPC
    /// is unknown cannot be judged to overlap: it is unknown, and so is whether a subnet
    /// it overlaps does (the two may share the VPC).
    ///
    /// ## Why
    /// The architecture document's VPC design lists exactly six subnets, from "Public
    /// Subnet A | 10.0.1.0/24 | NAT Gateway, ALB (AZ-a)" to "Private Data Subnet B |
    /// 10.0.21.0/24 | RDS Standby (AZ-b)". The other rules derive tiers from these CIDRs,
    /// and "High Availability: Multi-AZ deployment for critical components" only holds when
    /// each AZ's subnets really share one zone.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_subnet" "app_b" {
    ///   vpc_id            = aws_vpc.main.id
    ///   cidr_block        = "10.0.11.0/24"
    ///   availability_zone = "eu-west-1c" # public-b and data-b are in eu-west-1b
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_subnet" "app_b" {
    ///   vpc_id            = aws_vpc.main.id
    ///   cidr_block        = "10.0.11.0/24"
    ///   availability_zone = "eu-west-1b"
    /// }
    /// ```
    ///
    /// ## Peers
    /// None: Checkov, Trivy and AWS Config do not know the documented layout.
    pub static SUBNET_LAYOUT = Rule {
        id: "CB-NET-002",
        name: "subnet-layout",
        area: Network,
        severity: High,
        scope: Architecture,
        check: check,
    };
}

/// What the rule knows of one subnet.
struct Info<'a> {
    subnet: View<'a, Subnet>,
    cidr: Option<IpNetwork>,
    vpc: Result<Option<View<'a, Vpc>>, Unknown>,
}

/// One problem of a subnet: a failure (attribute, message, help) or an unknown.
enum Problem {
    Fail(&'static str, String, String),
    Unknown(&'static str, &'static str, Unknown),
    /// Unknown for a reason stated in full (attribute, message).
    UnknownBecause(&'static str, String),
}

fn fail(attr: &'static str, msg: String, help: impl Into<String>) -> Problem {
    Problem::Fail(attr, msg, help.into())
}

fn check(c: &mut Check<'_>) {
    let (inv, policy) = (c.inv, c.policy);
    let infos: Vec<Info<'_>> = inv
        .all::<Subnet>()
        .map(|subnet| Info {
            cidr: subnet.cidr.get().copied(),
            vpc: inv.resolve_one::<Vpc>(&subnet.vpc),
            subnet,
        })
        // AWS's default VPC and its subnets are never the architecture's (CB-NET-006): a
        // subnet of a default VPC, or an `aws_default_subnet` whose VPC is not known to be
        // another (Terraform leaves it unknown until apply).
        .filter(|i| match &i.vpc {
            Ok(Some(v)) => !v.default,
            _ => i.subnet.resource.resource_type != "aws_default_subnet",
        })
        .collect();
    let zones = label_zones(policy, &infos);
    let index = OverlapIndex::new(&infos);
    let documented = policy
        .network
        .subnets
        .iter()
        .map(|s| format!("{} {}", s.name, s.cidr.0))
        .collect::<Vec<_>>()
        .join(", ");
    let mut any_unknown_cidr = false;
    for (i, info) in infos.iter().enumerate() {
        let mut problems = Vec::new();
        match (&info.subnet.cidr, info.cidr) {
            (_, Some(cidr)) => {
                let spec = policy.network.subnet_by_cidr(&cidr);
                if spec.is_none() {
                    problems.push(fail(
                        "cidr_block",
                        format!("subnet CIDR {cidr} is not a documented subnet; the architecture documents only {documented}"),
                        "remove the subnet or give it a documented CIDR (if the architecture changed, add it to [[network.subnets]] in the policy)",
                    ));
                }
                problems.extend(inside_vpc(info, cidr));
                problems.extend(index.problems(i, cidr, &infos));
                if let Some(spec) = spec {
                    problems.extend(zone(info, spec, &zones));
                }
            }
            (Field::Unknown(u), _) => {
                any_unknown_cidr = true;
                problems.push(Problem::Unknown("cidr_block", "the subnet CIDR", u.clone()));
            }
            _ => problems.push(fail(
                "cidr_block",
                format!("subnet has no IPv4 CIDR block; every subnet must be one of the documented subnets ({documented})"),
                "set cidr_block to the CIDR of a documented subnet",
            )),
        }
        if problems.is_empty() {
            c.pass(info.subnet.id);
        }
        for p in problems {
            match p {
                Problem::Fail(attr, msg, help) => c.fail(info.subnet.id, Some(attr), msg, help),
                Problem::Unknown(attr, what, why) => {
                    c.unknown(info.subnet.id, Some(attr), what, &why)
                }
                Problem::UnknownBecause(attr, msg) => {
                    c.unknown_because(info.subnet.id, Some(attr), msg, None)
                }
            }
        }
    }
    if any_unknown_cidr {
        return;
    }
    for spec in &policy.network.subnets {
        let (name, cidr, tier, az) = (&spec.name, spec.cidr.0, spec.tier, &spec.az);
        if !infos.iter().any(|i| i.cidr == Some(cidr)) {
            let msg =
                format!("documented subnet {name} ({cidr}, {tier} tier, AZ {az}) does not exist");
            let help =
                format!("add an aws_subnet with cidr_block = \"{cidr}\" in the AZ-{az} zone");
            c.missing(Kind::Subnet, "aws_subnet", name.clone(), msg, help);
        }
    }
}

fn inside_vpc(info: &Info<'_>, cidr: IpNetwork) -> Option<Problem> {
    // One unknown says it all: without its VPC, neither containment nor overlap is known.
    let what =
        "the subnet's VPC (so whether the subnet lies inside it and overlaps none of its subnets)";
    let vpc = match &info.vpc {
        Ok(Some(vpc)) => vpc,
        Ok(None) => {
            let why = Unknown::NotInInputs("the subnet's VPC".to_string());
            return Some(Problem::Unknown("vpc_id", what, why));
        }
        Err(u) => return Some(Problem::Unknown("vpc_id", what, u.clone())),
    };
    let what = "the CIDR of the subnet's VPC";
    match vpc.cidr.value() {
        Ok(Some(v)) if v.contains(cidr.network()) && cidr.prefix() >= v.prefix() => None,
        Ok(Some(_)) => Some(fail(
            "cidr_block",
            format!(
                "subnet CIDR {cidr} is outside the CIDR {} of its VPC {}; every subnet must lie inside its VPC",
                vpc.cidr.shown(),
                vpc.address()
            ),
            format!("use a documented CIDR inside {}", vpc.cidr.shown()),
        )),
        Err(u) => Some(Problem::Unknown("vpc_id", what, u.clone())),
        Ok(None) => {
            let why = Unknown::NotInInputs(format!("the CIDR block of {}", vpc.address()));
            Some(Problem::Unknown("vpc_id", what, why))
        }
    }
}

/// How many subnets a finding names before "and N more".
const NAMED: usize = 5;

/// A CIDR block as an interval of addresses; the family keeps IPv4 and IPv6 apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Block {
    family: u8,
    start: u128,
    /// Prefix length: among blocks with the same start, the larger block sorts first.
    prefix: u8,
    end: u128,
}

impl Block {
    fn of(net: IpNetwork) -> Block {
        let (family, bits, start) = match net {
            IpNetwork::V4(n) => (4, 32, u128::from(u32::from(n.network()))),
            IpNetwork::V6(n) => (6, 128, u128::from(n.network())),
        };
        let host = u32::from(bits - net.prefix());
        let size = if host >= 128 {
            u128::MAX
        } else {
            (1u128 << host) - 1
        };
        Block {
            family,
            start,
            prefix: net.prefix(),
            end: start | size,
        }
    }

    fn overlaps(&self, other: &Block) -> bool {
        self.family == other.family && self.start <= other.end && other.start <= self.end
    }
}

/// Distinct blocks of one set of subnets, sorted by start (larger first on ties), with the
/// subnets (indexes into the rule's list) that have each block.
///
/// CIDR blocks are laminar (two are nested or disjoint), so the blocks overlapping a query
/// `q` are those starting inside `q` (a contiguous range of the sorted list) plus those
/// containing `q`'s start, which form a chain of enclosing blocks: the parent links walk
/// it. Equal blocks share a node, so a chain has at most 129 links. A query costs
/// O(log n + 129 + what it names); building costs O(n log n).
struct BlockIndex {
    blocks: Vec<Block>,
    members: Vec<Vec<usize>>,
    /// The nearest enclosing block.
    parent: Vec<Option<usize>>,
    /// `before[k]`: how many subnets the blocks `..k` hold.
    before: Vec<usize>,
}

impl BlockIndex {
    fn new(mut items: Vec<(Block, usize)>) -> BlockIndex {
        items.sort_unstable();
        let mut index = BlockIndex {
            blocks: Vec::new(),
            members: Vec::new(),
            parent: Vec::new(),
            before: vec![0],
        };
        let mut open: Vec<usize> = Vec::new();
        for (block, member) in items {
            if index.blocks.last() == Some(&block) {
                if let Some(m) = index.members.last_mut() {
                    m.push(member);
                }
                if let Some(b) = index.before.last_mut() {
                    *b += 1;
                }
                continue;
            }
            while let Some(&top) = open.last() {
                let t = &index.blocks[top];
                if t.family == block.family && t.end >= block.start {
                    break;
                }
                open.pop();
            }
            index.parent.push(open.last().copied());
            open.push(index.blocks.len());
            index.blocks.push(block);
            index.members.push(vec![member]);
            let total = index.before.last().copied().unwrap_or(0) + 1;
            index.before.push(total);
        }
        index
    }

    /// How many subnets (other than `me`) overlap `q`, and the first [`NAMED`] of them:
    /// enclosing blocks nearest first, then the blocks inside `q` in address order.
    fn overlapping(&self, q: Block, me: Option<usize>) -> (usize, Vec<usize>) {
        let key = |b: &Block| (b.family, b.start);
        let lo = self
            .blocks
            .partition_point(|b| key(b) < (q.family, q.start));
        let hi = self.blocks.partition_point(|b| key(b) <= (q.family, q.end));
        let mut count = self.before[hi] - self.before[lo];
        let mut named = Vec::new();
        let take = |members: &[usize], named: &mut Vec<usize>| {
            for &m in members {
                if named.len() == NAMED {
                    break;
                }
                if Some(m) != me {
                    named.push(m);
                }
            }
        };
        let mut up = lo.checked_sub(1);
        while let Some(k) = up {
            if self.blocks[k].overlaps(&q) {
                count += self.members[k].len();
                take(&self.members[k], &mut named);
            }
            up = self.parent[k];
        }
        for k in lo..hi {
            if named.len() == NAMED {
                break;
            }
            take(&self.members[k], &mut named);
        }
        if me.is_some() {
            // `me` is in this index with the block `q`, which starts inside `q`.
            count = count.saturating_sub(1);
        }
        (count, named)
    }
}

/// The subnets by VPC, and those whose VPC is unknown.
struct OverlapIndex {
    by_vpc: HashMap<usize, BlockIndex>,
    vpc_unknown: BlockIndex,
}

impl OverlapIndex {
    fn new(infos: &[Info<'_>]) -> OverlapIndex {
        let mut by_vpc: HashMap<usize, Vec<(Block, usize)>> = HashMap::new();
        let mut vpc_unknown = Vec::new();
        for (i, info) in infos.iter().enumerate() {
            let Some(cidr) = info.cidr else { continue };
            match &info.vpc {
                Ok(Some(vpc)) => by_vpc.entry(vpc.id).or_default().push((Block::of(cidr), i)),
                _ => vpc_unknown.push((Block::of(cidr), i)),
            }
        }
        OverlapIndex {
            by_vpc: by_vpc
                .into_iter()
                .map(|(vpc, items)| (vpc, BlockIndex::new(items)))
                .collect(),
            vpc_unknown: BlockIndex::new(vpc_unknown),
        }
    }

    /// The overlap finding of subnet `i` (CIDR `cidr`), if any: a failure naming the
    /// subnets of its VPC it overlaps, or unknown when it overlaps subnets whose VPC is
    /// unknown. A subnet whose own VPC is unknown is reported by `inside_vpc`.
    fn problems(&self, i: usize, cidr: IpNetwork, infos: &[Info<'_>]) -> Vec<Problem> {
        let Ok(Some(vpc)) = &infos[i].vpc else {
            return Vec::new();
        };
        let q = Block::of(cidr);
        let list = |count: usize, named: &[usize]| {
            let mut s = named
                .iter()
                .map(|&o| {
                    let theirs = infos[o].cidr.map(|c| c.to_string()).unwrap_or_default();
                    format!("{} ({theirs})", infos[o].subnet.address())
                })
                .collect::<Vec<_>>()
                .join(", ");
            if count > named.len() {
                s.push_str(&format!(" and {} more", count - named.len()));
            }
            s
        };
        let mut problems = Vec::new();
        if let Some(index) = self.by_vpc.get(&vpc.id) {
            let (count, named) = index.overlapping(q, Some(i));
            if count > 0 {
                let which = if count == 1 {
                    format!("subnet {} in the same VPC", list(count, &named))
                } else {
                    format!(
                        "{count} other subnets in the same VPC: {}",
                        list(count, &named)
                    )
                };
                problems.push(fail(
                    "cidr_block",
                    format!(
                        "subnet CIDR {cidr} overlaps {which}; subnets of a VPC must not overlap"
                    ),
                    "give each subnet its own documented, non-overlapping CIDR",
                ));
            }
        }
        let (count, named) = self.vpc_unknown.overlapping(q, None);
        if count > 0 {
            problems.push(Problem::UnknownBecause(
                "cidr_block",
                format!(
                    "whether subnet CIDR {cidr} overlaps a subnet of its VPC is unknown: it overlaps {}, whose VPC is unknown",
                    list(count, &named)
                ),
            ));
        }
        problems
    }
}

/// The zone of each AZ label: the zone most of the label's documented subnets use
/// (`None` when they are split evenly).
fn label_zones<'p>(policy: &'p Policy, infos: &[Info<'_>]) -> BTreeMap<&'p str, Option<String>> {
    let mut counts: BTreeMap<&str, BTreeMap<String, usize>> = BTreeMap::new();
    for info in infos {
        let spec = info.cidr.and_then(|c| policy.network.subnet_by_cidr(&c));
        if let (Some(spec), Some(zone)) = (spec, info.subnet.availability_zone.get()) {
            let zones = counts.entry(spec.az.as_str()).or_default();
            *zones.entry(zone.to_ascii_lowercase()).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .map(|(label, zones)| {
            let max = zones.values().copied().max().unwrap_or(0);
            let mut top = zones.into_iter().filter(|(_, n)| *n == max);
            let zone = match (top.next(), top.next()) {
                (Some((z, _)), None) => Some(z),
                _ => None,
            };
            (label, zone)
        })
        .collect()
}

fn zone(
    info: &Info<'_>,
    spec: &SubnetSpec,
    zones: &BTreeMap<&str, Option<String>>,
) -> Vec<Problem> {
    let (name, label) = (&spec.name, &spec.az);
    let zone = match info.subnet.availability_zone.value() {
        Ok(Some(z)) => z.to_ascii_lowercase(),
        Err(u) => {
            let what = "the subnet's availability zone";
            return vec![Problem::Unknown("availability_zone", what, u.clone())];
        }
        Ok(None) => {
            return vec![fail(
                "availability_zone",
                format!("subnet {name} has no availability_zone, so AWS picks one; the architecture places it in AZ {label}"),
                format!("set availability_zone to the zone of the AZ-{label} subnets"),
            )];
        }
    };
    let mut problems = Vec::new();
    match zones.get(label.as_str()) {
        Some(Some(label_zone)) if *label_zone != zone => problems.push(fail(
            "availability_zone",
            format!("subnet {name} is in {zone}, but the other AZ-{label} subnets are in {label_zone}; subnets with the same AZ label must share a zone"),
            format!("set availability_zone = \"{label_zone}\""),
        )),
        Some(None) => problems.push(fail(
            "availability_zone",
            format!("subnet {name} is in {zone}, and the AZ-{label} subnets are split evenly across zones; subnets with the same AZ label must share a zone"),
            format!("put every AZ-{label} subnet in the same zone"),
        )),
        _ => {}
    }
    for (other, other_zone) in zones {
        if *other != label.as_str() && other_zone.as_deref() == Some(zone.as_str()) {
            problems.push(fail(
                "availability_zone",
                format!("subnet {name} (AZ {label}) is in {zone}, which is also the zone of the AZ-{other} subnets; different AZ labels must use different zones"),
                format!("move the AZ-{label} subnets to a zone of their own"),
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Inventory;
    use crate::rules::net::testkit::{add_subnet, ident, layout, push_subnet, subnet, vpc};
    use crate::rules::testing::{res, run};

    #[test]
    fn documented_layout_passes_with_vpc_by_address_or_id() {
        let mut inv = Inventory::new();
        layout(&mut inv);
        let mut s = subnet("10.0.1.0/24", Field::Known("eu-west-1a"));
        s.vpc = ident("vpc-123");
        push_subnet(&mut inv, "public_a_by_id", s);
        let out = run(&SUBNET_LAYOUT, &inv);
        assert_eq!(out.passes().len(), 5);
        // The second 10.0.1.0/24 overlaps public-a: both fail, nothing is unknown.
        assert_eq!(
            out.fails(),
            ["aws_subnet.public_a", "aws_subnet.public_a_by_id"]
        );
        assert!(out.unknowns().is_empty());
    }

    #[test]
    fn undocumented_overlapping_and_outside_subnets_fail() {
        let mut inv = Inventory::new();
        layout(&mut inv);
        add_subnet(&mut inv, "scratch", "10.0.10.128/25", "eu-west-1a");
        add_subnet(&mut inv, "legacy", "10.1.0.0/24", "eu-west-1a");
        let out = run(&SUBNET_LAYOUT, &inv);
        let fails = [
            "aws_subnet.app_a",
            "aws_subnet.legacy",
            "aws_subnet.scratch",
        ];
        assert_eq!(out.fails(), fails);
        let msgs = out.messages().join("\n");
        let doc = "10.0.10.128/25 is not a documented subnet; the architecture documents only";
        assert!(msgs.contains(doc), "{msgs}");
        let overlap = "overlaps subnet aws_subnet.app_a (10.0.10.0/24) in the same VPC; subnets";
        assert!(msgs.contains(overlap), "{msgs}");
        assert!(
            msgs.contains("10.1.0.0/24 is outside the CIDR 10.0.0.0/16"),
            "{msgs}"
        );
    }

    fn overlap_messages(out: &crate::rules::testing::RuleRun) -> Vec<&str> {
        out.messages()
            .into_iter()
            .filter(|m| m.contains(" overlaps "))
            .collect()
    }

    #[test]
    fn three_mutually_overlapping_subnets_give_three_findings_naming_the_others() {
        let mut inv = Inventory::new();
        inv.push(vpc());
        add_subnet(&mut inv, "wide", "10.0.1.0/24", "eu-west-1a");
        add_subnet(&mut inv, "half", "10.0.1.0/25", "eu-west-1a");
        add_subnet(&mut inv, "quarter", "10.0.1.64/26", "eu-west-1a");
        let out = run(&SUBNET_LAYOUT, &inv);
        let msgs = overlap_messages(&out);
        assert_eq!(msgs.len(), 3, "{msgs:#?}");
        let names = [
            ("10.0.1.0/24", "aws_subnet.wide"),
            ("10.0.1.0/25", "aws_subnet.half"),
            ("10.0.1.64/26", "aws_subnet.quarter"),
        ];
        for (cidr, me) in names {
            let m = msgs
                .iter()
                .find(|m| m.starts_with(&format!("subnet CIDR {cidr} overlaps 2 other subnets")))
                .unwrap_or_else(|| panic!("{cidr}: {msgs:#?}"));
            for (theirs, other) in names {
                let named = format!("{other} ({theirs})");
                assert_eq!(m.contains(&named), other != me, "{m}");
            }
        }
    }

    #[test]
    fn a_thousand_identical_subnets_give_a_thousand_bounded_findings() {
        let mut inv = Inventory::new();
        inv.push(vpc());
        for n in 0..1000 {
            add_subnet(&mut inv, &format!("s{n}"), "10.0.1.0/24", "eu-west-1a");
        }
        // Elsewhere in the VPC, and the same CIDR in another VPC: neither overlaps.
        add_subnet(&mut inv, "apart", "10.0.2.0/24", "eu-west-1b");
        let mut other = subnet("10.0.1.0/24", Field::Known("eu-west-1a"));
        other.vpc = crate::rules::net::testkit::addr("aws_vpc.other");
        let other_vpc = Vpc {
            cidr: Field::Known("10.0.0.0/16".parse().unwrap()),
            ..Default::default()
        };
        inv.push(res("aws_vpc.other", other_vpc));
        push_subnet(&mut inv, "other_vpc", other);
        let out = run(&SUBNET_LAYOUT, &inv);
        let msgs = overlap_messages(&out);
        assert_eq!(msgs.len(), 1000);
        for m in &msgs {
            assert!(m.len() < 500, "{} bytes: {m}", m.len());
            assert!(
                m.contains("overlaps 999 other subnets in the same VPC: "),
                "{m}"
            );
            assert!(m.contains(" and 994 more; "), "{m}");
        }
        let failing = out.fails();
        assert!(!failing.contains(&"aws_subnet.apart".to_string()));
        assert!(!failing.contains(&"aws_subnet.other_vpc".to_string()));
    }

    #[test]
    fn a_subnet_whose_vpc_is_unknown_cannot_be_judged_to_overlap() {
        let mut inv = Inventory::new();
        inv.push(vpc());
        add_subnet(&mut inv, "public_a", "10.0.1.0/24", "eu-west-1a");
        let mut s = subnet("10.0.1.0/24", Field::Known("eu-west-1a"));
        s.vpc = Field::Unknown(Unknown::AfterApply);
        push_subnet(&mut inv, "later", s);
        let out = run(&SUBNET_LAYOUT, &inv);
        assert_eq!(out.unknowns(), ["aws_subnet.later", "aws_subnet.public_a"]);
        assert!(
            !out.fails().iter().any(|f| f.starts_with("aws_subnet.")),
            "{:?}",
            out.fails()
        );
        let msgs = out.messages().join("\n");
        assert!(
            msgs.contains("whether subnet CIDR 10.0.1.0/24 overlaps a subnet of its VPC is unknown: it overlaps aws_subnet.later (10.0.1.0/24), whose VPC is unknown"),
            "{msgs}"
        );
        assert!(msgs.contains("the subnet's VPC (so whether the subnet lies inside it and overlaps none of its subnets) is unknown"), "{msgs}");
    }

    #[test]
    fn block_index_counts_enclosing_and_enclosed_blocks() {
        let nets = [
            "10.0.0.0/16",
            "10.0.1.0/24",
            "10.0.1.0/24",
            "10.0.1.128/25",
            "10.0.2.0/24",
            "10.1.0.0/16",
            "fd00::/64",
        ];
        let blocks: Vec<Block> = nets.iter().map(|n| Block::of(n.parse().unwrap())).collect();
        let index = BlockIndex::new(blocks.iter().copied().zip(0..).collect());
        // Brute force agrees for every member.
        for (i, b) in blocks.iter().enumerate() {
            let want: Vec<usize> = (0..blocks.len())
                .filter(|&j| j != i && blocks[j].overlaps(b))
                .collect();
            let (count, mut named) = index.overlapping(*b, Some(i));
            named.sort_unstable();
            assert_eq!(count, want.len(), "{}", nets[i]);
            assert_eq!(named, want, "{}", nets[i]);
        }
        // A query that is not a member: 10.0.1.64/26 lies in the /16 and both /24s.
        let (count, _) = index.overlapping(Block::of("10.0.1.64/26".parse().unwrap()), None);
        assert_eq!(count, 3);
        let (count, _) = index.overlapping(Block::of("0.0.0.0/0".parse().unwrap()), None);
        assert_eq!(count, 6);
    }

    #[test]
    fn wrong_zone_fails_the_odd_one_out() {
        let mut inv = Inventory::new();
        inv.push(vpc());
        add_subnet(&mut inv, "public_b", "10.0.2.0/24", "eu-west-1b");
        add_subnet(&mut inv, "app_b", "10.0.11.0/24", "eu-west-1c");
        add_subnet(&mut inv, "data_b", "10.0.21.0/24", "eu-west-1b");
        let out = run(&SUBNET_LAYOUT, &inv);
        let fails = [
            "aws_subnet.app_b",
            "missing:app-a",
            "missing:data-a",
            "missing:public-a",
        ];
        assert_eq!(out.fails(), fails);
        let msg = out.messages()[0];
        assert!(msg.contains("app-b is in eu-west-1c") && msg.contains("are in eu-west-1b"));
    }

    #[test]
    fn labels_sharing_a_zone_fail() {
        let mut inv = Inventory::new();
        inv.push(vpc());
        add_subnet(&mut inv, "public_a", "10.0.1.0/24", "eu-west-1a");
        add_subnet(&mut inv, "public_b", "10.0.2.0/24", "EU-WEST-1A");
        let out = run(&SUBNET_LAYOUT, &inv);
        assert!(out
            .fails()
            .starts_with(&["aws_subnet.public_a".into(), "aws_subnet.public_b".into()]));
        assert!(out
            .messages()
            .iter()
            .any(|m| m.contains("different AZ labels")));
    }

    #[test]
    fn missing_documented_subnet_has_no_resource() {
        let mut inv = Inventory::new();
        inv.push(vpc());
        let out = run(&SUBNET_LAYOUT, &inv);
        assert_eq!(out.fails().len(), 6);
        assert!(out.fails().contains(&"missing:app-b".to_string()));
        assert!(out
            .messages()
            .iter()
            .any(|m| m.contains("app-b (10.0.11.0/24, app tier")));
    }

    #[test]
    fn unknown_cidr_is_unknown_and_suppresses_missing() {
        let mut inv = Inventory::new();
        let mut s = subnet("10.0.1.0/24", Field::Known("eu-west-1a"));
        s.cidr = Field::Unknown(Unknown::AfterApply);
        push_subnet(&mut inv, "x", s);
        let out = run(&SUBNET_LAYOUT, &inv);
        assert_eq!(out.unknowns(), ["aws_subnet.x"]);
        assert!(out.fails().is_empty());
    }

    #[test]
    fn absent_zone_fails_and_unresolved_vpc_is_unknown() {
        let mut inv = Inventory::new();
        let mut s = subnet("10.0.1.0/24", Field::Absent);
        s.vpc = ident("vpc-999");
        push_subnet(&mut inv, "public_a", s);
        let out = run(&SUBNET_LAYOUT, &inv);
        assert!(out.fails().contains(&"aws_subnet.public_a".to_string()));
        assert_eq!(out.unknowns(), ["aws_subnet.public_a"]);
        let msgs = out.messages().join("\n");
        assert!(msgs.contains("AWS picks one") && msgs.contains("vpc-999 is not in the scanned"));
    }
}
