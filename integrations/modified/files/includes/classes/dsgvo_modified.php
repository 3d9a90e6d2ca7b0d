<?php
/**
 * dsgvo for modified eCommerce 3.x: what the includes/extra hooks, the link page, the newsletter mails and the
 * admin page share. The store is built from php.ini (dsgvo.dsn, dsgvo.secret, dsgvo.shop=modified).
 *
 * Rules kept here: the shop's newsletter flags (customers.customers_newsletter, newsletter_recipients.mail_status)
 * follow the ledger: they are set only after a ledger write succeeded; newsletter mail goes out only when dsgvo
 * allows it; a dsgvo failure never breaks a shop page.
 */
class dsgvo_modified
{
    public const NEWSLETTER_TYPE = 'newsletter';
    /** The query parameter carrying dsgvo's confirmation token on modified's own activation link. */
    public const TOKEN_PARAM = 'dsgvo';
    /** What the consent box on the order confirmation page grants: review requests by email after delivery. */
    public const CHECKOUT_PURPOSE = 'review.request';
    /** Raise it with every change of the box's wording (text 'checkout_box'): the ledger stores it with the text. */
    public const CHECKOUT_TEXT_VERSION = '1';

    /** @var \Dsgvo\Store|null */
    private static $store;
    /** @var string a message for the next page, set by a hook that cannot print */
    public static $notice = '';

    public static function available(): bool
    {
        if (class_exists('Dsgvo\Store', false)) {
            return true;
        }
        static $logged = false;
        if (!$logged) {
            $logged = true;
            error_log('dsgvo: the dsgvo extension is not loaded; the dsgvo hooks do nothing');
        }
        return false;
    }

    public static function store(): \Dsgvo\Store
    {
        return self::$store ??= new \Dsgvo\Store();
    }

    public static function german(): bool
    {
        return ($_SESSION['language'] ?? 'german') === 'german';
    }

    /** One of the integration's own texts, in German or English (the shop's two shipped languages). */
    public static function text(string $key): string
    {
        $texts = [
            'confirm_heading' => ['Newsletter bestätigen', 'Confirm the newsletter'],
            'confirm_ask' => ['Bitte bestätigen Sie, dass Sie unseren Newsletter erhalten möchten.', 'Please confirm that you want to receive our newsletter.'],
            'confirm_button' => ['Bestätigen', 'Confirm'],
            'unsubscribe_heading' => ['Abmelden', 'Unsubscribe'],
            'unsubscribe_ask' => ['Möchten Sie sich von „%s“ abmelden?', 'Do you want to unsubscribe from "%s"?'],
            'unsubscribe_all' => ['allen Werbe-E-Mails', 'all marketing email'],
            'unsubscribe_button' => ['Abmelden', 'Unsubscribe'],
            'unsubscribe_done' => ['Sie sind von „%s“ abgemeldet.', 'You are unsubscribed from "%s".'],
            'unsubscribe_link' => ['Vom Newsletter abmelden:', 'Unsubscribe from this newsletter:'],
            'invalid' => ['Dieser Link ist ungültig oder wurde schon benutzt.', 'This link is invalid or was already used.'],
            'later' => ['Das konnte gerade nicht gespeichert werden. Bitte versuchen Sie es in einigen Minuten noch einmal.', 'This could not be recorded just now. Please try again in a few minutes.'],
            'checkout_box' => ['Ja, bitten Sie mich nach der Lieferung per E-Mail um eine Bewertung meiner Bestellung. Diese Einwilligung kann ich jederzeit widerrufen.',
                'Yes, ask me by email for a review of my order after delivery. I can withdraw this at any time.'],
            'send_email_counts' => ['DSGVO: an %d Kunden gesendet, %d übersprungen (keine nachgewiesene Einwilligung oder Widerspruch).',
                'DSGVO: sent to %d customers; %d skipped (no proven consent, or objected).'],
            'not_recorded' => ['Ihre Newsletter-Anmeldung konnte gerade nicht gespeichert werden; Sie erhalten keinen Newsletter. Bitte melden Sie sich später in Ihrem Kundenkonto an.', 'Your newsletter sign-up could not be recorded just now; you will get no newsletter. Please sign up later in your account.'],
        ];
        return $texts[$key][self::german() ? 0 : 1];
    }

