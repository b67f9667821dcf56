//! CB-SG-* rules.
