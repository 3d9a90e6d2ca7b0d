//! MailBeez (2.9x), the email-automation module many of these shops run: its tables hold who was
//! mailed, opened, clicked, bounced, ordered from a mail, and its own opt-out list. They join every
//! shop preset's map; a shop without MailBeez simply lacks them (reported as skipped). Columns as in
//! MailBeez 2.92's `config_queen::install()`/`update()`; the tables carry the shop's table prefix.
//!
//! Whose row it is: by `customers_id` where the table has it (a row found by address counts only when
//! that column is 0 or the customer's own); opens and clicks through the tracking row of the mail.

use crate::core::datamap::Erase::Delete;
use crate::core::datamap::Find::{self, Match, Scan, Via};
use crate::core::datamap::shops::{ALL, addresses, condition, entry};
use crate::core::datamap::{Content, Entry};

/// The tracking table: the parent of opens and clicks.
pub const TRACKING: &str = "mailbeez_tracking";
/// MailBeez's own opt-out list, imported by `importOptOuts(['source' => 'mailbeez'])`.
pub const BLOCK: &str = "mailbeez_block";

/// A MailBeez table: named alike in every shop, deleted at erasure (marketing records only).
const fn table(table: &'static str, de: &'static str, en: &'static str, find: Find) -> Entry {
    entry(table, table, de, en, ALL, find, Delete)
}

/// A table with the customer id and the address mailed (a guest's rows have id 0).
const fn by_id_or_address(table: &'static str, de: &'static str, en: &'static str) -> Entry {
    let find = Match {
        id: Some("customers_id"),
        emails: &["customers_email"],
    };
    addresses(self::table(table, de, en, find), &["customers_email"])
}

/// A table of events of one mail (opens, clicks), found through the mail's tracking row. Rows of old
/// MailBeez versions have an empty message_id: those link to no one.
const fn via_message(table: &'static str, de: &'static str, en: &'static str) -> Entry {
    let find = Via {
        parent: TRACKING,
        parent_key: "message_id",
        key: "message_id",
    };
    condition(self::table(table, de, en, find), "message_id <> ''")
}

pub const ENTRIES: &[Entry] = &[
    by_id_or_address(
        TRACKING,
        "MailBeez: versendete E-Mails",
        "MailBeez: emails sent",
    ),
    entry(
        BLOCK,
        "mailbeez_block",
        "MailBeez: Abmeldungen (Sperrliste)",
        "MailBeez: opt-outs (block list)",
        ALL,
        Match {
            id: Some("customers_id"),
            emails: &[],
        },
        Delete,
    ),
    by_id_or_address(
        "mailbeez_bounces",
        "MailBeez: unzustellbare E-Mails",
        "MailBeez: bounces",
    ),
    // The bounce messages quote the recipient's address and the mail: they go with their bounce.
    condition(
        entry(
            "mailbeez_bounces_msg_log",
            "mailbeez_bounces_msg_log",
            "MailBeez: Rückläufer-Nachrichten",
            "MailBeez: bounce messages",
            ALL,
            Via {
                parent: "mailbeez_bounces",
                parent_key: "autoemail_id",
                key: "autoemail_id",
            },
            Delete,
        ),
        "autoemail_id <> 0",
    ),
    via_message(
        "mailbeez_opens_log",
        "MailBeez: Öffnungen",
        "MailBeez: opens",
    ),
    via_message(
        "mailbeez_tracking_clicks",
        "MailBeez: Klicks",
        "MailBeez: clicks",
    ),
    entry(
        "mailbeez_tracking_orders",
        "mailbeez_tracking_orders",
        "MailBeez: Bestellungen aus E-Mails",
        "MailBeez: orders from emails",
        ALL,
        Match {
            id: Some("customers_id"),
            emails: &[],
        },
        Delete,
    ),
    // The event log has no customer column: its rows are the customer's when their text names one of
    // the customer's addresses.
    entry(
        "mailbeez_event_log",
        "mailbeez_event_log",
        "MailBeez: Ereignisprotokoll",
        "MailBeez: event log",
        ALL,
        Scan {
            key: "log_id",
            content: Content::LogText,
        },
        Delete,
    ),
];