    public static function lang(): string
    {
        return self::german() ? 'de' : 'en';
    }

    /** The storefront's base URL, also from the admin (where HTTP_SERVER is the admin's). */
    public static function catalogBase(): string
    {
        $server = defined('HTTPS_CATALOG_SERVER') ? HTTPS_CATALOG_SERVER : (defined('HTTPS_SERVER') ? HTTPS_SERVER : HTTP_SERVER);
        return rtrim($server, '/') . '/' . ltrim(DIR_WS_CATALOG, '/');
    }

    /** The one-click endpoint: a root page of the shop, served as every other page is. */
    public static function unsubscribeUrl(): string
    {
        return self::catalogBase() . 'dsgvo_unsubscribe.php';
    }

    /** Proof of the current request, cut to what the extension accepts. */
    public static function proof(string $source, array $extra = []): array
    {
        $agent = preg_replace('/[\x00-\x1f\x7f]/', '', (string) ($_SERVER['HTTP_USER_AGENT'] ?? ''));
        $agent = preg_match('/^.{0,512}/su', (string) $agent, $cut) ? trim($cut[0]) : '';
        return ['source' => $source,
            'ip' => filter_var($_SERVER['REMOTE_ADDR'] ?? '', FILTER_VALIDATE_IP) ?: null,
            'user_agent' => $agent !== '' ? $agent : null] + $extra;
    }

    /** The wording a template printed, as the customer read it: tags gone, entities decoded, spaces folded. */
    public static function shownText(string ...$parts): string
    {
        $text = html_entity_decode(strip_tags(implode(' ', $parts)), ENT_QUOTES | ENT_HTML5, 'UTF-8');
        return trim((string) preg_replace('/\s+/u', ' ', $text));
    }

    /**
     * The wording next to the box the customer ticked, as the shop's templates print it: on create_account.php
     * {#text_newsletter#} of the [create_account] section of lang/<language>/lang_<language>.conf (and
     * ENTRY_NEWSLETTER_TEXT), on newsletter.php {#text_in#} of its [newsletter] section. Overrides in
     * lang_<language>.custom are not read.
     */
    public static function shownWording(string $page): string
    {
        [$section, $key] = $page === 'create_account.php' ? ['create_account', 'text_newsletter'] : ['newsletter', 'text_in'];
        $language = basename((string) ($_SESSION['language'] ?? 'german'));
        $conf = DIR_FS_CATALOG . "lang/$language/lang_$language.conf";
        $label = '';
        $current = '';
        foreach (is_file($conf) ? (file($conf) ?: []) : [] as $line) {
            if (preg_match('/^\s*\[([^\]]+)\]/', $line, $m)) {
                $current = $m[1];
            } elseif ($current === $section && preg_match('/^\s*' . $key . "\\s*=\\s*'(.*)'\\s*$/", $line, $m)) {
                $label = $m[1];
            }
        }
        $extra = $page === 'create_account.php' && defined('ENTRY_NEWSLETTER_TEXT') ? (string) ENTRY_NEWSLETTER_TEXT : '';
        return self::shownText($label, $extra);
    }

    /** The shop account behind an address (0: none, e.g. a guest on newsletter.php). */
    public static function customerByEmail(string $email): int
    {
        $row = xtc_db_fetch_array(xtc_db_query("SELECT customers_id FROM " . TABLE_CUSTOMERS . " WHERE customers_email_address = '"
            . xtc_db_input($email) . "' ORDER BY customers_id LIMIT 1"));
        return is_array($row) ? (int) $row['customers_id'] : 0;
    }

