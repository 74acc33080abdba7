//! Every fuzz target as a property test: its saved cases, then mutations of its corpus
//! for a fixed time (`GATEHOUSE_FUZZ_SECS` per target, 3 s by default; CI keeps the
//! default, a long run sets it). An input that panics, breaks an invariant or takes over
//! `HANG` fails, shrunk to a small one, with the seed to run it again
//! (`GATEHOUSE_FUZZ_SEED`).
//!
//! The mutations are what the corpus's parsers meet in practice: a piece of their
//! syntax inserted (the target's dictionary), a stretch deleted or repeated (long
//! lines), a byte replaced, random text pasted.

use std::time::{Duration, Instant};

use gatehouse_fuzz::{HANG, TARGETS, Target, cases, corpus};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};

#[derive(Debug, Clone)]
enum Mutation {
    Insert { at: f64, word: usize },
    Delete { at: f64, len: usize },
    Repeat { at: f64, len: usize, times: usize },
    Replace { at: f64, byte: u8 },
    Paste { at: f64, text: Vec<u8> },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let at = 0.0..=1.0f64;
    prop_oneof![
        4 => (at.clone(), any::<usize>()).prop_map(|(at, word)| Mutation::Insert { at, word }),
        2 => (at.clone(), 1..64usize).prop_map(|(at, len)| Mutation::Delete { at, len }),
        2 => (at.clone(), 1..16usize, 2..2000usize)
            .prop_map(|(at, len, times)| Mutation::Repeat { at, len, times }),
        1 => (at.clone(), any::<u8>()).prop_map(|(at, byte)| Mutation::Replace { at, byte }),
        1 => (at, proptest::collection::vec(any::<u8>(), 0..32))
            .prop_map(|(at, text)| Mutation::Paste { at, text }),
    ]
}

fn apply(seed: &[u8], mutations: &[Mutation], dictionary: &[&str]) -> Vec<u8> {
    let mut data = seed.to_vec();
    for m in mutations {
        let pos = |at: f64, len: usize| ((at * len as f64) as usize).min(len);
        match m {
            Mutation::Insert { at, word } => {
                if let Some(word) = dictionary.get(word % dictionary.len().max(1)) {
                    let i = pos(*at, data.len());
                    data.splice(i..i, word.bytes());
                }
            }
            Mutation::Delete { at, len } => {
                let i = pos(*at, data.len());
                let end = (i + len).min(data.len());
                data.drain(i..end);
            }
            Mutation::Repeat { at, len, times } => {
                let i = pos(*at, data.len());
                let end = (i + len).min(data.len());
                let piece = data[i..end].to_vec();
                if data.len() + piece.len() * times < 64 * 1024 {
                    for _ in 0..*times {
                        data.splice(end..end, piece.iter().copied());
                    }
                }
            }
            Mutation::Replace { at, byte } => {
                let i = pos(*at, data.len());
                if let Some(b) = data.get_mut(i) {
                    *b = *byte;
                }
            }
            Mutation::Paste { at, text } => {
                let i = pos(*at, data.len());
                data.splice(i..i, text.iter().copied());
            }
        }
    }
    data
}

/// Runs one input, failing it on a panic or a hang.
fn check(target: &Target, data: &[u8]) -> Result<(), TestCaseError> {
    let started = Instant::now();
    let outcome = std::panic::catch_unwind(|| (target.run)(data));
    let took = started.elapsed();
    if outcome.is_err() {
        return Err(TestCaseError::fail(format!("{} panicked", target.name)));
    }
    // `HANG` is for an optimised build; CI runs these unoptimised, several times slower.
    let limit = if cfg!(debug_assertions) {
        HANG * 8
    } else {
        HANG
    };
    if took > limit {
        return Err(TestCaseError::fail(format!(
            "{} took {took:?}",
            target.name
        )));
    }
    Ok(())
}

fn fuzz(name: &str) {
    let target = TARGETS.iter().find(|t| t.name == name).expect("target");
    for (path, data) in cases(target) {
        if let Err(e) = check(target, &data) {
            panic!("{}: {e}", path.display());
        }
    }
    let seeds = corpus(target);
    let secs: u64 = std::env::var("GATEHOUSE_FUZZ_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut seed: u64 = std::env::var("GATEHOUSE_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(1)
        });
    let strategy = (0..seeds.len(), proptest::collection::vec(mutation(), 0..8));
    let mut inputs = 0u64;
    while Instant::now() < deadline {
        let mut bytes = [0u8; 32];
        bytes[..8].copy_from_slice(&seed.to_le_bytes());
        let config = Config {
            cases: 32,
            failure_persistence: None,
            max_shrink_time: 30_000,
            ..Config::default()
        };
        let mut runner =
            TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &bytes));
        let result = runner.run(&strategy, |(which, mutations)| {
            let data = apply(&seeds[which], &mutations, target.dictionary);
            check(target, &data).map_err(|e| {
                TestCaseError::fail(format!("{e} on {:?}", String::from_utf8_lossy(&data)))
            })
        });
        if let Err(e) = result {
            panic!("{name}, GATEHOUSE_FUZZ_SEED={seed}: {e}");
        }
        inputs += 32;
        seed = seed.wrapping_add(1);
    }
    eprintln!("{name}: {inputs} inputs in {secs} s, no failure");
}

macro_rules! targets {
    ($($name:ident),* $(,)?) => {
        $(#[test]
        fn $name() {
            fuzz(stringify!($name));
        })*

        /// Every target has its test here.
        #[test]
        fn every_target_is_tested() {
            let tested = [$(stringify!($name)),*];
            for target in TARGETS {
                assert!(tested.contains(&target.name), "{} has no test", target.name);
            }
        }
    };
}

targets!(
    page,
    diagrams,
    front_matter,
    variables,
    shortcodes,
    attributes,
    markdown,
    fences,
    highlight,
    search,
    forms,
    cookies,
    requests,
);
