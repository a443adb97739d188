//! Prints the result of parsing SDL files: `cargo run -p dcloud-sdl --example sdl_check -- FILE...`.
fn main() {
    for path in std::env::args().skip(1) {
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{path}: {e}");
                continue;
            }
        };
        println!("== {path}");
        match dcloud_sdl::parse(&text) {
            Ok(sdl) => {
                println!(
                    "ok: {} group(s), hash {}",
                    sdl.groups().len(),
                    hex::encode(sdl.manifest_hash())
                );
                for w in sdl.warnings() {
                    println!("warning: {w}");
                }
            }
            Err(e) => println!("{e}"),
        }
    }
}