    /** @return list<string> the customer's addresses (the account's and its address book's are the same field in modified) */
    public static function customerEmails(int $customerId): array
    {
        $row = xtc_db_fetch_array(xtc_db_query('SELECT customers_email_address FROM ' . TABLE_CUSTOMERS . ' WHERE customers_id = ' . $customerId));
        return is_array($row) && $row['customers_email_address'] !== '' ? [(string) $row['customers_email_address']] : [];
    }

    /**
     * After an erasure: the admin newsletter module keeps each newsletter's recipient list (name and address) in a
     * table of its own, module_newsletter_temp_<newsletter id>, which dsgvo's data map cannot name in advance.
     * The customer's rows go from all of them. @return int rows removed
     */
    public static function eraseNewsletterTemp(int $customerId, array $emails): int
    {
        $removed = 0;
        $tables = xtc_db_query("SHOW TABLES LIKE 'module\\_newsletter\\_temp\\_%'");
        while ($t = xtc_db_fetch_array($tables)) {
            $table = (string) reset($t);
            if (preg_match('/^module_newsletter_temp_[0-9]+$/', $table) !== 1) {
                continue;
            }
            $where = 'customers_id = ' . $customerId;
            foreach ($emails as $email) {
                $where .= " OR customers_email_address = '" . xtc_db_input($email) . "'";
            }
            xtc_db_query('DELETE FROM `' . $table . '` WHERE ' . $where);
            $removed += (int) xtc_db_affected_rows();
        }
        return $removed;
    }

    /** Both of the shop's flags: the customer's and the newsletter_recipients row's. */
    public static function setNewsletterFlags(int $customerId, string $email, int $value): void
    {
        $value = $value ? 1 : 0;
        if ($customerId > 0) {
            xtc_db_query('UPDATE ' . TABLE_CUSTOMERS . ' SET customers_newsletter = ' . $value . ' WHERE customers_id = ' . $customerId);
        }
        if ($email !== '') {
            xtc_db_query('UPDATE ' . TABLE_NEWSLETTER_RECIPIENTS . ' SET mail_status = ' . $value
                . " WHERE customers_email_address = '" . xtc_db_input($email) . "'");
        }
    }

    // --- storefront ------------------------------------------------------------------------------------

    /**
     * newsletter/opt_in (inside newsletter::sendRequestMail, before modified mails its activation link):
     * records the consent request with the wording the customer saw and puts dsgvo's token on modified's own
     * link, so one click confirms both. When dsgvo cannot record it, the mail is not sent and the address stays
     * unconfirmed (mail_status 0).
     *
     * @return string|null the link to mail, or null when no mail may go
     */
    public static function optInLink(string $email, string $link): ?string
    {
        if (!self::available()) {
            return $link;
        }
        $customerId = self::customerByEmail($email);
        try {
            if ($customerId <= 0) {
                throw new \Dsgvo\ValidationException('no shop account has this address; dsgvo records consents per account');
            }
            $page = basename((string) ($_SERVER['SCRIPT_NAME'] ?? ''));
            $source = defined('RUN_MODE_ADMIN') ? 'admin' : ($page === 'create_account.php' ? 'account' : 'newsletter_form');
            $token = self::store()->requestConsent($customerId, self::NEWSLETTER_TYPE, self::proof($source, ['text' => self::shownWording($page)]));
            return $link . (strpos($link, '?') === false ? '?' : '&') . self::TOKEN_PARAM . '=' . rawurlencode($token);
        } catch (\Dsgvo\Exception $e) {
            error_log("dsgvo: newsletter opt-in of $email not started: " . $e->getMessage());
            self::$notice = self::text('not_recorded');
            return null;
        }
    }

