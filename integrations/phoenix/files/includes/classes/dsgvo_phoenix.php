<?php
/**
 * dsgvo for CE Phoenix 1.0.7: what the storefront hooks, the link pages, the newsletter module and the admin
 * page share. The store is built from php.ini (dsgvo.dsn, dsgvo.secret, dsgvo.shop=oscommerce).
 *
 * Rules kept here: the shop's newsletter flag follows the ledger (it is set only after a ledger write
 * succeeded); marketing mail goes out only when dsgvo allows it; a dsgvo failure never breaks a shop page.
 */
class dsgvo_phoenix
{
    public const NEWSLETTER_TYPE = 'newsletter';
    public const CHECKOUT_PURPOSE = 'review.request';
    /** The type of Customers > Send Email: advertising unless you name a transactional type here. */
    public const DIRECT_EMAIL_TYPE = 'newsletter';

    /** @var \Dsgvo\Store|null */
    private static $store;

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

    /** Loads the integration's texts in the session's language (English when there is no translation). */
    public static function texts(): void
    {
        if (defined('DSGVO_TEXT_VERSION')) {
            return;
        }
        $language = basename((string) ($_SESSION['language'] ?? 'english'));
        $file = DIR_FS_CATALOG . "includes/languages/$language/dsgvo.php";
        require is_file($file) ? $file : DIR_FS_CATALOG . 'includes/languages/english/dsgvo.php';
    }

    /** The page being served, as Phoenix's hooks name it (create_account, checkout_process, ...). */
    public static function page(): string
    {
        return pathinfo((string) ($GLOBALS['PHP_SELF'] ?? $_SERVER['SCRIPT_NAME'] ?? ''), PATHINFO_FILENAME);
    }

    /** The storefront's base URL, also from the admin (where HTTP_SERVER is the admin's). */
    public static function catalogBase(): string
    {
        $server = defined('HTTP_CATALOG_SERVER') ? HTTP_CATALOG_SERVER : HTTP_SERVER;
        return rtrim($server, '/') . '/' . ltrim(DIR_WS_CATALOG, '/');
    }

    /** The one-click endpoint: a root page of the shop, served as every other page is. */
    public static function unsubscribeUrl(): string
    {
        return self::catalogBase() . 'dsgvo_unsubscribe.php';
    }

    public static function confirmUrl(int $customerId, string $token): string
    {
        return self::catalogBase() . 'dsgvo_confirm.php?c=' . $customerId . '&token=' . rawurlencode($token);
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
        return (($_SESSION['language'] ?? 'english') === 'german') ? 'de' : 'en';
    }

    public static function setNewsletterFlag(int $customerId, int $value): void
    {
        tep_db_query('UPDATE customers SET customers_newsletter = ' . ($value ? 1 : 0) . ' WHERE customers_id = ' . (int) $customerId);
    }

    // --- storefront ------------------------------------------------------------------------------------

    /**
     * injectAppTop: the account's newsletter and product notification pages, and the checkout box's value on
     * its way to the order.
     */
    public static function appTop(): void
    {
        if (!self::available()) {
            return;
        }
        $page = self::page();
        if ($page === 'account_newsletters' && isset($_SESSION['customer_id']) && tep_validate_form_action_is('process')) {
            self::texts();
            $wanted = (string) ($_POST['newsletter_general'] ?? '') === '1';
            $message = self::accountSetting((int) $_SESSION['customer_id'], $wanted);
            $GLOBALS['messageStack']->add_session('account', $message[0], $message[1]);
            // The page itself would now copy the box into the shop's flag, consent proven or not.
            tep_redirect(tep_href_link('account.php'));
        }
        if ($page === 'account_notifications') {
            dsgvo_phoenix_notifications::accountPage();
        }
        if ($page === 'checkout_confirmation' && ($_SERVER['REQUEST_METHOD'] ?? '') === 'POST' && isset($_POST['dsgvo_checkout_consent'])) {
            $_SESSION['dsgvo_checkout_consent'] = $_POST['dsgvo_checkout_consent'] === '1';
        }
    }

