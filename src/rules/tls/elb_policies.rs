//! The predefined ELB security policies and the TLS protocols each one accepts (data and
//! lookup only; CB-TLS-002 judges listeners with it).
//!
//! "Application Load Balancers do not support custom security policies", so a policy name
//! fixes the protocol set, and a name that is not in this table is not something we can
//! judge: the rule reports it unknown ("not a documented ELB security policy"), never a
//! pass and never a guess from the spelling of the name.
//!
//! ## Sources (read 2026-12-04)
//!
//! - AWS, *Security policies for your Application Load Balancer*, Elastic Load Balancing
//!   User Guide for Application Load Balancers,
//!   <https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html>
//!   ([`Doc::Alb`]): the "Protocols by policy" tables of its three sections (TLS security
//!   policies, FIPS security policies, FS supported policies) give every row below marked
//!   `Alb`. The same page's considerations name the default ("Other methods (for example,
//!   the AWS CLI, AWS CloudFormation, and the AWS CDK) – The default security policy is
//!   `ELBSecurityPolicy-2016-08`"), the 2025-09 post-quantum (`PQ`) policies ("Security
//!   policies with PQ in their names offer hybrid post-quantum key exchange") and the
//!   RFC 9151 policies. The stored copy of the page whose tables could be read in full
//!   predates the `PQ` and `RFC9151` families; their rows ([`Doc::AlbPq`],
//!   [`Doc::AlbRfc9151`]) were taken from the current page's policy list and checked
//!   against two independent transcriptions of its protocol tables (each `PQ` policy
//!   accepts the same protocols as the policy it extends; every RFC 9151 policy accepts
//!   TLS 1.2 and 1.3 except `TLS13-1-3-RFC9151-FIPS-2023-07`, TLS 1.3 only; neither family
//!   accepts TLS 1.1 or 1.0 except `TLS13-1-0-PQ` and `TLS13-1-0-FIPS-PQ`).
//! - AWS, *Security policies for your Network Load Balancer*,
//!   <https://docs.aws.amazon.com/elasticloadbalancing/latest/network/describe-ssl-policies.html>
//!   ([`Doc::Nlb`]): `ELBSecurityPolicy-2015-05`, listed there only, with the protocols of
//!   `ELBSecurityPolicy-2016-08`.
//! - The 2019 edition of the ALB guide (`awsdocs/elb-application-load-balancers-user-guide`,
//!   `doc_source/create-https-listener.md`, "Security Policies") ([`Doc::Alb2019`]): it
//!   lists `ELBSecurityPolicy-TLS-1-0-2015-04` (TLSv1, TLSv1.1, TLSv1.2) and says
//!   `ELBSecurityPolicy-2015-05` is "identical to `ELBSecurityPolicy-2016-08`". AWS still
//!   accepts these older names; both accept TLS 1.0, so they fail under any setting.
//!
//! When AWS publishes a new policy, add its row here with the document it comes from.

pub use crate::policy::TlsVersion;

/// Which document a row comes from (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Doc {
    /// ALB guide, "Protocols by policy" tables (TLS, FIPS, FS sections).
    Alb,
    /// ALB guide, the 2025-09 hybrid post-quantum policies.
    AlbPq,
    /// ALB guide, the RFC 9151 (CNSA 1.0) FIPS policies.
    AlbRfc9151,
    /// NLB guide (a policy the ALB guide no longer lists).
    Nlb,
    /// The 2019 edition of the ALB guide (a policy the current guides no longer list).
    Alb2019,
}

/// One predefined security policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ElbPolicy {
    pub name: &'static str,
    /// The oldest protocol the policy accepts.
    pub lowest: TlsVersion,
    /// The newest protocol the policy accepts.
    pub highest: TlsVersion,
    pub doc: Doc,
}

/// What AWS applies to an HTTPS listener created without a policy through the API (which
/// Terraform uses): ALB guide, "Other methods … The default security policy is
/// `ELBSecurityPolicy-2016-08`".
pub const AWS_DEFAULT_POLICY: &str = "ELBSecurityPolicy-2016-08";

use Doc::*;
use TlsVersion::*;

const fn p(name: &'static str, lowest: TlsVersion, highest: TlsVersion, doc: Doc) -> ElbPolicy {
    ElbPolicy {
        name,
        lowest,
        highest,
        doc,
    }
}

