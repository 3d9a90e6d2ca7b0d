<?php
/**
 * dsgvo for Zen Cart 2.x: what the storefront and the admin observers share. The store is built from php.ini
 * (dsgvo.dsn, dsgvo.secret, dsgvo.shop=zencart, dsgvo.shop_table_prefix = DB_PREFIX).
 *
 * Rules kept here: the shop's newsletter flag follows the ledger (it is set only after a ledger write
 * succeeded); marketing mail goes out only when dsgvo allows it; a dsgvo failure never breaks a shop page.
 */
class DsgvoZenCart
{
    /** @var \Dsgvo\Store|null */
    private static $store;

    /** The current marketing mail: [customer id, type, decision, address] between the notifiers of one zen_mail() recipient. */
    public static $pending;

    public static function store(): \Dsgvo\Store
    {
        return self::$store ??= new \Dsgvo\Store();
    }

    /** A setting of the plugin's configuration group, with its default when the key is missing. */
    public static function setting(string $key, string $default): string
    {
        return defined($key) && trim((string) constant($key)) !== '' ? trim((string) constant($key)) : $default;
    }

    /** The https base of the storefront, also from the admin (where HTTPS_SERVER is the admin's). */
    public static function catalogBase(): string
    {
        if (IS_ADMIN_FLAG === true) {
            $server = defined('HTTPS_CATALOG_SERVER') ? HTTPS_CATALOG_SERVER : HTTP_CATALOG_SERVER;
            $dir = defined('DIR_WS_HTTPS_CATALOG') ? DIR_WS_HTTPS_CATALOG : DIR_WS_CATALOG;
        } else {
            $server = HTTPS_SERVER;
            $dir = defined('DIR_WS_HTTPS_CATALOG') ? DIR_WS_HTTPS_CATALOG : DIR_WS_CATALOG;
        }
        return rtrim($server, '/') . '/' . ltrim($dir, '/');
    }

    /** The one-click endpoint: a Zen Cart page, so the shop's own nginx template serves it. */
    public static function unsubscribeUrl(): string
    {
        return self::catalogBase() . 'index.php?main_page=dsgvo_unsubscribe';
    }

