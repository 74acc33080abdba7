//! The 30-day Plus trial and the scheduled job that ends it.
//!
//! The trial starts at the first successful sign-in. Ending it needs a job, since nothing
//! else happens at day 27 or day 30. KV cannot query "trials ending soon", so the sign-in
//! writes an index key `trial-end:<YYYY-MM-DD>:<email>` (date = the trial's UTC end date,
//! TTL 40 days). Keys list in byte order, which for these keys is date order, so the job
//! lists the prefix from the start and stops at the first date after today + 3 days; keys
//! are deleted once their trial is over, so the listing stays short and a day the job did
//! not run is caught up on the next run. The account record, not the index, decides what
//! happens (the index is only a way to find accounts).

use serde::{Deserialize, Serialize};

use crate::accounts;
use crate::clock::{self, DAY};
use crate::error::EdgeError;
use crate::host::Host;
use crate::kv::{Change, Kv, Txn};
use crate::mail::{Mailer, templates};
use crate::service::Edge;
use crate::shard::Shard;

pub const TRIAL_SECS: i64 = 30 * DAY;
pub const PLAN_PREFIX: &str = "plan:";
pub const REMINDER_BEFORE_END_SECS: i64 = 3 * DAY;
pub const INDEX_PREFIX: &str = "trial-end:";
const INDEX_TTL_SECS: u64 = 40 * DAY as u64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Plan {
    Trial,
    Plus,
    Free,
}

impl Plan {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Trial => "trial",
            Self::Plus => "plus",
            Self::Free => "free",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Trial => "Plus trial",
            Self::Plus => "Plus",
            Self::Free => "Free",
        }
    }
}

/// The Plus trial; absent until the first sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trial {
    pub started_at: i64,
    pub ends_at: i64,
    #[serde(default)]
    pub reminder_sent_at: Option<i64>,
    /// Set by the scheduled job when it moved the account off the trial.
    #[serde(default)]
    pub ended_at: Option<i64>,
}

/// `plan:<email>` → JSON, no TTL. Absent before the first sign-in (reads as the default).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscription {
    #[serde(default)]
    pub trial: Option<Trial>,
    /// The stored plan; see [`effective_plan`] for what a reader sees.
    pub plan: Plan,
    /// What the reader chose for the end of the trial (`plan=plus|free`).
    #[serde(default)]
    pub plan_after_trial: Option<Plan>,
}

impl Default for Subscription {
    fn default() -> Self {
        Self {
            trial: None,
            plan: Plan::Trial,
            plan_after_trial: None,
        }
    }
}

pub fn plan_key(email_key: &str) -> String {
    format!("{PLAN_PREFIX}{email_key}")
}

pub async fn load(kv: &impl Kv, email_key: &str) -> Result<Subscription, EdgeError> {
    Ok(read(kv, email_key).await?.0)
}

/// [`load`], with the record as stored (`None`: absent), for a write conditioned on it.
async fn read(kv: &impl Kv, email_key: &str) -> Result<(Subscription, Option<String>), EdgeError> {
    let key = plan_key(email_key);
    let value = kv.get(&key).await?;
    let sub = crate::kv::decode(&key, value.as_deref())?.unwrap_or_default();
    Ok((sub, value))
}

/// Read-modify-write of the plan record: `change` edits the subscription as it is now, and
/// the write applies only if nothing changed it meanwhile (else `change` runs again, on
/// the new one), so a plan choice, a trial's start and the job's end of a trial never
/// undo one another. Nothing is written when `change` leaves it as it was. Returns what
/// `change` returned and the subscription as it stands.
pub async fn update<T>(
    kv: &impl Kv,
    email_key: &str,
    mut change: impl FnMut(&mut Subscription) -> T,
) -> Result<(T, Subscription), EdgeError> {
    let key = plan_key(email_key);
    crate::kv::update(kv, &key, |value| {
        let before: Subscription = crate::kv::decode(&key, value)?.unwrap_or_default();
        let mut sub = before.clone();
        let out = change(&mut sub);
        if sub == before {
            return Ok(Change::Keep((out, sub)));
        }
        let value = serde_json::to_string(&sub).map_err(EdgeError::Encode)?;
        Ok(Change::Commit(
            Txn::new().put(key.as_str(), value, None),
            (out, sub),
        ))
    })
    .await
}

