//! Custom topics `/{pk}/{dn}/user/…` (passed through as they are: logged and shown live) and raw
//! data `thing/model/up_raw`, which needs the product's data parsing script: there is none yet,
//! so it is refused with 6200 ("the script does not exist") in the run log. No reply: a raw
//! device cannot read an Alink JSON error.

use model::tsl::codes::SCRIPT_MISSING;

use super::respond::Outcome;
use super::Ctx;

pub(super) fn custom(_ctx: &Ctx<'_>) -> Outcome {
    Outcome::ok()
}

pub(super) fn up_raw(_ctx: &Ctx<'_>) -> Outcome {
    Outcome::status(SCRIPT_MISSING)
        .with_check(SCRIPT_MISSING, "raw data needs a data parsing script; the product has none")
}
