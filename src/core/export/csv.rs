//! RFC 4180 CSV for spreadsheet users: UTF-8 with BOM, CRLF line ends, quoted where needed.

use std::io::{self, Write};

use crate::core::export::cell::Cell;

pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// One field. Cells a spreadsheet would run as a formula get a leading apostrophe, the usual defence
/// against CSV injection; export.json keeps the exact value. A formula is recognised after leading white
/// space and line breaks (spreadsheets skip them), by `=`, `+`, `-`, `@`, a tab or CR, or their fullwidth
/// forms (`＝` `＋` `－` `＠`, which some spreadsheets read as the ASCII ones); plain numbers are left alone.
/// The writers use [`write_field`].
#[cfg(test)]
pub fn field(text: &str) -> String {
    let mut out = Vec::with_capacity(text.len() + 2);
    // Writing into a Vec cannot fail; the bytes are the text's and ASCII, so UTF-8.
    let _ = write_field(&mut out, text);
    String::from_utf8(out).unwrap_or_default()
}

/// Writes [`field`] straight to `out` (no string per field: exports have millions).
pub fn write_field(out: &mut impl Write, text: &str) -> io::Result<()> {
    let formula = starts_formula(text) && text.trim().parse::<f64>().is_err();
    // The guard's apostrophe is never a space, so only an unguarded text can start with one.
    let quoted = text
        .bytes()
        .any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
        || (!formula && text.starts_with(' '))
        || text.ends_with(' ');
    if quoted {
        out.write_all(b"\"")?;
    }
    if formula {
        out.write_all(b"'")?;
    }
    if quoted {
        let mut parts = text.split('"');
        if let Some(first) = parts.next() {
            out.write_all(first.as_bytes())?;
        }
        for part in parts {
            out.write_all(b"\"\"")?;
            out.write_all(part.as_bytes())?;
        }
        out.write_all(b"\"")
    } else {
        out.write_all(text.as_bytes())
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
    write_line(out, columns.iter().map(String::as_str))
}

/// `scratch`: reused for the cells that are not text already.
pub fn write_row(out: &mut impl Write, cells: &[Cell], scratch: &mut String) -> io::Result<()> {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        write_field(out, cell.display_in(scratch))?;
    }
    out.write_all(b"\r\n")
}

fn write_line<'a>(out: &mut impl Write, fields: impl Iterator<Item = &'a str>) -> io::Result<()> {
    for (i, text) in fields.enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        write_field(out, text)?;
    }
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
        assert_eq!(field(" =1,1 "), "\"' =1,1 \"");
        assert_eq!(field(" x"), "\" x\"");
        assert_eq!(field(""), "");
        assert_eq!(field("\"\""), "\"\"\"\"\"\"");
        let mut out = Vec::new();
        write_header(&mut out, &["id".into(), "name".into()]).unwrap();
        write_row(
            &mut out,
            &[Cell::Int(1), Cell::Text("Müller, Erika".into())],
            &mut String::new(),
        )
        .unwrap();
        assert_eq!(
            out,
            b"\xEF\xBB\xBFid,name\r\n1,\"M\xc3\xbcller, Erika\"\r\n"
        );
    }
}
