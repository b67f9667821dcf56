use std::collections::BTreeSet;

use crate::declare_rule;
use crate::model::{
    DbCluster, DbInstance, DbParameterGroup, Field, Refs, ResId, Resolution, Unknown, View,
};
use crate::rules::rds::holders::{self, Membership};
use crate::rules::{requires, Check};

declare_rule! {
    /// ## What it checks
    /// The DB parameter group of every DB instance carries each `database.parameters` entry
    /// (max_connections 200, shared_buffers 4GB, effective_cache_size 12GB, work_mem 64MB,
    /// timescaledb.max_background_workers 8) with an equal quantity. Memory values compare
    /// in bytes: the policy's carry units (`4GB`, `64MB`, powers of 1024 as in PostgreSQL);
    /// a group's plain number is in the parameter's PostgreSQL base unit (8 kB for
    /// shared_buffers, effective_cache_size, wal_buffers, temp_buffers; kB for work_mem,
    /// maintenance_work_mem, autovacuum_work_mem, logical_decoding_work_mem; MB for
    /// min_wal_size, max_wal_size), so shared_buffers 4GB = 524288. A formula
    /// (`{DBInstanceClassMemory/32768}`) is unknown. Fails once per parameter group; an
    /// instance without parameter group (the engine's `default.*` group) fails itself.
    ///
    /// A same-region read replica that names no group uses its source's (judged there,
    /// "from its source …" when it is a default); a cross-region one the engine's default
    /// (AWS API reference, `CreateDBInstanceReadReplica` `DBParameterGroupName`). Aurora:
    /// the DB cluster parameter group (`db_cluster_parameter_group_name`) is judged, the
    /// level where Aurora PostgreSQL sets these parameters for every instance of the
    /// cluster; a cluster without one uses `default.aurora-postgresql<major>` and fails.
    /// Aurora PostgreSQL offers no TimescaleDB extension (it is in none of the per-version
    /// lists of "Extension versions for Amazon Aurora PostgreSQL", Aurora PostgreSQL Release
    /// Notes), so a policy that requires
    /// `timescaledb.*` parameters fails on any Aurora cluster (the parameter is not set).
    /// A member instance's own DB parameter group overrides the cluster's for the parameters
    /// it sets (AWS Aurora User Guide, "DB cluster parameter groups for Amazon Aurora DB
    /// clusters", "Amazon Aurora DB cluster and DB instance parameters": a value edited in
    /// the DB parameter group overrides the cluster parameter group's): the documented
    /// parameters it sets are compared too.
    ///
    /// ## Why
    /// The architecture document's Database Performance Tuning: "max_connections = 200",
    /// "shared_buffers = 4GB", "effective_cache_size = 12GB", "work_mem = 64MB",
    /// "timescaledb.max_background_workers = 8". RDS defaults size memory by formula and
    /// run TimescaleDB's compression and retention jobs with too few workers; the DB
    /// connections alarm (80 % of 200) also assumes max_connections = 200.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_db_parameter_group" "main" {
    ///   family = "postgres16"
    ///   parameter {
    ///     name  = "shared_buffers"
    ///     value = "4096" # 4096 x 8kB = 32MB
    ///   }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_db_parameter_group" "main" {
    ///   family = "postgres16"
    ///   parameter {
    ///     name         = "shared_buffers"
    ///     value        = "524288" # 4GB in 8kB pages
    ///     apply_method = "pending-reboot"
    ///   }
    ///   # max_connections, effective_cache_size, work_mem,
    ///   # timescaledb.max_background_workers likewise
    /// }
    /// ```
    ///
    /// ## Peers
    /// None: Checkov, Trivy and AWS Config do not check database tuning parameters.
    pub static RDS_PARAMETERS = Rule {
        id: "CB-RDS-007",
        name: "rds-parameters",
        area: Database,
        severity: Low,
        scope: Architecture,
        check: check,
    };
}

const ATTR: Option<&str> = Some("parameter_group_name");
const CLUSTER_ATTR: Option<&str> = Some("db_cluster_parameter_group_name");

/// The PostgreSQL base unit (bytes) of memory parameters given as plain numbers.
fn base_unit(param: &str) -> Option<f64> {
    const KB: f64 = 1024.0;
    match param.to_ascii_lowercase().as_str() {
        "shared_buffers" | "effective_cache_size" | "wal_buffers" | "temp_buffers" => {
            Some(8.0 * KB)
        }
        "work_mem"
        | "maintenance_work_mem"
        | "autovacuum_work_mem"
        | "logical_decoding_work_mem" => Some(KB),
        "min_wal_size" | "max_wal_size" => Some(KB * KB),
        _ => None,
    }
}

/// A parameter value as a quantity.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Quantity {
    Bytes(f64),
    Number(f64),
}

