//! Unit tests of the decision rules.

use super::*;

fn t(s: &str) -> Timestamp {
    Timestamp::parse_rfc3339(s).unwrap()
}

fn clocks() -> Clocks {
    Clocks {
        utc_now: t("2026-06-01T12:00:00Z"),
        db_now: t("2026-06-01T14:00:00Z"),
    }
}

/// A type as defined with a notice date long before the orders of `customer()`.
fn rules(basis: Basis) -> TypeRules {
    TypeRules {
        basis,
        notice_since: Some(t("2020-01-01T00:00:00Z")),
        ..TypeRules::undefined(730)
    }
}

fn granted(at: &str) -> Option<ConsentFacts> {
    Some(ConsentFacts {
        status: Status::Granted,
        granted_at: Some(t(at)),
        grant_event_id: Some(7),
        event_id: 9,
        for_other_address: false,
        confirmed: false,
    })
}

fn customer() -> Facts {
    Facts {
        in_shop: Some(true),
        purchases: Purchases {
            has_sale: true,
            newest_at_address: Some(t("2026-01-01T10:00:00Z")),
            newest_similar: None,
        },
        ..Facts::default()
    }
}

fn reason(rules: &TypeRules, facts: &Facts) -> &'static str {
    decide(rules, facts, clocks()).reason.code()
}

#[test]
fn transactional_is_always_allowed() {
    let mut f = customer();
    f.in_shop = Some(false);
    f.suppressed = true;
    f.restricted = true;
    f.opted_out_all_at = Some(t("2026-01-01T00:00:00Z"));
    let d = decide(&rules(Basis::Transactional), &f, clocks());
    assert!(d.allowed);
    assert_eq!(d.reason, Reason::Transactional);
    assert_eq!(d.basis, Some(Basis::Transactional));
}

#[test]
fn precedence_of_denials() {
    let consent = rules(Basis::Consent);
    let mut f = customer();
    f.consent = granted("2020-01-01T00:00:00Z");
    f.in_shop = Some(false);
    f.suppressed = true;
    f.opted_out_all_at = Some(t("2025-01-01T00:00:00Z"));
    f.opted_out_type_at = Some(t("2025-01-01T00:00:00Z"));
    f.last_sent_at = Some(t("2026-06-01T11:00:00Z"));
    let mut r = consent.clone();
    r.min_interval_days = Some(7);
    f.restricted = true;
    assert_eq!(reason(&r, &f), "unknown_customer");
    f.in_shop = Some(true);
    assert_eq!(reason(&r, &f), "restricted", "right after unknown_customer");
    f.restricted = false;
    assert_eq!(reason(&r, &f), "suppressed");
    f.suppressed = false;
    assert_eq!(reason(&r, &f), "opted_out_all");
    f.opted_out_all_at = None;
    assert_eq!(reason(&r, &f), "opted_out");
    f.opted_out_type_at = None;
    assert_eq!(reason(&r, &f), "too_frequent");
    f.last_sent_at = Some(t("2026-05-20T00:00:00Z"));
    let d = decide(&r, &f, clocks());
    assert_eq!(
        (d.allowed, d.reason, d.basis, d.event_id),
        (true, Reason::Consent, Some(Basis::Consent), Some(7))
    );
}

#[test]
fn a_newer_consent_lifts_an_objection_for_its_type() {
    let consent = rules(Basis::Consent);
    let mut f = customer();
    f.opted_out_type_at = Some(t("2025-01-01T00:00:00Z"));
    f.opted_out_all_at = Some(t("2025-01-01T00:00:00Z"));
    f.consent = granted("2024-12-31T00:00:00Z");
    assert_eq!(
        reason(&consent, &f),
        "opted_out_all",
        "older consent lifts nothing"
    );
    f.consent = granted("2025-02-01T00:00:00Z");
    assert_eq!(reason(&consent, &f), "consent");
    f.consent = Some(ConsentFacts {
        status: Status::Revoked,
        ..granted("2025-02-01T00:00:00Z").unwrap()
    });
    assert_eq!(
        reason(&consent, &f),
        "opted_out_all",
        "only a consent in force lifts"
    );
    f.suppressed = true;
    f.consent = granted("2026-01-01T00:00:00Z");
    assert_eq!(
        reason(&consent, &f),
        "suppressed",
        "nothing lifts a suppression"
    );
}

