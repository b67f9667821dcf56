//! Which load balancer a listener belongs to (shared by CB-TLS-001 and CB-TLS-002).

use crate::model::{Inventory, Listener, LoadBalancer, Unknown, View};

/// Whether the listener belongs to an application load balancer (`load_balancer_type`
/// not set = application), or why that is unknown.
pub fn on_application_lb(inv: &Inventory, listener: &View<'_, Listener>) -> Result<bool, Unknown> {
    let lb = inv
        .resolve_one::<LoadBalancer>(&listener.load_balancer)?
        .ok_or_else(|| Unknown::NotInInputs("the listener's load balancer".to_string()))?;
    let is = lb.is_application().try_value()?.copied();
    Ok(is.unwrap_or(true))
}