/// What one run of the scheduled job did; `POST /_dev/cron` returns it as JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ScheduledReport {
    /// The core's time of the run (RFC 3339).
    pub now: String,
    /// Index entries looked at.
    pub checked: u32,
    pub reminders_sent: u32,
    pub trials_ended: u32,
    /// Accounts skipped because of an error (reported to the host; retried next run).
    pub failed: u32,
}

pub fn index_key(ends_at: i64, email_key: &str) -> Result<String, EdgeError> {
    Ok(format!(
        "{INDEX_PREFIX}{}:{email_key}",
        clock::utc_date(ends_at)?
    ))
}

/// Starts the trial at the first sign-in; returns whether it did.
pub fn start(sub: &mut Subscription, now: i64) -> bool {
    if sub.trial.is_some() {
        return false;
    }
    sub.trial = Some(Trial {
        started_at: now,
        ends_at: now + TRIAL_SECS,
        reminder_sent_at: None,
        ended_at: None,
    });
    sub.plan = Plan::Trial;
    true
}

/// Lists a trial about to start (its end `now` + 30 days) in the index the daily job walks,
/// which the shared object holds (`shard.rs`): written before the trial starts, so a trial
/// is never left out of it. A trial that did not start after all (another sign-in started
/// it a moment earlier) leaves an entry the job drops, as the plan record decides.
pub async fn index_start(
    kv: &impl Kv,
    account: &accounts::Account,
    now: i64,
) -> Result<(), EdgeError> {
    index(
        kv,
        now + TRIAL_SECS,
        &account.key_email(),
        account.generation(),
    )
    .await
}

/// Lists the trial of `email_key`'s account ending at `ends_at`. The entry holds the
/// account's generation, so that the job drops an entry only while it is the one it read,
/// never a later account's.
pub async fn index(
    kv: &impl Kv,
    ends_at: i64,
    email_key: &str,
    generation: &str,
) -> Result<(), EdgeError> {
    let key = index_key(ends_at, email_key)?;
    kv.at(&Shard::Shared)
        .put(&key, generation, Some(INDEX_TTL_SECS))
        .await?;
    Ok(())
}

/// Drops a trial's index entry, only while it still holds `generation` (what was read).
pub async fn unindex(kv: &impl Kv, key: &str, generation: Option<&str>) -> Result<(), EdgeError> {
    let drop = Txn::new()
        .expect(key, generation.map(str::to_owned))
        .delete(key);
    kv.at(&Shard::Shared).commit(&drop).await?;
    Ok(())
}

/// The plan a reader sees now. A trial past its end counts as over even before the job has
/// run, so the account page never shows a trial with 0 days as still running.
pub fn effective_plan(sub: &Subscription, now: i64) -> Plan {
    match (&sub.plan, &sub.trial) {
        (Plan::Trial, Some(trial)) if now >= trial.ends_at => {
            sub.plan_after_trial.unwrap_or(Plan::Free)
        }
        (plan, _) => *plan,
    }
}