#[test]
fn consent_reasons() {
    let consent = rules(Basis::Consent);
    let mut f = customer();
    assert_eq!(reason(&consent, &f), "no_consent");
    f.consent = Some(ConsentFacts {
        status: Status::Pending,
        granted_at: None,
        grant_event_id: None,
        event_id: 3,
        for_other_address: false,
        confirmed: false,
    });
    let d = decide(&consent, &f, clocks());
    assert_eq!((d.reason, d.event_id), (Reason::ConsentPending, Some(3)));
    f.consent = Some(ConsentFacts {
        status: Status::Revoked,
        granted_at: None,
        grant_event_id: None,
        event_id: 4,
        for_other_address: false,
        confirmed: false,
    });
    assert_eq!(decide(&consent, &f, clocks()).event_id, Some(4));
    assert_eq!(reason(&consent, &f), "consent_revoked");
}

#[test]
fn existing_customer_rules() {
    let mut ec = rules(Basis::ExistingCustomer);
    let mut f = customer();
    let d = decide(&ec, &f, clocks());
    assert_eq!(
        (d.allowed, d.reason, d.basis),
        (
            true,
            Reason::ExistingCustomer,
            Some(Basis::ExistingCustomer)
        )
    );
    f.consent = Some(ConsentFacts {
        status: Status::Revoked,
        granted_at: None,
        grant_event_id: None,
        event_id: 4,
        for_other_address: false,
        confirmed: false,
    });
    assert_eq!(
        reason(&ec, &f),
        "consent_revoked",
        "a revocation is an objection"
    );
    f.consent = Some(ConsentFacts {
        status: Status::Pending,
        granted_at: None,
        grant_event_id: None,
        event_id: 4,
        for_other_address: false,
        confirmed: false,
    });
    assert_eq!(
        reason(&ec, &f),
        "existing_customer",
        "a pending request leaves § 7(3) to decide"
    );
    f.consent = granted("2020-01-01T00:00:00Z");
    assert_eq!(reason(&ec, &f), "consent");
    f.consent = None;
    f.purchases.newest_at_address = None;
    assert_eq!(reason(&ec, &f), "email_changed");
    f.purchases.has_sale = false;
    assert_eq!(reason(&ec, &f), "no_purchase");
    f.purchases.has_sale = true;
    f.purchases.newest_at_address = Some(t("2024-06-01T13:59:59Z"));
    assert_eq!(
        reason(&ec, &f),
        "purchase_too_old",
        "730 days before the database's clock"
    );
    f.purchases.newest_at_address = Some(t("2024-06-01T14:00:00Z"));
    assert_eq!(reason(&ec, &f), "existing_customer");
    ec.notice_since = Some(t("2025-01-01T00:00:00Z"));
    f.purchases.newest_at_address = Some(t("2024-12-31T23:59:59Z"));
    assert_eq!(reason(&ec, &f), "notice_missing");
    f.purchases.newest_at_address = Some(t("2025-01-01T00:00:00Z"));
    assert_eq!(reason(&ec, &f), "existing_customer");
    f.in_shop = None;
    assert_eq!(
        reason(&ec, &f),
        "no_consent",
        "without a shop preset consent rules alone apply"
    );
}

fn other_address(at: &str) -> Option<ConsentFacts> {
    Some(ConsentFacts {
        for_other_address: true,
        ..granted(at).unwrap()
    })
}

#[test]
fn a_consent_for_another_address_does_not_count() {
    let consent = rules(Basis::Consent);
    let mut f = customer();
    f.consent = other_address("2026-01-01T00:00:00Z");
    let d = decide(&consent, &f, clocks());
    assert_eq!(
        (d.allowed, d.reason, d.event_id),
        (false, Reason::ConsentOtherAddress, Some(7)),
        "ranked where no_consent is, naming the grant"
    );
    f.opted_out_type_at = Some(t("2025-01-01T00:00:00Z"));
    assert_eq!(reason(&consent, &f), "opted_out", "and it lifts nothing");
    f.opted_out_type_at = None;
    f.last_sent_at = Some(t("2026-06-01T11:00:00Z"));
    let mut r = consent.clone();
    r.min_interval_days = Some(7);
    assert_eq!(
        reason(&r, &f),
        "too_frequent",
        "denials before it keep their rank"
    );
    let ec = rules(Basis::ExistingCustomer);
    f.last_sent_at = None;
    assert_eq!(
        reason(&ec, &f),
        "existing_customer",
        "§ 7(3) decides without the consent"
    );
    f.purchases.has_sale = false;
    assert_eq!(reason(&ec, &f), "no_purchase");
    f.consent = granted("2026-01-01T00:00:00Z");
    assert_eq!(reason(&consent, &f), "consent");
}