    /** create_account_before_redirect: the box set customers_newsletter = 1; it stays 0 until the confirmation. */
    public static function afterRegistration(int $customerId, string $email): void
    {
        self::setNewsletterFlags($customerId, $email, 0);
        if (self::$notice !== '' && isset($GLOBALS['messageStack'])) {
            $GLOBALS['messageStack']->add_session('account', self::$notice);
        }
    }

    /**
     * newsletter/unsubscribe (modified's own unsubscribe, before it sets mail_status 2): an objection in the
     * ledger for the address; the customers' flag goes to 0 either way (no newsletter goes out without consent).
     */
    public static function unsubscribed(string $email): void
    {
        if (self::available()) {
            try {
                // For the address: also covers guests and accounts made later, and revokes the accounts' consent.
                self::store()->optOutEmail($email, self::NEWSLETTER_TYPE, self::proof(defined('RUN_MODE_ADMIN') ? 'admin' : 'newsletter_form'));
            } catch (\Dsgvo\Exception $e) {
                error_log('dsgvo: newsletter unsubscribe not recorded: ' . $e->getMessage());
            }
        }
        xtc_db_query('UPDATE ' . TABLE_CUSTOMERS . " SET customers_newsletter = 0 WHERE customers_email_address = '" . xtc_db_input($email) . "'");
    }

    /**
     * application_top_end on newsletter.php?action=activate&...&dsgvo=TOKEN: a GET shows a button and changes
     * nothing (mail scanners open links); the POST confirms in the ledger and only then lets modified activate
     * the address, and sets the customer's flag. Activation links without dsgvo's token are refused.
     */
    public static function guardActivation(): void
    {
        if (basename((string) ($_SERVER['SCRIPT_NAME'] ?? '')) !== 'newsletter.php' || ($_GET['action'] ?? '') !== 'activate' || !self::available()) {
            return;
        }
        $token = self::tokenParam(self::TOKEN_PARAM);
        $state = self::linkPage('confirmation', static function () use ($token): string {
            if ($token === '') {
                return 'invalid';
            }
            if (($_SERVER['REQUEST_METHOD'] ?? '') !== 'POST') {
                return 'ask';
            }
            $store = self::store();
            $eventId = $store->confirmConsent($token, self::proof('link'));
            $hash = (string) ($_GET['email'] ?? '');
            $row = xtc_db_fetch_array(xtc_db_query('SELECT customers_id, customers_email_address FROM ' . TABLE_NEWSLETTER_RECIPIENTS
                . " WHERE MD5(customers_email_address) = '" . xtc_db_input($hash) . "'"));
            $customerId = is_array($row) ? (int) $row['customers_id'] : 0;
            // The link's email hash is only a hint: the flag follows the confirmed event in that customer's history.
            foreach ($customerId > 0 ? $store->consentHistory($customerId) : [] as $event) {
                if ($event['id'] === $eventId && $event['purpose'] === self::NEWSLETTER_TYPE) {
                    xtc_db_query('UPDATE ' . TABLE_CUSTOMERS . ' SET customers_newsletter = 1 WHERE customers_id = ' . $customerId);
                    return 'done';
                }
            }
            return 'invalid';
        });
        if ($state === 'done') {
            return; // modified's newsletter.php activates the address (mail_status 1) and says so.
        }
        $body = $state === 'ask'
            ? '<form method="post" action="' . htmlspecialchars((string) ($_SERVER['REQUEST_URI'] ?? ''), ENT_QUOTES) . '"><p>' . self::text('confirm_ask')
                . '</p><p><button type="submit" id="dsgvo-confirm-submit">' . self::text('confirm_button') . '</button></p></form>'
            : self::failureHtml($state);
        self::page(self::text('confirm_heading'), $body);
    }

    public static function tokenParam(string $name): string
    {
        $token = is_string($_GET[$name] ?? null) ? (string) $_GET[$name] : '';
        return strlen($token) <= 1024 && preg_match('//u', $token) === 1 ? $token : '';
    }

