use crate::declare_rule;
use crate::model::{EcsService, Resolution, Subnet, View};
use crate::policy::SubnetTier;
use crate::rules::tiers::subnets_outside_tier;
use crate::rules::{requires, set, Check};

declare_rule! {
    /// ## What it checks
    /// Every ECS service runs its tasks only in the documented app-tier subnets (by CIDR:
    /// app-a 10.0.10.0/24, app-b 10.0.11.0/24) and does not assign public IPs
    /// (`network_configuration.assign_public_ip`, not set = false, the ECS default).
    ///
    /// ## Why
    /// The architecture document places the ECS tasks in "Private App Subnet A | 10.0.10.0/24
    /// | ECS Tasks (AZ-a)" and "Private App Subnet B | 10.0.11.0/24 | ECS Tasks (AZ-b)", with
    /// "Outbound Traffic: ECS Tasks → NAT Gateway → Internet Gateway → Internet". A task in a
    /// public subnet or with a public IP is reachable without the ALB and WAF in front of it.
    ///
    /// A service with no `network_configuration` fails: without awsvpc networking its tasks
    /// run wherever the container instances are, which the architecture does not document.
    /// (ECS API Reference, `CreateService` `networkConfiguration`: required for task
    /// definitions that use the `awsvpc` network mode and not supported for other network
    /// modes; ECS Developer Guide, "Amazon ECS task networking options for the EC2 launch
    /// type": `bridge` and `host` tasks use their container instance's network.)
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_ecs_service" "bot" {
    ///   network_configuration {
    ///     subnets          = [aws_subnet.public_a.id]
    ///     assign_public_ip = true
    ///   }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_ecs_service" "bot" {
    ///   network_configuration {
    ///     subnets          = [aws_subnet.app_a.id, aws_subnet.app_b.id]
    ///     security_groups  = [aws_security_group.app.id]
    ///     assign_public_ip = false
    ///   }
    /// }
    /// ```
    ///
    /// ## Peers
    /// Checkov `CKV_AWS_333` and AWS Security Hub `ECS.2` (AWS Config rule
    /// `ecs-service-assign-public-ip-disabled`) check `assign_public_ip` only; none checks
    /// the subnets against a documented layout.
    pub static ECS_PRIVATE_NETWORKING = Rule {
        id: "CB-ECS-003",
        name: "ecs-private-networking",
        area: Compute,
        severity: High,
        scope: Architecture,
        check: check,
    };
}

const ATTR: Option<&str> = Some("network_configuration");

fn check(c: &mut Check<'_>) {
    let app: Vec<String> = c
        .policy
        .network
        .subnets_of(SubnetTier::App)
        .map(|s| format!("{} {}", s.name, s.cidr.0))
        .collect();
    let app = app.join(", ");
    for svc in c.inv.all::<EcsService>() {
        subnets(c, &svc, &app);
        let public = svc.assign_public_ip.clone().or_default_value(false);
        if !c.pass_if(svc.id, ATTR, "assign_public_ip", &public, |on| !on) {
            c.fail(
                svc.id,
                ATTR,
                format!(
                    "ECS service {} assigns public IPs to its tasks; the architecture keeps tasks private (outbound through the NAT gateways)",
                    svc.name.shown()
                ),
                set("network_configuration.assign_public_ip", false),
            );
        }
    }
}