fn entry(email_type: &'static str, kind: EntryKind, at: &str) -> AddressEntry<'static> {
    AddressEntry {
        email_type,
        kind,
        created_at: t(at),
    }
}

#[test]
fn address_objections_are_lifted_by_a_confirmed_double_opt_in_only() {
    let consent = rules(Basis::Consent);
    let judge = |email_type: &str, entries: &[AddressEntry<'static>], c| {
        let mut f = customer();
        f.consent = c;
        apply_address_entries(&mut f, email_type, entries.iter().copied());
        decide(&consent, &f, clocks()).reason.code()
    };
    let objected = [entry("*", EntryKind::Objection, "2025-01-01T00:00:00Z")];
    assert_eq!(
        judge("newsletter", &objected, granted("2026-01-01T00:00:00Z")),
        "opted_out_all",
        "a newer consent does not lift an address's objection"
    );
    let erased = entry(
        "*",
        EntryKind::Suppression { liftable: true },
        "2025-01-01T00:00:00Z",
    );
    let lift = entry("newsletter", EntryKind::Lift, "2025-06-01T00:00:00Z");
    let typed = entry("newsletter", EntryKind::Objection, "2025-01-01T00:00:00Z");
    for denial in [objected[0], erased, typed] {
        let entries = [denial, lift];
        assert_eq!(
            judge("newsletter", &entries, granted("2025-06-01T00:00:00Z")),
            "consent",
            "{denial:?}"
        );
        assert_eq!(
            judge("newsletter", &entries, None),
            "no_consent",
            "a lift is no consent"
        );
        if denial.email_type == "*" {
            assert_ne!(
                judge("review", &entries, granted("2025-06-01T00:00:00Z")),
                "consent",
                "for its purpose only"
            );
        }
    }
    let newer = entry("*", EntryKind::Objection, "2025-07-01T00:00:00Z");
    assert_eq!(
        judge(
            "newsletter",
            &[newer, lift],
            granted("2025-06-01T00:00:00Z")
        ),
        "opted_out_all",
        "an objection after the lift stands"
    );
    let for_good = entry(
        "*",
        EntryKind::Suppression { liftable: false },
        "2025-01-01T00:00:00Z",
    );
    assert_eq!(
        judge(
            "newsletter",
            &[for_good, lift],
            granted("2025-06-01T00:00:00Z")
        ),
        "suppressed",
        "only erasure and objection entries are lifted"
    );
}

#[test]
fn codes_are_distinct() {
    let codes: std::collections::HashSet<_> = Reason::ALL.iter().map(|r| r.code()).collect();
    assert_eq!(codes.len(), Reason::ALL.len());
}

#[test]
fn without_a_notice_date_no_existing_customer_is_mailed() {
    let mut ec = rules(Basis::ExistingCustomer);
    ec.notice_since = None;
    let mut f = customer();
    assert_eq!(reason(&ec, &f), "notice_missing");
    f.purchases = Purchases::default();
    assert_eq!(reason(&ec, &f), "notice_missing", "whatever the orders");
    f.opted_out_all_at = Some(t("2025-01-01T00:00:00Z"));
    assert_eq!(
        reason(&ec, &f),
        "opted_out_all",
        "denials before it keep their rank"
    );
    f.opted_out_all_at = None;
    f.consent = granted("2026-01-01T00:00:00Z");
    assert_eq!(
        reason(&ec, &f),
        "consent",
        "a consent in force needs no § 7(3)"
    );
}

#[test]
fn similar_goods_and_cancelled_orders() {
    let mut ec = rules(Basis::ExistingCustomer);
    ec.similar_categories = Some(Rc::from([3u64, 4].as_slice()));
    let mut f = customer();
    assert_eq!(reason(&ec, &f), "no_similar_purchase");
    f.purchases.newest_similar = Some(t("2019-12-31T00:00:00Z"));
    assert_eq!(reason(&ec, &f), "no_similar_purchase", "before the notice");
    f.purchases.newest_similar = Some(t("2025-03-01T00:00:00Z"));
    assert_eq!(reason(&ec, &f), "existing_customer");
    f.purchases = Purchases {
        has_sale: false,
        ..f.purchases
    };
    assert_eq!(
        reason(&ec, &f),
        "no_purchase",
        "only cancelled orders: no sale"
    );
}

fn confirmed(at: &str) -> Option<ConsentFacts> {
    Some(ConsentFacts {
        confirmed: true,
        ..granted(at).unwrap()
    })
}

#[test]
fn consent_quality() {
    let mut doi = rules(Basis::Consent);
    doi.consent = ConsentMode::DoubleOptIn;
    let mut f = customer();
    f.consent = granted("2026-01-01T00:00:00Z");
    let d = decide(&doi, &f, clocks());
    assert_eq!(
        (d.reason, d.event_id),
        (Reason::ConsentUnconfirmed, Some(7))
    );
    f.consent = confirmed("2026-01-01T00:00:00Z");
    assert_eq!(reason(&doi, &f), "consent");

    let mut idle = rules(Basis::Consent);
    idle.consent_max_idle_days = Some(365);
    f.consent = granted("2025-05-31T00:00:00Z");
    assert_eq!(reason(&idle, &f), "consent_stale", "366 days unused");
    f.last_sent_at = Some(t("2025-07-01T00:00:00Z"));
    assert_eq!(
        reason(&idle, &f),
        "consent",
        "a logged send of the type keeps it"
    );
    f.last_sent_at = None;
    f.consent = granted("2025-06-02T00:00:00Z");
    assert_eq!(reason(&idle, &f), "consent");

    // A consent that does not count lifts no objection, and § 7(3) decides for its types.
    f.consent = granted("2025-01-01T00:00:00Z");
    f.opted_out_type_at = Some(t("2024-12-01T00:00:00Z"));
    assert_eq!(reason(&idle, &f), "opted_out");
    f.opted_out_type_at = None;
    let mut ec = rules(Basis::ExistingCustomer);
    ec.consent = ConsentMode::DoubleOptIn;
    f.consent = granted("2026-01-01T00:00:00Z");
    assert_eq!(reason(&ec, &f), "existing_customer");
}

#[test]
fn advertising_flags() {
    let consent = rules(Basis::Consent);
    let mut f = customer();
    f.consent = granted("2026-01-01T00:00:00Z");
    let allowed = decide(&consent, &f, clocks());
    assert!(allowed.may_advertise && allowed.notice_required);
    let denied = decide(&consent, &customer(), clocks());
    assert!(!denied.may_advertise && !denied.notice_required);

    let tx = decide(&rules(Basis::Transactional), &customer(), clocks());
    assert!(tx.allowed && !tx.may_advertise && !tx.notice_required);
    let with = tx.with_advertising(Some(&allowed));
    assert!(with.allowed && with.may_advertise && with.notice_required);
    let without = tx.with_advertising(Some(&denied));
    assert!(without.allowed && !without.may_advertise && !without.notice_required);
    assert_eq!(
        denied.with_advertising(Some(&allowed)),
        denied,
        "only transactional mail"
    );
}

#[test]
fn restriction_stops_every_marketing_basis_and_profiling() {
    let mut f = customer();
    f.restricted = true;
    f.consent = granted("2020-01-01T00:00:00Z");
    for basis in [Basis::Consent, Basis::ExistingCustomer] {
        let d = decide(&rules(basis), &f, clocks());
        assert_eq!((d.allowed, d.reason), (false, Reason::Restricted));
        assert!(!d.may_advertise && !d.notice_required);
    }
    assert!(profiling_stopped(&f));
    assert_eq!(objection(&f), None, "a restriction is no objection");
    f.restricted = false;
    assert!(!profiling_stopped(&f));
}
