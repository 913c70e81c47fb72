//! Device network status (seed 1.3): the rows of the "Device Network Status" table and the
//! `err_stats` records a device reports in `_thing/diag/post`.
//!
//! `err_stats` is a `;`-separated list of `type,code,count` records, e.g. `10,02,01;10,05,01`
//! (two errors of type 10, codes 02 and 05, once each). Type and code are kept as the device wrote
//! them (leading zeros are part of the code); the count is a decimal number. A malformed string
//! is still stored as sent: the table shows why it could not be read instead of hiding it.

use serde::{Deserialize, Serialize};

/// Most records one `err_stats` string may hold (bounds the work a device can ask for).
pub const MAX_ERR_RECORDS: usize = 256;
/// Longest type or code, in characters.
const MAX_FIELD: usize = 16;

/// One `type,code,count` record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrStat {
    /// The error's type, as sent (e.g. `10`).
    pub err_type: String,
    /// The error's code, as sent (e.g. `02`).
    pub code: String,
    /// How many times it occurred.
    pub count: u64,
}

/// Why an `err_stats` string could not be read; `record` counts from 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ErrStatsError {
    #[error("record {record} ({text:?}) must be type,code,count")]
    Fields { record: usize, text: String },
    #[error("record {record}: the type and the code must be 1-{MAX_FIELD} letters or digits, not {text:?}")]
    Field { record: usize, text: String },
    #[error("record {record}: the count must be a whole number, not {text:?}")]
    Count { record: usize, text: String },
    #[error("at most {MAX_ERR_RECORDS} records")]
    TooMany,
}

fn field_ok(s: &str) -> bool {
    !s.is_empty() && s.chars().count() <= MAX_FIELD && s.chars().all(|c| c.is_ascii_alphanumeric())
}

/// Read an `err_stats` string. Blank records (a trailing `;`) are skipped; an empty string is
/// no errors. Spaces around fields are allowed.
pub fn parse_err_stats(s: &str) -> Result<Vec<ErrStat>, ErrStatsError> {
    let mut out = Vec::new();
    for (i, rec) in s.split(';').enumerate() {
        let rec = rec.trim();
        if rec.is_empty() {
            continue;
        }
        let record = i + 1;
        if out.len() == MAX_ERR_RECORDS {
            return Err(ErrStatsError::TooMany);
        }
        let fields: Vec<&str> = rec.split(',').map(str::trim).collect();
        let [t, c, n] = fields[..] else { return Err(ErrStatsError::Fields { record, text: rec.to_string() }) };
        for f in [t, c] {
            if !field_ok(f) {
                return Err(ErrStatsError::Field { record, text: f.to_string() });
            }
        }
        let count = n
            .parse::<u64>()
            .ok()
            .filter(|_| n.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| ErrStatsError::Count { record, text: n.to_string() })?;
        out.push(ErrStat { err_type: t.to_string(), code: c.to_string(), count });
    }
    Ok(out)
}

/// One row of the network status table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NetworkStatusRow {
    /// When fleetdeck received the sample (ms).
    pub reported_at: i64,
    /// When the device collected it (its `_time`, ms); absent when the device sent no time.
    pub collected_at: Option<i64>,
    /// Received signal strength, dBm.
    pub rssi: Option<f64>,
    /// Signal-to-noise ratio, dB.
    pub snr: Option<f64>,
    /// Wireless packet loss ratio, ‰ (the device's `per`).
    pub packet_loss: Option<f64>,
    /// The network connection method (the link the sample describes, e.g. `wifi`).
    pub connection: Option<String>,
    /// `err_stats` as the device sent it.
    pub err_stats: Option<String>,
    /// Its records; empty when none were reported or it could not be read.
    pub errors: Vec<ErrStat>,
    /// Why `err_stats` could not be read, when it could not.
    pub err_stats_error: Option<String>,
}

