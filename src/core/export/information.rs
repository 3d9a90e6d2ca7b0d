//! The Art. 15(1)(a)-(h) GDPR information every export carries: purposes, categories, recipients,
//! storage periods, rights, complaint, source and automated decisions. Generated from the data map
//! (categories and storage periods per table) and the settings, plus the shop's own texts from
//! `export_information`; what the shop has not provided is listed under `not_provided` and shown.
//! Texts are German and English, as the rest of the export.

use serde_json::{Value, json};

use crate::core::config::{ExportInformation, Retention};
use crate::core::datamap::{self, Dated, Entry, Erase, Owner, Period};

/// What the information is built from.
pub struct Inputs<'a> {
    pub shop: &'a ExportInformation,
    pub retention: Retention,
    pub recommend_min_customers: u32,
    /// `erase_strategies` and `retention_years`: how the shop's tables are treated.
    pub strategies: &'a [(String, Erase)],
    pub retention_years: &'a [(String, u32)],
}

impl Inputs<'_> {
    /// A mapped table as this shop's settings treat it.
    pub fn table<'e>(&self, entry: &'e Entry, table: String) -> Table<'e> {
        Table {
            entry,
            table,
            strategy: datamap::strategy(entry, self.strategies),
            period: datamap::ending(entry, self.strategies, self.retention_years),
        }
    }
}

/// One table of the export as erasure treats it.
pub struct Table<'a> {
    pub entry: &'a Entry,
    pub table: String,
    pub strategy: Erase,
    pub period: Option<Period>,
}

fn text(de: &str, en: &str) -> Value {
    json!({ "de": de, "en": en })
}

/// The shop's text for `key`, or null (then the key is in `not_provided`).
fn shop(inputs: &Inputs<'_>, key: &str) -> Value {
    inputs.shop.get(key).map_or(Value::Null, |t| json!(t))
}

/// The German and English names of the keys of `export_information`.
pub fn key_label(key: &str) -> (&'static str, &'static str) {
    match key {
        "controller" => ("Verantwortlicher", "controller"),
        "contact" => ("Kontakt", "contact"),
        "dpo" => ("Datenschutzbeauftragter", "data protection officer"),
        "purposes" => ("Zwecke", "purposes"),
        "recipients" => ("Empfänger", "recipients"),
        "authority" => ("Zuständige Aufsichtsbehörde", "supervisory authority"),
        _ => ("", ""),
    }
}

/// The storage period of one table, in words and as data.
fn storage(inputs: &Inputs<'_>, t: &Table<'_>) -> Value {
    let (de, en) = match (t.strategy, t.period) {
        (Erase::Retain(_), Some(p)) => {
            let from = match p.dated_by {
                Dated::Column(_) => ("des Datums der Bestellung", "of the order's date"),
                Dated::Parent => (
                    "des Datums der zugehörigen Bestellung",
                    "of the date of the order it belongs to",
                ),
            };
            (
                format!(
                    "{} Jahre ab Ende des Kalenderjahres {} ({}); danach gelöscht, auch ohne erneuten Antrag",
                    p.years, from.0, p.norm
                ),
                format!(
                    "{} years from the end of the calendar year {} ({}); then erased, without a further request",
                    p.years, from.1, p.norm
                ),
            )
        }
        (Erase::Retain(reason), None) => (
            format!("aufbewahrt, auch nach einer Löschung: {reason}"),
            format!("kept, also after an erasure: {reason}"),
        ),
        _ => {
            let days = match (t.entry.owner, t.entry.table) {
                (Owner::Own, "send_log" | "email_ratings") => inputs.retention.send_log_days,
                (Owner::Own, "email_archive") => match (
                    inputs.retention.archive_days,
                    inputs.retention.send_log_days,
                ) {
                    (0, d) | (d, 0) => d,
                    (a, s) => a.min(s),
                },
                _ => 0,
            };
            let until = if t.strategy == Erase::Anonymize {
                (
                    "bis zur Löschung (Art. 17 DSGVO); dann werden die personenbezogenen Angaben entfernt und der Eintrag bleibt ohne sie",
                    "until erasure (Art. 17 GDPR); then the personal details are removed and the entry stays without them",
                )
            } else {
                (
                    "bis zur Löschung auf Ihren Antrag (Art. 17 DSGVO) oder bis der Zweck entfällt",
                    "until erased at your request (Art. 17 GDPR) or until no longer needed",
                )
            };
            if days > 0 {
                (
                    format!("höchstens {days} Tage, {}", until.0),
                    format!("at most {days} days, {}", until.1),
                )
            } else {
                (until.0.to_owned(), until.1.to_owned())
            }
        }
    };
    json!({
        "id": t.entry.id,
        "table": t.table,
        "label": { "de": t.entry.label_de, "en": t.entry.label_en },
        "erasure": t.strategy.name(),
        "years": t.period.filter(|_| matches!(t.strategy, Erase::Retain(_))).map(|p| p.years),
        "norm": t.period.filter(|_| matches!(t.strategy, Erase::Retain(_))).map(|p| p.norm),
        "period": { "de": de, "en": en },
    })
}