/// Every documented policy, in the order of the documents' tables.
pub static POLICIES: &[ElbPolicy] = &[
    // ALB guide, TLS security policies, "Protocols by policy".
    p("ELBSecurityPolicy-TLS13-1-3-2021-06", Tls13, Tls13, Alb),
    p("ELBSecurityPolicy-TLS13-1-2-2021-06", Tls12, Tls13, Alb),
    p("ELBSecurityPolicy-TLS13-1-2-Res-2021-06", Tls12, Tls13, Alb),
    p(
        "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
        Tls12,
        Tls13,
        Alb,
    ),
    p(
        "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
        Tls12,
        Tls13,
        Alb,
    ),
    p("ELBSecurityPolicy-TLS13-1-1-2021-06", Tls11, Tls13, Alb),
    p("ELBSecurityPolicy-TLS13-1-0-2021-06", Tls10, Tls13, Alb),
    p("ELBSecurityPolicy-TLS-1-2-Ext-2018-06", Tls12, Tls12, Alb),
    p("ELBSecurityPolicy-TLS-1-2-2017-01", Tls12, Tls12, Alb),
    p("ELBSecurityPolicy-TLS-1-1-2017-01", Tls11, Tls12, Alb),
    p("ELBSecurityPolicy-2016-08", Tls10, Tls12, Alb),
    // ALB guide, FIPS security policies, "Protocols by policy".
    p(
        "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
        Tls13,
        Tls13,
        Alb,
    ),
    p(
        "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
        Tls12,
        Tls13,
        Alb,
    ),
    p(
        "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
        Tls12,
        Tls13,
        Alb,
    ),
    p(
        "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-2023-04",
        Tls12,
        Tls13,
        Alb,
    ),
    p(
        "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-2023-04",
        Tls12,
        Tls13,
        Alb,
    ),
    p(
        "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-2023-04",
        Tls12,
        Tls13,
        Alb,
    ),
    p(
        "ELBSecurityPolicy-TLS13-1-1-FIPS-2023-04",
        Tls11,
        Tls13,
        Alb,
    ),
    p(
        "ELBSecurityPolicy-TLS13-1-0-FIPS-2023-04",
        Tls10,
        Tls13,
        Alb,
    ),
    // ALB guide, FS supported policies, "Protocols by policy".
    p("ELBSecurityPolicy-FS-1-2-Res-2020-10", Tls12, Tls12, Alb),
    p("ELBSecurityPolicy-FS-1-2-Res-2019-08", Tls12, Tls12, Alb),
    p("ELBSecurityPolicy-FS-1-2-2019-08", Tls12, Tls12, Alb),
    p("ELBSecurityPolicy-FS-1-1-2019-08", Tls11, Tls12, Alb),
    p("ELBSecurityPolicy-FS-2018-06", Tls10, Tls12, Alb),
    // ALB guide, hybrid post-quantum policies (2025-09).
    p(
        "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
        Tls13,
        Tls13,
        AlbPq,
    ),
    p(
        "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
        Tls12,
        Tls13,
        AlbPq,
    ),
    p(
        "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
        Tls12,
        Tls13,
        AlbPq,
    ),
    p(
        "ELBSecurityPolicy-TLS13-1-2-Ext2-PQ-2025-09",
        Tls12,
        Tls13,
        AlbPq,
    ),
    p(
        "ELBSecurityPolicy-TLS13-1-2-Ext1-PQ-2025-09",
        Tls12,
        Tls13,
        AlbPq,
    ),
    p(
        "ELBSecurityPolicy-TLS13-1-0-PQ-2025-09",
        Tls10,
        Tls13,
        AlbPq,
    ),
    p(
        "ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09",
        Tls13,
        Tls13,
        AlbPq,
    ),
    p(
        "ELBSecurityPolicy-TLS13-1-2-FIPS-PQ-2025-09",
        Tls12,
        Tls13,
        AlbPq,
    ),
    p(
        "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09",
        Tls12,
        Tls13,
        AlbPq,
    ),
    p(
        "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-PQ-2025-09",
        Tls12,
        Tls13,
        AlbPq,
    ),
    p(
        "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-PQ-2025-09",
        Tls12,
        Tls13,
        AlbPq,
    ),
    p(
        "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-PQ-2025-09",
        Tls12,
        Tls13,
        AlbPq,
    ),
    p(
        "ELBSecurityPolicy-TLS13-1-0-FIPS-PQ-2025-09",
        Tls10,
        Tls13,
        AlbPq,
    ),
    // ALB guide, RFC 9151 (CNSA 1.0) FIPS policies (2023-07).
    p(
        "ELBSecurityPolicy-TLS13-1-3-RFC9151-FIPS-2023-07",
        Tls13,
        Tls13,
        AlbRfc9151,
    ),
    p(
        "ELBSecurityPolicy-TLS13-1-2-RFC9151-FIPS-2023-07",
        Tls12,
        Tls13,
        AlbRfc9151,
    ),
    p(
        "ELBSecurityPolicy-TLS13-1-2-Ext0-RFC9151-FIPS-2023-07",
        Tls12,
        Tls13,
        AlbRfc9151,
    ),
    p(
        "ELBSecurityPolicy-TLS13-1-2-RFC9151-INTEROP1-FIPS-2023-07",
        Tls12,
        Tls13,
        AlbRfc9151,
    ),
    p(
        "ELBSecurityPolicy-TLS13-1-2-RFC9151-INTEROP2-FIPS-2023-07",
        Tls12,
        Tls13,
        AlbRfc9151,
    ),
    p(
        "ELBSecurityPolicy-TLS13-1-2-RFC9151-INTEROP3-FIPS-2023-07",
        Tls12,
        Tls13,
        AlbRfc9151,
    ),
    p(
        "ELBSecurityPolicy-TLS13-1-2-RFC9151-INTEROP4-FIPS-2023-07",
        Tls12,
        Tls13,
        AlbRfc9151,
    ),
    // Older names the current ALB guide no longer lists.
    p("ELBSecurityPolicy-2015-05", Tls10, Tls12, Nlb),
    p("ELBSecurityPolicy-TLS-1-0-2015-04", Tls10, Tls12, Alb2019),
];

