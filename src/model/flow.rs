//! Security-group flows normalized from every spelling (inline blocks,
//! `aws_security_group_rule`, `aws_vpc_security_group_*_rule`, live `IpPermissions`).

use std::fmt;

use ipnetwork::IpNetwork;

use super::{Field, Refs, Unknown};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    Ingress,
    Egress,
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Direction::Ingress => "ingress",
            Direction::Egress => "egress",
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// `-1` / `all`: every protocol and port.
    All,
    Tcp,
    Udp,
    Icmp,
    Icmpv6,
    Number(u8),
}

impl Protocol {
    /// Parses the spellings Terraform and the EC2 API use (`tcp`, `6`, `-1`, `all`, …).
    pub fn parse(s: &str) -> Option<Protocol> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "-1" | "all" => Protocol::All,
            "tcp" | "6" => Protocol::Tcp,
            "udp" | "17" => Protocol::Udp,
            "icmp" | "1" => Protocol::Icmp,
            "icmpv6" | "58" => Protocol::Icmpv6,
            other => Protocol::Number(other.parse().ok()?),
        })
    }

    /// Whether ports are meaningful for this protocol.
    pub fn has_ports(self) -> bool {
        matches!(self, Protocol::Tcp | Protocol::Udp)
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Protocol::All => f.write_str("all"),
            Protocol::Tcp => f.write_str("tcp"),
            Protocol::Udp => f.write_str("udp"),
            Protocol::Icmp => f.write_str("icmp"),
            Protocol::Icmpv6 => f.write_str("icmpv6"),
            Protocol::Number(n) => write!(f, "protocol {n}"),
        }
    }
}

/// An inclusive port range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PortRange {
    pub from: u16,
    pub to: u16,
}

impl PortRange {
    pub const ALL: PortRange = PortRange { from: 0, to: 65535 };

    pub fn single(port: u16) -> PortRange {
        PortRange {
            from: port,
            to: port,
        }
    }

    pub fn contains(self, other: PortRange) -> bool {
        self.from <= other.from && other.to <= self.to
    }

    pub fn is_all(self) -> bool {
        self.from == 0 && self.to == 65535
    }
}

impl fmt::Display for PortRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_all() {
            f.write_str("all ports")
        } else if self.from == self.to {
            write!(f, "{}", self.from)
        } else {
            write!(f, "{}-{}", self.from, self.to)
        }
    }
}

/// The other side of a flow.
#[derive(Debug, Clone, PartialEq)]
pub enum Peer {
    Cidr(IpNetwork),
    PrefixList(String),
    /// A prefix list whose id is not known yet (`prefix_list_ids = [data.….id]` before
    /// apply): the attribute that is set says the peer's kind, which is all the rules need.
    PrefixListUnknownId(Unknown),
    /// Another security group (resolved through the inventory).
    Group(Refs),
    /// The group the rule belongs to (`self = true`).
    SelfGroup,
    Unknown(Unknown),
}

impl Peer {
    /// 0.0.0.0/0 or ::/0.
    pub fn is_anywhere(&self) -> bool {
        matches!(self, Peer::Cidr(net) if net.prefix() == 0)
    }

    /// A managed prefix list, its id known or not. The rules count it as an `internet`
    /// peer: AWS-managed lists (S3, DynamoDB, CloudFront origin-facing) hold addresses
    /// outside the VPC, and a customer-managed list is edited outside the configuration.
    pub fn is_prefix_list(&self) -> bool {
        matches!(self, Peer::PrefixList(_) | Peer::PrefixListUnknownId(_))
    }
}

impl fmt::Display for Peer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Peer::Cidr(net) => write!(f, "{net}"),
            Peer::PrefixList(id) => write!(f, "prefix list {id}"),
            Peer::PrefixListUnknownId(_) => f.write_str("a prefix list (id not known yet)"),
            Peer::Group(_) => f.write_str("a security group"),
            Peer::SelfGroup => f.write_str("itself"),
            Peer::Unknown(_) => f.write_str("an unknown peer"),
        }
    }
}

/// One normalized flow: direction, protocol, ports and peer.
#[derive(Debug, Clone, PartialEq)]
pub struct SecurityGroupFlow {
    pub direction: Direction,
    pub protocol: Field<Protocol>,
    /// For protocol `All` (and ICMP), the full range.
    pub ports: Field<PortRange>,
    pub peer: Peer,
    /// The attribute that names the peer, as a path into the resource
    /// (`prefix_list_ids`, `cidr_ipv4`, `ingress.cidr_blocks`), when the source knows it:
    /// findings about the flow point there.
    pub attribute: Option<String>,
}

impl SecurityGroupFlow {
    /// Spans every protocol, or every port of TCP/UDP.
    pub fn spans_everything(&self) -> Field<bool> {
        match (&self.protocol, &self.ports) {
            (Field::Known(Protocol::All), _) => Field::Known(true),
            (Field::Known(p), Field::Known(r)) if p.has_ports() => Field::Known(r.is_all()),
            (Field::Known(_), Field::Known(_)) => Field::Known(false),
            (Field::Unknown(u), _) | (_, Field::Unknown(u)) => Field::Unknown(u.clone()),
            _ => Field::Known(false),
        }
    }

    /// "tcp/443", "all traffic", "udp/1000-2000".
    pub fn describe_traffic(&self) -> String {
        match (self.protocol.get(), self.ports.get()) {
            (Some(Protocol::All), _) => "all traffic".to_string(),
            (Some(p), Some(r)) if p.has_ports() => format!("{p}/{r}"),
            (Some(p), _) => p.to_string(),
            (None, _) => "unknown traffic".to_string(),
        }
    }
}