    /** postRegistration (customer_id is in the session by now): the box's wish becomes a double opt-in. */
    public static function afterRegistration(): void
    {
        if (!self::available()) {
            return;
        }
        $customerId = (int) ($_SESSION['customer_id'] ?? 0);
        $details = $GLOBALS['customer_details'] ?? [];
        $wanted = (string) ($_POST['newsletter'] ?? '') === '1' || !empty($details['newsletter']);
        if ($customerId <= 0 || !$wanted) {
            return;
        }
        self::texts();
        [$text, $class] = self::subscribe($customerId, 'account');
        $GLOBALS['messageStack']->add_session('header', $text, $class);
    }

    /**
     * Newsletter wanted: the flag goes to 0, the double opt-in starts with the wording the sign-up form
     * printed (the shop's ENTRY_NEWSLETTER and ENTRY_NEWSLETTER_TEXT, from the customer_data module).
     *
     * @return array{0: string, 1: string} the message for the customer and its class
     */
    private static function subscribe(int $customerId, string $source): array
    {
        self::setNewsletterFlag($customerId, 0);
        if (!defined('ENTRY_NEWSLETTER_TEXT')) {
            $file = DIR_FS_CATALOG . 'includes/languages/' . basename((string) ($_SESSION['language'] ?? 'english')) . '/modules/customer_data/cd_newsletter.php';
            if (is_file($file)) {
                require_once $file;
            }
        }
        $wording = self::shownText(defined('ENTRY_NEWSLETTER') ? (string) ENTRY_NEWSLETTER : '', defined('ENTRY_NEWSLETTER_TEXT') ? (string) ENTRY_NEWSLETTER_TEXT : '');
        try {
            $token = self::store()->requestConsent($customerId, self::NEWSLETTER_TYPE,
                self::proof($source, ['text' => $wording, 'text_version' => DSGVO_TEXT_VERSION]));
            $c = tep_db_fetch_array(tep_db_query('SELECT customers_firstname, customers_lastname, customers_email_address FROM customers WHERE customers_id = ' . (int) $customerId));
            if (is_array($c)) {
                tep_mail(trim($c['customers_firstname'] . ' ' . $c['customers_lastname']), $c['customers_email_address'],
                    DSGVO_CONFIRM_MAIL_SUBJECT, sprintf(DSGVO_CONFIRM_MAIL_TEXT, self::confirmUrl($customerId, $token)),
                    STORE_OWNER, STORE_OWNER_EMAIL_ADDRESS);
            }
            return [DSGVO_TEXT_CHECK_YOUR_MAIL, 'success'];
        } catch (\Dsgvo\Exception $e) {
            error_log("dsgvo: newsletter opt-in of customer $customerId not started: " . $e->getMessage());
            return [DSGVO_TEXT_NOT_RECORDED, 'error'];
        }
    }

    /** @return array{0: string, 1: string} */
    private static function accountSetting(int $customerId, bool $wanted): array
    {
        try {
            $store = self::store();
            if ($wanted) {
                if ($store->hasConsent($customerId, self::NEWSLETTER_TYPE) && !$store->isOptedOut($customerId, self::NEWSLETTER_TYPE)) {
                    return [DSGVO_TEXT_ALREADY, 'success'];
                }
                return self::subscribe($customerId, 'account');
            }
            // Unticked: an objection (also for the address) and, for a consent-based type, a revocation.
            $store->optOut($customerId, self::NEWSLETTER_TYPE, self::proof('account'));
            self::setNewsletterFlag($customerId, 0);
            return [DSGVO_TEXT_UNSUBSCRIBED, 'success'];
        } catch (\Dsgvo\Exception $e) {
            error_log("dsgvo: newsletter setting of customer $customerId not recorded: " . $e->getMessage());
            if (!$wanted) {
                // No mail goes out without dsgvo's consent anyway; the shop's flag follows the wish.
                self::setNewsletterFlag($customerId, 0);
            }
            return [DSGVO_TEXT_NOT_RECORDED, 'error'];
        }
    }

