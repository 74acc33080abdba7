//! Runs one target on files: `cargo run -p gatehouse-fuzz --example replay -- TARGET FILE…`
//! (a saved case, or what cargo-fuzz left in fuzz/artifacts/).

fn main() {
    let mut args = std::env::args().skip(1);
    let target = args.next().unwrap_or_default();
    for file in args {
        match std::fs::read(&file) {
            Ok(data) => {
                let started = std::time::Instant::now();
                gatehouse_fuzz::run(&target, &data);
                eprintln!("{file}: ok in {:?}", started.elapsed());
            }
            Err(e) => eprintln!("{file}: {e}"),
        }
    }
}
