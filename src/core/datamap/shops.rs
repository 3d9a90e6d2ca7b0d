//! The shops' tables with personal data. Verified against the CREATE TABLE statements of osCommerce
//! 2.3.4.1, Zen Cart 2.2.2, modified eCommerce 3.3.0, xtcModified 1.0.6 and Gambio GX 3.2.
//! Parents (orders, reviews, ...) come before the tables found through them.

use crate::core::datamap::Erase::{self, Anonymize, Delete, Retain};
use crate::core::datamap::Find::{self, Match, Scan, Via};
use crate::core::datamap::Owner::Shop as In;
use crate::core::datamap::Replacement::{Null, Text, Zero};
use crate::core::datamap::period::{ORDER, ORDER_PART};
use crate::core::datamap::{Content, Entry, Period, Replacement};
use crate::core::shop::Shop::{self, Gambio, Modified, OsCommerce, ZenCart};

pub(super) const ALL: &[Shop] = &[OsCommerce, ZenCart, Modified, Gambio];
/// xtc, modified and Gambio share most tables (the "modified" preset also serves xtcModified).
const XTC: &[Shop] = &[Modified, Gambio];
const COUPONS: &[Shop] = &[ZenCart, Modified, Gambio];

/// Tax law keeps these: orders and what belongs to them are booking vouchers (8 years since 2025).
const TAX: &str = "kept for tax law: booking voucher, § 147 Abs. 1 Nr. 4 AO (8 years)";
const PAYMENT: &str = "payment record, kept for tax law: § 147 Abs. 1 Nr. 4 AO (8 years)";

const BY_CUSTOMER: Find = Match {
    id: Some("customers_id"),
    emails: &[],
};
const BY_CUSTOMER_SINGULAR: Find = Match {
    id: Some("customer_id"),
    emails: &[],
};
const VIA_ORDER: Find = Via {
    parent: "orders",
    parent_key: "orders_id",
    key: "orders_id",
};
/// Zen Cart's admin log: its compressed POST data is exported inflated.
pub const ADMIN_LOG: &str = "admin_activity_log";
/// Card data: never exported.
#[cfg(test)]
const CARD: &[&str] = &["cc_number", "cc_expires", "cc_cvv", "cc_start", "cc_issue"];

pub(super) const fn entry(
    id: &'static str,
    table: &'static str,
    de: &'static str,
    en: &'static str,
    shops: &'static [Shop],
    find: Find,
    erase: Erase,
) -> Entry {
    Entry {
        id,
        table,
        label_de: de,
        label_en: en,
        owner: In(shops),
        find,
        secrets: &[],
        condition: None,
        addresses: &[],
        page_by: None,
        email_prefix: None,
        erase,
        anonymize: &[],
        erased_when: None,
        period: None,
    }
}

/// A retained entry with its legal period.
const fn kept(mut e: Entry, period: Period) -> Entry {
    e.period = Some(period);
    e
}

pub(super) const fn anonymize(
    mut e: Entry,
    columns: &'static [(&'static str, Replacement)],
) -> Entry {
    e.anonymize = columns;
    e
}

/// Orders anonymised (when `erase_strategies` chooses it, e.g. after the retention period): every
/// field naming or locating the buyer, and the link to the account.
const ORDER_ANONYMIZE: &[(&str, Replacement)] = &[
    ("customers_id", Zero),
    ("customers_email_address", Text("")),
    ("customers_name", Text("Anonym")),
    ("customers_firstname", Text("")),
    ("customers_lastname", Text("")),
    ("customers_company", Text("")),
    ("customers_street_address", Text("")),
    ("customers_house_number", Text("")),
    ("customers_additional_info", Text("")),
    ("customers_suburb", Text("")),
    ("customers_city", Text("")),
    ("customers_postcode", Text("")),
    ("customers_state", Text("")),
    ("customers_telephone", Text("")),
    ("customers_cid", Text("")),
    ("customers_vat_id", Text("")),
    ("delivery_name", Text("Anonym")),
    ("delivery_firstname", Text("")),
    ("delivery_lastname", Text("")),
    ("delivery_company", Text("")),
    ("delivery_street_address", Text("")),
    ("delivery_house_number", Text("")),
    ("delivery_additional_info", Text("")),
    ("delivery_suburb", Text("")),
    ("delivery_city", Text("")),
    ("delivery_postcode", Text("")),
    ("delivery_state", Text("")),
    ("billing_name", Text("Anonym")),
    ("billing_firstname", Text("")),
    ("billing_lastname", Text("")),
    ("billing_company", Text("")),
    ("billing_street_address", Text("")),
    ("billing_house_number", Text("")),
    ("billing_additional_info", Text("")),
    ("billing_suburb", Text("")),
    ("billing_city", Text("")),
    ("billing_postcode", Text("")),
    ("billing_state", Text("")),
    ("cc_owner", Text("")),
    ("cc_number", Text("")),
    ("cc_expires", Text("")),
    ("cc_cvv", Null),
    ("cc_start", Text("")),
    ("cc_issue", Text("")),
    ("customers_ip", Text("")),
    ("ip_address", Text("")),
    ("comments", Text("")),
    ("gm_order_html", Text("")),
    ("gm_order_txt", Text("")),
];

