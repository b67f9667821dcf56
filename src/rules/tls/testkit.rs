//! Builders for the CB-TLS-* unit tests: hand-built load balancers and listeners.

use crate::model::{Field, Inventory, Listener, ListenerAction, LoadBalancer, RefTarget, Refs};
use crate::rules::testing::res;

pub fn addr(a: &str) -> Refs {
    Field::Known(vec![RefTarget::Address(a.into())])
}

pub fn ident(i: &str) -> Refs {
    Field::Known(vec![RefTarget::Ident(i.into())])
}

/// `aws_lb.<name>` of type `lb_type` (absent = application), identifier `arn:lb/<name>`.
pub fn lb(inv: &mut Inventory, name: &str, lb_type: Field<&str>, internal: Field<bool>) {
    let lb = LoadBalancer {
        name: Field::Known(format!("clever-better-{name}")),
        load_balancer_type: lb_type.map(str::to_string),
        internal,
        ..Default::default()
    };
    let r = res(format!("aws_lb.{name}"), lb);
    inv.push(r.with_identifiers([format!("arn:lb/{name}")]));
}

/// An action of `action_type`, redirecting to `redirect` when it is a redirect.
pub fn action(action_type: &str, redirect: Field<&str>) -> ListenerAction {
    ListenerAction {
        action_type: Field::Known(action_type.into()),
        redirect_protocol: redirect.map(str::to_string),
        target_groups: Field::Absent,
    }
}

/// A listener on load balancer refs `lb`, without `ssl_policy`.
pub fn listener(lb: Refs, port: i64, protocol: &str, actions: Vec<ListenerAction>) -> Listener {
    Listener {
        load_balancer: lb,
        port: Field::Known(port),
        protocol: Field::Known(protocol.into()),
        ssl_policy: Field::Absent,
        default_actions: Field::Known(actions),
    }
}

/// Adds `aws_lb_listener.<name>`.
pub fn push_listener(inv: &mut Inventory, name: &str, l: Listener) {
    inv.push(res(format!("aws_lb_listener.{name}"), l));
}
