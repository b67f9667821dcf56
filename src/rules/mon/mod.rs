//! CB-MON-* rules.
