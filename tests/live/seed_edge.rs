//! Seeds the edge: the plan's load balancers, target groups, listeners, WAF web ACLs and web
//! ACL associations. Subnets and security groups come from the network seeder; while it has
//! none for a reference, the default VPC's subnets stand in.

use aws_sdk_elasticloadbalancingv2 as elb;
use aws_sdk_wafv2 as waf;
use cbaudit::model::{
    Field, Listener, ListenerAction, LoadBalancer, ResId, SecurityGroup, Subnet, TargetGroup,
    WebAcl, WebAclAssociation,
};
use elb::types::{
    Action, ActionTypeEnum, Certificate, FixedResponseActionConfig, ForwardActionConfig,
    LoadBalancerSchemeEnum, LoadBalancerTypeEnum, ProtocolEnum, RedirectActionConfig,
    RedirectActionStatusCodeEnum, TargetGroupTuple, TargetTypeEnum,
};

use super::seed::Seeder;

pub async fn seed(s: &mut Seeder) {
    let client = elb::Client::new(&s.sdk);
    let vpc = load_balancers(s, &client).await;
    target_groups(s, &client, vpc).await;
    listeners(s, &client).await;
    web_acls(s).await;
}

/// A name AWS accepts (letters, digits, hyphens; at most 32 characters), from the plan's
/// name or, when that is unknown, the resource's address.
pub fn name_for(s: &Seeder, id: ResId, name: &Field<String>) -> String {
    if let Some(n) = name.get() {
        return n.clone();
    }
    let address = s.plan.get(id).address();
    let n: String = address
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    n.trim_matches('-').chars().take(32).collect()
}

/// Two default subnets (in different AZs), for references the network seeder did not seed.
pub async fn default_subnets(s: &Seeder) -> Vec<String> {
    let ec2 = aws_sdk_ec2::Client::new(&s.sdk);
    let filter = aws_sdk_ec2::types::Filter::builder()
        .name("default-for-az")
        .values("true")
        .build();
    let resp = ec2
        .describe_subnets()
        .filters(filter)
        .send()
        .await
        .expect("DescribeSubnets");
    let mut subnets: Vec<_> = resp.subnets().to_vec();
    subnets.sort_by(|a, b| a.availability_zone().cmp(&b.availability_zone()));
    subnets
        .iter()
        .filter_map(|s| s.subnet_id().map(str::to_string))
        .take(2)
        .collect()
}

/// Creates the load balancers; returns the VPC of the first (for target groups).
async fn load_balancers(s: &mut Seeder, client: &elb::Client) -> Option<String> {
    let lbs = s.plan_all::<LoadBalancer>();
    let mut vpc = None;
    for (id, lb) in lbs {
        let mut subnets = s.ids::<Subnet>(&lb.subnets);
        if subnets.is_empty() {
            subnets = default_subnets(s).await;
        }
        let groups = s.ids::<SecurityGroup>(&lb.security_groups);
        let kind = lb
            .load_balancer_type
            .get()
            .map_or("application", String::as_str);
        let scheme = match lb.internal.get() {
            Some(true) => LoadBalancerSchemeEnum::Internal,
            _ => LoadBalancerSchemeEnum::InternetFacing,
        };
        let resp = client
            .create_load_balancer()
            .name(name_for(s, id, &lb.name))
            .r#type(LoadBalancerTypeEnum::from(kind))
            .scheme(scheme)
            .set_subnets(Some(subnets))
            .set_security_groups(Some(groups).filter(|g| !g.is_empty()))
            .send()
            .await
            .expect("CreateLoadBalancer");
        let created = &resp.load_balancers()[0];
        let arn = created
            .load_balancer_arn()
            .expect("load balancer ARN")
            .to_string();
        vpc = vpc.or(created.vpc_id().map(str::to_string));
        s.created(id, arn.clone());
        s.owns(arn, id);
    }
    vpc
}

async fn target_groups(s: &mut Seeder, client: &elb::Client, vpc: Option<String>) {
    let groups = s.plan_all::<TargetGroup>();
    if groups.is_empty() {
        return;
    }
    let vpc = match vpc {
        Some(v) => v,
        None => {
            let ec2 = aws_sdk_ec2::Client::new(&s.sdk);
            let resp = ec2.describe_vpcs().send().await.expect("DescribeVpcs");
            let default = resp.vpcs().iter().find(|v| v.is_default() == Some(true));
            default
                .and_then(|v| v.vpc_id())
                .expect("a default VPC")
                .to_string()
        }
    };
    for (id, tg) in groups {
        let hc = &tg.health_check;
        let resp = client
            .create_target_group()
            .name(name_for(s, id, &tg.name))
            .protocol(ProtocolEnum::from(
                tg.protocol.get().map_or("HTTP", String::as_str),
            ))
            .port(tg.port.get().map_or(80, |p| *p as i32))
            .target_type(TargetTypeEnum::from(
                tg.target_type.get().map_or("instance", String::as_str),
            ))
            .vpc_id(&vpc)
            .set_health_check_enabled(hc.enabled.get().copied())
            .set_health_check_path(hc.path.get().cloned())
            .set_health_check_interval_seconds(hc.interval.get().map(|i| *i as i32))
            .send()
            .await
            .expect("CreateTargetGroup");
        let arn = resp.target_groups()[0]
            .target_group_arn()
            .expect("target group ARN")
            .to_string();
        s.created(id, arn.clone());
        s.owns(arn, id);
    }
}