/// Whole days left, rounded up (so a fresh trial shows 30), never negative.
pub fn days_left(sub: &Subscription, now: i64) -> i64 {
    match &sub.trial {
        Some(trial) if effective_plan(sub, now) == Plan::Trial => {
            let left = (trial.ends_at - now).max(0);
            (left + DAY - 1) / DAY
        }
        _ => 0,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Remind,
    End,
    Wait,
    Drop,
}

fn next_step(sub: &Subscription, now: i64) -> Step {
    let Some(trial) = &sub.trial else {
        return Step::Drop;
    };
    if sub.plan != Plan::Trial || trial.ended_at.is_some() {
        Step::Drop
    } else if now >= trial.ends_at {
        Step::End
    } else if now >= trial.ends_at - REMINDER_BEFORE_END_SECS && trial.reminder_sent_at.is_none() {
        Step::Remind
    } else {
        Step::Wait
    }
}

pub(crate) async fn run<H: Host>(edge: &Edge<H>, now: i64) -> Result<ScheduledReport, EdgeError> {
    let index = edge.host().kv().at(&Shard::Shared);
    let horizon = clock::utc_date(now + REMINDER_BEFORE_END_SECS)?;
    let mut report = ScheduledReport {
        now: clock::rfc3339(now)?,
        ..ScheduledReport::default()
    };
    let mut cursor: Option<String> = None;
    'pages: loop {
        let page = index.list(INDEX_PREFIX, cursor.as_deref(), 100).await?;
        for key in &page.keys {
            let Some((date, email_key)) = key
                .strip_prefix(INDEX_PREFIX)
                .and_then(|rest| rest.split_once(':'))
            else {
                index.delete(key).await?;
                continue;
            };
            if date > horizon.as_str() {
                break 'pages;
            }
            report.checked += 1;
            match process(edge, key, email_key, now).await {
                Ok(Some(Step::Remind)) => report.reminders_sent += 1,
                Ok(Some(Step::End)) => report.trials_ended += 1,
                Ok(_) => {}
                Err(error) => {
                    edge.host().report(&error);
                    report.failed += 1;
                }
            }
        }
        match page.cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    Ok(report)
}

/// One entry of the index: the account's plan record decides, on the address's object.
async fn process<H: Host>(
    edge: &Edge<H>,
    index_key: &str,
    email_key: &str,
    now: i64,
) -> Result<Option<Step>, EdgeError> {
    let index = edge.host().kv().at(&Shard::Shared);
    // What the entry holds (the generation of the account that started the trial): it is
    // dropped only while it still holds that, so a trial started since (the address
    // deleted and registered again, its trial ending the same day) keeps its entry.
    let entry = index.get(index_key).await?;
    let entry = entry.as_deref();
    let kv = edge.host().kv().at(&Shard::of_address(email_key));
    let config = edge.config();
    let account = match accounts::resolve(&kv, email_key).await? {
        accounts::Found::Live(account) => account,
        // An email change to this address is under way: its trial is looked at next time.
        accounts::Found::Arriving => return Ok(Some(Step::Wait)),
        accounts::Found::Absent => {
            unindex(&index, index_key, entry).await?;
            return Ok(None);
        }
    };
    let sub = load(&kv, email_key).await?;
    let step = next_step(&sub, now);
    let Some(trial) = sub.trial.clone() else {
        unindex(&index, index_key, entry).await?;
        return Ok(None);
    };
    match step {
        Step::Remind => {
            let mail = templates::trial_reminder(
                config,
                &account.email,
                &account.first_name,
                trial.ends_at,
                sub.plan_after_trial == Some(Plan::Plus),
                now,
            )?;
            // Mail first, then the flag: a failed save means a second reminder, a failed
            // mail after the flag would mean none. The flag goes on the trial as it is
            // then: a plan chosen while the mail went out stays chosen.
            edge.host().mailer().send(&mail).await?;
            update(&kv, email_key, |sub| {
                if let Some(trial) = &mut sub.trial {
                    trial.reminder_sent_at.get_or_insert(now);
                }
            })
            .await?;
        }
        Step::End => {
            // Decided on the subscription as it is at the write: the plan chosen last,
            // and nothing if another run ended the trial first.
            let (plan, _) = update(&kv, email_key, |sub| {
                if next_step(sub, now) != Step::End {
                    return None;
                }
                let plan = sub.plan_after_trial.unwrap_or(Plan::Free);
                sub.plan = plan;
                if let Some(trial) = &mut sub.trial {
                    trial.ended_at = Some(now);
                }
                Some(plan)
            })
            .await?;
            let Some(plan) = plan else {
                return Ok(Some(Step::Drop));
            };
            let mail = templates::trial_ended(
                config,
                &account.email,
                &account.first_name,
                plan.label(),
                now,
            );
            edge.host().mailer().send(&mail).await?;
            unindex(&index, index_key, entry).await?;
        }
        Step::Drop => unindex(&index, index_key, entry).await?,
        Step::Wait => {}
    }
    Ok(Some(step))
}

impl<H: Host> Edge<H> {
    /// The daily job: sends trial reminders 3 days before the end (once) and moves trials
    /// that ended to the plan chosen, or Free. Safe to run more often than daily.
    pub async fn run_scheduled(&self) -> Result<ScheduledReport, EdgeError> {
        let now = self.now().await?;
        run(self, now).await
    }
}
