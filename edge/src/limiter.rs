//! Rate limiting. [`KvLimiter`] keeps fixed-window counters in the Kv and counts with
//! [`kv::update`](crate::kv::update), so a counter is exact: a burst of parallel requests
//! gets `limit` through, never more. The Workers host puts the rate-limiting binding in
//! front of it for the per-IP counters. [`network`] names the client network a per-IP or
//! per-network counter is keyed on.

use std::net::{IpAddr, Ipv6Addr};

use serde::{Deserialize, Serialize};

use crate::error::LimitError;
use crate::kv::{Change, Kv, MIN_TTL_SECS, Txn, update};
use crate::shard::Shard;

/// At most `limit` events per `window_secs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    pub limit: u32,
    pub window_secs: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    /// Over the limit; the window ends in `retry_after_secs` (at least 1).
    Limited {
        retry_after_secs: u64,
    },
}

/// The client network a counter is keyed on: an IPv4 address itself, an IPv6 address's /64
/// (`2001:db8:1:2::/64`: one subscriber usually holds a whole /64, so counting single IPv6
/// addresses would give them 2^64 tries), and `unknown` when the host does not know the
/// client. IPv4-mapped IPv6 addresses count as the IPv4 address.
pub fn network(ip: Option<IpAddr>) -> String {
    match ip.map(|ip| ip.to_canonical()) {
        Some(IpAddr::V4(v4)) => v4.to_string(),
        Some(IpAddr::V6(v6)) => {
            let prefix = u128::from(v6) & !(u128::from(u64::MAX));
            format!("{}/64", Ipv6Addr::from(prefix))
        }
        None => "unknown".to_owned(),
    }
}

/// `key` names one counter, e.g. `sign-in-fail:<email>`; the limiter adds its own prefix.
///
/// A flow checks its counters before it reads the form (a refused request is never
/// counted), then takes its place with `acquire` before the costly or sensitive step: the
/// check and the count are one atomic step, so parallel requests cannot all pass a check
/// that only one of them should. A place taken for an attempt that turns out not to count
/// (a right password on the failure counters) is given back with `release`.
#[allow(async_fn_in_trait)]
pub trait Limiter: Clone {
    /// Whether the counter is full, counting nothing.
    async fn check(&self, key: &str, rule: Rule, now_secs: i64) -> Result<Verdict, LimitError>;
    /// Counts one event if the counter is below its limit: `Allowed` means counted,
    /// `Limited` means refused and not counted.
    async fn acquire(&self, key: &str, rule: Rule, now_secs: i64) -> Result<Verdict, LimitError>;
    /// Gives back one event `acquire` counted at `now_secs`.
    async fn release(&self, key: &str, rule: Rule, now_secs: i64) -> Result<(), LimitError>;
    /// The same limiter on the counters another object holds ([`Kv::at`]).
    fn at(&self, shard: &Shard) -> Self;
}

/// Fixed windows aligned to multiples of `window_secs` on the core's clock, one Kv counter
/// per window: `rl:<key>:<window start>`.
#[derive(Debug, Clone)]
pub struct KvLimiter<K> {
    kv: K,
}

impl<K: Kv> KvLimiter<K> {
    pub fn new(kv: K) -> Self {
        Self { kv }
    }
}

fn window(rule: Rule, now_secs: i64) -> (i64, u64) {
    let len = i64::try_from(rule.window_secs.max(1)).unwrap_or(i64::MAX);
    let start = now_secs.div_euclid(len) * len;
    let left = u64::try_from(start.saturating_add(len) - now_secs).unwrap_or(1);
    (start, left.max(1))
}

fn counter_key(key: &str, start: i64) -> String {
    format!("rl:{key}:{start}")
}

impl<K: Kv> KvLimiter<K> {
    async fn count(&self, key: &str) -> Result<u32, LimitError> {
        Ok(self.kv.get(key).await?.map_or(0, |v| parse(Some(&v))))
    }

    /// Adds `step` to the counter of `key`'s window unless `refuse(count)`; the count seen.
    async fn change(
        &self,
        key: &str,
        rule: Rule,
        now_secs: i64,
        step: i64,
        refuse: impl Fn(u32) -> bool,
    ) -> Result<Result<u32, u32>, LimitError> {
        let (start, _) = window(rule, now_secs);
        let key = counter_key(key, start);
        // The counter must outlive its window (in real time, which may differ from the core's
        // clock in development); a few spare windows are cheap.
        let ttl = rule.window_secs.saturating_mul(2).max(MIN_TTL_SECS);
        update(&self.kv, &key, |current| {
            let count = parse(current);
            if refuse(count) {
                return Ok(Change::Keep(Err(count)));
            }
            let next = u32::try_from((i64::from(count) + step).max(0)).unwrap_or(u32::MAX);
            Ok(Change::Commit(
                Txn::new().put(key.as_str(), next.to_string(), Some(ttl)),
                Ok(next),
            ))
        })
        .await
        .map_err(|e| LimitError::new(e.to_string()))
    }
}

