//! Changing the address, confirmed from the new mailbox: `POST /api/account/email` mails
//! a link to the new address and a notice to the old one, and writes nothing to the
//! account; `GET /confirm-email/?token=` shows the form, and only its POST uses the
//! token, with the account's password. Until then the old address signs in. Whether the
//! new address is taken is not looked at before then (the answer must not tell), and at
//! confirmation a taken address is refused. Confirming moves the account, its plan and
//! its trial's index entry to the new address ([`move_account`]); the sessions and links of
//! the old address end, and the browser that confirmed is signed in at the new one.

use http::StatusCode;

use crate::accounts::{self, Account};
use crate::ctx::Ctx;
use crate::error::EdgeError;
use crate::forms::{self, Form};
use crate::host::Host;
use crate::kv::{self, Change, Kv, Txn};
use crate::mail::templates;
use crate::pages::{FormMessage, PageFill};
use crate::password::{self, Verification};
use crate::response::{self, Resp};
use crate::service::Edge;
use crate::sessions;
use crate::shard::Shard;
use crate::tokens::{self, Binding, TokenKind};
use crate::trial;

use super::settings::{accept, open_form, reauthenticate, show_again, too_many_on_account};
use super::{
    MailKind, acquire, form_page, ip_gate, limited, mail_gates, release, sign_in_failure_gates,
    wait_message,
};

pub(crate) const CONFIRM_EMAIL_PAGE: &str = "/confirm-email/";

/// `POST /api/account/email` (`email`, `current_password`): a link to the new address, a
/// notice to the current one; nothing else changes yet. 303 `/account/?email=1`, whether
/// or not the new address is taken.
pub(crate) async fn email<H: Host>(
    edge: &Edge<H>,
    ctx: &Ctx,
    form: &Form,
) -> Result<Resp, EdgeError> {
    let (who, gate) = or_answer!(open_form(edge, ctx, "account-email").await?);
    let values = vec![("email".to_owned(), form.text("email").to_owned())];
    let account = &who.0.account;
    let new = match forms::parse_email(form.text("email")) {
        Ok(new) if new.key == account.key_email() => Err("This is already your address."),
        other => other,
    };
    let new = match new {
        Ok(new) => new,
        Err(message) => {
            return show_again(
                edge,
                ctx,
                &who,
                StatusCode::UNPROCESSABLE_ENTITY,
                "Your address was not changed: please correct the field marked below.",
                vec![("email".to_owned(), message.to_owned())],
                values,
            )
            .await;
        }
    };
    let gates = mail_gates(edge, ctx, "account-email", MailKind::EmailChange, &new);
    if let Some(wait) = limited(edge, &gates[1..], ctx.now).await? {
        return too_many_on_account(edge, ctx, &who, wait).await;
    }
    or_answer!(accept(edge, ctx, &who, &[gate]).await?);
    or_answer!(reauthenticate(edge, ctx, &who, form.text("current_password"), values).await?);
    or_answer!(accept(edge, ctx, &who, &gates[1..]).await?);

    let host = edge.host();
    let kv = host.kv();
    let key = account.key_email();
    // One change at a time: a new request makes the earlier links worthless.
    kv.commit(&tokens::delete_all(kv, &key, &[TokenKind::EmailChange]).await?)
        .await?;
    let token = tokens::issue(
        kv,
        host.rng(),
        TokenKind::EmailChange,
        &key,
        Binding::NewEmail(account, &new.display),
        ctx.now,
    )
    .await?;
    ctx.mail.queue(templates::email_change_confirm(
        edge.config(),
        &new.display,
        &token,
        ctx.now,
    ));
    ctx.mail.queue(templates::email_change_notice(
        edge.config(),
        &account.email,
        &new.display,
        ctx.now,
    ));
    response::redirect("/account/?email=1")
}

/// The confirm page explaining that the link no longer works (400).
async fn bad_email_link<H: Host>(edge: &Edge<H>) -> Result<Resp, EdgeError> {
    let fill = PageFill {
        message: Some(FormMessage::with_link(
            "This link has expired, was already used, or was replaced by a newer one. Ask for \
             the change again on your account page.",
            "/account/",
            "Your account",
        )),
        ..PageFill::default()
    };
    form_page(edge, CONFIRM_EMAIL_PAGE, StatusCode::BAD_REQUEST, &fill).await
}

async fn confirm_email_form<H: Host>(
    edge: &Edge<H>,
    status: StatusCode,
    new_email: &str,
    token: &str,
    message: Option<FormMessage>,
) -> Result<Resp, EdgeError> {
    let fill = PageFill {
        values: vec![("email".to_owned(), new_email.to_owned())],
        fills: vec![("token".to_owned(), token.to_owned())],
        message,
        ..PageFill::default()
    };
    form_page(edge, CONFIRM_EMAIL_PAGE, status, &fill).await
}

