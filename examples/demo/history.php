<?php
/**
 * What happened in the demo shop before today, recorded through the extension the way the shop's pages would
 * have recorded it: the old newsletter flag imported, consent at checkout, double opt-ins from the newsletter
 * form (some never confirmed), withdrawals and objections on the account page, last month's win-back mailing.
 * Who did what follows from the customer id, so every run records the same.
 */
declare(strict_types=1);

const DEMO_NEWSLETTER_TEXT = 'Ja, ich möchte den Tee-Newsletter mit Angeboten per E-Mail erhalten. Abmeldung jederzeit.';
const DEMO_NEWSLETTER_VERSION = '2025-03';

/**
 * @return array<string, int> what was recorded, for one line of the demo's output
 */
function demo_history(Dsgvo\Store $store, DemoShop $shop): array
{
    $done = ['imported' => 0, 'checkout' => 0, 'confirmed' => 0, 'pending' => 0, 'revoked' => 0, 'objections' => 0, 'winback sent' => 0];
    // Day one with dsgvo: the subscribers the shop's flag knows become grants dated at their registration.
    $done['imported'] = $store->importConsents(['text_version' => 'customers_newsletter'])['granted'];

    foreach ($shop->customers as $id => $c) {
        if ($id === DemoShop::ERIKA || $id === DemoShop::JONAS) {
            continue; // they act today
        }
        $proof = ['text' => DEMO_NEWSLETTER_TEXT, 'text_version' => DEMO_NEWSLETTER_VERSION,
            'ip' => $id % 2 === 0 ? sprintf('198.51.100.%d', $id % 250 + 1) : sprintf('2001:db8::%x', $id), 'user_agent' => 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0'];
        if (!$c['newsletter'] && ($id % 9 === 0 || $id === DemoShop::SABINE)) {
            $store->grantConsent($id, 'newsletter', $proof + ['source' => 'checkout']);
            $done['checkout']++;
        } elseif (!$c['newsletter'] && $c['old_email'] !== null) {
            // Consent given at checkout for the address the account had then; the account has another one now.
            $store->grantConsent($id, 'newsletter', $proof + ['source' => 'checkout', 'email' => $c['old_email']]);
            $done['checkout']++;
        } elseif (!$c['newsletter'] && $id % 17 === 4) {
            // The newsletter form: a link is mailed, most people click it, some never do.
            $token = $store->requestConsent($id, 'newsletter', $proof + ['source' => 'newsletter_form']);
            if ($id % 3 !== 0) {
                $store->confirmConsent($token, ['source' => 'link', 'ip' => $proof['ip'], 'user_agent' => $proof['user_agent']]);
                $done['confirmed']++;
            } else {
                $done['pending']++;
            }
        }
        if ($c['newsletter'] && $id % 11 === 3) {
            $store->revokeConsent($id, 'newsletter', ['source' => 'account']);
            $done['revoked']++;
        }
        if ($id % 41 === 7 || $id % 37 === 10) {
            // "No advertising at all" on the account page, or only no win-back mail.
            $store->optOut($id, $id % 41 === 7 ? '*' : 'winback', ['source' => 'account', 'ip' => '203.0.113.9']);
            $done['objections']++;
        }
        if ($id % 10 === 6) {
            // Last month's win-back mailing reached these; the type allows one mail in 30 days. Each carried
            // the objection notice (objectionNotice()), which § 7 Abs. 3 UWG requires in every such mail.
            $store->logSend($id, 'winback', ['email' => $c['email'], 'subject' => 'Wir vermissen Sie!', 'notice' => true,
                'sent_at' => gmdate('Y-m-d\TH:i:s\Z', time() - 12 * 86400)]);
            $done['winback sent']++;
        }
    }
    $store->tag(DemoShop::SABINE, 'vip', 'spent.over.50');
    return $done;
}
