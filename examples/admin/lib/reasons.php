<?php
/** The reason codes of Dsgvo\Decision, the bases of email types and the consent actions, in words. */
declare(strict_types=1);

namespace DsgvoAdmin;

/** @return array<string, array{de: string, en: string}> */
function reasons(): array
{
    return [
        // allowed
        'consent' => [
            'de' => 'Einwilligung liegt vor (Art. 6 Abs. 1 lit. a DSGVO, § 7 Abs. 2 UWG)',
            'en' => 'Consent given and in force',
        ],
        'existing_customer' => [
            'de' => 'Bestandskunde (§ 7 Abs. 3 UWG): eigene Bestellung mit dieser Adresse, nicht storniert, nach dem Widerspruchshinweis, nicht zu alt; Ware der gewählten Kategorien, falls festgelegt. Hinweis in jeder Mail nötig',
            'en' => 'Existing customer (§ 7(3) UWG): own order with this address, not cancelled, after the objection notice, recent enough; goods of the chosen categories if set. Notice needed in every mail',
        ],
        'transactional' => [
            'de' => 'Transaktions-E-Mail (z. B. Bestellbestätigung): keine Werbung, immer erlaubt',
            'en' => 'Transactional email (e.g. order confirmation): not advertising, always allowed',
        ],
        // denied
        'opted_out' => [
            'de' => 'Widerspruch gegen diese E-Mail-Art (Art. 21 Abs. 3 DSGVO)',
            'en' => 'Objected to this type of email (Art. 21(3) GDPR)',
        ],
        'opted_out_all' => [
            'de' => 'Widerspruch gegen alle Werbe-E-Mails (Art. 21 Abs. 3 DSGVO)',
            'en' => 'Objected to all marketing emails (Art. 21(3) GDPR)',
        ],
        'suppressed' => [
            'de' => 'Adresse gesperrt (z. B. nach Löschung): nie wieder anschreiben',
            'en' => 'Address suppressed (e.g. after erasure): never email again',
        ],
        'no_consent' => [
            'de' => 'Keine Einwilligung erteilt (§ 7 Abs. 2 UWG)',
            'en' => 'No consent given',
        ],
        'consent_revoked' => [
            'de' => 'Einwilligung widerrufen (Art. 7 Abs. 3 DSGVO)',
            'en' => 'Consent withdrawn (Art. 7(3) GDPR)',
        ],
        'consent_pending' => [
            'de' => 'Double-Opt-in nicht bestätigt: noch keine wirksame Einwilligung',
            'en' => 'Double opt-in not confirmed: no consent in force yet',
        ],
        'consent_other_address' => [
            'de' => 'Einwilligung galt einer anderen Adresse als der aktuellen des Kontos: neue Einwilligung nötig',
            'en' => 'Consent was given for another address than the account\'s current one: new consent needed',
        ],
        'consent_unconfirmed' => [
            'de' => 'Einwilligung ohne bestätigtes Double-Opt-in: für diese E-Mail-Art nicht ausreichend',
            'en' => 'Consent without confirmed double opt-in: not enough for this type',
        ],
        'consent_stale' => [
            'de' => 'Einwilligung zu lange nicht genutzt: gilt für diese E-Mail-Art als erloschen',
            'en' => 'Consent unused for too long: treated as lapsed for this type',
        ],
        'no_purchase' => [
            'de' => 'Keine (nicht stornierte) eigene Bestellung: kein Bestandskunde (§ 7 Abs. 3 Nr. 1 UWG)',
            'en' => 'No own (non-cancelled) purchase: not an existing customer',
        ],
        'purchase_too_old' => [
            'de' => 'Letzte Bestellung zu lange her: kein Bestandskunde mehr (§ 7 Abs. 3 UWG)',
            'en' => 'Last purchase too long ago: no longer an existing customer',
        ],
        'email_changed' => [
            'de' => 'Adresse nicht die der Bestellung: nicht beim Kauf erhalten (§ 7 Abs. 3 Nr. 1 UWG)',
            'en' => 'Address is not the one given with the order (§ 7(3) no. 1 UWG)',
        ],
        'notice_missing' => [
            'de' => 'Kein Nachweis des Hinweises auf das Widerspruchsrecht bei der Bestellung (§ 7 Abs. 3 Nr. 4 UWG)',
            'en' => 'No proof of the notice of the right to object when the order was placed (§ 7(3) no. 4 UWG)',
        ],
        'no_similar_purchase' => [
            'de' => 'Keine Bestellung von Waren der gewählten Kategorien: keine ähnliche Ware (§ 7 Abs. 3 Nr. 2 UWG)',
            'en' => 'No order of goods of the chosen categories: not similar goods (§ 7(3) no. 2 UWG)',
        ],
        'too_frequent' => [
            'de' => 'Zu häufig: Mindestabstand für diese E-Mail-Art noch nicht vorbei',
            'en' => 'Too frequent: minimum interval for this type not over yet',
        ],
        'unknown_customer' => [
            'de' => 'Unbekannter Kunde: kein Kundenkonto mit dieser Nummer',
            'en' => 'Unknown customer: no shop account with this id',
        ],
        'restricted' => [
            'de' => 'Verarbeitung eingeschränkt (Art. 18 DSGVO): keine Werbung, bis die Einschränkung aufgehoben ist',
            'en' => 'Processing restricted (Art. 18 GDPR): no marketing until the restriction is lifted',
        ],
    ];
}

/** @return array{de: string, en: string} */
function reason(string $code): array
{
    return reasons()[$code] ?? ['de' => 'Unbekannter Grund', 'en' => 'Unknown reason'];
}

/** @return array{de: string, en: string} */
function basis(?string $basis): array
{
    switch ($basis) {
        case 'consent':
            return ['de' => 'Einwilligung', 'en' => 'consent'];
        case 'existing_customer':
            return ['de' => 'Bestandskunde (§ 7 Abs. 3 UWG)', 'en' => 'existing customer'];
        case 'transactional':
            return ['de' => 'Transaktion', 'en' => 'transactional'];
    }
    return ['de' => (string) $basis, 'en' => (string) $basis];
}

/** @return array{de: string, en: string} */
function consent_action(string $action): array
{
    switch ($action) {
        case 'granted':
            return ['de' => 'erteilt', 'en' => 'granted'];
        case 'revoked':
            return ['de' => 'widerrufen', 'en' => 'revoked'];
        case 'requested':
            return ['de' => 'angefragt (Double-Opt-in)', 'en' => 'requested (double opt-in)'];
        case 'confirmed':
            return ['de' => 'bestätigt', 'en' => 'confirmed'];
    }
    return ['de' => $action, 'en' => $action];
}

/** The label of an objection's type: '*' means every marketing email. */
function objection_type(string $type): string
{
    return $type === '*' ? 'alle Werbe-E-Mails / all marketing emails (*)' : $type;
}