    public static function confirmUrl(int $customerId, string $token): string
    {
        return self::catalogBase() . 'index.php?main_page=dsgvo_confirm&c=' . $customerId . '&token=' . rawurlencode($token);
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

    public static function lang(): string
    {
        return (($_SESSION['languages_code'] ?? 'en') === 'de') ? 'de' : 'en';
    }

    public static function setNewsletterFlag(int $customerId, int $value): void
    {
        global $db;
        $db->Execute('UPDATE ' . TABLE_CUSTOMERS . ' SET customers_newsletter = ' . ($value ? 1 : 0)
            . ' WHERE customers_id = ' . (int) $customerId);
    }

    /**
     * Starts the double opt-in for the newsletter with the wording shown, and mails the confirmation link.
     * The shop's flag is left 0: the confirm page sets it once the ledger holds the confirmation.
     *
     * @throws \Dsgvo\Exception
     */
    public static function startNewsletterOptIn(int $customerId, string $wording, string $source): void
    {
        global $db;
        $token = self::store()->requestConsent($customerId, self::setting('DSGVO_NEWSLETTER_TYPE', 'newsletter'),
            self::proof($source, ['text' => $wording, 'text_version' => self::setting('DSGVO_TEXT_VERSION', '1')]));
        $c = $db->Execute('SELECT customers_firstname, customers_lastname, customers_email_address FROM ' . TABLE_CUSTOMERS
            . ' WHERE customers_id = ' . (int) $customerId);
        if ($c->EOF) {
            return;
        }
        $link = self::confirmUrl($customerId, $token);
        zen_mail(trim($c->fields['customers_firstname'] . ' ' . $c->fields['customers_lastname']), $c->fields['customers_email_address'],
            DSGVO_CONFIRM_MAIL_SUBJECT, sprintf(DSGVO_CONFIRM_MAIL_TEXT, $link), STORE_NAME, EMAIL_FROM,
            ['EMAIL_MESSAGE_HTML' => sprintf(DSGVO_CONFIRM_MAIL_HTML, htmlspecialchars($link, ENT_QUOTES))], 'dsgvo_confirm');
    }

    /** A link's token as the page got it, or '' when it cannot be one (missing, too long, not UTF-8). */
    public static function tokenParam(string $name): string
    {
        $token = is_string($_GET[$name] ?? null) ? (string) $_GET[$name] : '';
        return strlen($token) <= 1024 && preg_match('//u', $token) === 1 ? $token : '';
    }

    /**
     * Runs the work of a link page (confirm, unsubscribe) and answers for it: 400 for a bad or used link,
     * 503 with Retry-After when dsgvo cannot record it now; never cached, never indexed.
     *
     * @param callable(): string $work returns the page state (ask, done, invalid)
     */
    public static function linkPage(string $what, callable $work): string
    {
        try {
            $state = $work();
        } catch (\Dsgvo\TokenException $e) {
            $state = 'invalid';
        } catch (\Dsgvo\Exception $e) {
            error_log("dsgvo: $what not recorded: " . $e->getMessage());
            $state = 'error';
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

    /** What a link page says when it could not do its work. */
    public static function failureHtml(string $state): string
    {
        return '<p id="dsgvo-result" class="dsgvo-' . ($state === 'invalid' ? 'invalid' : 'error') . '">'
            . ($state === 'invalid' ? DSGVO_LINK_INVALID : DSGVO_TRY_LATER) . '</p>';
    }

    // --- marketing mail through zen_mail() --------------------------------------------------------------

    /**
     * Which dsgvo email type the running admin action sends, or null when it sends no marketing mail:
     * the newsletter module (by the newsletter's module column), product notifications, the admin's "Send Email".
     */
    public static function campaignType(): ?string
    {
        global $db;
        if (IS_ADMIN_FLAG !== true) {
            return null;
        }
        $page = (string) ($_GET['cmd'] ?? basename((string) ($_SERVER['SCRIPT_NAME'] ?? ''), '.php'));
        $action = (string) ($_GET['action'] ?? '');
        if ($page === 'newsletters' && $action === 'confirm_send' && isset($_GET['nID'])) {
            $n = $db->Execute('SELECT module FROM ' . TABLE_NEWSLETTERS . ' WHERE newsletters_id = ' . (int) $_GET['nID']);
            $module = $n->EOF ? '' : (string) $n->fields['module'];
            return $module === 'product_notification'
                ? self::setting('DSGVO_PRODUCT_NOTIFICATION_TYPE', 'product_notification')
                : self::setting('DSGVO_NEWSLETTER_TYPE', 'newsletter');
        }
        if ($page === 'mail' && $action === 'send_email_to_user') {
            return self::setting('DSGVO_DIRECT_EMAIL_TYPE', 'newsletter');
        }
        return null;
    }

    /**
     * Decides one recipient of a marketing mail before zen_mail() validates the address. The audiences of
     * query_builder select no customers_id, so the recipient is found by address: the accounts whose current
     * address equals it exactly (findCustomers: trimmed, lowercased, byte for byte). It goes out only when dsgvo
     * allows it for every such account. An address of no account is skipped, except a shop administrator's
     * (the "Administrator" test audience), which gets the mail as a test, without list headers.
     *
     * @return bool whether the mail may go to this address
     */
    public static function decideRecipient(string $type, string $address): bool
    {
        global $db;
        self::$pending = null;
        try {
            $store = self::store();
            $accounts = $store->findCustomers($address, 50);
            if ($accounts === []) {
                $admin = $db->Execute($db->bindVars('SELECT admin_id FROM ' . TABLE_ADMIN . ' WHERE admin_email = :email', ':email', $address, 'string'));
                $isAdmin = !$admin->EOF;
                error_log('dsgvo: ' . $type . ' to an address of no account: ' . ($isAdmin ? 'sent as a test to the administrator' : 'skipped (unknown_customer)'));
                return $isAdmin;
            }
            $chosen = null;
            foreach ($accounts as $account) {
                $decision = $store->maySend((int) $account['customer_id'], $type);
                error_log(sprintf('dsgvo: %s to customer %d: %s (%s)', $type, $account['customer_id'], $decision->allowed ? 'allowed' : 'denied', $decision->reason));
                if (!$decision->allowed) {
                    return false;
                }
                $chosen = $chosen ?? [(int) $account['customer_id'], $type, $decision, $address];
            }
            self::$pending = $chosen;
            return true;
        } catch (\Dsgvo\Exception $e) {
            // Fail closed: no decision, no marketing mail.
            error_log("dsgvo: $type not sent, no decision: " . $e->getMessage());
            return false;
        }
    }

    /**
     * Adds List-Unsubscribe and List-Unsubscribe-Post to the PHPMailer object, unencoded, and the notice with
     * the visible link to both parts. PHPMailer encodes every custom header longer than 50 characters into an
     * RFC 2047 word when it sends through mail() (its line limit for that transport is 63): no mail client
     * reads a List-Unsubscribe like that. Its X-Mailer line is written as given, so the two headers follow it
     * there, on lines of their own, after the encoding step; DKIM, when the shop signs, signs them with the rest.
     */
    public static function decorate($mail): void
    {
        if (self::$pending === null) {
            return;
        }
        [$id, $type, $decision] = self::$pending;
        try {
            $store = self::store();
            $headers = $store->unsubscribeHeaders($id, $type, self::unsubscribeUrl());
            // The line ending PHPMailer's preSend() picks on PHP 8: CRLF for smtp and mail(), else PHP_EOL.
            $le = in_array($mail->Mailer, ['smtp', 'mail'], true) ? "\r\n" : PHP_EOL;
            $mailer = trim((string) $mail->XMailer);
            $lines = ($mailer !== '' ? $mailer : 'Zen Cart');
            foreach ($headers as $name => $value) {
                $lines .= $le . $name . ': ' . $value;
            }
            $mail->XMailer = $lines;
            if ($decision->noticeRequired) {
                $notice = $store->objectionNotice($id, $type, self::unsubscribeUrl(), self::lang());
                self::$pending[4] = true;
                if ($mail->ContentType === 'text/html') {
                    $html = '<hr>' . $notice['html'];
                    $mail->Body = stripos($mail->Body, '</body>') !== false
                        ? preg_replace('~</body>~i', $html . '</body>', $mail->Body, 1)
                        : $mail->Body . $html;
                    $mail->AltBody = rtrim((string) $mail->AltBody) . "\n\n--\n" . $notice['text'];
                } else {
                    $mail->Body = rtrim((string) $mail->Body) . "\n\n--\n" . $notice['text'];
                }
            }
        } catch (\Dsgvo\Exception $e) {
            // Without headers and notice the mail must not go: an empty recipient list makes send() fail.
            error_log("dsgvo: $type to customer $id stopped: " . $e->getMessage());
            $mail->clearAllRecipients();
            self::$pending = null;
        }
    }

    /** Logs a sent marketing mail (zen_mail's error text empty), which min_interval_days and the export rely on. */
    public static function logSent(array $params): void
    {
        if (self::$pending === null) {
            return;
        }
        [$id, $type, , $address] = self::$pending;
        $notice = !empty(self::$pending[4]);
        self::$pending = null;
        if ((string) ($params[8] ?? '') !== '') {
            return;
        }
        try {
            $subject = preg_match('/^.{0,200}/su', (string) ($params[4] ?? ''), $cut) ? $cut[0] : '';
            self::store()->logSend($id, $type, ['email' => $address, 'subject' => $subject, 'notice' => $notice]);
        } catch (\Dsgvo\Exception $e) {
            error_log("dsgvo: sent $type to customer $id but could not log it: " . $e->getMessage());
        }
    }
}
