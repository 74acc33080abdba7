//! Gatehouse's onboarding backend: register, verify the email address, sign in, reset a
//! forgotten password, and the 30-day Plus trial with its end-of-trial choice.
//!
//! The crate is one host-independent core and the pieces that differ per host:
//!
//! - The core ([`Edge`]) turns an `http::Request<Bytes>` into an `http::Response<Bytes>`. It
//!   never touches the network, files, the system clock or OS randomness, so it compiles to
//!   `wasm32-unknown-unknown` for the Cloudflare Workers host as well as natively.
//! - A [`Host`] bundles what differs: [`Kv`] (modelled on Workers KV), [`Mailer`], [`Clock`],
//!   [`Rng`], [`Limiter`] and [`Pages`] (the built HTML of the site's form pages).
//! - [`native`] (not on wasm32) has the `gatehouse serve` host: a redb-backed Kv, the system
//!   clock and OS randomness; development mail goes to the Kv outbox ([`OutboxMailer`]).
//! - `workers` (wasm32 only) has the Cloudflare Workers host: Workers KV, the ASSETS and
//!   rate-limiting bindings, an HTTP mail API, and the `fetch` and `scheduled` entries.
//!
//! Traits use `async fn` without `Send` bounds because Workers futures are not `Send`; the
//! native host runs the core on a current-thread runtime (with the native pieces, the
//! futures happen to be `Send` too).
//!
//! The `core` feature (on by default) is all of the above. Without it the crate is only
//! [`routes`] (the route table, for hosts and the generator's link checker), [`html`]
//! (the project's HTML escaper) and [`reader`] (what pages may know of their reader, for
//! the generator's checks), which need nothing but the `http` crate.
//!
//! `docs/content/backend.md` maps the modules, lays out the store's keys and walks through
//! what each flow needs of its consistency.

#![forbid(unsafe_code)]
#![allow(async_fn_in_trait)]

pub mod dates;
pub mod html;
pub mod reader;
pub mod routes;

#[cfg(feature = "core")]
pub mod accounts;
#[cfg(feature = "core")]
pub mod clock;
#[cfg(feature = "core")]
pub mod config;
#[cfg(feature = "core")]
mod ctx;
#[cfg(feature = "core")]
mod dev;
#[cfg(feature = "core")]
pub mod error;
#[cfg(feature = "core")]
mod flows;
#[cfg(feature = "core")]
pub mod forms;
#[cfg(feature = "core")]
mod host;
#[cfg(feature = "core")]
pub mod kv;
#[cfg(feature = "core")]
pub mod limiter;
#[cfg(feature = "core")]
pub mod mail;
#[cfg(feature = "core")]
pub mod pages;
#[cfg(feature = "core")]
pub mod password;
#[cfg(feature = "core")]
pub mod personalize;
#[cfg(feature = "core")]
pub mod placement;
#[cfg(feature = "core")]
mod response;
#[cfg(feature = "core")]
pub mod rng;
#[cfg(feature = "core")]
mod router;
#[cfg(feature = "core")]
mod service;
#[cfg(feature = "core")]
pub mod sessions;
#[cfg(feature = "core")]
pub mod shard;
#[cfg(feature = "core")]
pub mod tokens;
#[cfg(feature = "core")]
pub mod trial;

#[cfg(all(feature = "core", not(target_arch = "wasm32")))]
pub mod native;

#[cfg(all(feature = "core", target_arch = "wasm32"))]
pub mod workers;

#[cfg(feature = "core")]
pub use crate::{
    clock::{Clock, ManualClock},
    config::{ConfigError, EdgeConfig, Limits},
    error::{EdgeError, KvError, LimitError, MailError, RngError},
    host::{Host, Services},
    kv::{Kv, ListPage, MemoryKv, Txn, Write},
    limiter::{KvLimiter, Limiter, Rule, Verdict},
    mail::{CapturingMailer, Deferred, Mail, Mailer, OutboxEntry, OutboxMailer},
    pages::{NoPages, Pages, StaticPages},
    response::add_site_headers,
    rng::{Rng, SeededRng},
    router::Answer,
    service::Edge,
    trial::ScheduledReport,
};