    /** injectFormDisplay on checkout_payment: the consent box under the order comments. */
    public static function checkoutBox(): ?string
    {
        if (self::page() !== 'checkout_payment' || !self::available()) {
            return null;
        }
        self::texts();
        return '<div class="form-group row dsgvo-consent" id="dsgvo-checkout-consent"><div class="col-sm-8 offset-sm-4">'
            . '<input type="hidden" name="dsgvo_checkout_consent" value="0">'
            . '<div class="custom-control custom-checkbox"><input type="checkbox" class="custom-control-input" name="dsgvo_checkout_consent" value="1" id="dsgvo-checkout-box"> '
            . '<label class="custom-control-label" for="dsgvo-checkout-box">' . htmlspecialchars(DSGVO_CHECKOUT_BOX_LABEL, ENT_QUOTES, 'UTF-8') . '</label></div></div></div>';
    }

    /** checkout_process, after the order was inserted: the box ticked on checkout_payment grants its purpose. */
    public static function afterOrder(): void
    {
        // checkout_confirmation runs the same pipeline, before the order exists.
        if (self::page() !== 'checkout_process') {
            return;
        }
        $ticked = !empty($_SESSION['dsgvo_checkout_consent']);
        unset($_SESSION['dsgvo_checkout_consent']);
        $customerId = (int) ($_SESSION['customer_id'] ?? 0);
        $orderId = (int) ($GLOBALS['order_id'] ?? 0);
        if (!$ticked || $customerId <= 0 || $orderId <= 0 || !self::available()) {
            return;
        }
        self::texts();
        try {
            $store = self::store();
            if (!$store->hasConsent($customerId, self::CHECKOUT_PURPOSE)) {
                $store->grantConsent($customerId, self::CHECKOUT_PURPOSE, self::proof('checkout', [
                    'text' => self::shownText(DSGVO_CHECKOUT_BOX_LABEL), 'text_version' => DSGVO_TEXT_VERSION,
                ]));
            }
        } catch (\Dsgvo\Exception $e) {
            error_log("dsgvo: checkout consent of customer $customerId (order $orderId) not recorded: " . $e->getMessage());
        }
    }

    // --- link pages ------------------------------------------------------------------------------------

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
        self::texts();
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

    /** What a link page says when it could not do its work. */
    public static function failureHtml(string $state): string
    {
        return '<p id="dsgvo-result" class="alert alert-danger dsgvo-' . ($state === 'invalid' ? 'invalid' : 'error') . '">'
            . ($state === 'invalid' ? DSGVO_LINK_INVALID : DSGVO_TRY_LATER) . '</p>';
    }

    // --- admin -----------------------------------------------------------------------------------------

    /** The button on the admin's customer edit screen (customers.php?action=edit&cID=N). */
    public static function adminCustomerButton(): ?string
    {
        $cID = (int) ($_GET['cID'] ?? 0);
        if ($cID <= 0) {
            return null;
        }
        self::texts();
        return '<p><a class="btn btn-info" id="dsgvo-customer-button" href="' . tep_href_link('dsgvo.php', 'cID=' . $cID) . '">'
            . htmlspecialchars(DSGVO_ADMIN_BUTTON, ENT_QUOTES, 'UTF-8') . '</a></p>';
    }