/// Parses `4GB`, `64 MB`, `8kB`, or a plain number (in the parameter's base unit when it
/// has one). `None` for anything else (an enum or string value).
fn quantity(param: &str, value: &str) -> Option<Quantity> {
    let v = value.trim();
    let split = v
        .find(|ch: char| !(ch.is_ascii_digit() || ch == '.' || ch == '-'))
        .unwrap_or(v.len());
    let number: f64 = v[..split].parse().ok()?;
    let unit = v[split..].trim();
    if unit.is_empty() {
        return Some(
            base_unit(param).map_or(Quantity::Number(number), |b| Quantity::Bytes(number * b)),
        );
    }
    let power = UNITS.iter().position(|u| u.eq_ignore_ascii_case(unit))?;
    Some(Quantity::Bytes(number * 1024f64.powi(power as i32)))
}

/// PostgreSQL memory units, each 1024 times the previous.
const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];

fn human(bytes: f64) -> String {
    let units = UNITS;
    let mut value = bytes;
    let mut i = 0;
    while value >= 1024.0 && value % 1024.0 == 0.0 && i + 1 < units.len() {
        value /= 1024.0;
        i += 1;
    }
    format!("{value}{}", units[i])
}

/// How a group's value compares with the policy's.
enum Verdict {
    Equal,
    Differs(String),
    Unknown(Unknown),
}

fn compare(param: &str, want: &str, have: &Field<String>) -> Verdict {
    let have_text = match have.try_value() {
        Ok(Some(v)) => v,
        Err(u) => return Verdict::Unknown(u),
        Ok(None) => return Verdict::Differs(requires(format!("{param} has no value"), want)),
    };
    if have_text.contains('{') {
        return Verdict::Unknown(Unknown::Unresolved(format!(
            "{param} is the formula {have_text}"
        )));
    }
    let shown = have.shown();
    match (quantity(param, want), quantity(param, have_text)) {
        (Some(Quantity::Bytes(w)), Some(Quantity::Bytes(h))) if (w - h).abs() < 0.5 => {
            Verdict::Equal
        }
        (Some(Quantity::Bytes(_)), Some(Quantity::Bytes(h))) => Verdict::Differs(requires(
            format!("{param} is {shown} (= {})", human(h)),
            want,
        )),
        (Some(Quantity::Number(w)), Some(Quantity::Number(h))) if (w - h).abs() < 1e-9 => {
            Verdict::Equal
        }
        (Some(Quantity::Bytes(_)), Some(Quantity::Number(_))) => {
            Verdict::Unknown(Unknown::NotInInputs(format!(
                "the unit of {param} (the group gives {shown}, the policy {want})"
            )))
        }
        (None, None) if want.trim().eq_ignore_ascii_case(have_text.trim()) => Verdict::Equal,
        _ => Verdict::Differs(requires(format!("{param} is {shown}"), want)),
    }
}

fn check(c: &mut Check<'_>) {
    let mut checked = BTreeSet::new();
    for db in c.inv.all::<DbInstance>() {
        if let Membership::Member(_) = holders::membership(c.inv, &db) {
            member_group(c, &db, &mut checked);
            continue;
        }
        let name = format!("DB instance {}", db.identifier.shown());
        let Some((refs, from)) = holders::parameter_group(c, &db) else {
            continue;
        };
        judge(c, db.id, &name, refs, &from, false, &mut checked);
    }
    for cl in c.inv.all::<DbCluster>() {
        let name = format!("DB cluster {}", cl.identifier.shown());
        judge(c, cl.id, &name, &cl.parameter_group, "", true, &mut checked);
    }
}

/// Judges the parameter group `refs` of holder `id` (a DB cluster parameter group when
/// `cluster`); `from` says where an inherited group comes from.
fn judge(
    c: &mut Check<'_>,
    id: ResId,
    name: &str,
    refs: &Refs,
    from: &str,
    cluster: bool,
    checked: &mut BTreeSet<ResId>,
) {
    let (attr, kind, resource) = if cluster {
        (
            CLUSTER_ATTR,
            "cluster parameter group",
            "aws_rds_cluster_parameter_group",
        )
    } else {
        (ATTR, "parameter group", "aws_db_parameter_group")
    };
    let default_group = |c: &mut Check<'_>, which: &str| {
        c.require(
            id,
            attr,
            format!("{name} uses {which}{from}, which has none of the documented tuning"),
            format!("a {kind} setting {}", wanted(c)),
            format!(
                "create an {resource} with the documented parameters and set {}",
                attr.unwrap_or_default()
            ),
        )
    };
    match c.inv.resolve::<DbParameterGroup>(refs) {
        Resolution::Absent => default_group(c, &format!("the engine's default {kind}")),
        Resolution::Unknown(u) => c.unknown(id, attr, &format!("the DB {kind}"), &u),
        Resolution::Known { found, external } => match (found.first(), external.first()) {
            (Some(group), _) => {
                if checked.insert(group.id) {
                    check_group(c, group);
                }
            }
            (None, Some(ext)) if ext.to_ascii_lowercase().starts_with("default.") => {
                default_group(c, &format!("the default {kind} {ext}"))
            }
            (None, Some(ext)) => {
                let why = Unknown::NotInInputs(format!("{kind} {ext}"));
                c.unknown(id, attr, &format!("the DB {kind}'s parameters"), &why)
            }
            (None, None) => default_group(c, &format!("the engine's default {kind}")),
        },
    }
}

