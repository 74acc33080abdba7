//! What a flow knows about the request besides its form. Built by the router, read by the
//! flows and the development routes; it depends on neither.

use std::net::IpAddr;

use http::HeaderMap;

use crate::forms::Form;
use crate::mail::MailQueue;

/// The request as a flow sees it.
pub(crate) struct Ctx {
    /// The core's time (Unix seconds).
    pub now: i64,
    pub client_ip: Option<IpAddr>,
    pub headers: HeaderMap,
    pub query: Form,
    /// Mail to send after the answer (never while the reader waits).
    pub mail: MailQueue,
}
