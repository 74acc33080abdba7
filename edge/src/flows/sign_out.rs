//! `POST /api/sign-out`.

use crate::ctx::Ctx;
use crate::error::EdgeError;
use crate::host::Host;
use crate::response::{self, Resp};
use crate::service::Edge;
use crate::sessions;

pub(crate) async fn post<H: Host>(edge: &Edge<H>, ctx: &Ctx) -> Result<Resp, EdgeError> {
    if let Some(id) = sessions::cookie_value(&ctx.headers) {
        sessions::delete(edge.host().kv(), &id).await?;
    }
    let mut response = response::redirect("/sign-in/?signed_out=1")?;
    sessions::sign_out_cookies(&mut response)?;
    Ok(response)
}