impl NetworkStatusRow {
    /// Fill `errors`/`err_stats_error` from `err_stats`.
    pub fn with_parsed_errors(mut self) -> Self {
        match self.err_stats.as_deref().map(parse_err_stats) {
            Some(Ok(e)) => self.errors = e,
            Some(Err(e)) => self.err_stats_error = Some(e.to_string()),
            None => {}
        }
        self
    }

    /// The seed's "View Details" appears only when the device reported errors.
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty() || self.err_stats_error.is_some()
    }
}

/// `GET /api/v1/devices/{pk}/{dn}/network-status`: oldest first over `[from, to)` (by receive
/// time), at most `limit` newest rows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct NetworkStatusQuery {
    /// Start (ms, inclusive); default: an hour before `to`.
    pub from: Option<i64>,
    /// End (ms, exclusive); default: now.
    pub to: Option<i64>,
    /// Most rows (1-5000, default 2000); the newest are kept.
    pub limit: Option<u32>,
}

pub const MAX_NETWORK_ROWS: u32 = 5000;
pub const DEFAULT_NETWORK_ROWS: u32 = 2000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NetworkStatusPage {
    pub from: i64,
    pub to: i64,
    /// Oldest first.
    pub rows: Vec<NetworkStatusRow>,
    /// More rows matched than `limit`; the oldest were left out.
    pub truncated: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(t: &str, c: &str, n: u64) -> ErrStat {
        ErrStat { err_type: t.into(), code: c.into(), count: n }
    }

    #[test]
    fn reads_the_seeds_example() {
        assert_eq!(parse_err_stats("10,02,01;10,05,01").unwrap(), vec![e("10", "02", 1), e("10", "05", 1)]);
        assert_eq!(parse_err_stats(" 1 , 2 ,3 ;").unwrap(), vec![e("1", "2", 3)]);
        assert_eq!(parse_err_stats("").unwrap(), vec![]);
        assert_eq!(parse_err_stats(";;").unwrap(), vec![]);
    }

    #[test]
    fn bad_input_says_which_record_and_why() {
        assert_eq!(
            parse_err_stats("10,02,01;10,05").unwrap_err(),
            ErrStatsError::Fields { record: 2, text: "10,05".into() }
        );
        assert_eq!(
            parse_err_stats("1,2,3,4").unwrap_err().to_string(),
            "record 1 (\"1,2,3,4\") must be type,code,count"
        );
        assert_eq!(parse_err_stats("1,,3").unwrap_err(), ErrStatsError::Field { record: 1, text: "".into() });
        assert_eq!(parse_err_stats("1,2,-3").unwrap_err(), ErrStatsError::Count { record: 1, text: "-3".into() });
        assert_eq!(parse_err_stats("1,2,+3").unwrap_err(), ErrStatsError::Count { record: 1, text: "+3".into() });
        assert_eq!(
            parse_err_stats("1,2,99999999999999999999999").unwrap_err(),
            ErrStatsError::Count { record: 1, text: "99999999999999999999999".into() }
        );
        assert!(matches!(parse_err_stats("1,2é,3"), Err(ErrStatsError::Field { .. })));
        let many = vec!["1,2,3"; MAX_ERR_RECORDS + 1].join(";");
        assert_eq!(parse_err_stats(&many).unwrap_err(), ErrStatsError::TooMany);
    }

    #[test]
    fn a_row_shows_details_only_when_errors_were_reported() {
        let row = |s: Option<&str>| {
            NetworkStatusRow {
                reported_at: 1,
                collected_at: None,
                rssi: None,
                snr: None,
                packet_loss: None,
                connection: None,
                err_stats: s.map(str::to_string),
                errors: vec![],
                err_stats_error: None,
            }
            .with_parsed_errors()
        };
        assert!(!row(None).has_errors());
        assert!(!row(Some("")).has_errors());
        assert!(row(Some("10,02,01")).has_errors());
        let bad = row(Some("garbage"));
        assert!(bad.has_errors() && bad.errors.is_empty());
        assert!(bad.err_stats_error.unwrap().contains("garbage"));
    }
}