/// A cluster member's own DB parameter group overrides the cluster parameter group for the
/// parameters it sets: those it sets are compared (the others come from the cluster's).
fn member_group(c: &mut Check<'_>, db: &View<'_, DbInstance>, checked: &mut BTreeSet<ResId>) {
    let group = match c.inv.resolve::<DbParameterGroup>(&db.parameter_group) {
        Resolution::Absent => return,
        Resolution::Unknown(u) => return c.unknown(db.id, ATTR, "the DB parameter group", &u),
        Resolution::Known { found, external } => match (found.first(), external.first()) {
            (Some(g), _) => *g,
            (None, Some(ext)) if ext.to_ascii_lowercase().starts_with("default.") => return,
            (None, Some(ext)) => {
                let why = Unknown::NotInInputs(format!("parameter group {ext}"));
                return c.unknown(db.id, ATTR, "the DB parameter group's parameters", &why);
            }
            (None, None) => return,
        },
    };
    if !checked.insert(group.id) {
        return;
    }
    let attr = Some("parameter");
    let Some(params) = c.need(group.id, attr, "the group's parameters", &group.parameters) else {
        return;
    };
    let params: &[crate::model::DbParameter] = params.map_or(&[], Vec::as_slice);
    let (problems, unknown) = documented(c, params, false);
    if !problems.is_empty() {
        c.fail(
            group.id,
            attr,
            format!(
                "parameter group {} (it overrides the cluster parameter group on cluster member {}): {}",
                group.name.shown(),
                db.address(),
                problems.join("; ")
            ),
            format!("set the parameters {} (or leave them to the cluster parameter group)", wanted(c)),
        );
    } else if let Some(u) = unknown {
        c.unknown(group.id, attr, "a documented parameter's value", &u);
    } else {
        c.pass(group.id);
    }
}

/// Compares the documented parameters a group sets with the policy: the differences
/// (and, when `all_required`, the documented parameters it does not set) and the first
/// value that cannot be compared.
fn documented(
    c: &Check<'_>,
    params: &[crate::model::DbParameter],
    all_required: bool,
) -> (Vec<String>, Option<Unknown>) {
    let mut problems = Vec::new();
    let mut unknown = None;
    for (name, want) in &c.policy.database.parameters {
        let Some(p) = params.iter().find(|p| p.name.eq_ignore_ascii_case(name)) else {
            if all_required {
                problems.push(requires(format!("{name} is not set"), want));
            }
            continue;
        };
        match compare(name, want, &p.value) {
            Verdict::Equal => {}
            Verdict::Differs(d) => problems.push(d),
            Verdict::Unknown(u) => {
                unknown.get_or_insert(u);
            }
        }
    }
    (problems, unknown)
}