async fn listeners(s: &mut Seeder, client: &elb::Client) {
    let listeners = s.plan_all::<Listener>();
    for (id, l) in listeners {
        let Some(lb) = s.ids::<LoadBalancer>(&l.load_balancer).into_iter().next() else {
            eprintln!(
                "seed_edge: no load balancer for {}",
                s.plan.get(id).address()
            );
            continue;
        };
        let protocol = l
            .protocol
            .get()
            .map_or("HTTP", String::as_str)
            .to_ascii_uppercase();
        let certificate = (protocol == "HTTPS").then(|| {
            let arn = format!("arn:aws:iam::{}:server-certificate/cbaudit-test", s.account);
            Certificate::builder().certificate_arn(arn).build()
        });
        let plan_actions: Vec<ListenerAction> =
            l.default_actions.get().cloned().unwrap_or_default();
        let mut actions: Vec<Action> = plan_actions.iter().filter_map(|a| action(s, a)).collect();
        if actions.is_empty() {
            actions.push(not_found());
        }
        for (i, a) in actions.iter_mut().enumerate() {
            a.order = Some(i as i32 + 1);
        }
        let resp = client
            .create_listener()
            .load_balancer_arn(lb)
            .set_port(l.port.get().map(|p| *p as i32))
            .protocol(ProtocolEnum::from(protocol.as_str()))
            .set_ssl_policy(l.ssl_policy.get().cloned())
            .set_certificates(certificate.map(|c| vec![c]))
            .set_default_actions(Some(actions))
            .send()
            .await
            .expect("CreateListener");
        let arn = resp.listeners()[0]
            .listener_arn()
            .expect("listener ARN")
            .to_string();
        s.created(id, arn.clone());
        s.owns(arn, id);
    }
}

fn not_found() -> Action {
    let fixed = FixedResponseActionConfig::builder()
        .status_code("404")
        .content_type("text/plain")
        .build();
    Action::builder()
        .r#type(ActionTypeEnum::FixedResponse)
        .fixed_response_config(fixed)
        .build()
}

/// A plan default action as the API spells it (authentication actions are left out: the
/// rules ignore them and they need an identity provider).
fn action(s: &Seeder, a: &ListenerAction) -> Option<Action> {
    match a.action_type.get().map(String::as_str) {
        Some("forward") => {
            let groups = s.ids::<TargetGroup>(&a.target_groups);
            let first = groups.first()?.clone();
            let tuples = groups
                .iter()
                .map(|g| TargetGroupTuple::builder().target_group_arn(g).build())
                .collect();
            let forward = ForwardActionConfig::builder()
                .set_target_groups(Some(tuples))
                .build();
            let action = Action::builder().r#type(ActionTypeEnum::Forward);
            let action = if groups.len() == 1 {
                action.target_group_arn(first)
            } else {
                action.forward_config(forward)
            };
            Some(action.build())
        }
        Some("redirect") => {
            let redirect = RedirectActionConfig::builder()
                .set_protocol(a.redirect_protocol.get().cloned())
                .port("443")
                .status_code(RedirectActionStatusCodeEnum::Http301)
                .build();
            let action = Action::builder().r#type(ActionTypeEnum::Redirect);
            Some(action.redirect_config(redirect).build())
        }
        Some(t) if t.starts_with("authenticate") => None,
        _ => Some(not_found()),
    }
}

/// The association address the live reader gives: the web ACL ARN, `/association/`, the
/// load balancer ARN's resource part.
fn association_address(acl: &str, lb: &str) -> String {
    let suffix = lb.split_once(":loadbalancer/").map_or(lb, |(_, s)| s);
    format!("{acl}/association/{suffix}")
}

async fn web_acls(s: &mut Seeder) {
    let client = waf::Client::new(&s.sdk);
    let acls = s.plan_all::<WebAcl>();
    for (id, acl) in acls {
        let name = name_for(s, id, &acl.name);
        let scope = acl.scope.get().map_or("REGIONAL", String::as_str);
        let visibility = waf::types::VisibilityConfig::builder()
            .sampled_requests_enabled(false)
            .cloud_watch_metrics_enabled(false)
            .metric_name(&name)
            .build()
            .expect("visibility config");
        let allow = waf::types::DefaultAction::builder()
            .allow(waf::types::AllowAction::builder().build())
            .build();
        let resp = client
            .create_web_acl()
            .name(&name)
            .scope(waf::types::Scope::from(scope))
            .default_action(allow)
            .visibility_config(visibility)
            .send()
            .await
            .expect("CreateWebACL");
        let arn = resp
            .summary()
            .and_then(|s| s.arn())
            .expect("web ACL ARN")
            .to_string();
        s.created(id, arn.clone());
        s.owns(arn, id);
    }
    let assocs = s.plan_all::<WebAclAssociation>();
    for (id, a) in assocs {
        let acl = s.ids::<WebAcl>(&a.web_acl).into_iter().next();
        let lb = s.ids::<LoadBalancer>(&a.resource).into_iter().next();
        let (Some(acl), Some(lb)) = (acl, lb) else {
            eprintln!("seed_edge: cannot seed {}", s.plan.get(id).address());
            continue;
        };
        client
            .associate_web_acl()
            .web_acl_arn(&acl)
            .resource_arn(&lb)
            .send()
            .await
            .expect("AssociateWebACL");
        s.owns(association_address(&acl, &lb), id);
    }
}
