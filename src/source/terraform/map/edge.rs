//! Load balancers, listeners, target groups, WAFv2.

use super::{Mapped, TfRef};
use crate::model::*;

pub fn map(t: &str, v: TfRef<'_>) -> Option<Mapped> {
    Some(match t {
        "aws_lb" | "aws_alb" => {
            let name = v.get("name").string_nonempty();
            let mut subnets = v.get("subnets").refs();
            if subnets.get().is_none_or(|s| s.is_empty()) {
                // `subnet_mapping { subnet_id = … }` instead of `subnets`.
                let mut targets = Vec::new();
                for m in v.get("subnet_mapping").items() {
                    if let Field::Known(t) = m.get("subnet_id").refs() {
                        targets.extend(t);
                    }
                }
                if !targets.is_empty() {
                    subnets = Field::Known(targets);
                }
            }
            Mapped::new(LoadBalancer {
                name: name.clone(),
                load_balancer_type: v.get("load_balancer_type").string_nonempty(),
                internal: v.get("internal").bool(),
                subnets,
                security_groups: v.get("security_groups").refs(),
            })
            .id(&name)
        }
        "aws_lb_listener" | "aws_alb_listener" => Mapped::new(Listener {
            load_balancer: v.get("load_balancer_arn").refs(),
            port: v.get("port").int(),
            protocol: v.get("protocol").string_nonempty(),
            ssl_policy: v.get("ssl_policy").string_nonempty(),
            default_actions: actions(v.get("default_action")),
        }),
        "aws_lb_target_group" | "aws_alb_target_group" => {
            let name = v.get("name").string_nonempty();
            let hc = v.block("health_check");
            Mapped::new(TargetGroup {
                name: name.clone(),
                port: v.get("port").int(),
                protocol: v.get("protocol").string_nonempty(),
                target_type: v.get("target_type").string_nonempty(),
                health_check: HealthCheck {
                    enabled: hc.get("enabled").bool(),
                    path: hc.get("path").string_nonempty(),
                    interval: hc.get("interval").int(),
                },
            })
            .id(&name)
        }
        "aws_wafv2_web_acl" => {
            let name = v.get("name").string_nonempty();
            Mapped::new(WebAcl {
                name: name.clone(),
                scope: v.get("scope").string_nonempty(),
            })
        }
        "aws_wafv2_web_acl_association" => Mapped::new(WebAclAssociation {
            resource: v.get("resource_arn").refs(),
            web_acl: v.get("web_acl_arn").refs(),
        }),
        _ => return None,
    })
}

fn actions(v: TfRef<'_>) -> Field<Vec<ListenerAction>> {
    if v.is_null() {
        return Field::Absent;
    }
    if v.is_unknown() {
        return v.string().map(|_| Vec::new());
    }
    Field::Known(
        v.items()
            .into_iter()
            .map(|a| {
                let mut target_groups = a.get("target_group_arn").refs();
                if target_groups.is_absent() {
                    let mut targets = Vec::new();
                    for tg in a.block("forward").get("target_group").items() {
                        if let Field::Known(t) = tg.get("arn").refs() {
                            targets.extend(t);
                        }
                    }
                    if !targets.is_empty() {
                        target_groups = Field::Known(targets);
                    }
                }
                ListenerAction {
                    action_type: a.get("type").string_nonempty(),
                    redirect_protocol: a.block("redirect").get("protocol").string_nonempty(),
                    target_groups,
                }
            })
            .collect(),
    )
}