/// The documented policy with exactly this name (names are compared as AWS spells them).
pub fn lookup(name: &str) -> Option<&'static ElbPolicy> {
    POLICIES.iter().find(|p| p.name == name)
}

/// Documented policies whose lowest protocol is at least `min`, in table order.
pub fn with_lowest_at_least(min: TlsVersion) -> impl Iterator<Item = &'static ElbPolicy> {
    POLICIES.iter().filter(move |p| p.lowest >= min)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn names_are_unique_and_well_formed() {
        let names: BTreeSet<_> = POLICIES.iter().map(|p| p.name).collect();
        assert_eq!(names.len(), POLICIES.len());
        assert_eq!(POLICIES.len(), 46);
        for p in POLICIES {
            assert!(p.name.starts_with("ELBSecurityPolicy-"), "{}", p.name);
            assert!(p.lowest <= p.highest, "{}", p.name);
        }
    }

    #[test]
    fn protocol_sets_come_from_the_table_not_the_name() {
        let lowest = |n: &str| lookup(n).map(|p| p.lowest);
        // Named "TLS13" but still accepting TLS 1.0 / 1.1.
        assert_eq!(lowest("ELBSecurityPolicy-TLS13-1-0-2021-06"), Some(Tls10));
        assert_eq!(
            lowest("ELBSecurityPolicy-TLS13-1-1-FIPS-2023-04"),
            Some(Tls11)
        );
        assert_eq!(
            lowest("ELBSecurityPolicy-TLS13-1-0-PQ-2025-09"),
            Some(Tls10)
        );
        assert_eq!(lowest("ELBSecurityPolicy-TLS13-1-2-2021-06"), Some(Tls12));
        assert_eq!(lowest("ELBSecurityPolicy-TLS13-1-3-2021-06"), Some(Tls13));
        assert_eq!(
            lowest("ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04"),
            Some(Tls13)
        );
        assert_eq!(lowest(AWS_DEFAULT_POLICY), Some(Tls10));
        assert_eq!(
            lookup("ELBSecurityPolicy-TLS-1-2-2017-01").map(|p| p.highest),
            Some(Tls12)
        );
        // Not documented, however plausible the name: no entry.
        assert_eq!(lookup("ELBSecurityPolicy-TLS13-1-3-2099-01"), None);
        assert_eq!(lookup("elbsecuritypolicy-tls13-1-3-2021-06"), None);
        let tls13_only: Vec<_> = with_lowest_at_least(Tls13).map(|p| p.name).collect();
        assert_eq!(tls13_only.len(), 5, "{tls13_only:?}");
    }
}