fn subnets(c: &mut Check<'_>, svc: &View<'_, EcsService>, app: &str) {
    let name = svc.name.shown();
    let help = format!("set network_configuration.subnets to the app subnets ({app})");
    let (found, external) = match c.inv.resolve::<Subnet>(&svc.subnets) {
        Resolution::Absent => {
            return c.fail(
                svc.id,
                ATTR,
                format!("ECS service {name} has no network_configuration subnets; the architecture runs its tasks in the app subnets ({app})"),
                help,
            )
        }
        Resolution::Unknown(u) => return c.unknown(svc.id, ATTR, "the service's subnets", &u),
        Resolution::Known { found, external } => (found, external),
    };
    let (wrong, unknown) = subnets_outside_tier(c.policy, &found, &external, SubnetTier::App);
    if !wrong.is_empty() {
        c.fail(
            svc.id,
            ATTR,
            requires(
                format!("ECS service {name} runs tasks in {}", wrong.join(", ")),
                format!("the app subnets only ({app})"),
            ),
            help,
        );
    } else if let Some(u) = unknown {
        c.unknown(svc.id, ATTR, "the tier of the service's subnets", &u);
    } else if found.is_empty() {
        c.fail(
            svc.id,
            ATTR,
            format!("ECS service {name} lists no subnets; the architecture runs its tasks in the app subnets ({app})"),
            help,
        );
    } else {
        c.pass(svc.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Field;
    use crate::model::Unknown;
    use crate::model::{Inventory, RefTarget, Resource};
    use crate::rules::testing::{res, run};

    fn subnet(address: &str, id: &str, cidr: Field<&str>) -> Resource {
        Resource::new(
            "aws_subnet",
            address,
            Subnet {
                cidr: cidr.map(|c| c.parse().expect("cidr")),
                ..Default::default()
            },
        )
        .with_identifiers([id])
    }

    fn service(subnets: Field<Vec<RefTarget>>, public: Field<bool>) -> Resource {
        res(
            "aws_ecs_service.bot",
            EcsService {
                name: Field::Known("clever-better-bot".into()),
                subnets,
                assign_public_ip: public,
                ..Default::default()
            },
        )
    }

    fn inventory(svc: Resource) -> Inventory {
        let mut inv = Inventory::new();
        inv.push(subnet(
            "aws_subnet.app_a",
            "subnet-a",
            Field::Known("10.0.10.0/24"),
        ));
        inv.push(subnet(
            "aws_subnet.app_b",
            "subnet-b",
            Field::Known("10.0.11.0/24"),
        ));
        inv.push(subnet(
            "aws_subnet.public_a",
            "subnet-p",
            Field::Known("10.0.1.0/24"),
        ));
        inv.push(subnet(
            "aws_subnet.odd",
            "subnet-o",
            Field::Unknown(Unknown::AfterApply),
        ));
        inv.push(svc);
        inv
    }

    fn refs(targets: &[RefTarget]) -> Field<Vec<RefTarget>> {
        Field::Known(targets.to_vec())
    }

    #[test]
    fn app_subnets_without_public_ip_pass() {
        let inv = inventory(service(
            refs(&[
                RefTarget::Address("aws_subnet.app_a".into()),
                RefTarget::Ident("subnet-b".into()),
            ]),
            Field::Absent,
        ));
        let out = run(&ECS_PRIVATE_NETWORKING, &inv);
        assert_eq!(out.passes(), vec!["aws_ecs_service.bot"]);
        assert!(out.fails().is_empty() && out.unknowns().is_empty());
    }

    #[test]
    fn public_subnet_and_public_ip_fail() {
        let inv = inventory(service(
            refs(&[RefTarget::Ident("subnet-p".into())]),
            Field::Known(true),
        ));
        let out = run(&ECS_PRIVATE_NETWORKING, &inv);
        assert_eq!(out.fails(), vec!["aws_ecs_service.bot"]);
        let msgs = out.messages();
        assert_eq!(msgs.len(), 2);
        assert!(
            msgs[0].contains("10.0.1.0/24, public tier") && msgs[0].contains("app-a 10.0.10.0/24"),
            "{}",
            msgs[0]
        );
        assert!(msgs[1].contains("assigns public IPs"), "{}", msgs[1]);
    }

    #[test]
    fn no_network_configuration_fails() {
        let out = run(
            &ECS_PRIVATE_NETWORKING,
            &inventory(service(Field::Absent, Field::Absent)),
        );
        assert_eq!(out.fails(), vec!["aws_ecs_service.bot"]);
        assert!(out.messages()[0].contains("no network_configuration"));
    }

    #[test]
    fn unknown_subnets_or_ip_are_unknown() {
        let out = run(
            &ECS_PRIVATE_NETWORKING,
            &inventory(service(
                refs(&[RefTarget::Address("aws_subnet.odd".into())]),
                Field::Unknown(Unknown::AfterApply),
            )),
        );
        assert_eq!(out.unknowns(), vec!["aws_ecs_service.bot"]);
        assert_eq!(out.messages().len(), 2);
        let out = run(
            &ECS_PRIVATE_NETWORKING,
            &inventory(service(
                refs(&[RefTarget::Ident("subnet-elsewhere".into())]),
                Field::Known(false),
            )),
        );
        assert_eq!(out.unknowns(), vec!["aws_ecs_service.bot"]);
        assert!(out.messages()[0].contains("subnet-elsewhere"));
    }
}