    /**
     * Runs the work of a link page and answers for it: 400 for a bad or used link, 503 with Retry-After when
     * dsgvo cannot record it now; never cached, never indexed.
     *
     * @param callable(): string $work returns the page state (ask, done, invalid)
     */
    public static function linkPage(string $what, callable $work): string
    {
        if (!self::available()) {
            $state = 'error';
        } else {
            try {
                $state = $work();
            } catch (\Dsgvo\TokenException $e) {
                $state = 'invalid';
            } catch (\Dsgvo\Exception $e) {
                error_log("dsgvo: $what not recorded: " . $e->getMessage());
                $state = 'error';
            }
        }
        if ($state === 'invalid') {
            http_response_code(400);
        } elseif ($state === 'error') {
            http_response_code(503);
            header('Retry-After: 120');
        }
        header('Cache-Control: no-store');
        header('X-Robots-Tag: noindex');
        return $state;
    }

    public static function failureHtml(string $state): string
    {
        return '<p id="dsgvo-result" class="dsgvo-' . ($state === 'invalid' ? 'invalid' : 'error') . '">'
            . self::text($state === 'invalid' ? 'invalid' : 'later') . '</p>';
    }

    /** A link page of its own: it must work without the shop's session, cookies or template state. */
    public static function page(string $heading, string $body): void
    {
        header('Content-Type: text/html; charset=utf-8');
        echo '<!DOCTYPE html><html lang="' . self::lang() . '"><head><meta charset="utf-8"><meta name="robots" content="noindex"><title>'
            . htmlspecialchars($heading) . '</title></head><body><h1>' . htmlspecialchars($heading) . '</h1>' . $body . '</body></html>';
        exit;
    }

    // --- admin -----------------------------------------------------------------------------------------

    /**
     * Admin application_top_end on customers.php?action=deleteconfirm (modified's own delete of one customer or of
     * the list's selection; its CSRF check has run): before modified deletes, dsgvo erases its own records of each
     * customer while the shop still knows the address, which goes on the suppression list, and the customer's rows
     * of the newsletter module's send lists go. If dsgvo cannot, modified deletes nothing: the admin is sent back
     * with the reason. Without the extension the shop deletes as it always did.
     */
    public static function beforeCustomerDelete(): void
    {
        if (($_SERVER['REQUEST_METHOD'] ?? '') !== 'POST' || !self::available()) {
            return;
        }
        $ids = isset($_POST['multi_customers_confirm']) && is_array($_POST['multi_customers_confirm'])
            ? $_POST['multi_customers_confirm'] : [$_GET['cID'] ?? 0];
        foreach ($ids as $id) {
            $id = (int) $id;
            if ($id <= 0) {
                continue;
            }
            try {
                $emails = self::customerEmails($id);
                self::store()->erase($id);
                self::eraseNewsletterTemp($id, $emails);
            } catch (\Dsgvo\Exception $e) {
                $GLOBALS['messageStack']->add_session('DSGVO: ' . get_class($e) . ': ' . rtrim($e->getMessage(), '.') . '. Customer ' . $id
                    . ' was not deleted (nor any after it); run the deletion again once this is solved.', 'error');
                xtc_redirect(xtc_href_link(FILENAME_CUSTOMERS, 'cID=' . $id));
            }
        }
    }

    // --- checkout --------------------------------------------------------------------------------------

