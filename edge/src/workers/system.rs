//! `Date.now()` and `crypto.getRandomValues` (through getrandom's `wasm_js` backend).

use crate::clock::Clock;
use crate::error::RngError;
use crate::rng::Rng;

/// The isolate's wall clock. Inside a request Workers freeze it between I/O operations
/// (a Spectre mitigation), which is fine for timestamps measured in seconds.
#[derive(Debug, Clone, Copy, Default)]
pub struct DateClock;

impl Clock for DateClock {
    fn now_ms(&self) -> i64 {
        // `as` saturates (and maps NaN to 0); Date.now() is an integral f64 anyway.
        worker::js_sys::Date::now() as i64
    }
}

/// `crypto.getRandomValues`: the runtime's CSPRNG.
#[derive(Debug, Clone, Copy, Default)]
pub struct CryptoRng;

impl Rng for CryptoRng {
    fn fill(&self, buf: &mut [u8]) -> Result<(), RngError> {
        getrandom::fill(buf).map_err(|e| RngError::new(e.to_string()))
    }
}
