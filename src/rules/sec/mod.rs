//! CB-SEC-* rules.