/// `GET /confirm-email/?token=`: the form with the new address and the token; never uses
/// the token (mail scanners open links).
pub(crate) async fn confirm_page<H: Host>(edge: &Edge<H>, ctx: &Ctx) -> Result<Resp, EdgeError> {
    let token = ctx.query.text("token");
    let kv = edge.host().kv();
    match tokens::peek(kv, TokenKind::EmailChange, token, ctx.now).await? {
        Some(record) => {
            let new = record.new_email.unwrap_or_default();
            confirm_email_form(edge, StatusCode::OK, &new, token, None).await
        }
        None => bad_email_link(edge).await,
    }
}

/// `POST /api/account/email/confirm` (`token`, `password`): the address changes, every
/// record keyed by it moves; 303 `/account/?email_changed=1`.
pub(crate) async fn confirm<H: Host>(
    edge: &Edge<H>,
    ctx: &Ctx,
    form: &Form,
) -> Result<Resp, EdgeError> {
    let token = form.text("token");
    let typed = form.text("password");
    let host = edge.host();
    let kv = host.kv();
    let Some(record) = tokens::peek(kv, TokenKind::EmailChange, token, ctx.now).await? else {
        return bad_email_link(edge).await;
    };
    let Some(new_display) = record.new_email.clone() else {
        return bad_email_link(edge).await;
    };
    let old = record.email.clone();
    let Some(account) = accounts::load(kv, &old)
        .await?
        .filter(|account| account.verified && record.binds(account))
    else {
        tokens::consume(kv, TokenKind::EmailChange, token, ctx.now).await?;
        return bad_email_link(edge).await;
    };

    let ip_gate = ip_gate(edge, ctx, "account-email-confirm");
    let failure_gates = sign_in_failure_gates(edge, ctx, &old);
    let [by_network, ceiling] = failure_gates.clone();
    let all = [ip_gate, by_network, ceiling];
    let mut wait = limited(edge, &all, ctx.now).await?;
    let tried = !typed.is_empty() && typed.chars().count() <= password::MAX_CHARS;
    if wait.is_none() && tried {
        // Acquired before argon2, released if right.
        wait = acquire(edge, &all, ctx.now).await?;
    }
    if let Some(wait) = wait {
        let message = FormMessage::text(wait_message(wait));
        let mut answer = confirm_email_form(
            edge,
            StatusCode::TOO_MANY_REQUESTS,
            &new_display,
            token,
            Some(message),
        )
        .await?;
        response::retry_after(&mut answer, wait);
        return Ok(answer);
    }
    let right = tried
        && matches!(
            password::verify(host, typed, &account.password_hash).await?,
            Verification::Right { .. }
        );
    if !right {
        return confirm_email_form(
            edge,
            StatusCode::UNPROCESSABLE_ENTITY,
            &new_display,
            token,
            Some(FormMessage::text(
                "Enter the current password of the account whose address changes.",
            )),
        )
        .await;
    }
    release(edge, &failure_gates, ctx.now).await?;

    let new = crate::forms::email_key(&new_display);
    match move_account(kv, token, &account, &old, &new, &new_display, ctx.now).await? {
        Moved::LinkUsed => bad_email_link(edge).await,
        Moved::Taken => {
            confirm_email_form(
                edge,
                StatusCode::CONFLICT,
                &new_display,
                "",
                Some(FormMessage::text(
                    "This address already belongs to another account, so your address was \
                     not changed.",
                )),
            )
            .await
        }
        Moved::Done(account) => {
            // Signed in at the new address (the sessions of the old one ended with it).
            let there = kv.at(&Shard::of_address(&new));
            let id = sessions::create(&there, host.rng(), &account, ctx.now).await?;
            let mut answer = response::redirect("/account/?email_changed=1")?;
            sessions::sign_in_cookies(&mut answer, &id)?;
            Ok(answer)
        }
    }
}

/// How [`move_account`] ended.
enum Moved {
    /// The link was used meanwhile, or the account changed (password, epoch) since it was
    /// checked: nothing moved.
    LinkUsed,
    /// The new address belongs to a verified account: the link is used up, nothing moved.
    Taken,
    /// The account, now at the new address.
    Done(Box<Account>),
}

/// How many times a move is tried again when the plan changed while it ran.
const MOVE_ATTEMPTS: usize = 3;

