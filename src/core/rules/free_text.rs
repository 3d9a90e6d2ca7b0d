//! Free text that names the person (review texts): what the erasure replaces when it anonymises a
//! review. A text names the person when it contains, case-insensitively, the last name, the street
//! name without its house number, one of the addresses, or the phone number's digits (6 or more).
//! First names and cities alone do not: they name too many people to identify one.

/// What replaces a text that names the person.
pub const REMOVED: &str = "[removed]";

/// What identifies the person in free text (as stored by the shop; normalised here).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Person {
    pub last_names: Vec<String>,
    /// Street lines as stored, with or without the house number.
    pub streets: Vec<String>,
    /// Normalised addresses.
    pub emails: Vec<String>,
    pub phones: Vec<String>,
}

/// Shorter names are matched as whole words only ("Li" must not remove every "liebe").
const MIN_CONTAINED_NAME: usize = 3;
/// Street names shorter than this after dropping the number ("Am 3") are not checked.
const MIN_STREET: usize = 4;
/// A phone number is checked when it has at least this many digits (leading zeros dropped).
const MIN_PHONE_DIGITS: usize = 6;

/// The street name without house number: the words that hold no digit, e.g. `Teststraße 12a` →
/// `teststraße`, `12 Main Street` → `main street`; lowercase, trailing dots dropped (`Hauptstr.`).
pub fn street_name(street: &str) -> Option<String> {
    let words: Vec<&str> = street
        .split_whitespace()
        .filter(|w| !w.chars().any(|c| c.is_ascii_digit()))
        .collect();
    let name = words.join(" ").trim_end_matches(['.', ',']).to_lowercase();
    (name.chars().count() >= MIN_STREET).then_some(name)
}

/// The digits of a phone number that identify it: without the trunk or international zeros.
pub fn phone_digits(phone: &str) -> Option<String> {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.trim_start_matches('0').to_owned();
    (digits.len() >= MIN_PHONE_DIGITS).then_some(digits)
}

/// The digit runs of a text, with the separators people write inside a phone number (up to three of
/// ` -/.()+` in a row) skipped: `030 / 123 456-78` is one run, `0301234567 8`.
fn digit_runs(text: &str) -> Vec<String> {
    let mut runs = Vec::new();
    let mut current = String::new();
    let mut separators = 0;
    for c in text.chars() {
        if c.is_ascii_digit() {
            current.push(c);
            separators = 0;
        } else if !current.is_empty() && " -/.()+".contains(c) && separators < 3 {
            separators += 1;
        } else if !current.is_empty() {
            runs.push(std::mem::take(&mut current));
            separators = 0;
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs
}

fn contains_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// Whether `text` names the person.
pub fn names_person(text: &str, person: &Person) -> bool {
    let lower = text.to_lowercase();
    let by_name = person.last_names.iter().any(|name| {
        let name = name.trim().to_lowercase();
        match name.chars().count() {
            0 => false,
            n if n < MIN_CONTAINED_NAME => contains_word(&lower, &name),
            _ => lower.contains(&name),
        }
    });
    let by_street = person
        .streets
        .iter()
        .filter_map(|s| street_name(s))
        .any(|s| lower.contains(&s));
    let by_address = person
        .emails
        .iter()
        .any(|e| !e.is_empty() && lower.contains(e.as_str()));
    let by_phone = {
        let wanted: Vec<String> = person
            .phones
            .iter()
            .filter_map(|p| phone_digits(p))
            .collect();
        !wanted.is_empty()
            && digit_runs(text)
                .iter()
                .any(|run| wanted.iter().any(|w| run.contains(w.as_str())))
    };
    by_name || by_street || by_address || by_phone
}

#[cfg(test)]
mod tests {
    use super::*;

    fn erika() -> Person {
        Person {
            last_names: vec!["Mustermann".into()],
            streets: vec!["Teststraße 12a".into()],
            emails: vec!["erika@x.de".into()],
            phones: vec!["030 / 123 456 78".into()],
        }
    }

    #[test]
    fn names_street_address_and_phone_are_found() {
        let p = erika();
        assert!(names_person("Toll! Erika aus der Teststraße", &p));
        assert!(names_person("Grüße von FRAU MUSTERMANN", &p));
        assert!(names_person("schreibt mir: Erika@X.de", &p));
        assert!(names_person("Ruft an: +49 30 12345678", &p));
        assert!(names_person("Tel. 030-123 456 78", &p));
        assert!(names_person("Tel. 030 / 123 456 78", &p));
    }

    #[test]
    fn first_names_cities_and_other_numbers_are_not() {
        let p = erika();
        assert!(!names_person("Erika aus Berlin findet es gut", &p));
        assert!(!names_person(
            "Bestellnummer 12345, Lieferung in 3 Tagen",
            &p
        ));
        assert!(!names_person("", &p));
    }

    #[test]
    fn short_names_and_streets_need_whole_words() {
        let p = Person {
            last_names: vec!["Li".into()],
            streets: vec!["Am 3".into()],
            ..Person::default()
        };
        assert!(!names_person("Ich liebe es", &p));
        assert!(names_person("Herr Li meint: gut", &p));
        assert_eq!(street_name("Am 3"), None);
        assert_eq!(street_name("Hauptstr. 5").as_deref(), Some("hauptstr"));
        assert_eq!(
            street_name("12 Main Street").as_deref(),
            Some("main street")
        );
        assert_eq!(phone_digits("030 12 3"), None);
        assert_eq!(phone_digits("+49 (0)30 12").as_deref(), Some("4903012"));
    }
}
