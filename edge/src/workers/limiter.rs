//! Rate limiting on Workers: the per-IP counters go to the rate-limiting binding
//! (`RATE_LIMITER`, `[[ratelimits]]` in wrangler.toml) when it is bound; everything else
//! stays on the core's [`KvLimiter`].
//!
//! Why the split: the binding is made for "N requests per key per 10 or 60 s" and needs no
//! KV write per request, which matters for the per-IP counters (the hottest keys; Workers
//! KV allows about one write per second per key). But it cannot do what the other rules
//! need: it counts on every call (no "check without counting"), its period is 10 or 60 s
//! (the per-address rules use 15 minutes and count only failures), and it runs on real time
//! (the development clock cannot move its windows). So the per-address rules — failed
//! sign-ins, mails per address — keep their exact semantics in the Kv.
//!
//! In development (`DEV`) the binding is not used: the development clock must move every
//! window, as it does in `gatehouse serve`, and a test suite must not depend on how many
//! requests it makes per real minute.
//!
//! Differences for the per-IP rule when the binding is used: its limit and period come from
//! wrangler.toml (`simple = { limit, period }`), not from `Limits::posts_per_ip`; every POST
//! that reaches a flow's gate is counted, including the ones then refused (422) or limited
//! (429); counts are per Cloudflare location; `Retry-After` is the period. The binding's key
//! is the core's counter key, `ip:<route>:<network>` ([`network`](crate::limiter::network)),
//! so an IPv6 client is counted on its /64 there as in the Kv.

use worker::RateLimiter;

use crate::error::LimitError;
use crate::kv::Kv;
use crate::limiter::{KvLimiter, Limiter, Rule, Verdict};

/// The binding's only periods.
const BINDING_PERIODS: [u64; 2] = [10, 60];

pub struct WorkersLimiter<K> {
    kv: KvLimiter<K>,
    binding: Option<RateLimiter>,
}

impl<K> std::fmt::Debug for WorkersLimiter<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkersLimiter")
            .field("binding", &self.binding.is_some())
            .finish_non_exhaustive()
    }
}

impl<K: Kv> WorkersLimiter<K> {
    pub fn new(kv: K, binding: Option<RateLimiter>) -> Self {
        Self {
            kv: KvLimiter::new(kv),
            binding,
        }
    }

    /// The binding, if it should handle this counter.
    fn binding_for(&self, key: &str, rule: Rule) -> Option<&RateLimiter> {
        let per_ip = key.starts_with("ip:");
        let period_fits = BINDING_PERIODS.contains(&rule.window_secs);
        self.binding.as_ref().filter(|_| per_ip && period_fits)
    }
}

impl<K: Kv> Limiter for WorkersLimiter<K> {
    async fn check(&self, key: &str, rule: Rule, now_secs: i64) -> Result<Verdict, LimitError> {
        let Some(binding) = self.binding_for(key, rule) else {
            return self.kv.check(key, rule, now_secs).await;
        };
        let outcome = binding
            .limit(key.to_owned())
            .await
            .map_err(|e| LimitError::new(format!("rate-limiting binding: {e}")))?;
        Ok(if outcome.success {
            Verdict::Allowed
        } else {
            Verdict::Limited {
                retry_after_secs: rule.window_secs.max(1),
            }
        })
    }

    async fn record(&self, key: &str, rule: Rule, now_secs: i64) -> Result<(), LimitError> {
        if self.binding_for(key, rule).is_some() {
            // Counted by `check`: the binding has no separate "count" call.
            return Ok(());
        }
        self.kv.record(key, rule, now_secs).await
    }
}
