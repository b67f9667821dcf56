use std::collections::BTreeMap;

use ipnetwork::IpNetwork;

use crate::declare_rule;
use crate::model::{Field, KindTag, Res, Subnet, Unknown, Vpc};
use crate::policy::{Policy, SubnetSpec};
use crate::rules::{tiers, Check, ALL_SOURCES};

declare_rule! {
    /// ## What it checks
    /// Every subnet is one of the documented subnets (`network.subnets`, by CIDR), lies
    /// inside its VPC's CIDR, overlaps no other subnet of its VPC, and sits in the right
    /// availability zone: subnets sharing an AZ label (`a`, `b`) share a zone, different
    /// labels use different zones. A documented subnet with no `aws_subnet` fails with no
    /// resource (subject = its documented name, e.g. `app-b`).
    ///
    /// A subnet without `availability_zone` fails: AWS then picks a zone, so the label
    /// cannot be guaranteed. Overlaps are only computed between subnets whose CIDRs are
    /// known; while a subnet's CIDR is unknown, no documented subnet is reported missing
    /// (the unknown one may be it) and the subnet itself is reported unknown.
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
        sources: ALL_SOURCES,
        check: check,
    };
}

/// What the rule knows of one subnet.
struct Info<'a> {
    subnet: Res<'a, Subnet>,
    cidr: Option<IpNetwork>,
    vpc: Result<Option<Res<'a, Vpc>>, Unknown>,
}

/// One problem of a subnet: a failure (attribute, message, help) or an unknown.
enum Problem {
    Fail(&'static str, String, String),
    Unknown(&'static str, &'static str, Unknown),
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
            vpc: tiers::resolve_one::<Vpc>(inv, &subnet.vpc),
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
    let documented = policy
        .network
        .subnets
        .iter()
        .map(|s| format!("{} {}", s.name, s.cidr.0))
        .collect::<Vec<_>>()
        .join(", ");
    let mut any_unknown_cidr = false;
    for info in &infos {
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
                problems.extend(overlaps(info, cidr, &infos));
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
            c.missing(KindTag::Subnet, "aws_subnet", name.clone(), msg, help);
        }
    }
}

fn inside_vpc(info: &Info<'_>, cidr: IpNetwork) -> Option<Problem> {
    let vpc = match &info.vpc {
        Ok(Some(vpc)) => vpc,
        Ok(None) => {
            let why = Unknown::NotInInputs("the subnet's VPC".to_string());
            return Some(Problem::Unknown("vpc_id", "the subnet's VPC", why));
        }
        Err(u) => return Some(Problem::Unknown("vpc_id", "the subnet's VPC", u.clone())),
    };
    let what = "the CIDR of the subnet's VPC";
    match &vpc.cidr {
        Field::Known(v) | Field::Sensitive(v)
            if v.contains(cidr.network()) && cidr.prefix() >= v.prefix() =>
        {
            None
        }
        Field::Known(_) | Field::Sensitive(_) => Some(fail(
            "cidr_block",
            format!(
                "subnet CIDR {cidr} is outside the CIDR {} of its VPC {}; every subnet must lie inside its VPC",
                vpc.cidr.shown(),
                vpc.address()
            ),
            format!("use a documented CIDR inside {}", vpc.cidr.shown()),
        )),
        Field::Unknown(u) => Some(Problem::Unknown("vpc_id", what, u.clone())),
        Field::Absent => {
            let why = Unknown::NotInInputs(format!("the CIDR block of {}", vpc.address()));
            Some(Problem::Unknown("vpc_id", what, why))
        }
    }
}

fn overlaps(info: &Info<'_>, cidr: IpNetwork, all: &[Info<'_>]) -> Vec<Problem> {
    let vpc_of = |i: &Info<'_>| i.vpc.as_ref().ok().and_then(|v| v.map(|v| v.id));
    all.iter()
        .filter(|o| o.subnet.address() != info.subnet.address())
        .filter(|o| !matches!((vpc_of(info), vpc_of(o)), (Some(a), Some(b)) if a != b))
        .filter_map(|o| o.cidr.map(|theirs| (o, theirs)))
        .filter(|(_, theirs)| cidr.contains(theirs.network()) || theirs.contains(cidr.network()))
        .map(|(o, theirs)| {
            fail(
                "cidr_block",
                format!(
                    "subnet CIDR {cidr} overlaps subnet {} ({theirs}); subnets of a VPC must not overlap",
                    o.subnet.address()
                ),
                "give each subnet its own documented, non-overlapping CIDR",
            )
        })
        .collect()
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
    let zone = match &info.subnet.availability_zone {
        Field::Known(z) | Field::Sensitive(z) => z.to_ascii_lowercase(),
        Field::Unknown(u) => {
            let what = "the subnet's availability zone";
            return vec![Problem::Unknown("availability_zone", what, u.clone())];
        }
        Field::Absent => {
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
    use crate::rules::testing::run;

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
        assert!(msgs.contains("overlaps subnet aws_subnet.app_a (10.0.10.0/24); subnets"));
        assert!(
            msgs.contains("10.1.0.0/24 is outside the CIDR 10.0.0.0/16"),
            "{msgs}"
        );
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
