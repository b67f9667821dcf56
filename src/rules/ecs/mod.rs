//! CB-ECS-* rules.
