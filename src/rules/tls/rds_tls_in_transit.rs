use std::collections::BTreeSet;

use crate::declare_rule;
use crate::model::{
    DbCluster, DbInstance, DbParameterGroup, Field, Refs, ResId, Resolution, Unknown, View,
};
use crate::rules::rds::holders;
use crate::rules::Check;

/// RDS for PostgreSQL's default `ssl_min_protocol_version`.
const DEFAULT_MIN_TLS: &str = "TLSv1.2";
/// The first PostgreSQL major version whose default `rds.force_ssl` is 1.
const FORCE_SSL_DEFAULT_FROM: u32 = 15;

declare_rule! {
    /// ## What it checks
    /// The DB parameter group of every DB instance sets `rds.force_ssl = 1` (when
    /// `database.force_ssl` is true) and `ssl_min_protocol_version` at least the documented
    /// version (`database.min_tls_version`, TLSv1.3; TLSv1 < TLSv1.1 < TLSv1.2 < TLSv1.3).
    /// The finding is on the parameter group, once even when several instances use it.
    /// Parameter groups no instance uses are not examined.
    ///
    /// An instance without `parameter_group_name`, or naming a `default.*` group, uses the
    /// engine's default group, which leaves `ssl_min_protocol_version` at TLSv1.2: it fails
    /// on the instance. A parameter the group does not set takes the RDS for PostgreSQL
    /// default: `ssl_min_protocol_version` TLSv1.2, `rds.force_ssl` 0 before PostgreSQL 15
    /// and 1 from 15 on (by the group's `family`).
    ///
    /// Aurora PostgreSQL: `rds.force_ssl` and `ssl_min_protocol_version` are DB cluster
    /// parameters, so the DB cluster parameter group (`db_cluster_parameter_group_name`) is
    /// judged (AWS Aurora User Guide, "Securing Aurora PostgreSQL data with SSL/TLS");
    /// `rds.force_ssl` defaults to 0 there (AWS Knowledge Center,
    /// "aurora-postgresql-ssl-certificates"), which the `aurora-postgresql*` families get
    /// here. Member instances are judged through their cluster. A same-region read replica
    /// that names no group uses its source's ("from its source …"); a cross-region one the
    /// engine's default (AWS API reference, `CreateDBInstanceReadReplica`).
    ///
    /// ## Why
    /// The architecture document: "In Transit: TLS 1.3 for all connections", and the
    /// database holds the trading history and Betfair account data ("RDS TimescaleDB").
    /// Without `rds.force_ssl` clients may connect in clear text; without a TLS 1.3 minimum
    /// they may negotiate TLS 1.2.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_db_parameter_group" "main" {
    ///   family = "postgres16"
    ///   parameter {
    ///     name  = "ssl_min_protocol_version"
    ///     value = "TLSv1.2"
    ///   }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_db_parameter_group" "main" {
    ///   family = "postgres16"
    ///   parameter {
    ///     name  = "rds.force_ssl"
    ///     value = "1"
    ///   }
    ///   parameter {
    ///     name  = "ssl_min_protocol_version"
    ///     value = "TLSv1.3"
    ///   }
    /// }
    /// ```
    ///
    /// ## Peers
    /// Checkov `CKV2_AWS_69` and AWS Config `rds-postgres-instance-encrypted-in-transit`
    /// check `rds.force_ssl` only, not the minimum TLS version; no Trivy check.
    pub static RDS_TLS_IN_TRANSIT = Rule {
        id: "CB-TLS-003",
        name: "rds-tls-in-transit",
        area: Tls,
        severity: High,
        scope: Architecture,
        check: check,
    };
}

fn check(c: &mut Check<'_>) {
    let mut seen = BTreeSet::new();
    let want = c.policy.database.min_tls_version.clone();
    for db in c.inv.all::<DbInstance>() {
        let Some((refs, from)) = holders::parameter_group(c, &db) else {
            continue;
        };
        judge(c, db.id, "DB instance", refs, &from, &want, &mut seen);
    }
    for cl in c.inv.all::<DbCluster>() {
        judge(
            c,
            cl.id,
            "DB cluster",
            &cl.parameter_group,
            "",
            &want,
            &mut seen,
        );
    }
}

