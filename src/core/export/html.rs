//! index.html: the export readable in a browser, German and English, every value escaped, no external
//! resources (it must work offline, years later).

use std::io::{self, Write};

use crate::core::export::cell::Cell;
use crate::core::export::document::{Head, Section, Skipped, Writer};
use crate::core::export::information::key_label;
use serde_json::Value;

pub fn escape(text: &str) -> String {
    let mut out = Vec::with_capacity(text.len());
    // Writing into a Vec cannot fail; only ASCII is replaced, so the bytes stay UTF-8.
    let _ = write_escaped(&mut out, text);
    String::from_utf8(out).unwrap_or_default()
}

/// Writes [`escape`]d text straight to `out`, the runs between markup characters in one piece.
pub fn write_escaped(out: &mut impl Write, text: &str) -> io::Result<()> {
    let bytes = text.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let entity: &[u8] = match b {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'"' => b"&quot;",
            b'\'' => b"&#39;",
            _ => continue,
        };
        out.write_all(&bytes[start..i])?;
        out.write_all(entity)?;
        start = i + 1;
    }
    out.write_all(&bytes[start..])
}

pub struct HtmlWriter<W: Write> {
    out: W,
    rows: u64,
    /// Reused for the cells that are not text already.
    scratch: String,
}

impl<W: Write> HtmlWriter<W> {
    pub fn new(out: W) -> Self {
        HtmlWriter {
            out,
            rows: 0,
            scratch: String::new(),
        }
    }

    pub fn into_inner(self) -> W {
        self.out
    }
}

const STYLE: &str = "body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#222}h1{font-size:1.5em}\
h2{font-size:1.15em;margin-top:2em}table{border-collapse:collapse;margin:.5em 0;font-size:12px}\
th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top;white-space:pre-wrap}\
th{background:#f2f2f2}.en{color:#666}.note{color:#a00}.meta td{border:0;padding:.1em .8em .1em 0}\
.missing{border:2px solid #a00;padding:.5em 1em;color:#a00}.shop{white-space:pre-line}";

impl<W: Write> Writer for HtmlWriter<W> {
    fn begin(&mut self, head: &Head) -> io::Result<()> {
        write!(
            self.out,
            "<!doctype html>\n<html lang=\"de\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width\">\
             <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\
             <title>Datenauskunft / Data export</title><style>{STYLE}</style></head><body>\n\
             <h1>Auskunft über Ihre gespeicherten Daten <span class=\"en\">/ Your personal data</span></h1>\n\
             <table class=\"meta\"><tr><td>Kundennummer <span class=\"en\">/ customer id</span></td><td>{}</td></tr>\
             <tr><td>E-Mail-Adressen <span class=\"en\">/ email addresses</span></td><td>{}</td></tr>\
             <tr><td>Erstellt <span class=\"en\">/ generated</span></td><td>{}</td></tr></table>\n\
             <p>Die vollständigen Daten stehen auch in <code>export.json</code> und je Abschnitt als CSV im Ordner \
             <code>sections/</code>. <span class=\"en\">All data is also in export.json, and as CSV per section.</span></p>\n",
            head.customer_id,
            escape(&head.emails.join(", ")),
            escape(&head.generated_at),
        )?;
        self.out
            .write_all(information_html(&head.information).as_bytes())
    }

    fn section(&mut self, section: &Section, columns: &[String]) -> io::Result<()> {
        self.rows = 0;
        write!(
            self.out,
            "<h2 id=\"{}\">{} <span class=\"en\">/ {}</span></h2>\n<p class=\"en\">{} &middot; {}</p>\n<table><tr>",
            escape(&section.id),
            escape(&section.label_de),
            escape(&section.label_en),
            escape(&section.table),
            escape(section.times),
        )?;
        for column in columns {
            write!(self.out, "<th>{}</th>", escape(column))?;
        }
        writeln!(self.out, "</tr>")
    }

    fn row(&mut self, cells: &[Cell]) -> io::Result<()> {
        self.rows += 1;
        self.out.write_all(b"<tr>")?;
        for cell in cells {
            self.out.write_all(b"<td>")?;
            write_escaped(&mut self.out, cell.display_in(&mut self.scratch))?;
            self.out.write_all(b"</td>")?;
        }
        self.out.write_all(b"</tr>\n")
    }

    fn section_end(&mut self, error: Option<&str>) -> io::Result<()> {
        writeln!(self.out, "</table>")?;
        if self.rows == 0 {
            writeln!(
                self.out,
                "<p>Keine Einträge. <span class=\"en\">No entries.</span></p>"
            )?;
        }
        if let Some(error) = error {
            writeln!(
                self.out,
                "<p class=\"note\">Dieser Abschnitt ist unvollständig <span class=\"en\">/ This section is incomplete</span>: {}</p>",
                escape(error)
            )?;
        }
        Ok(())
    }

    fn end(&mut self, skipped: &[Skipped]) -> io::Result<()> {
        if !skipped.is_empty() {
            write!(
                self.out,
                "<h2>Nicht vorhandene Tabellen <span class=\"en\">/ Tables this shop does not have</span></h2>\n<ul>"
            )?;
            for s in skipped {
                write!(
                    self.out,
                    "<li>{}: {}</li>",
                    escape(&s.table),
                    escape(&s.reason)
                )?;
            }
            writeln!(self.out, "</ul>")?;
        }
        writeln!(self.out, "</body></html>")?;
        self.out.flush()
    }
}

