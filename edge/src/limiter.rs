//! Rate limiting. The default [`KvLimiter`] is a fixed-window counter in the Kv: cheap and
//! good enough against scripts, though not exact (no atomic increment in KV; see
//! `edge/README.md`). A Workers host can swap in the rate-limiting binding. [`network`]
//! names the client network a per-IP or per-network counter is keyed on.

use std::net::{IpAddr, Ipv6Addr};

use serde::{Deserialize, Serialize};

use crate::error::LimitError;
use crate::kv::{Kv, MIN_TTL_SECS};

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
/// Checking and counting are separate so a flow can count only failures (sign-in) and so a
/// refused request is never counted.
#[allow(async_fn_in_trait)]
pub trait Limiter {
    async fn check(&self, key: &str, rule: Rule, now_secs: i64) -> Result<Verdict, LimitError>;
    async fn record(&self, key: &str, rule: Rule, now_secs: i64) -> Result<(), LimitError>;
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
        Ok(self
            .kv
            .get(key)
            .await?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0))
    }
}

impl<K: Kv> Limiter for KvLimiter<K> {
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

    async fn record(&self, key: &str, rule: Rule, now_secs: i64) -> Result<(), LimitError> {
        let (start, _) = window(rule, now_secs);
        let key = counter_key(key, start);
        let count = self.count(&key).await?;
        // The counter must outlive its window (in real time, which may differ from the core's
        // clock in development); a few spare windows are cheap.
        let ttl = rule.window_secs.saturating_mul(2).max(MIN_TTL_SECS);
        self.kv
            .put(&key, &count.saturating_add(1).to_string(), Some(ttl))
            .await?;
        Ok(())
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
        run(limiter.record("k", rule, now))?;
        run(limiter.record("k", rule, now + 1))?;
        assert_eq!(
            run(limiter.check("k", rule, now + 2))?,
            Verdict::Limited {
                retry_after_secs: 13
            }
        );
        assert_eq!(run(limiter.check("other", rule, now))?, Verdict::Allowed);
        assert_eq!(run(limiter.check("k", rule, 6_060))?, Verdict::Allowed);
        Ok(())
    }
}
