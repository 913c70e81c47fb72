//! The data lines of the small comma-separated files operators paste or upload (device imports,
//! group members): one reader, so every such file accepts the same things — a UTF-8 BOM (what
//! spreadsheet programs write), blank lines, an optional header, quoted cells — and line numbers
//! in error reports always mean the same line. Cells never contain commas in these files (names
//! and secrets cannot), so a full CSV parser would buy nothing.

/// One data line: its 1-based number in the text, the trimmed line, and its trimmed, unquoted
/// cells (at least one).
pub struct CsvLine<'a> {
    pub line: u32,
    pub raw: &'a str,
    pub cols: Vec<&'a str>,
}

/// The data lines of `text`. Blank lines are skipped, and so is a first line whose first cell is
/// `header` (any case).
pub fn csv_lines<'a>(text: &'a str, header: &'a str) -> impl Iterator<Item = CsvLine<'a>> + 'a {
    text.lines().enumerate().filter_map(move |(i, raw)| {
        let raw = raw.trim_start_matches('\u{feff}').trim();
        if raw.is_empty() {
            return None;
        }
        let cols: Vec<&str> = raw.split(',').map(|c| c.trim().trim_matches('"')).collect();
        if i == 0 && cols[0].eq_ignore_ascii_case(header) {
            return None;
        }
        Some(CsvLine { line: (i + 1) as u32, raw, cols })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_header_blank_lines_and_quotes_are_handled_and_lines_keep_their_numbers() {
        let text = "\u{feff}DeviceName,Secret\n\n \"lamp-1\" , s1 \nlamp-2\n";
        let got: Vec<(u32, Vec<&str>)> = csv_lines(text, "devicename").map(|l| (l.line, l.cols)).collect();
        assert_eq!(got, vec![(3, vec!["lamp-1", "s1"]), (4, vec!["lamp-2"])]);
        // A header only counts on the first line.
        let got: Vec<u32> = csv_lines("lamp-1\nDeviceName", "devicename").map(|l| l.line).collect();
        assert_eq!(got, vec![1, 2]);
    }
}
