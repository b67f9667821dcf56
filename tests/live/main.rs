//! Live-source tests: the real AWS SDK for Rust over HTTP against moto's server on
//! loopback, seeded with the documented architecture.

mod account_block;
mod accounts;
mod aggregator;
mod audit_regions;
mod baseline;
mod cli_errors;
mod clusters;
mod corrupt;
mod equivalence;
mod faults;
mod harness;
#[path = "../common/json_scan.rs"]
mod json_scan;
mod operations;
mod permissions;
mod progress;
mod proxy;
mod replay;
mod scope;
mod secrets;
mod seed;
mod seed_audit;
mod seed_compute;
mod seed_database;
mod seed_edge;
mod seed_identity;
mod seed_network;
mod seed_regions;
mod seed_storage;
mod waivers;
