//! The notice every § 7 Abs. 3 UWG mail must carry (Nr. 4: the customer is told, at collection and in
//! every use, that they may object at any time without costs other than the transmission costs at the
//! basic rates), with the signed one-click link that records the objection. Also the notice of
//! Art. 21(4) GDPR for direct marketing.

use crate::core::error::{Error, Result};
use crate::core::export::html::escape;
use crate::core::rules::ident::shown;

/// The languages the notice is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    De,
    En,
}

impl Lang {
    pub fn from_code(code: &str) -> Result<Lang> {
        match code {
            "de" => Ok(Lang::De),
            "en" => Ok(Lang::En),
            other => Err(Error::invalid_input(format!(
                "language must be de or en, got {}",
                shown(other)
            ))),
        }
    }
}

/// The notice as plain text and as an HTML fragment, and the link in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    pub html: String,
    pub url: String,
}

/// The notice for mail of `email_type` (`*`: the link objects to all advertising mail), linking `url`
/// (the signed unsubscribe URL of that type).
pub fn notice(lang: Lang, all_mail: bool, url: &str) -> Notice {
    let (what, costs, how, link) = match (lang, all_mail) {
        (Lang::De, all) => (
            if all {
                "Sie können der Verwendung Ihrer E-Mail-Adresse für Werbung jederzeit widersprechen"
            } else {
                "Sie können der Verwendung Ihrer E-Mail-Adresse für Werbe-E-Mails dieser Art jederzeit widersprechen"
            },
            ", ohne dass Ihnen hierfür andere als die Übermittlungskosten nach den Basistarifen entstehen.",
            "Dafür genügt dieser Link:",
            "Jetzt widersprechen",
        ),
        (Lang::En, all) => (
            if all {
                "You may object at any time to the use of your email address for advertising"
            } else {
                "You may object at any time to the use of your email address for advertising emails of this kind"
            },
            ", without any costs other than the transmission costs at the basic rates.",
            "This link is all it takes:",
            "Object now",
        ),
    };
    let text = format!("{what}{costs} {how} {url}");
    let html = format!(
        "<p class=\"dsgvo-objection-notice\" lang=\"{lang}\">{what}{costs} {how} <a href=\"{href}\">{link}</a></p>",
        lang = match lang {
            Lang::De => "de",
            Lang::En => "en",
        },
        what = escape(what),
        costs = escape(costs),
        how = escape(how),
        href = escape(url),
        link = escape(link),
    );
    Notice {
        text,
        html,
        url: url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn says_what_the_statute_asks_and_links_the_objection() {
        let url = "https://shop.example/u.php?lang=de&t=TOK";
        let de = notice(Lang::De, false, url);
        assert!(de.text.contains("jederzeit widersprechen"));
        assert!(
            de.text
                .contains("Übermittlungskosten nach den Basistarifen")
        );
        assert!(de.text.ends_with(url));
        assert!(
            de.html
                .contains("href=\"https://shop.example/u.php?lang=de&amp;t=TOK\"")
        );
        assert!(!de.html.contains("&t="), "the & is escaped");
        let en = notice(Lang::En, true, url);
        assert!(en.text.contains("object at any time"));
        assert!(en.text.contains("for advertising,"));
        assert!(
            en.html
                .starts_with("<p class=\"dsgvo-objection-notice\" lang=\"en\">")
        );
        assert_eq!(Lang::from_code("en").unwrap(), Lang::En);
        assert!(Lang::from_code("fr").is_err());
        assert!(Lang::from_code("DE").is_err());
    }
}