fn wanted(c: &Check<'_>) -> String {
    let params = c.policy.database.parameters.iter();
    params
        .map(|(k, v)| format!("{k} = {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn check_group(c: &mut Check<'_>, group: &View<'_, DbParameterGroup>) {
    let attr = Some("parameter");
    let Some(params) = c.need(group.id, attr, "the group's parameters", &group.parameters) else {
        return;
    };
    let params: &[crate::model::DbParameter] = params.map_or(&[], Vec::as_slice);
    let (problems, unknown) = documented(c, params, true);
    if !problems.is_empty() {
        c.fail(
            group.id,
            attr,
            format!(
                "parameter group {}: {}",
                group.name.shown(),
                problems.join("; ")
            ),
            format!("set the parameters {}", wanted(c)),
        );
    } else if let Some(u) = unknown {
        c.unknown(group.id, attr, "a documented parameter's value", &u);
    } else {
        c.pass(group.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DbParameter, Inventory, RefTarget};
    use crate::rules::testing::{res, run};

    const DOCUMENTED: [(&str, &str); 5] = [
        ("max_connections", "200"),
        ("shared_buffers", "524288"),
        ("effective_cache_size", "12GB"),
        ("work_mem", "65536"),
        ("timescaledb.max_background_workers", "8"),
    ];

    fn inventory(params: &[(&str, &str)], group_ref: Field<Vec<RefTarget>>) -> Inventory {
        let mut inv = Inventory::new();
        let param = |(n, v): &(&str, &str)| DbParameter {
            name: n.to_string(),
            value: Field::Known(v.to_string()),
        };
        let group = DbParameterGroup {
            name: Field::Known("clever-better-pg16".into()),
            parameters: Field::Known(params.iter().map(param).collect()),
            ..Default::default()
        };
        let address = "aws_db_parameter_group.main";
        inv.push(res(address, group).with_identifiers(["clever-better-pg16"]));
        for db in ["main", "replica"] {
            let parameter_group = group_ref.clone();
            let body = DbInstance {
                parameter_group,
                ..Default::default()
            };
            inv.push(res(format!("aws_db_instance.{db}"), body));
        }
        inv
    }

    fn by_addr() -> Field<Vec<RefTarget>> {
        Field::Known(vec![RefTarget::Address(
            "aws_db_parameter_group.main".into(),
        )])
    }

    #[test]
    fn documented_tuning_passes_once_per_group() {
        let out = run(&RDS_PARAMETERS, &inventory(&DOCUMENTED, by_addr()));
        assert_eq!(out.passes(), vec!["aws_db_parameter_group.main"]);
        assert_eq!(out.outcomes.len(), 1);
        let by_name = Field::Known(vec![RefTarget::Ident("clever-better-pg16".into())]);
        let out = run(&RDS_PARAMETERS, &inventory(&DOCUMENTED, by_name));
        assert_eq!(out.passes().len(), 1);
    }

    #[test]
    fn wrong_and_missing_values_fail_on_the_group() {
        let mut params = DOCUMENTED.to_vec();
        params[1] = ("shared_buffers", "4096");
        params.pop();
        let out = run(&RDS_PARAMETERS, &inventory(&params, by_addr()));
        assert_eq!(out.fails(), vec!["aws_db_parameter_group.main"]);
        let msg = out.messages()[0];
        assert!(
            msg.contains("shared_buffers is 4096 (= 32MB)") && msg.contains("requires 4GB"),
            "{msg}"
        );
        assert!(
            msg.contains("timescaledb.max_background_workers is not set"),
            "{msg}"
        );
    }

    #[test]
    fn values_with_units_compare_by_quantity() {
        let mut params = DOCUMENTED.to_vec();
        params[1] = ("SHARED_BUFFERS", "4GB");
        params[3] = ("work_mem", "64 MB");
        let out = run(&RDS_PARAMETERS, &inventory(&params, by_addr()));
        assert_eq!(out.passes().len(), 1);
    }

    #[test]
    fn formulas_are_unknown() {
        let mut params = DOCUMENTED.to_vec();
        params[1] = ("shared_buffers", "{DBInstanceClassMemory/32768}");
        let out = run(&RDS_PARAMETERS, &inventory(&params, by_addr()));
        assert_eq!(out.unknowns(), vec!["aws_db_parameter_group.main"]);
        assert!(out.messages()[0].contains("formula"));
    }

    #[test]
    fn default_group_fails_on_the_instance() {
        let out = run(&RDS_PARAMETERS, &inventory(&DOCUMENTED, Field::Absent));
        assert_eq!(
            out.fails(),
            vec!["aws_db_instance.main", "aws_db_instance.replica"]
        );
        assert!(out.messages()[0].contains("default parameter group"));
        let default = Field::Known(vec![RefTarget::Ident("default.postgres16".into())]);
        let out = run(&RDS_PARAMETERS, &inventory(&DOCUMENTED, default));
        assert_eq!(out.fails().len(), 2);
    }

    #[test]
    fn unknown_reference_is_unknown() {
        let out = run(
            &RDS_PARAMETERS,
            &inventory(&DOCUMENTED, Field::Unknown(Unknown::AfterApply)),
        );
        assert_eq!(
            out.unknowns(),
            vec!["aws_db_instance.main", "aws_db_instance.replica"]
        );
        let elsewhere = Field::Known(vec![RefTarget::Ident("shared-pg".into())]);
        let out = run(&RDS_PARAMETERS, &inventory(&DOCUMENTED, elsewhere));
        assert_eq!(out.unknowns().len(), 2);
    }

    #[test]
    fn quantities() {
        assert_eq!(
            quantity("shared_buffers", "524288"),
            Some(Quantity::Bytes(4.0 * 1024.0 * 1024.0 * 1024.0))
        );
        assert_eq!(quantity("work_mem", "64MB"), quantity("work_mem", "65536"));
        assert_eq!(
            quantity("max_connections", "200"),
            Some(Quantity::Number(200.0))
        );
        assert_eq!(quantity("ssl_min_protocol_version", "TLSv1.3"), None);
        assert_eq!(human(32.0 * 1024.0 * 1024.0), "32MB");
    }
}