pub(super) const fn secrets(mut e: Entry, columns: &'static [&'static str]) -> Entry {
    e.secrets = columns;
    e
}

pub(super) const fn addresses(mut e: Entry, columns: &'static [&'static str]) -> Entry {
    e.addresses = columns;
    e
}

const fn email_prefix(mut e: Entry, chars: usize) -> Entry {
    e.email_prefix = Some(chars);
    e
}

pub(super) const fn condition(mut e: Entry, sql: &'static str) -> Entry {
    e.condition = Some(sql);
    e
}

pub const ENTRIES: &[Entry] = &[
    // --- the account --------------------------------------------------------------------------------
    addresses(
        secrets(
            entry(
                "customers",
                "customers",
                "Kundenkonto",
                "Customer account",
                ALL,
                Match {
                    id: Some("customers_id"),
                    emails: &["customers_email_address"],
                },
                Delete,
            ),
            &[
                "customers_password",
                "customers_secret",
                "password_request_key",
                "customers_password_time",
            ],
        ),
        &["customers_email_address"],
    ),
    secrets(
        entry(
            "customers_info",
            "customers_info",
            "Kontoinformationen",
            "Account information",
            ALL,
            Match {
                id: Some("customers_info_id"),
                emails: &[],
            },
            Delete,
        ),
        &["password_reset_key"],
    ),
    entry(
        "address_book",
        "address_book",
        "Adressbuch",
        "Address book",
        ALL,
        BY_CUSTOMER,
        Delete,
    ),
    entry(
        "customers_basket",
        "customers_basket",
        "Warenkorb",
        "Shopping basket",
        ALL,
        BY_CUSTOMER,
        Delete,
    ),
    entry(
        "customers_basket_attributes",
        "customers_basket_attributes",
        "Warenkorb (Optionen)",
        "Shopping basket (options)",
        ALL,
        BY_CUSTOMER,
        Delete,
    ),
    entry(
        "customers_wishlist",
        "customers_wishlist",
        "Merkzettel",
        "Wish list",
        &[Gambio],
        BY_CUSTOMER,
        Delete,
    ),
    entry(
        "customers_wishlist_attributes",
        "customers_wishlist_attributes",
        "Merkzettel (Optionen)",
        "Wish list (options)",
        &[Gambio],
        BY_CUSTOMER,
        Delete,
    ),
    entry(
        "products_notifications",
        "products_notifications",
        "Produktbenachrichtigungen",
        "Product notifications",
        ALL,
        BY_CUSTOMER,
        Delete,
    ),
    entry(
        "customers_ip",
        "customers_ip",
        "IP-Protokoll des Kontos",
        "Account IP log",
        XTC,
        BY_CUSTOMER,
        Delete,
    ),
    entry(
        "customers_login",
        "customers_login",
        "Fehlgeschlagene Anmeldungen",
        "Failed logins",
        &[Modified],
        Match {
            id: None,
            emails: &["customers_email_address"],
        },
        Delete,
    ),
    entry(
        "customers_memo",
        "customers_memo",
        "Notizen zum Kunden",
        "Notes about the customer",
        XTC,
        BY_CUSTOMER,
        Delete,
    ),
    entry(
        "customers_status_history",
        "customers_status_history",
        "Verlauf der Kundengruppe",
        "Customer group history",
        XTC,
        BY_CUSTOMER,
        Delete,
    ),
    entry(
        "customers_to_groups",
        "customers_to_groups",
        "Kundengruppen",
        "Customer groups",
        &[ZenCart],
        BY_CUSTOMER_SINGULAR,
        Delete,
    ),
    secrets(
        entry(
            "customers_auth_tokens",
            "customers_auth_tokens",
            "Anmelde-Token",
            "Login tokens",
            &[ZenCart],
            Match {
                id: Some("customers_id"),
                emails: &["email_address"],
            },
            Delete,
        ),
        &["token"],
    ),
    secrets(
        entry(
            "customer_password_reset_tokens",
            "customer_password_reset_tokens",
            "Passwort-Zurücksetzungen",
            "Password resets",
            &[ZenCart],
            BY_CUSTOMER_SINGULAR,
            Delete,
        ),
        &["token"],
    ),
    secrets(
        entry(
            "files_uploaded",
            "files_uploaded",
            "Hochgeladene Dateien",
            "Uploaded files",
            &[ZenCart],
            BY_CUSTOMER,
            Delete,
        ),
        &["sesskey"],
    ),
    condition(
        entry(
            "action_recorder",
            "action_recorder",
            "Aktionsprotokoll (Kontakt, Passwort)",
            "Action log (contact, password)",
            &[OsCommerce],
            Match {
                id: Some("user_id"),
                emails: &["user_name"],
            },
            Delete,
        ),
        // Admin logins share the id column with another id space.
        "module <> 'ar_admin_login'",
    ),
    // --- orders (retained) ------------------------------------------------------------------------
    kept(
        anonymize(
            addresses(
                secrets(
                    entry(
                        "orders",
                        "orders",
                        "Bestellungen",
                        "Orders",
                        ALL,
                        Match {
                            id: Some("customers_id"),
                            emails: &["customers_email_address"],
                        },
                        Retain(TAX),
                    ),
                    &[
                        "cc_number",
                        "cc_expires",
                        "cc_cvv",
                        "cc_start",
                        "cc_issue",
                        "orders_hash",
                    ],
                ),
                &["customers_email_address"],
            ),
            ORDER_ANONYMIZE,
        ),
        ORDER,
    ),
    kept(
        entry(
            "orders_products",
            "orders_products",
            "Bestellte Artikel",
            "Ordered products",
            ALL,
            VIA_ORDER,
            Retain(TAX),
        ),
        ORDER_PART,
    ),
    kept(
        entry(
            "orders_products_attributes",
            "orders_products_attributes",
            "Artikeloptionen der Bestellungen",
            "Ordered product options",
            ALL,
            VIA_ORDER,
            Retain(TAX),
        ),
        ORDER_PART,
    ),
    kept(
        secrets(
            entry(
                "orders_products_download",
                "orders_products_download",
                "Downloads der Bestellungen",
                "Order downloads",
                ALL,
                VIA_ORDER,
                Retain(TAX),
            ),
            &["download_key"],
        ),
        ORDER_PART,
    ),
    kept(
        entry(
            "orders_total",
            "orders_total",
            "Bestellsummen",
            "Order totals",
            ALL,
            VIA_ORDER,
            Retain(TAX),
        ),
        ORDER_PART,
    ),
    kept(
        anonymize(
            entry(
                "orders_status_history",
                "orders_status_history",
                "Bestellverlauf und Kommentare",
                "Order history and comments",
                ALL,
                VIA_ORDER,
                Retain(TAX),
            ),
            &[("comments", Text(""))],
        ),
        ORDER_PART,
    ),
    kept(
        entry(
            "orders_tracking",
            "orders_tracking",
            "Sendungsverfolgung",
            "Shipment tracking",
            &[Modified],
            VIA_ORDER,
            Retain(TAX),
        ),
        ORDER_PART,
    ),
    // --- reviews (anonymised) ---------------------------------------------------------------------
    kept(
        secrets(
            entry(
                "paypal",
                "paypal",
                "PayPal-Zahlungen",
                "PayPal payments",
                &[ZenCart],
                Via {
                    parent: "orders",
                    parent_key: "orders_id",
                    key: "order_id",
                },
                Retain(PAYMENT),
            ),
            &["verify_sign"],
        ),
        ORDER_PART,
    ),
    anonymize(
        entry(
            "reviews",
            "reviews",
            "Bewertungen",
            "Reviews",
            ALL,
            BY_CUSTOMER,
            Anonymize,
        ),
        &[("customers_name", Text("Anonym")), ("customers_id", Null)],
    ),
    anonymize(
        entry(
            "reviews_description",
            "reviews_description",
            "Bewertungstexte",
            "Review texts",
            ALL,
            Via {
                parent: "reviews",
                parent_key: "reviews_id",
                key: "reviews_id",
            },
            // The text stays with the anonymised review (it is the shop's content); erase_strategies can delete it.
            Retain("kept with the anonymised review"),
        ),
        &[("reviews_text", Text(""))],
    ),
    // --- newsletters and mail ---------------------------------------------------------------------
    addresses(
        secrets(
            entry(
                "newsletter_recipients",
                "newsletter_recipients",
                "Newsletter-Empfänger",
                "Newsletter recipients",
                XTC,
                Match {
                    id: Some("customers_id"),
                    emails: &["customers_email_address"],
                },
                Delete,
            ),
            &["mail_key"],
        ),
        &["customers_email_address"],
    ),
    entry(
        "newsletter_recipients_history",
        "newsletter_recipients_history",
        "Verlauf der Newsletter-Anmeldung",
        "Newsletter subscription history",
        &[Modified],
        Match {
            id: None,
            emails: &["customers_email_address"],
        },
        Delete,
    ),
    entry(
        "email_archive",
        "email_archive",
        "E-Mail-Archiv des Shops",
        "Shop email archive",
        &[ZenCart],
        Match {
            id: None,
            emails: &["email_to_address", "email_from_address"],
        },
        Delete,
    ),
    entry(
        "email_contacts",
        "email_contacts",
        "E-Mail-Protokoll (Empfänger)",
        "Email log (recipients)",
        &[Gambio],
        Match {
            id: None,
            emails: &["email_address"],
        },
        Delete,
    ),
    entry(
        "emails",
        "emails",
        "E-Mail-Protokoll (Inhalte)",
        "Email log (contents)",
        &[Gambio],
        Via {
            parent: "email_contacts",
            parent_key: "email_id",
            key: "email_id",
        },
        Delete,
    ),
    // --- vouchers ---------------------------------------------------------------------------------
    // xtc and Gambio cut emailed_to at 32 characters.
    email_prefix(
        entry(
            "coupon_email_track",
            "coupon_email_track",
            "Versendete Gutscheine",
            "Vouchers sent",
            COUPONS,
            Match {
                id: Some("customer_id_sent"),
                emails: &["emailed_to"],
            },
            Delete,
        ),
        32,
    ),
    entry(
        "coupon_gv_customer",
        "coupon_gv_customer",
        "Gutscheinguthaben",
        "Voucher balance",
        COUPONS,
        BY_CUSTOMER_SINGULAR,
        Retain("open voucher balance: a claim of the customer, settle before deleting"),
    ),
    entry(
        "coupon_gv_queue",
        "coupon_gv_queue",
        "Gutscheine in Freigabe",
        "Vouchers awaiting release",
        COUPONS,
        BY_CUSTOMER_SINGULAR,
        Retain("paid voucher not yet released: settle before deleting"),
    ),
    anonymize(
        entry(
            "coupon_redeem_track",
            "coupon_redeem_track",
            "Eingelöste Gutscheine",
            "Vouchers redeemed",
            COUPONS,
            BY_CUSTOMER_SINGULAR,
            Anonymize,
        ),
        &[("customer_id", Zero), ("redeem_ip", Text(""))],
    ),
    // --- visits -----------------------------------------------------------------------------------
    secrets(
        entry(
            "whos_online",
            "whos_online",
            "Aktuelle Besuche",
            "Current visits",
            ALL,
            BY_CUSTOMER_SINGULAR,
            Delete,
        ),
        &["session_id"],
    ),
    // A session names its customer only inside its (base64-encoded) PHP session data, and outlives the
    // who's-online row: found by reading that data. A session is a credential: key and content are
    // listed, not shown (the account data it caches is exported from the account's own tables).
    secrets(
        entry(
            "sessions",
            "sessions",
            "Sitzungen",
            "Sessions",
            &[OsCommerce, ZenCart, Modified],
            Scan {
                key: "sesskey",
                content: Content::Session,
            },
            Delete,
        ),
        &["sesskey", "value"],
    ),
    // --- the shop's admin log ---------------------------------------------------------------------
    // Zen Cart logs every admin page view with its GET parameters (a customer search: the address)
    // and the raw-deflated POST data (an edited account: name, street, phone). The rows stay as the
    // record of who did what; what they hold about the customer is cleared.
    anonymize(
        entry(
            ADMIN_LOG,
            "admin_activity_log",
            "Protokoll der Shop-Verwaltung",
            "Shop admin activity log",
            &[ZenCart],
            Scan {
                key: "log_id",
                content: Content::AdminLog,
            },
            Anonymize,
        ),
        &[
            ("page_parameters", Text("")),
            ("gzpost", Text("")),
            ("logmessage", Text("[removed]")),
            ("attention", Text("")),
        ],
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_data_is_secret_where_orders_are_kept() {
        let orders = ENTRIES.iter().find(|e| e.id == "orders").unwrap();
        for column in CARD {
            assert!(orders.secrets.contains(column), "{column}");
        }
    }
}