    /**
     * header_begin on checkout_confirmation.php: the page has assigned its form parts but not yet rendered its
     * template. The consent box joins MODULE_BUTTONS, which every template modified ships prints inside the
     * confirmation form, just before the order button. The wording shown is kept in the session as the proof
     * for the order; a box value from an earlier visit is dropped, so only this page's box can count.
     *
     * @param object|null $smarty the page's Smarty
     */
    public static function checkoutBox($smarty): void
    {
        if (basename((string) ($_SERVER['SCRIPT_NAME'] ?? '')) !== 'checkout_confirmation.php' || !is_object($smarty) || !self::available()) {
            return;
        }
        unset($_SESSION['dsgvo_checkout_consent']);
        $label = self::text('checkout_box');
        $_SESSION['dsgvo_checkout_text'] = $label;
        $buttons = method_exists($smarty, 'getTemplateVars') ? $smarty->getTemplateVars('MODULE_BUTTONS') : $smarty->get_template_vars('MODULE_BUTTONS');
        $smarty->assign('MODULE_BUTTONS', (is_string($buttons) ? $buttons : '')
            . '<div class="dsgvo-consent" id="dsgvo-checkout-consent" style="clear:both;text-align:left;margin:0 0 10px">'
            . '<input type="hidden" name="dsgvo_checkout_consent" value="0">'
            . '<input type="checkbox" name="dsgvo_checkout_consent" value="1" id="dsgvo-checkout-box"> '
            . '<label for="dsgvo-checkout-box" style="display:inline">' . htmlspecialchars($label, ENT_QUOTES, 'UTF-8') . '</label></div>');
    }

    /**
     * application_top_end on checkout_process.php: the confirmation form's box value, kept in the session until
     * the order exists (a payment module with temporary orders comes back to checkout_process.php later).
     */
    public static function keepCheckoutBox(): void
    {
        if (basename((string) ($_SERVER['SCRIPT_NAME'] ?? '')) === 'checkout_process.php' && ($_SERVER['REQUEST_METHOD'] ?? '') === 'POST'
            && isset($_POST['dsgvo_checkout_consent'])) {
            $_SESSION['dsgvo_checkout_consent'] = $_POST['dsgvo_checkout_consent'] === '1';
        }
    }

    /**
     * checkout_process_end (the order is stored, its mail sent): a ticked box grants its purpose, with the
     * wording the confirmation page showed as proof. Unticked, or no box on the page: nothing is recorded.
     */
    public static function afterOrder(int $customerId, int $orderId): void
    {
        $ticked = !empty($_SESSION['dsgvo_checkout_consent']);
        $shown = (string) ($_SESSION['dsgvo_checkout_text'] ?? '');
        unset($_SESSION['dsgvo_checkout_consent'], $_SESSION['dsgvo_checkout_text']);
        if (!$ticked || $shown === '' || $customerId <= 0 || $orderId <= 0 || !self::available()) {
            return;
        }
        try {
            $store = self::store();
            if (!$store->hasConsent($customerId, self::CHECKOUT_PURPOSE)) {
                $store->grantConsent($customerId, self::CHECKOUT_PURPOSE, self::proof('checkout', [
                    'text' => self::shownText($shown), 'text_version' => self::CHECKOUT_TEXT_VERSION,
                ]));
            }
        } catch (\Dsgvo\Exception $e) {
            // The order stands; without the ledger event no review request goes to this customer.
            error_log("dsgvo: checkout consent of customer $customerId (order $orderId) not recorded: " . $e->getMessage());
        }
    }

    // --- mail ------------------------------------------------------------------------------------------

    /**
     * php_mail: mail to a list goes out as the newsletter module's does. That is the admin's newsletter module
     * (module_newsletter.php) and Customers > Send Email (mail.php) to all customers, the newsletter recipients or
     * a customer group; a mail to one address picked there stays the shop's own. Returns false when the mail
     * must not go.
     */
    public static function listMail($mail, string $email, string $subject): bool
    {
        $page = basename((string) ($_SERVER['SCRIPT_NAME'] ?? ''));
        if ($page === 'mail.php' && self::sendEmailToList()) {
            $sent = self::newsletterMail($mail, $email, $subject);
            self::countSendEmail($sent);
            return $sent;
        }
        return $page !== 'module_newsletter.php' || self::newsletterMail($mail, $email, $subject);
    }