    /**
     * newsletters.php preAction: the plain "newsletter" module may not send while dsgvo is installed; the
     * "product_notification" module's sending (confirm_send, after the shop's own audience pages) goes
     * through dsgvo.
     */
    public static function guardNewsletters(): void
    {
        $action = (string) ($_GET['action'] ?? '');
        if (!in_array($action, ['send', 'confirm_send'], true) || !isset($_GET['nID']) || !self::available()) {
            return;
        }
        $row = tep_db_fetch_array(tep_db_query('SELECT newsletters_id, title, content, module, locked FROM newsletters WHERE newsletters_id = ' . (int) $_GET['nID']));
        if (!is_array($row)) {
            return;
        }
        self::texts();
        if ($row['module'] === 'product_notification' && $action === 'confirm_send' && $row['locked'] === '1') {
            dsgvo_phoenix_notifications::sendNewsletter((int) $row['newsletters_id'], (string) $row['title'], (string) $row['content']);
        }
        if ($row['module'] !== 'newsletter') {
            return;
        }
        $GLOBALS['messageStack']->add_session(DSGVO_ADMIN_PLAIN_NEWSLETTER_BLOCKED, 'error');
        tep_redirect(tep_href_link('newsletters.php', 'page=' . (int) ($_GET['page'] ?? 1) . '&nID=' . (int) $_GET['nID']));
    }

    /**
     * mail.php preAction: every audience of Customers > Send Email ("All Customers" ***, the newsletter
     * subscribers **D, one customer's address) is sent through sendMarketing() with DIRECT_EMAIL_TYPE, then the
     * page's own sending is skipped. One address is resolved exactly (findCustomers), as the shop would send
     * only to a customer's address.
     */
    public static function sendEmail(): void
    {
        $audience = (string) ($_POST['customers_email_address'] ?? '');
        if (($_GET['action'] ?? '') !== 'send_email_to_user' || $audience === '' || isset($_POST['back_x']) || !self::available()) {
            return;
        }
        self::texts();
        $ids = [];
        try {
            if ($audience === '***' || $audience === '**D') {
                $query = tep_db_query('SELECT customers_id FROM customers' . ($audience === '**D' ? ' WHERE customers_newsletter = 1' : ''));
                while ($row = tep_db_fetch_array($query)) {
                    $ids[] = (int) $row['customers_id'];
                }
            } elseif (filter_var($audience, FILTER_VALIDATE_EMAIL)) {
                $ids = array_map('intval', array_column(self::store()->findCustomers($audience, 50), 'customer_id'));
            } else {
                return; // the page says the address is invalid
            }
        } catch (\Dsgvo\Exception $e) {
            $GLOBALS['messageStack']->add_session('dsgvo: ' . $e->getMessage(), 'error');
            tep_redirect(tep_href_link('mail.php'));
        }
        self::sendListed($ids, self::DIRECT_EMAIL_TYPE, (string) tep_db_prepare_input($_POST['subject'] ?? ''),
            (string) tep_db_prepare_input($_POST['message'] ?? ''), 'mail.php', '', null,
            (string) tep_db_prepare_input($_POST['from_name'] ?? STORE_OWNER), (string) tep_db_prepare_input($_POST['from_address'] ?? STORE_OWNER_EMAIL_ADDRESS));
    }

    /**
     * An admin page's sending through sendMarketing(): the count sent and skipped as its message, $onSent once
     * a decision was made, then back to the page (whose own sending never runs).
     *
     * @param list<int> $ids
     * @param (callable(): void)|null $onSent
     */
    public static function sendListed(array $ids, string $type, string $subject, string $content, string $page, string $params,
        ?callable $onSent = null, string $fromName = '', string $fromAddress = ''): void
    {
        try {
            $result = self::sendMarketing($ids, $type, $subject, $content, $fromName, $fromAddress);
            if ($onSent !== null) {
                $onSent();
            }
            $GLOBALS['messageStack']->add_session(sprintf(DSGVO_ADMIN_LIST_SENT, $result['sent'], $result['skipped']), 'success');
        } catch (\Dsgvo\Exception $e) {
            // No decision, no mail: nothing is marked sent.
            $GLOBALS['messageStack']->add_session('dsgvo: ' . $e->getMessage(), 'error');
        }
        tep_redirect(tep_href_link($page, $params));
    }