/// The rights of the data subject (Art. 15(1)(e), (f)) and the withdrawal of consent.
fn rights() -> Value {
    let right =
        |article: &str, de: &str, en: &str| json!({ "article": article, "de": de, "en": en });
    json!([
        right(
            "Art. 15 DSGVO / GDPR",
            "Auskunft über Ihre Daten (diese Auskunft)",
            "access to your data (this export)"
        ),
        right(
            "Art. 16 DSGVO / GDPR",
            "Berichtigung unrichtiger Daten",
            "rectification of inaccurate data"
        ),
        right(
            "Art. 17 DSGVO / GDPR",
            "Löschung, soweit keine gesetzliche Aufbewahrungspflicht entgegensteht",
            "erasure, unless the law requires keeping the data"
        ),
        right(
            "Art. 18 DSGVO / GDPR",
            "Einschränkung der Verarbeitung",
            "restriction of processing"
        ),
        right(
            "Art. 20 DSGVO / GDPR",
            "Datenübertragbarkeit (diese Auskunft auch als JSON und CSV)",
            "data portability (this export also as JSON and CSV)"
        ),
        right(
            "Art. 21 DSGVO / GDPR",
            "Widerspruch gegen die Verarbeitung, gegen Direktwerbung jederzeit und ohne Begründung (Art. 21 Abs. 2, 3)",
            "objection to processing, to direct marketing at any time without giving reasons (Art. 21(2), (3))"
        ),
        right(
            "Art. 7 Abs. 3 DSGVO / Art. 7(3) GDPR",
            "Widerruf einer Einwilligung jederzeit mit Wirkung für die Zukunft",
            "withdrawal of consent at any time, for the future"
        ),
        right(
            "Art. 77 DSGVO / GDPR",
            "Beschwerde bei einer Datenschutz-Aufsichtsbehörde, insbesondere in dem Mitgliedstaat Ihres Aufenthalts, Ihres Arbeitsplatzes oder des Orts des mutmaßlichen Verstoßes",
            "complaint to a data protection supervisory authority, in particular in the member state of your residence, place of work or of the alleged infringement"
        ),
    ])
}

