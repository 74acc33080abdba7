//! Rate limiting on Workers: every counter is the core's [`KvLimiter`] in the Durable
//! Object store, so it is exact (a burst gets `limit` through, never more). The per-IP
//! counters also go through the rate-limiting binding (`RATE_LIMITER`, `[[ratelimits]]` in
//! wrangler.toml) first when it is bound: a cheap brake at the edge location, in front of
//! the store, against a flood from one network.
//!
//! The binding is only a first brake because it cannot do what the rules need: it counts
//! on every call (no "check without counting", no giving back), its period is 10 or 60 s,
//! it counts per Cloudflare location, and it runs on real time (the development clock
//! cannot move its windows). In development (`DEV`) it is not used at all, so a test suite
//! does not depend on how many requests it makes per real minute.
//!
//! When it is used, its limit and period come from wrangler.toml (`simple = { limit,
//! period }`), on top of `Limits::posts_per_ip`; its key is the core's counter key,
//! `ip:<route>:<network>` ([`network`](crate::limiter::network)), so an IPv6 client is
//! counted on its /64 there as in the store; a request it refuses gets the period as its
//! `Retry-After`.

use std::rc::Rc;

use worker::RateLimiter;

use crate::error::LimitError;
use crate::kv::Kv;
use crate::limiter::{KvLimiter, Limiter, Rule, Verdict};
use crate::shard::Shard;

#[derive(Clone)]
pub struct WorkersLimiter<K> {
    kv: KvLimiter<K>,
    binding: Option<Rc<RateLimiter>>,
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
            binding: binding.map(Rc::new),
        }
    }

    /// The binding, if this counter goes through it first (the per-IP ones).
    fn binding_for(&self, key: &str) -> Option<&RateLimiter> {
        self.binding.as_deref().filter(|_| key.starts_with("ip:"))
    }
}

impl<K: Kv> Limiter for WorkersLimiter<K> {
    fn at(&self, shard: &Shard) -> Self {
        Self {
            kv: self.kv.at(shard),
            binding: self.binding.clone(),
        }
    }

    async fn check(&self, key: &str, rule: Rule, now_secs: i64) -> Result<Verdict, LimitError> {
        self.kv.check(key, rule, now_secs).await
    }

    async fn acquire(&self, key: &str, rule: Rule, now_secs: i64) -> Result<Verdict, LimitError> {
        if let Some(binding) = self.binding_for(key) {
            let outcome = binding
                .limit(key.to_owned())
                .await
                .map_err(|e| LimitError::new(format!("rate-limiting binding: {e}")))?;
            if !outcome.success {
                return Ok(Verdict::Limited {
                    retry_after_secs: rule.window_secs.max(1),
                });
            }
        }
        self.kv.acquire(key, rule, now_secs).await
    }

    async fn release(&self, key: &str, rule: Rule, now_secs: i64) -> Result<(), LimitError> {
        self.kv.release(key, rule, now_secs).await
    }
}