/// Judges the parameter group `refs` of a DB instance or DB cluster (`what`).
fn judge(
    c: &mut Check<'_>,
    id: ResId,
    what: &str,
    refs: &Refs,
    from: &str,
    want: &str,
    seen: &mut BTreeSet<ResId>,
) {
    let cluster = what == "DB cluster";
    let (attr, kind, resource) = if cluster {
        (
            Some("db_cluster_parameter_group_name"),
            "cluster parameter group",
            "aws_rds_cluster_parameter_group",
        )
    } else {
        (
            Some("parameter_group_name"),
            "parameter group",
            "aws_db_parameter_group",
        )
    };
    let default_group = match c.inv.resolve::<DbParameterGroup>(refs) {
        Resolution::Absent => format!("the engine's default {kind}"),
        Resolution::Unknown(u) => {
            c.unknown(id, attr, &format!("the {what}'s {kind}"), &u);
            return;
        }
        Resolution::Known { found, external } => match (found.first(), external.first()) {
            (Some(group), _) => {
                if seen.insert(group.id) {
                    check_group(c, group, want);
                }
                return;
            }
            (None, Some(name)) if name.starts_with("default.") => {
                format!("the default {kind} {name}")
            }
            (None, Some(name)) => {
                let why = Unknown::NotInInputs(format!("{kind} {name}"));
                c.unknown(id, attr, &format!("the {what}'s {kind}"), &why);
                return;
            }
            (None, None) => format!("the engine's default {kind}"),
        },
    };
    c.require(
        id,
        attr,
        format!("{what} uses {default_group}{from}, which leaves ssl_min_protocol_version at {DEFAULT_MIN_TLS}"),
        format!("a {kind} with rds.force_ssl = 1 and ssl_min_protocol_version = {want}"),
        format!(
            "create an {resource} setting rds.force_ssl = 1 and ssl_min_protocol_version = {want}, and set {} to it",
            attr.unwrap_or_default()
        ),
    );
}

/// Checks the TLS parameters of a group used by an instance.
fn check_group(c: &mut Check<'_>, group: &View<'_, DbParameterGroup>, want: &str) {
    let what = "the group's parameters";
    let Some(params) = c.need(group.id, Some("parameter"), what, &group.parameters) else {
        return;
    };
    let params = params.map_or(&[][..], Vec::as_slice);
    let value = |name: &str| {
        let p = params.iter().find(|p| p.name.eq_ignore_ascii_case(name));
        p.map_or(Field::Absent, |p| p.value.clone())
    };
    let mut clean = true;
    if c.policy.database.force_ssl {
        let force = value("rds.force_ssl");
        let family_default = match (&force, &group.family) {
            (Field::Absent, Field::Unknown(u)) => {
                clean = false;
                c.unknown(
                    group.id,
                    Some("family"),
                    "the group's family (for the rds.force_ssl default)",
                    u,
                );
                None
            }
            (Field::Absent, family) => Some(force_ssl_default(family.get().map(String::as_str))),
            _ => None,
        };
        match (force.value(), family_default) {
            (Ok(Some(v)), _) if v.trim() == "1" => {}
            (Ok(None), Some(1) | None) => {}
            (Err(u), _) => {
                clean = false;
                c.unknown(group.id, Some("parameter"), "rds.force_ssl", u);
            }
            (value, _) => {
                clean = false;
                let fact = match value {
                    Ok(None) => format!(
                        "does not set rds.force_ssl, so the engine default 0 applies (family {})",
                        group.family.shown()
                    ),
                    _ => format!("sets rds.force_ssl = {}", force.shown()),
                };
                c.require(
                    group.id,
                    Some("parameter"),
                    format!("{} {fact}", label(group)),
                    "rds.force_ssl = 1 (TLS for every connection)",
                    "add parameter { name = \"rds.force_ssl\", value = \"1\" }",
                );
            }
        }
    }
    let min_version = value("ssl_min_protocol_version");
    let what = "ssl_min_protocol_version";
    let (fact, version) = match c.need(group.id, Some("parameter"), what, &min_version) {
        None => return,
        Some(Some(v)) => (format!("sets ssl_min_protocol_version = {v}"), v.clone()),
        Some(None) => (
            format!("does not set ssl_min_protocol_version, so the RDS default {DEFAULT_MIN_TLS} applies"),
            DEFAULT_MIN_TLS.to_string(),
        ),
    };
    let ok = match (tls_rank(&version), tls_rank(want)) {
        (Some(have), Some(need)) => have >= need,
        _ => version.trim().eq_ignore_ascii_case(want),
    };
    if !ok {
        c.require(
            group.id,
            Some("parameter"),
            format!("{} {fact}", label(group)),
            format!("at least {want}"),
            format!("add parameter {{ name = \"ssl_min_protocol_version\", value = \"{want}\" }}"),
        );
    } else if clean {
        c.pass(group.id);
    }
}

