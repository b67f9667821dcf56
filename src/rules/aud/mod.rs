//! CB-AUD-* rules.