    /**
     * customers.php preAction, deleteconfirm: dsgvo's erasure first, while the shop still knows the customer's
     * address (objections become suppressions of it, so they outlive the account). If it fails, the customer is
     * not deleted and the admin is told why.
     */
    public static function eraseBeforeDelete(): void
    {
        $id = (int) ($_GET['cID'] ?? 0);
        if (($_GET['action'] ?? '') !== 'deleteconfirm' || $id <= 0 || !self::available()) {
            return;
        }
        try {
            self::store()->erase($id);
        } catch (\Dsgvo\Exception $e) {
            self::texts();
            $GLOBALS['messageStack']->add_session(sprintf(DSGVO_ADMIN_DELETE_REFUSED, $e->getMessage()), 'error');
            tep_redirect(tep_href_link('customers.php', 'cID=' . $id));
        }
    }

    // --- marketing mail ----------------------------------------------------------------------------------

    /**
     * Sends one marketing mail with Phoenix's email class to every customer of $customerIds that dsgvo allows
     * (filterSendable), each with List-Unsubscribe and List-Unsubscribe-Post as plain header lines (the
     * email class writes extra headers as given, no RFC 2047 encoding), the visible unsubscribe link and,
     * for a type of the basis existing_customer (§ 7 Abs. 3 UWG), the objection notice; each send is logged.
     *
     * @param list<int> $customerIds
     * @return array{sent: int, skipped: int}
     * @throws \Dsgvo\Exception no decision: nothing was sent
     */
    public static function sendMarketing(array $customerIds, string $type, string $subject, string $content, string $fromName = '', string $fromAddress = ''): array
    {
        $fromName = $fromName !== '' ? $fromName : STORE_OWNER;
        $fromAddress = $fromAddress !== '' ? $fromAddress : STORE_OWNER_EMAIL_ADDRESS;
        self::texts();
        $store = self::store();
        $basis = '';
        foreach ($store->emailTypes() as $t) {
            if ($t['type'] === $type) {
                $basis = (string) $t['basis'];
            }
        }
        $allowed = [];
        foreach (array_chunk($customerIds, 1000) as $chunk) {
            $allowed = array_merge($allowed, $store->filterSendable($chunk, $type));
        }
        $sent = 0;
        foreach ($allowed as $id) {
            $c = tep_db_fetch_array(tep_db_query('SELECT customers_firstname, customers_lastname, customers_email_address FROM customers WHERE customers_id = ' . (int) $id));
            if (!is_array($c)) {
                continue;
            }
            try {
                $headers = $store->unsubscribeHeaders($id, $type, self::unsubscribeUrl());
                $notice = $basis === 'existing_customer' || $store->maySend($id, $type)->noticeRequired;
                $footer = $notice ? $store->objectionNotice($id, $type, self::unsubscribeUrl(), self::lang()) : null;
                $url = substr($headers['List-Unsubscribe'], 1, strpos($headers['List-Unsubscribe'], '>') - 1);
                $html = EMAIL_USE_HTML === 'true';
                $text = $content . ($html ? '<hr>' : "\n\n--\n")
                    . ($footer !== null ? ($html ? $footer['html'] : $footer['text'])
                        : sprintf(DSGVO_UNSUBSCRIBE_LINE, $html ? '<a href="' . htmlspecialchars($url, ENT_QUOTES) . '">' . htmlspecialchars($url, ENT_QUOTES) . '</a>' : $url));
                $mail = new email();
                $mail->add_message($text);
                $mail->build_message();
                $lines = [];
                foreach ($headers as $name => $value) {
                    $lines[] = $name . ': ' . $value;
                }
                $to = (string) $c['customers_email_address'];
                if ($mail->send(trim($c['customers_firstname'] . ' ' . $c['customers_lastname']), $to, $fromName, $fromAddress, $subject, $lines)) {
                    $store->logSend($id, $type, ['email' => $to, 'subject' => mb_substr($subject, 0, 200), 'notice' => $footer !== null]);
                    $sent++;
                } else {
                    error_log("dsgvo: $type to customer $id: the mail transport refused it");
                }
            } catch (\Dsgvo\Exception $e) {
                error_log("dsgvo: $type to customer $id not sent: " . $e->getMessage());
            }
        }
        return ['sent' => $sent, 'skipped' => count($customerIds) - $sent];
    }
}
