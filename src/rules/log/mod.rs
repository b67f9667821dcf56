//! CB-LOG-* rules.
