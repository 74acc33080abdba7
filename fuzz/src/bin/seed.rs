//! Writes each fuzz target's seed corpus and dictionary for libFuzzer:
//! `OUT/<target>/<n>` and `OUT/<target>.dict` (`fuzz/run.sh` calls it).

use std::path::PathBuf;

use gatehouse_fuzz::{TARGETS, corpus};

fn main() -> std::io::Result<()> {
    let out = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "target/fuzz-corpus".into()),
    );
    for target in TARGETS {
        let dir = out.join(target.name);
        std::fs::create_dir_all(&dir)?;
        for (n, input) in corpus(target).iter().enumerate() {
            std::fs::write(dir.join(format!("seed-{n:04}")), input)?;
        }
        let mut dict = String::new();
        for word in target.dictionary {
            dict.push('"');
            for byte in word.bytes() {
                match byte {
                    b'"' | b'\\' => dict.push_str(&format!("\\{}", byte as char)),
                    0x20..=0x7e => dict.push(byte as char),
                    _ => dict.push_str(&format!("\\x{byte:02X}")),
                }
            }
            dict.push_str("\"\n");
        }
        std::fs::write(out.join(format!("{}.dict", target.name)), dict)?;
    }
    Ok(())
}
