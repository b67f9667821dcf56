//! cbaudit's development tasks, run with `cargo xtask <task>` (see `src/main.rs`). A library
//! too, so that cbaudit's own tests (`tests/new_rule.rs`) run the scaffold on a copy of the
//! repository.

pub mod new_rule;