/// Moves the account from `old` to `new`. The two addresses' records are two objects on
/// Workers (`shard.rs`) and no commit spans two, so it takes three commits, and the second
/// decides:
///
/// 1. At the new address: a copy of the account and its plan, marked as arriving
///    ([`Account::arriving_from`]), which nothing uses yet. A verified account there
///    refuses it (`Taken`, the link used up); an unverified registration there is
///    deleted (whoever confirms here reads the new address's mail, so it can never be
///    confirmed now).
/// 2. At the old address: the link used up, and the account, plan, sessions and tokens
///    deleted, only while the link, the account and the plan are as checked. From this
///    commit on the copy is the account ([`accounts::resolve`]), whether or not step 3
///    runs; if it does not apply, the copy is deleted and nothing moved.
/// 3. At the new address: the mark cleared. The trial's index entry is moved (written
///    for the new address before step 2, dropped at the old one after it).
async fn move_account(
    kv: &impl Kv,
    token: &str,
    checked: &Account,
    old: &str,
    new: &str,
    new_display: &str,
    now: i64,
) -> Result<Moved, EdgeError> {
    let Some(token_key) = tokens::store_key(TokenKind::EmailChange, token) else {
        return Ok(Moved::LinkUsed);
    };
    let there = kv.at(&Shard::of_address(new));
    let (old_key, new_key) = (accounts::account_key(old), accounts::account_key(new));
    let (old_plan, new_plan) = (trial::plan_key(old), trial::plan_key(new));
    let generation = checked.generation();
    let mut copy = checked.clone();
    copy.email = new_display.to_owned();
    copy.arriving_from = Some(old.to_owned());
    let copy_value = serde_json::to_string(&copy).map_err(EdgeError::Encode)?;
    for _ in 0..MOVE_ATTEMPTS {
        let plan = kv.get(&old_plan).await?;
        let sub: trial::Subscription = kv::decode(&old_plan, plan.as_deref())?.unwrap_or_default();
        let new_entry = match &sub.trial {
            Some(trial) => Some(trial::index_key(trial.ends_at, new)?),
            None => None,
        };
        let unindex_new = async || match &new_entry {
            Some(entry) => trial::unindex(kv, entry, Some(generation)).await,
            None => Ok(()),
        };

        // 1. The copy at the new address.
        let placed = kv::update_many(&there, &[&new_key, &new_plan], |values| {
            let mut txn = Txn::new();
            if let Some(existing) = accounts::parse(&new_key, values[0].as_deref())? {
                let ours = existing.arriving_from.as_deref() == Some(old)
                    && existing.generation() == generation;
                if existing.verified && !ours {
                    return Ok(Change::Keep(false));
                }
                for id in &existing.pending {
                    txn = txn.delete(accounts::registration_key(id));
                }
            }
            txn = txn.put(new_key.as_str(), copy_value.as_str(), None);
            txn = match &plan {
                Some(value) => txn.put(new_plan.as_str(), value.as_str(), None),
                None => txn.delete(new_plan.as_str()),
            };
            Ok(Change::Commit(txn, true))
        })
        .await?;
        if !placed {
            tokens::consume(kv, TokenKind::EmailChange, token, now).await?;
            return Ok(Moved::Taken);
        }
        // Listed for the daily job before the move can take effect. No account of the new
        // address is verified (step 1 applied), so an entry already there is a stale one.
        if let Some(trial) = &sub.trial {
            trial::index(kv, trial.ends_at, new, generation).await?;
        }

        // 2. The old address lets go: the commit that decides. Listed before: a session
        // created meanwhile dies with its account all the same.
        let sessions = sessions::delete_all(kv, old).await?;
        let old_tokens = tokens::delete_all(kv, old, &[]).await?;
        let keys = [&*token_key, &*old_key, &*old_plan];
        let decided = kv::update_many(kv, &keys, |values| {
            let Some((_, use_up)) = tokens::held(
                TokenKind::EmailChange,
                &token_key,
                values[0].as_deref(),
                now,
            )?
            else {
                return Ok(Change::Keep(Step::LinkUsed));
            };
            let current = accounts::parse(&old_key, values[1].as_deref())?;
            if current.as_ref() != Some(checked) {
                return Ok(Change::Commit(use_up, Step::LinkUsed));
            }
            if values[2] != plan {
                return Ok(Change::Keep(Step::PlanChanged));
            }
            let txn = use_up
                .and(old_tokens.clone())
                .and(sessions.clone())
                .delete(old_key.as_str())
                .delete(old_plan.as_str());
            Ok(Change::Commit(txn, Step::Moved))
        })
        .await?;
        if decided != Step::Moved {
            // Nothing moved here. The copy goes only while the old address still holds the
            // account: otherwise a racing confirmation of the same link moved it, and the
            // copy is that one's account.
            let still_here = accounts::parse(&old_key, kv.get(&old_key).await?.as_deref())?
                .is_some_and(|a| a.generation() == generation);
            if !still_here {
                return Ok(Moved::LinkUsed);
            }
            let withdraw = Txn::new()
                .expect(new_key.as_str(), Some(copy_value.clone()))
                .delete(new_key.as_str())
                .delete(new_plan.as_str());
            there.commit(&withdraw).await?;
            unindex_new().await?;
            if decided == Step::PlanChanged {
                continue;
            }
            return Ok(Moved::LinkUsed);
        }

        // 3. The copy is the account now; clearing the mark spares later reads a look at
        // the old address. Whoever resolves it first writes it.
        let mut arrived = copy.clone();
        arrived.arriving_from = None;
        let clear = Txn::new()
            .expect(new_key.as_str(), Some(copy_value.clone()))
            .and(arrived.write()?);
        there.commit(&clear).await?;
        if let Some(trial) = &sub.trial {
            let entry = trial::index_key(trial.ends_at, old)?;
            trial::unindex(kv, &entry, Some(generation)).await?;
        }
        return Ok(Moved::Done(Box::new(arrived)));
    }
    Ok(Moved::LinkUsed)
}

/// What step 2 of [`move_account`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Moved,
    LinkUsed,
    /// The plan changed while the move ran: tried again on the new one.
    PlanChanged,
}
