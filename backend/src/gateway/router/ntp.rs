//! NTP: `/ext/ntp/{pk}/{dn}/request` `{"deviceSendTime":…}` → `.../response` with
//! `deviceSendTime` echoed unchanged (C3 sends its uptime) and the server's receive/send times.

use model::alink::ntp::{NtpRequest, NtpResponse};

use super::respond::{Out, Outcome};
use super::Ctx;

pub(super) fn request(ctx: &Ctx<'_>) -> Outcome {
    let req = match NtpRequest::parse(ctx.payload()) {
        Ok(r) => r,
        // No id to answer to and no reply format for errors: the run log has it.
        Err(e) => return Outcome::status(e.code()).with_check(e.code(), e.to_string()),
    };
    let recv = ctx.up.at.max(0) as u64;
    let send = (ctx.sh.now().max(0) as u64).max(recv);
    let resp = NtpResponse::answer(&req, recv, send);
    let Some(topic) = ctx.topic.reply_topic() else { return Outcome::ok() };
    let payload = serde_json::to_string(&resp).unwrap_or_default();
    Outcome { reply: Some(Box::new(Out { topic, payload, code: 200 })), ..Outcome::ok() }
}
