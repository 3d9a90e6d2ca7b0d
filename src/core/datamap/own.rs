//! The extension's own tables with personal data. Large histories (send log, ratings, archive, consent
//! events) are read page by page along an index on (customer_id, id).

use crate::core::datamap::Erase::{Anonymize, Delete, Retain};
use crate::core::datamap::Find::{Match, Suppression, Via};
use crate::core::datamap::{Entry, Owner, Replacement};

const fn own(
    id: &'static str,
    table: &'static str,
    de: &'static str,
    en: &'static str,
    find: crate::core::datamap::Find,
    erase: crate::core::datamap::Erase,
) -> Entry {
    Entry {
        id,
        table,
        label_de: de,
        label_en: en,
        owner: Owner::Own,
        find,
        secrets: &[],
        condition: None,
        addresses: &[],
        page_by: Some("id"),
        email_prefix: None,
        erase,
        anonymize: &[],
        erased_when: None,
        period: None,
    }
}

const BY_CUSTOMER: crate::core::datamap::Find = Match {
    id: Some("customer_id"),
    emails: &[],
};

pub const ENTRIES: &[Entry] = &[
    Entry {
        // The salt only protects the digest of the personal fields; it says nothing about the person.
        secrets: &["personal_salt"],
        anonymize: &[
            ("ip", Replacement::Null),
            ("user_agent", Replacement::Null),
            ("actor", Replacement::Null),
            // The address the consent was given for (schema version 2).
            ("email", Replacement::Null),
            ("personal_salt", Replacement::Null),
            ("blanked_at", Replacement::Now),
        ],
        erased_when: Some("blanked_at IS NOT NULL"),
        ..own(
            "dsgvo.consent_events",
            "consent_events",
            "Einwilligungen und Nachweise",
            "Consents and their proof",
            BY_CUSTOMER,
            // The events are proof; erasure blanks their personal fields, the chain still verifies.
            Anonymize,
        )
    },
    Entry {
        page_by: None,
        ..own(
            "dsgvo.consent_texts",
            "consent_texts",
            "Einwilligungstexte",
            "Consent wordings",
            Via {
                parent: "dsgvo.consent_events",
                parent_key: "text_hash",
                key: "text_hash",
            },
            Retain("the wording shown, not personal data; kept as proof"),
        )
    },
    Entry {
        page_by: None,
        ..own(
            "dsgvo.consent_state",
            "consent_state",
            "Aktuelle Einwilligungen",
            "Current consents",
            BY_CUSTOMER,
            Delete,
        )
    },
    own(
        "dsgvo.opt_outs",
        "opt_outs",
        "Widersprüche",
        "Objections",
        BY_CUSTOMER,
        Delete,
    ),
    Entry {
        // The entries stay (so the address is never mailed again, Art. 17(3), 21 GDPR); the proof of an
        // objection by address (ip, user agent, actor) goes.
        anonymize: &[
            ("ip", Replacement::Null),
            ("user_agent", Replacement::Null),
            ("actor", Replacement::Null),
        ],
        erased_when: Some("ip IS NULL AND user_agent IS NULL AND actor IS NULL"),
        ..own(
            "dsgvo.suppressions",
            "suppressions",
            "Sperrliste",
            "Suppression list",
            Suppression,
            Anonymize,
        )
    },
    Entry {
        addresses: &["email"],
        ..own(
            "dsgvo.send_log",
            "send_log",
            "Versendete E-Mails",
            "Emails sent",
            // Found by customer id (every send has one); its addresses feed the email lookups.
            BY_CUSTOMER,
            Delete,
        )
    },
    Entry {
        page_by: Some("send_id"),
        ..own(
            "dsgvo.email_ratings",
            "email_ratings",
            "E-Mail-Bewertungen",
            "Email ratings",
            BY_CUSTOMER,
            Delete,
        )
    },
    Entry {
        page_by: Some("send_id"),
        ..own(
            "dsgvo.email_archive",
            "email_archive",
            "Archivierte E-Mails",
            "Archived emails",
            BY_CUSTOMER,
            Delete,
        )
    },
    Entry {
        page_by: None,
        ..own(
            "dsgvo.tags",
            "tags",
            "Merkmale",
            "Tags",
            BY_CUSTOMER,
            Delete,
        )
    },
    Entry {
        page_by: None,
        ..own(
            "dsgvo.restrictions",
            "restrictions",
            "Einschränkungen der Verarbeitung",
            "Restrictions of processing",
            BY_CUSTOMER,
            Delete,
        )
    },
    Entry {
        page_by: None,
        ..own(
            "dsgvo.pending_erasures",
            "pending_erasures",
            "Ausstehende Löschung (aufbewahrte Daten)",
            "Pending erasure (retained data)",
            BY_CUSTOMER,
            // Written by erase() itself: kept until the retained rows' legal periods end, then
            // purgeExpired(['erasures' => true]) finishes the erasure and deletes it.
            Retain(
                "the note that retained data still waits for the end of its legal period; deleted with the last of it",
            ),
        )
    },
];

/// The entry of the pending erasures.
pub const PENDING: &str = "dsgvo.pending_erasures";

/// The archive section: its body lives compressed in chunks and is added to each row as `body`.
pub const ARCHIVE: &str = "dsgvo.email_archive";
