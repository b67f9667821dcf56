use crate::declare_rule;
use crate::model::Secret;
use crate::rules::documented::{self, Documented};
use crate::rules::Check;

declare_rule! {
    /// ## What it checks
    /// Every documented secret (`secrets.required`: clever-better/prod/database,
    /// clever-better/prod/betfair, clever-better/prod/api-keys) exists as an
    /// `aws_secretsmanager_secret` with exactly that name (Secrets Manager names are
    /// case-sensitive). A missing secret is a finding with no resource; a secret whose name
    /// is not known yet makes the documented names it could be unknown.
    ///
    /// ## Why
    /// The architecture document's "Secrets Management": "All secrets stored in AWS Secrets
    /// Manager: `clever-better/prod/database` - DB credentials, `clever-better/prod/betfair` -
    /// Betfair API credentials, `clever-better/prod/api-keys` - Internal API keys". The
    /// services read these names at start-up; when one is missing, credentials end up in
    /// environment variables or task definitions instead.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_secretsmanager_secret" "db" {
    ///   name = "clever-better/prod/database"
    /// }
    /// # clever-better/prod/betfair and clever-better/prod/api-keys are not declared
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_secretsmanager_secret" "app" {
    ///   for_each = toset(["database", "betfair", "api-keys"])
    ///   name     = "clever-better/prod/${each.key}"
    /// }
    /// ```
    ///
    /// ## Peers
    /// None: Checkov, Trivy and AWS Config do not know which secrets the architecture names.
    pub static DOCUMENTED_SECRETS = Rule {
        id: "CB-SEC-001",
        name: "documented-secrets",
        area: Identity,
        severity: Medium,
        scope: Architecture,
        check: check,
    };
}

fn check(c: &mut Check<'_>) {
    let names = &c.policy.secrets.required;
    documented::require(
        c,
        &Documented::<Secret> {
            names,
            name_of: |s| &s.name,
            resource_type: "aws_secretsmanager_secret",
            label: "secret",
            missing: |want| {
                (
                    format!("secret {want} does not exist; the architecture stores it in Secrets Manager"),
                    format!("declare an aws_secretsmanager_secret with name = \"{want}\""),
                )
            },
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Field, Gap, Inventory, Kind, Resource, Unknown};
    use crate::rules::testing::run;

    fn secret(inv: &mut Inventory, address: &str, name: Field<&str>) {
        let s = Secret {
            name: name.map(str::to_string),
        };
        inv.push(Resource::new("aws_secretsmanager_secret", address, s));
    }

    fn all_three(inv: &mut Inventory) {
        for n in ["database", "betfair", "api-keys"] {
            let addr = format!("aws_secretsmanager_secret.{n}");
            secret(inv, &addr, Field::Known(&format!("clever-better/prod/{n}")));
        }
    }

    #[test]
    fn documented_secrets_pass() {
        let mut inv = Inventory::new();
        all_three(&mut inv);
        secret(
            &mut inv,
            "aws_secretsmanager_secret.other",
            Field::Known("misc"),
        );
        let out = run(&DOCUMENTED_SECRETS, &inv);
        assert_eq!(out.passes().len(), 3);
        assert!(out.fails().is_empty() && out.unknowns().is_empty());
    }

    #[test]
    fn missing_secret_fails_without_resource() {
        let mut inv = Inventory::new();
        secret(
            &mut inv,
            "aws_secretsmanager_secret.db",
            Field::Known("clever-better/prod/database"),
        );
        secret(
            &mut inv,
            "aws_secretsmanager_secret.bf",
            Field::Known("Clever-Better/prod/betfair"),
        );
        let out = run(&DOCUMENTED_SECRETS, &inv);
        assert_eq!(
            out.fails(),
            vec![
                "missing:clever-better/prod/api-keys",
                "missing:clever-better/prod/betfair"
            ]
        );
        assert!(out.messages()[0].contains("clever-better/prod/betfair"));
        assert!(out.messages()[0].contains("Secrets Manager"));
    }

    #[test]
    fn unknown_names_make_missing_ones_unknown() {
        let mut inv = Inventory::new();
        secret(
            &mut inv,
            "aws_secretsmanager_secret.db",
            Field::Known("clever-better/prod/database"),
        );
        secret(
            &mut inv,
            "aws_secretsmanager_secret.x",
            Field::Unknown(Unknown::AfterApply),
        );
        let out = run(&DOCUMENTED_SECRETS, &inv);
        assert_eq!(out.unknowns(), vec!["aws_secretsmanager_secret.x"]);
        assert!(out.fails().is_empty());
        assert!(
            out.messages()[0].contains("clever-better/prod/betfair or clever-better/prod/api-keys")
        );
    }

    #[test]
    fn denied_listing_makes_missing_unknown() {
        let mut inv = Inventory::new();
        inv.add_gap(Gap {
            kinds: vec![Kind::Secret],
            reason: Unknown::Denied("secretsmanager:ListSecrets".into()),
        });
        let out = run(&DOCUMENTED_SECRETS, &inv);
        assert_eq!(out.unknowns().len(), 3);
        assert!(out.fails().is_empty());
    }

    #[test]
    fn absent_name_is_not_a_match() {
        let mut inv = Inventory::new();
        secret(&mut inv, "aws_secretsmanager_secret.p", Field::Absent);
        assert_eq!(run(&DOCUMENTED_SECRETS, &inv).fails().len(), 3);
    }
}