/// The Art. 15(1) information for an export of `tables` (the mapped tables this database has).
pub fn build(inputs: &Inputs<'_>, tables: &[Table<'_>]) -> Value {
    let own_purposes = json!([
        text(
            "Nachweis Ihrer Einwilligungen (Art. 7 Abs. 1 DSGVO)",
            "proof of your consents (Art. 7(1) GDPR)"
        ),
        text(
            "Beachtung Ihrer Widersprüche und Abmeldungen, auch nach einer Löschung (Art. 17 Abs. 3, Art. 21 DSGVO)",
            "honouring your objections and unsubscriptions, also after an erasure (Art. 17(3), Art. 21 GDPR)"
        ),
        text(
            "Nachweis, welche E-Mails Ihnen wann gesendet wurden (Rechenschaftspflicht, Art. 5 Abs. 2 DSGVO)",
            "proof of which emails were sent to you and when (accountability, Art. 5(2) GDPR)"
        ),
        text(
            "Werbe-E-Mails nur mit Einwilligung oder als Bestandskunde nach § 7 Abs. 3 UWG",
            "marketing email only with consent or as an existing customer under § 7(3) UWG"
        ),
        text(
            "Abwicklung Ihrer Bestellungen (Art. 6 Abs. 1 lit. b DSGVO) und gesetzliche Aufbewahrung (Art. 6 Abs. 1 lit. c DSGVO, § 147 AO)",
            "processing your orders (Art. 6(1)(b) GDPR) and keeping them as the law requires (Art. 6(1)(c) GDPR, § 147 AO)"
        ),
    ]);
    let categories: Vec<Value> = tables
        .iter()
        .map(|t| json!({ "id": t.entry.id, "table": t.table, "label": { "de": t.entry.label_de, "en": t.entry.label_en } }))
        .collect();
    json!({
        "basis": "Art. 15 Abs. 1 DSGVO / Art. 15(1) GDPR",
        "controller": shop(inputs, "controller"),
        "contact": shop(inputs, "contact"),
        "dpo": shop(inputs, "dpo"),
        "purposes": { "item": "a", "shop": shop(inputs, "purposes"), "records": own_purposes },
        "categories": { "item": "b", "tables": categories },
        "recipients": {
            "item": "c",
            "shop": shop(inputs, "recipients"),
            "note": text(
                "Die E-Mail-Marketing-Funktionen des Shops (dsgvo) laufen auf dem Server des Shops und geben keine Daten weiter; an wen der Shop Daten übermittelt (z. B. Versand, Zahlung), nennt er oben.",
                "The shop's email marketing functions (dsgvo) run on the shop's server and pass no data on; whom the shop passes data to (e.g. shipping, payment) it names above.",
            ),
        },
        "storage": { "item": "d", "tables": tables.iter().map(|t| storage(inputs, t)).collect::<Vec<_>>() },
        "rights": { "item": "e", "rights": rights() },
        "complaint": {
            "item": "f",
            "authority": shop(inputs, "authority"),
            "text": text(
                "Sie können sich bei jeder Datenschutz-Aufsichtsbehörde beschweren (Art. 77 DSGVO).",
                "You may lodge a complaint with any data protection supervisory authority (Art. 77 GDPR).",
            ),
        },
        "source": {
            "item": "g",
            "text": text(
                "Die Daten stammen von Ihnen (Kundenkonto, Bestellungen, Anmeldungen, Einwilligungen) und aus Ihrer Nutzung des Shops (Bestellverlauf, gesendete E-Mails, Abmeldungen). Importierte Einwilligungen nennen ihre Quelle im Feld source.",
                "The data comes from you (account, orders, sign-ups, consents) and from your use of the shop (order history, emails sent, unsubscriptions). Imported consents name their origin in the field source.",
            ),
        },
        "automated_decisions": {
            "item": "h",
            "text": text(
                &format!("Es gibt keine automatisierte Entscheidung mit rechtlicher Wirkung oder ähnlich erheblicher Beeinträchtigung (Art. 22 DSGVO). Produktempfehlungen (\"Kunden kauften auch\") werden aus Bestellungen berechnet, nur aus Produktpaaren, die mindestens {k} verschiedene Kunden kauften; sie wählen Inhalte von E-Mails aus und haben keine rechtliche Wirkung. Merkmale (Tags) ordnen Sie nach Ihrem Kaufverhalten Gruppen zu, für die Auswahl von E-Mails. Ob eine Werbe-E-Mail gesendet wird, prüft das System nach Ihrer Einwilligung bzw. § 7 Abs. 3 UWG und Ihren Widersprüchen; einem Widerspruch gegen Personalisierung folgen keine Empfehlungen und Merkmale mehr.", k = inputs.recommend_min_customers),
                &format!("There is no automated decision with legal or similarly significant effect (Art. 22 GDPR). Product recommendations (\"customers also bought\") are computed from orders, only from product pairs that at least {k} different customers bought; they choose the content of emails and have no legal effect. Tags group you by your purchases, to choose emails. Whether a marketing email is sent is checked against your consent or § 7(3) UWG and your objections; after an objection to personalisation no recommendations or tags are used.", k = inputs.recommend_min_customers),
            ),
        },
        "not_provided": inputs.shop.not_provided(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_every_item_and_what_the_shop_did_not_provide() {
        let mut shop = ExportInformation::default();
        shop.0[0] = Some("Shop GmbH".into());
        let inputs = Inputs {
            shop: &shop,
            retention: Retention::default(),
            recommend_min_customers: 5,
            strategies: &[],
            retention_years: &[("orders".into(), 10)],
        };
        let orders = datamap::entry("orders").unwrap();
        let tables = [inputs.table(orders, "orders".into())];
        let info = build(&inputs, &tables);
        for (key, item) in [
            ("purposes", "a"),
            ("categories", "b"),
            ("recipients", "c"),
            ("storage", "d"),
            ("rights", "e"),
            ("complaint", "f"),
            ("source", "g"),
            ("automated_decisions", "h"),
        ] {
            assert_eq!(info[key]["item"], item, "{key}");
        }
        assert_eq!(info["controller"], "Shop GmbH");
        assert_eq!(info["not_provided"].as_array().unwrap().len(), 5);
        assert_eq!(info["storage"]["tables"][0]["years"], 10);
        assert!(
            info["storage"]["tables"][0]["period"]["de"]
                .as_str()
                .unwrap()
                .contains("§ 147")
        );
    }
}
