//! Builders for the CB-SG-* unit tests: hand-built groups, rules and flows.

use crate::model::{
    Direction, Field, Inventory, Peer, PortRange, Protocol, RefTarget, Refs, Resource,
    SecurityGroup, SecurityGroupFlow, SecurityGroupRule,
};
use crate::rules::testing::res;

pub fn addr(a: &str) -> Refs {
    Field::Known(vec![RefTarget::Address(a.into())])
}

pub fn ident(i: &str) -> Refs {
    Field::Known(vec![RefTarget::Ident(i.into())])
}

/// A flow; `proto` "-1" means all traffic (ports ignored).
pub fn flow(dir: Direction, proto: &str, from: u16, to: u16, peer: Peer) -> SecurityGroupFlow {
    let protocol = Protocol::parse(proto).unwrap();
    SecurityGroupFlow {
        direction: dir,
        protocol: Field::Known(protocol),
        ports: Field::Known(if protocol.has_ports() {
            PortRange { from, to }
        } else {
            PortRange::ALL
        }),
        peer,
        attribute: None,
    }
}

pub fn tcp_in(port: u16, peer: Peer) -> SecurityGroupFlow {
    flow(Direction::Ingress, "tcp", port, port, peer)
}

pub fn cidr(c: &str) -> Peer {
    Peer::Cidr(c.parse().unwrap())
}

pub fn group_peer(address: &str) -> Peer {
    Peer::Group(addr(address))
}

/// `aws_security_group.<name>` named `clever-better-<name>`, tagged `Tier = tier` if any,
/// identifier `sg-<name>`.
pub fn group(inv: &mut Inventory, name: &str, tier: Option<&str>, flows: Vec<SecurityGroupFlow>) {
    let sg = SecurityGroup {
        name: Field::Known(format!("clever-better-{name}")),
        vpc: addr("aws_vpc.main"),
        flows,
    };
    let r = res(format!("aws_security_group.{name}"), sg)
        .with_identifiers([format!("sg-{name}")])
        .with_tags(tier.map(|t| ("Tier", t)));
    inv.push(r);
}

/// A standalone rule resource of type `rtype` named `<name>` for group refs `group`.
pub fn rule(inv: &mut Inventory, rtype: &str, name: &str, group: Refs, f: SecurityGroupFlow) {
    let r = SecurityGroupRule {
        group,
        flows: vec![f],
    };
    inv.push(Resource::new(rtype, format!("{rtype}.{name}"), r));
}

/// The documented alb/app/db groups with exactly the matrix's flows, in mixed spellings.
pub fn documented(inv: &mut Inventory) {
    let alb_in = vec![
        tcp_in(443, cidr("0.0.0.0/0")),
        tcp_in(443, cidr("::/0")),
        flow(
            Direction::Egress,
            "tcp",
            8000,
            8000,
            group_peer("aws_security_group.app"),
        ),
    ];
    group(inv, "alb", Some("alb"), alb_in);
    group(inv, "app", Some("app"), Vec::new());
    let from_alb = tcp_in(8000, Peer::Group(ident("sg-alb")));
    rule(
        inv,
        "aws_security_group_rule",
        "app_from_alb",
        addr("aws_security_group.app"),
        from_alb,
    );
    let all_out = flow(Direction::Egress, "-1", 0, 0, cidr("0.0.0.0/0"));
    let egress = "aws_vpc_security_group_egress_rule";
    rule(inv, egress, "app_all", ident("sg-app"), all_out);
    let db_in = vec![tcp_in(5432, group_peer("aws_security_group.app"))];
    group(inv, "db", None, db_in);
}
