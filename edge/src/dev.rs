//! Development-only routes (`config.dev`): the mail outbox, a movable clock and a way to run
//! the scheduled job, so a test can walk a whole month of trial in seconds.
//!
//! The clock offset lives in the Kv (`dev:clock-offset`), not in memory: on Workers each
//! request may meet a different isolate.

use http::StatusCode;
use http::header::ACCEPT;
use serde::Serialize;

use crate::clock::{self, Clock};
use crate::ctx::Ctx;
use crate::error::EdgeError;
use crate::forms::Form;
use crate::host::Host;
use crate::html::escape;
use crate::kv::{self, Kv};
use crate::mail::{OUTBOX_PREFIX, OutboxEntry};
use crate::response::{self, Resp};
use crate::service::Edge;
use crate::shard::Shard;

pub const CLOCK_OFFSET_KEY: &str = "dev:clock-offset";

/// How far `/_dev/clock` may move the clock from the host's, either way: 100 years, enough
/// for any trial and far from where time arithmetic or RFC 3339 years could overflow.
pub const MAX_CLOCK_OFFSET_SECS: i64 = 100 * 366 * clock::DAY;

/// The offset, from the shared object (`shard.rs`) whichever object answers.
pub(crate) async fn clock_offset(kv: &impl Kv) -> Result<i64, EdgeError> {
    Ok(kv
        .at(&Shard::Shared)
        .get(CLOCK_OFFSET_KEY)
        .await?
        .and_then(|v| v.trim().parse::<i64>().ok())
        // Whatever the Kv holds, the clock stays within the bounds `clock` keeps.
        .map_or(0, |offset| {
            offset.clamp(-MAX_CLOCK_OFFSET_SECS, MAX_CLOCK_OFFSET_SECS)
        }))
}

#[derive(Serialize)]
struct ClockState {
    offset_seconds: i64,
    now: String,
}

/// `advance=SECONDS` moves the clock forward (or back, if negative); `reset=1` clears the
/// offset. Answers the resulting state, or 400 when `advance` is not a whole number or
/// would take the offset past [`MAX_CLOCK_OFFSET_SECS`] (the offset is then unchanged).
pub(crate) async fn clock<H: Host>(edge: &Edge<H>, form: &Form) -> Result<Resp, EdgeError> {
    let kv = &edge.host().kv().at(&Shard::Shared);
    let mut offset = clock_offset(kv).await?;
    if form.get("reset") == Some("1") {
        offset = 0;
        kv.delete(CLOCK_OFFSET_KEY).await?;
    }
    if let Some(advance) = form.get("advance") {
        let Ok(seconds) = advance.trim().parse::<i64>() else {
            return Ok(response::notice(
                StatusCode::BAD_REQUEST,
                "The request was refused",
                "advance must be a whole number of seconds.",
            ));
        };
        let Some(moved) = offset
            .checked_add(seconds)
            .filter(|moved| moved.unsigned_abs() <= MAX_CLOCK_OFFSET_SECS.unsigned_abs())
        else {
            return Ok(response::notice(
                StatusCode::BAD_REQUEST,
                "The request was refused",
                "advance would move the clock more than 100 years from the real time.",
            ));
        };
        offset = moved;
        kv.put(CLOCK_OFFSET_KEY, &offset.to_string(), None).await?;
    }
    let host_now = edge.host().clock().now_ms().div_euclid(1000);
    let state = ClockState {
        offset_seconds: offset,
        now: clock::rfc3339(host_now.saturating_add(offset))?,
    };
    response::json(StatusCode::OK, &state)
}

pub(crate) async fn cron<H: Host>(edge: &Edge<H>) -> Result<Resp, EdgeError> {
    let report = edge.run_scheduled().await?;
    response::json(StatusCode::OK, &report)
}

/// Newest first; `?to=` keeps one recipient's mail. JSON for `Accept: application/json`.
pub(crate) async fn outbox<H: Host>(edge: &Edge<H>, ctx: &Ctx) -> Result<Resp, EdgeError> {
    let kv = &edge.host().kv().at(&Shard::Shared);
    let to = ctx.query.get("to").map(str::to_lowercase);
    let mut keys = kv::list_all(kv, OUTBOX_PREFIX).await?;
    keys.reverse();
    let mut entries = Vec::new();
    for key in keys {
        let Some(value) = kv.get(&key).await? else {
            continue;
        };
        let entry: OutboxEntry =
            serde_json::from_str(&value).map_err(|source| EdgeError::Corrupt { key, source })?;
        if to.as_ref().is_none_or(|to| entry.to.to_lowercase() == *to) {
            entries.push(entry);
        }
    }
    let wants_json = ctx
        .headers
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    if wants_json {
        return response::json(StatusCode::OK, &entries);
    }
    let mut body = String::from(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>Outbox</title>\n</head>\n<body>\n<main>\n<h1>Outbox</h1>\n\
         <p>Mail sent in development, newest first. Nothing here left this machine.</p>\n",
    );
    if entries.is_empty() {
        body.push_str("<p>No mail yet.</p>\n");
    }
    for entry in &entries {
        body.push_str(&format!(
            "<article>\n<h2>{}</h2>\n<p>To {} at {}</p>\n<pre>{}</pre>\n",
            escape(&entry.subject),
            escape(&entry.to),
            escape(&entry.sent_at),
            escape(&entry.text)
        ));
        if !entry.links.is_empty() {
            body.push_str("<ul>\n");
            for link in &entry.links {
                body.push_str(&format!(
                    "<li><a href=\"{}\">{}</a></li>\n",
                    escape(link),
                    escape(link)
                ));
            }
            body.push_str("</ul>\n");
        }
        body.push_str("</article>\n");
    }
    body.push_str("</main>\n</body>\n</html>\n");
    Ok(response::html(StatusCode::OK, body))
}

impl<H: Host> Edge<H> {
    /// The core's time in Unix seconds: the host clock plus, in development, the offset set
    /// with `POST /_dev/clock` (kept in the Kv so every worker instance sees it).
    pub async fn now(&self) -> Result<i64, EdgeError> {
        let secs = self.host().clock().now_ms().div_euclid(1000);
        if !self.config().dev {
            return Ok(secs);
        }
        Ok(secs.saturating_add(clock_offset(self.host().kv()).await?))
    }
}
