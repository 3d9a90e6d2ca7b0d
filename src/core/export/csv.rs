//! RFC 4180 CSV for spreadsheet users: UTF-8 with BOM, CRLF line ends, quoted where needed.

use std::io::{self, Write};

use crate::core::export::cell::Cell;

pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// One field. Cells a spreadsheet would run as a formula get a leading apostrophe, the usual defence
/// against CSV injection; export.json keeps the exact value. A formula is recognised after leading white
/// space and line breaks (spreadsheets skip them), by `=`, `+`, `-`, `@`, a tab or CR, or their fullwidth
/// forms (`＝` `＋` `－` `＠`, which some spreadsheets read as the ASCII ones); plain numbers are left alone.
pub fn field(text: &str) -> String {
    let formula = starts_formula(text) && text.trim().parse::<f64>().is_err();
    let guarded = if formula {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if guarded.contains([',', '"', '\r', '\n'])
        || guarded.starts_with(' ')
        || guarded.ends_with(' ')
    {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

fn starts_formula(text: &str) -> bool {
    if text.starts_with(['\t', '\r']) {
        return true;
    }
    text.trim_start().starts_with([
        '=', '+', '-', '@', '\u{FF1D}', '\u{FF0B}', '\u{FF0D}', '\u{FF20}',
    ])
}

pub fn write_header(out: &mut impl Write, columns: &[String]) -> io::Result<()> {
    out.write_all(BOM)?;
    write_line(out, columns.iter().map(|c| field(c)))
}

pub fn write_row(out: &mut impl Write, cells: &[Cell]) -> io::Result<()> {
    write_line(out, cells.iter().map(|c| field(&c.display())))
}

fn write_line(out: &mut impl Write, fields: impl Iterator<Item = String>) -> io::Result<()> {
    let line: Vec<String> = fields.collect();
    out.write_all(line.join(",").as_bytes())?;
    out.write_all(b"\r\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_per_rfc_4180() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("-5"), "-5", "numbers stay numbers");
        assert_eq!(field("+49 30 123"), "'+49 30 123");
        // White space or a line break before the formula, or a fullwidth sign, do not get past the guard.
        assert_eq!(field(" =1+1"), "' =1+1");
        assert_eq!(field("\n=cmd|' /C calc'!A0"), "\"'\n=cmd|' /C calc'!A0\"");
        assert_eq!(field("\u{FF1D}SUM(A1)"), "'\u{FF1D}SUM(A1)");
        assert_eq!(field("\u{FF20}x"), "'\u{FF20}x");
        assert_eq!(field(" 42 "), "\" 42 \"", "a padded number stays a number");
        assert_eq!(field("a=b"), "a=b");
        let mut out = Vec::new();
        write_header(&mut out, &["id".into(), "name".into()]).unwrap();
        write_row(
            &mut out,
            &[Cell::Int(1), Cell::Text("Müller, Erika".into())],
        )
        .unwrap();
        assert_eq!(
            out,
            b"\xEF\xBB\xBFid,name\r\n1,\"M\xc3\xbcller, Erika\"\r\n"
        );
    }
}
