//! Randomness. Only behind this trait: the native host uses the OS (getrandom), the Workers
//! host `crypto.getRandomValues`, tests a seeded generator.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::RngError;

pub trait Rng {
    /// Fills `buf` with cryptographically secure random bytes.
    fn fill(&self, buf: &mut [u8]) -> Result<(), RngError>;
}

/// Deterministic bytes for tests (SplitMix64). Never use it to serve readers: its output is
/// predictable from the seed.
#[derive(Debug)]
pub struct SeededRng {
    state: AtomicU64,
}

impl SeededRng {
    pub fn new(seed: u64) -> Self {
        Self {
            state: AtomicU64::new(seed),
        }
    }

    fn next_u64(&self) -> u64 {
        const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;
        // SplitMix64's state only ever advances by a constant, so one atomic add keeps
        // concurrent callers from ever seeing the same value.
        let mut z = self
            .state
            .fetch_add(GAMMA, Ordering::Relaxed)
            .wrapping_add(GAMMA);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

impl Rng for SeededRng {
    fn fill(&self, buf: &mut [u8]) -> Result<(), RngError> {
        for chunk in buf.chunks_mut(8) {
            let bytes = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
        Ok(())
    }
}

/// `N` random bytes.
pub fn random_bytes<const N: usize>(rng: &impl Rng) -> Result<[u8; N], RngError> {
    let mut buf = [0u8; N];
    rng.fill(&mut buf)?;
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_rng_is_deterministic_and_varies() -> Result<(), RngError> {
        let a = SeededRng::new(7);
        let b = SeededRng::new(7);
        let first: [u8; 13] = random_bytes(&a)?;
        assert_eq!(first, random_bytes::<13>(&b)?);
        assert_ne!(first, random_bytes::<13>(&a)?);
        Ok(())
    }
}
