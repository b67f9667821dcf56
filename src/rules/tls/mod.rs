//! CB-TLS-* rules.