/// A `{de, en}` text as HTML.
fn both(text: &Value) -> String {
    format!(
        "{} <span class=\"en\">/ {}</span>",
        escape(text["de"].as_str().unwrap_or("")),
        escape(text["en"].as_str().unwrap_or(""))
    )
}

/// The shop's text (line breaks kept by the style), or the visible note that it is missing.
fn provided(value: &Value, key: &str) -> String {
    match value.as_str() {
        Some(text) => format!("<p class=\"shop\">{}</p>", escape(text)),
        None => {
            let (de, en) = key_label(key);
            format!(
                "<p class=\"note\">Vom Shop nicht angegeben: {de} <span class=\"en\">/ not provided by the shop: {en}</span></p>"
            )
        }
    }
}

/// The Art. 15(1) information (export/information.rs) as HTML, items (a) to (h).
fn information_html(info: &Value) -> String {
    let mut out = String::from(
        "<h2 id=\"art15\">Informationen nach Art. 15 Abs. 1 DSGVO <span class=\"en\">/ Information under Art. 15(1) GDPR</span></h2>\n",
    );
    if let Some(missing) = info["not_provided"].as_array().filter(|m| !m.is_empty()) {
        let names: Vec<String> = missing
            .iter()
            .filter_map(Value::as_str)
            .map(|k| {
                let (de, en) = key_label(k);
                format!("{de} ({en})")
            })
            .collect();
        out.push_str(&format!(
            "<div class=\"missing\" id=\"not-provided\">Diese Angaben hat der Shop nicht gemacht <span class=\"en\">/ The shop has not provided</span>: {}</div>\n",
            escape(&names.join(", "))
        ));
    }
    for key in ["controller", "contact", "dpo"] {
        let (de, en) = key_label(key);
        out.push_str(&format!(
            "<h3>{de} <span class=\"en\">/ {en}</span></h3>{}\n",
            provided(&info[key], key)
        ));
    }
    let item = |letter: &str, de: &str, en: &str| {
        format!("<h3 id=\"art15-{letter}\">({letter}) {de} <span class=\"en\">/ {en}</span></h3>\n")
    };
    let list = |values: &Value, f: &dyn Fn(&Value) -> String| -> String {
        let items: String = values
            .as_array()
            .map(|v| v.iter().map(|x| format!("<li>{}</li>", f(x))).collect())
            .unwrap_or_default();
        format!("<ul>{items}</ul>\n")
    };
    out.push_str(&item("a", "Zwecke", "Purposes"));
    out.push_str(&provided(&info["purposes"]["shop"], "purposes"));
    out.push_str(&list(&info["purposes"]["records"], &both));
    out.push_str(&item("b", "Kategorien der Daten", "Categories of data"));
    out.push_str(&list(&info["categories"]["tables"], &|t| both(&t["label"])));
    out.push_str(&item("c", "Empfänger", "Recipients"));
    out.push_str(&provided(&info["recipients"]["shop"], "recipients"));
    out.push_str(&format!("<p>{}</p>\n", both(&info["recipients"]["note"])));
    out.push_str(&item(
        "d",
        "Speicherdauer je Tabelle",
        "Storage period per table",
    ));
    out.push_str("<table><tr><th>Daten <span class=\"en\">/ data</span></th><th>Tabelle <span class=\"en\">/ table</span></th><th>Speicherdauer <span class=\"en\">/ storage period</span></th></tr>\n");
    for t in info["storage"]["tables"].as_array().into_iter().flatten() {
        out.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            both(&t["label"]),
            escape(t["table"].as_str().unwrap_or("")),
            both(&t["period"])
        ));
    }
    out.push_str("</table>\n");
    out.push_str(&item("e", "Ihre Rechte", "Your rights"));
    out.push_str(&list(&info["rights"]["rights"], &|r| {
        format!(
            "{}: {}",
            escape(r["article"].as_str().unwrap_or("")),
            both(r)
        )
    }));
    out.push_str(&item(
        "f",
        "Beschwerde bei einer Aufsichtsbehörde",
        "Complaint to a supervisory authority",
    ));
    out.push_str(&format!("<p>{}</p>\n", both(&info["complaint"]["text"])));
    out.push_str(&provided(&info["complaint"]["authority"], "authority"));
    out.push_str(&item("g", "Herkunft der Daten", "Source of the data"));
    out.push_str(&format!("<p>{}</p>\n", both(&info["source"]["text"])));
    out.push_str(&item(
        "h",
        "Automatisierte Entscheidungen",
        "Automated decision-making",
    ));
    out.push_str(&format!(
        "<p>{}</p>\n",
        both(&info["automated_decisions"]["text"])
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_everything_that_could_be_markup() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        assert_eq!(escape("Müller & Söhne <ä>"), "Müller &amp; Söhne &lt;ä&gt;");
        assert_eq!(escape(""), "");
    }
}