fn parse(value: Option<&str>) -> u32 {
    value.and_then(|v| v.parse().ok()).unwrap_or(0)
}

impl<K: Kv> Limiter for KvLimiter<K> {
    fn at(&self, shard: &Shard) -> Self {
        KvLimiter::new(self.kv.at(shard))
    }

    async fn check(&self, key: &str, rule: Rule, now_secs: i64) -> Result<Verdict, LimitError> {
        let (start, left) = window(rule, now_secs);
        let count = self.count(&counter_key(key, start)).await?;
        Ok(if count >= rule.limit {
            Verdict::Limited {
                retry_after_secs: left,
            }
        } else {
            Verdict::Allowed
        })
    }

    async fn acquire(&self, key: &str, rule: Rule, now_secs: i64) -> Result<Verdict, LimitError> {
        let (_, left) = window(rule, now_secs);
        let counted = self
            .change(key, rule, now_secs, 1, |count| count >= rule.limit)
            .await?;
        Ok(match counted {
            Ok(_) => Verdict::Allowed,
            Err(_) => Verdict::Limited {
                retry_after_secs: left,
            },
        })
    }

    async fn release(&self, key: &str, rule: Rule, now_secs: i64) -> Result<(), LimitError> {
        self.change(key, rule, now_secs, -1, |count| count == 0)
            .await
            .map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kv::MemoryKv;

    fn run<F: std::future::Future>(future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        match future.as_mut().poll(&mut cx) {
            std::task::Poll::Ready(output) => output,
            std::task::Poll::Pending => panic!("the in-memory store never waits"),
        }
    }

    #[test]
    fn networks_are_ipv4_addresses_and_ipv6_slash_64s() {
        let ip = |s: &str| s.parse::<IpAddr>().ok();
        assert_eq!(network(ip("192.0.2.7")), "192.0.2.7");
        assert_eq!(network(ip("2001:db8:1:2:aaaa::1")), "2001:db8:1:2::/64");
        assert_eq!(
            network(ip("2001:db8:1:2:ffff:ffff:ffff:ffff")),
            "2001:db8:1:2::/64"
        );
        assert_eq!(network(ip("2001:db8:1:3::1")), "2001:db8:1:3::/64");
        assert_eq!(network(ip("::ffff:192.0.2.7")), "192.0.2.7");
        assert_eq!(network(ip("::1")), "::/64");
        assert_eq!(network(None), "unknown");
    }

    #[test]
    fn fixed_window_counts_and_resets() -> Result<(), LimitError> {
        let limiter = KvLimiter::new(MemoryKv::new());
        let rule = Rule {
            limit: 2,
            window_secs: 60,
        };
        let now = 6_000 + 45; // 45 s into a window
        assert_eq!(run(limiter.check("k", rule, now))?, Verdict::Allowed);
        assert_eq!(run(limiter.acquire("k", rule, now))?, Verdict::Allowed);
        assert_eq!(run(limiter.acquire("k", rule, now + 1))?, Verdict::Allowed);
        assert_eq!(
            run(limiter.acquire("k", rule, now + 1))?,
            Verdict::Limited {
                retry_after_secs: 14
            },
            "a full counter refuses and does not count"
        );
        assert_eq!(
            run(limiter.check("k", rule, now + 2))?,
            Verdict::Limited {
                retry_after_secs: 13
            }
        );
        assert_eq!(run(limiter.check("other", rule, now))?, Verdict::Allowed);
        assert_eq!(run(limiter.check("k", rule, 6_060))?, Verdict::Allowed);
        run(limiter.release("k", rule, now + 3))?;
        assert_eq!(run(limiter.check("k", rule, now + 3))?, Verdict::Allowed);
        assert_eq!(run(limiter.acquire("k", rule, now + 3))?, Verdict::Allowed);
        run(limiter.release("empty", rule, now))?;
        assert_eq!(
            run(limiter.count(&counter_key("empty", 6_000)))?,
            0,
            "releasing an empty counter leaves it at zero"
        );
        Ok(())
    }
}
