//! Writes a realistic Terraform plan JSON of N resources to standard output.
//!
//!     cargo run --release --example gen-plan -- 10000 > /tmp/plan-10k.json

#[path = "../benches/plangen.rs"]
mod plangen;

fn main() {
    let n: usize = match std::env::args().nth(1).map(|a| a.parse()) {
        Some(Ok(n)) => n,
        _ => {
            eprintln!("usage: gen-plan RESOURCES > plan.json");
            std::process::exit(2);
        }
    };
    println!("{}", plangen::generate(n));
}