    /** mail.php sending to a list: its "all customers" (***), "newsletter recipients" (**D) or a customer group id. */
    private static function sendEmailToList(): bool
    {
        $to = $_POST['customers_email_address'] ?? '';
        return ($_GET['action'] ?? '') === 'send_email_to_user' && is_string($to) && ($to === '***' || $to === '**D' || ctype_digit($to));
    }

    /**
     * mail.php says only "sent to: all customers". Its admin message stack keeps session messages as
     * messageToAdminStack[type][key] => text, so one entry under a fixed key can count every recipient of the
     * loop; the page's redirect writes the session after the last one.
     */
    private static function countSendEmail(bool $sent): void
    {
        static $counts = [0, 0];
        $counts[$sent ? 0 : 1]++;
        $_SESSION['messageToAdminStack']['warning']['dsgvo-send-email'] = sprintf(self::text('send_email_counts'), $counts[0], $counts[1]);
    }

    /**
     * One recipient of a list mail: it goes only when maySend allows the newsletter type for the address's
     * account; then List-Unsubscribe/-Post, the visible unsubscribe link and, where required, the objection
     * notice are added and the send is logged.
     *
     * PHPMailer encodes every custom header longer than 50 characters into an RFC 2047 word when it sends
     * through mail() (modified's default transport): no mail client reads a List-Unsubscribe like that. Its
     * X-Mailer line is written as given, so the two headers follow it there, on lines of their own.
     */
    private static function newsletterMail($mail, string $email, string $subject): bool
    {
        if (!self::available()) {
            return false;
        }
        $id = self::customerByEmail($email);
        $type = self::NEWSLETTER_TYPE;
        try {
            if ($id <= 0) {
                // A guest recipient of modified's list: dsgvo holds no consent for it, so nothing goes.
                error_log('dsgvo: newsletter not sent to an address without a shop account');
                return false;
            }
            $store = self::store();
            $decision = $store->maySend($id, $type);
            if (!$decision->allowed) {
                return false;
            }
            $headers = $store->unsubscribeHeaders($id, $type, self::unsubscribeUrl());
            $le = in_array($mail->Mailer, ['smtp', 'mail'], true) ? "\r\n" : PHP_EOL;
            $mailer = trim((string) $mail->XMailer);
            $lines = $mailer !== '' ? $mailer : 'modified eCommerce';
            foreach ($headers as $name => $value) {
                $lines .= $le . $name . ': ' . $value;
            }
            $mail->XMailer = $lines;
            $url = substr($headers['List-Unsubscribe'], 1, strpos($headers['List-Unsubscribe'], '>') - 1);
            $text = self::text('unsubscribe_link') . "\n" . $url;
            $html = '<p>' . htmlspecialchars(self::text('unsubscribe_link')) . ' <a href="' . htmlspecialchars($url, ENT_QUOTES) . '">'
                . htmlspecialchars($url) . '</a></p>';
            if ($decision->noticeRequired) {
                $notice = $store->objectionNotice($id, $type, self::unsubscribeUrl(), self::lang());
                $text .= "\n\n" . $notice['text'];
                $html .= $notice['html'];
            }
            if ($mail->ContentType === 'text/html') {
                $mail->Body .= '<hr>' . $html;
                $mail->AltBody = rtrim((string) $mail->AltBody) . "\n\n--\n" . $text;
            } else {
                $mail->Body = rtrim((string) $mail->Body) . "\n\n--\n" . $text;
            }
            $cut = preg_match('/^.{0,200}/su', $subject, $m) ? $m[0] : '';
            $store->logSend($id, $type, ['email' => $email, 'subject' => $cut, 'notice' => $decision->noticeRequired]);
            return true;
        } catch (\Dsgvo\Exception $e) {
            // Fail closed: no decision or no headers, no newsletter.
            error_log("dsgvo: $type to customer $id stopped: " . $e->getMessage());
            return false;
        }
    }
}