/// "DB parameter group" or "DB cluster parameter group".
fn label(group: &View<'_, DbParameterGroup>) -> &'static str {
    if group.cluster {
        "DB cluster parameter group"
    } else {
        "DB parameter group"
    }
}

/// `TLSv1` < `TLSv1.1` < `TLSv1.2` < `TLSv1.3`.
fn tls_rank(v: &str) -> Option<u8> {
    match v.trim().to_ascii_lowercase().as_str() {
        "tlsv1" | "tlsv1.0" => Some(0),
        "tlsv1.1" => Some(1),
        "tlsv1.2" => Some(2),
        "tlsv1.3" => Some(3),
        _ => None,
    }
}

/// The default `rds.force_ssl` of a parameter-group family (`postgres16` → 1).
fn force_ssl_default(family: Option<&str>) -> u8 {
    let major = family
        .and_then(|f| f.strip_prefix("postgres"))
        .map(|v| {
            v.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
        })
        .and_then(|v| v.parse::<u32>().ok());
    u8::from(major.is_some_and(|m| m >= FORCE_SSL_DEFAULT_FROM))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DbParameter, Inventory, RefTarget, Refs};
    use crate::rules::testing::{res, run};

    fn group(inv: &mut Inventory, name: &str, family: &str, params: &[(&str, &str)]) {
        let params = params
            .iter()
            .map(|(n, v)| DbParameter {
                name: n.to_string(),
                value: Field::Known(v.to_string()),
            })
            .collect();
        let g = DbParameterGroup {
            name: Field::Known(name.into()),
            family: Field::Known(family.into()),
            parameters: Field::Known(params),
            cluster: false,
        };
        let address = format!("aws_db_parameter_group.{name}");
        inv.push(res(address, g).with_identifiers([name]));
    }

    fn db(inv: &mut Inventory, name: &str, parameter_group: Refs) {
        let d = DbInstance {
            parameter_group,
            ..Default::default()
        };
        inv.push(res(format!("aws_db_instance.{name}"), d));
    }

    fn refs(t: RefTarget) -> Refs {
        Field::Known(vec![t])
    }

    #[test]
    fn forced_tls13_group_passes_once() {
        let mut inv = Inventory::new();
        group(
            &mut inv,
            "main",
            "postgres16",
            &[
                ("rds.force_ssl", "1"),
                ("ssl_min_protocol_version", "TLSv1.3"),
            ],
        );
        db(
            &mut inv,
            "a",
            refs(RefTarget::Address("aws_db_parameter_group.main".into())),
        );
        db(&mut inv, "b", refs(RefTarget::Ident("main".into())));
        group(&mut inv, "unused", "postgres12", &[("rds.force_ssl", "0")]);
        let out = run(&RDS_TLS_IN_TRANSIT, &inv);
        assert_eq!(out.passes(), ["aws_db_parameter_group.main"]);
        assert_eq!(out.outcomes.len(), 1);
    }

    #[test]
    fn tls12_minimum_and_unforced_ssl_fail_on_the_group() {
        let mut inv = Inventory::new();
        group(
            &mut inv,
            "main",
            "postgres14",
            &[("ssl_min_protocol_version", "TLSv1.2")],
        );
        db(&mut inv, "a", refs(RefTarget::Ident("main".into())));
        let out = run(&RDS_TLS_IN_TRANSIT, &inv);
        assert_eq!(out.fails(), ["aws_db_parameter_group.main"]);
        let msgs = out.messages();
        assert!(msgs[0].contains("does not set rds.force_ssl, so the engine default 0 applies (family postgres14); the architecture requires rds.force_ssl = 1"), "{}", msgs[0]);
        assert!(msgs[1].contains(
            "sets ssl_min_protocol_version = TLSv1.2; the architecture requires at least TLSv1.3"
        ));
    }

    #[test]
    fn postgres15_default_force_ssl_passes_but_default_min_version_fails() {
        let mut inv = Inventory::new();
        group(&mut inv, "main", "postgres16", &[]);
        db(&mut inv, "a", refs(RefTarget::Ident("main".into())));
        let out = run(&RDS_TLS_IN_TRANSIT, &inv);
        assert_eq!(out.messages().len(), 1);
        assert!(out.messages()[0].contains("so the RDS default TLSv1.2 applies"));
    }

    #[test]
    fn default_groups_fail_on_the_instance() {
        let mut inv = Inventory::new();
        db(&mut inv, "analytics", Field::Absent);
        db(
            &mut inv,
            "reporting",
            refs(RefTarget::Ident("default.postgres16".into())),
        );
        let out = run(&RDS_TLS_IN_TRANSIT, &inv);
        assert_eq!(
            out.fails(),
            ["aws_db_instance.analytics", "aws_db_instance.reporting"]
        );
        assert!(out.messages()[1].contains("uses the default parameter group default.postgres16, which leaves ssl_min_protocol_version at TLSv1.2"));
    }

    #[test]
    fn unknowns_are_unknown() {
        let mut inv = Inventory::new();
        db(&mut inv, "a", Field::Unknown(Unknown::AfterApply));
        db(
            &mut inv,
            "b",
            refs(RefTarget::Ident("custom-elsewhere".into())),
        );
        let out = run(&RDS_TLS_IN_TRANSIT, &inv);
        assert_eq!(out.unknowns(), ["aws_db_instance.a", "aws_db_instance.b"]);
        let mut inv = Inventory::new();
        let g = DbParameterGroup {
            parameters: Field::Unknown(Unknown::AfterApply),
            ..Default::default()
        };
        inv.push(res("aws_db_parameter_group.g", g).with_identifiers(["g"]));
        db(&mut inv, "c", refs(RefTarget::Ident("g".into())));
        assert_eq!(
            run(&RDS_TLS_IN_TRANSIT, &inv).unknowns(),
            ["aws_db_parameter_group.g"]
        );
    }
}
