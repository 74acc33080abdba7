//! The backend core, [`Edge`]: the host and the settings every flow reads. What it
//! does lives with each concern: answering a request in [`crate::router`], the daily
//! job in [`crate::trial`], the core's clock in [`crate::dev`].

use crate::config::EdgeConfig;
use crate::host::Host;

/// The backend core. Cheap to share behind an `Rc`/`Arc`; holds no per-request state.
pub struct Edge<H: Host> {
    host: H,
    config: EdgeConfig,
    origin: Option<String>,
}

impl<H: Host> Edge<H> {
    pub fn new(host: H, config: EdgeConfig) -> Self {
        let origin = config.origin();
        Self {
            host,
            config,
            origin,
        }
    }

    pub fn host(&self) -> &H {
        &self.host
    }

    pub fn config(&self) -> &EdgeConfig {
        &self.config
    }

    /// `base_url`'s origin, for the cross-site check.
    pub(crate) fn origin(&self) -> Option<&str> {
        self.origin.as_deref()
    }
}
