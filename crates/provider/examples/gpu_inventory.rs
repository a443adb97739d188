//! Prints the host's detected capacity (GPUs through NVML) as JSON.
//!
//! `cargo run -p dcloud-provider --example gpu_inventory [STATE_DIR]`

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    match dcloud_provider::cluster::detect::detect_capacity(std::path::Path::new(&dir)) {
        Ok(c) => match serde_json::to_string_pretty(&c) {
            Ok(s) => println!("{s}"),
            Err(e) => eprintln!("encoding: {e}"),
        },
        Err(e) => {
            eprintln!("detecting capacity: {e}");
            std::process::exit(1);
        }
    }
}
