//! Cell formatting shared by every section: rates, milliseconds, MiB, ratios, medians with
//! their range, pass/fail.

use crate::procs::CpuUse;
use crate::stats::Spread;

pub fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / 1024.0 / 1024.0)
}

pub(super) fn rate(r: f64) -> String {
    let n = r.round() as u64;
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub(super) fn ms(us: Option<u64>) -> String {
    match us {
        None => "–".into(),
        Some(u64::MAX) => "lost".into(),
        Some(u) => format!("{:.2} ms", u as f64 / 1000.0),
    }
}

/// Milliseconds of a latency in µs that may be +∞ (never arrived).
pub(super) fn ms_f(us: f64) -> String {
    if us.is_finite() {
        ms(Some(us as u64))
    } else {
        "lost".into()
    }
}

/// `a / b` as `N×`, or `–` when either is not a number (e.g. lost).
pub(super) fn ratio(a: f64, b: f64, decimals: usize) -> String {
    let r = a / b;
    if r.is_finite() {
        format!("{r:.decimals$}×")
    } else {
        "–".into()
    }
}

pub(super) fn spread(s: Option<Spread>, f: impl Fn(f64) -> String) -> String {
    match s {
        None => "–".into(),
        Some(s) if s.n == 1 || s.min == s.max => f(s.median),
        Some(s) => format!("**{}** ({} – {})", f(s.median), f(s.min), f(s.max)),
    }
}

pub(super) fn cpu(b: Option<CpuUse>, f: Option<CpuUse>) -> String {
    let one =
        |c: Option<CpuUse>| c.map(|c| format!("{:.2} ({:.2})", c.broker_cores, c.loadgen_cores)).unwrap_or("–".into());
    format!("{} / {}", one(b), one(f))
}

pub(super) fn pass(ok: Option<bool>) -> &'static str {
    match ok {
        Some(true) => "**pass**",
        Some(false) => "**FAIL**",
        None => "not measured",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting() {
        assert_eq!(rate(1234567.4), "1,234,567");
        assert_eq!(rate(999.0), "999");
        assert_eq!(ms(Some(1500)), "1.50 ms");
        assert_eq!(ms(Some(u64::MAX)), "lost");
        assert_eq!(mib(3 * 1024 * 1024), "3.0 MiB");
        let s = Spread::of(&[1.0, 2.0, 3.0]);
        assert_eq!(spread(s, |x| format!("{x:.0}")), "**2** (1 – 3)");
    }
}
