//! CB-ECS-* rules.

pub mod bot_single_instance;
pub mod health_check;
pub mod ml_service_ha;
pub mod private_networking;
pub mod secrets_not_in_env;
mod services;
pub mod task_size;
