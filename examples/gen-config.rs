//! Writes a generated Terraform configuration of N resources (10 per file) into DIR.
//!
//!     cargo run --release --example gen-config -- 2000 /tmp/config-2k

#[path = "../benches/configgen.rs"]
mod configgen;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(Ok(n)), Some(dir)) = (args.get(1).map(|a| a.parse::<usize>()), args.get(2)) else {
        eprintln!("usage: gen-config RESOURCES DIR");
        std::process::exit(2);
    };
    let dir = std::path::Path::new(dir);
    std::fs::create_dir_all(dir).expect("mkdir");
    configgen::generate(dir, n);
}
