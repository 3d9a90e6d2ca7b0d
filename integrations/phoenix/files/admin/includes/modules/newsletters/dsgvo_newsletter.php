<?php
/**
 * Newsletter (dsgvo): Phoenix's newsletter module, sending through dsgvo. The audience is the shop's
 * (customers with the newsletter flag, read through customer_data); dsgvo's filterSendable decides who of
 * them gets it; each mail carries List-Unsubscribe/-Post, the visible unsubscribe link (and the objection
 * notice where § 7 Abs. 3 UWG asks for it) and is logged.
 */
class dsgvo_newsletter
{
    public $show_choose_audience = false;
    public $title;
    public $content;

    public function __construct($title, $content)
    {
        $this->title = $title;
        $this->content = $content;
    }

    public function choose_audience()
    {
        return false;
    }

    /** @return list<int> the shop's audience: every customer with the newsletter flag */
    private function audience(): array
    {
        $customer_data = ($GLOBALS['customer_data'] ?? null) instanceof customer_data ? $GLOBALS['customer_data'] : new customer_data();
        $ids = [];
        $query = tep_db_query($customer_data->build_read(['id'], 'customers', ['newsletter' => 1]));
        while ($row = tep_db_fetch_array($query)) {
            $ids[] = (int) $customer_data->get('id', $row);
        }
        return $ids;
    }

    public function confirm()
    {
        $h = static function ($v): string {
            return htmlspecialchars((string) $v, ENT_QUOTES, 'UTF-8');
        };
        return '<div class="alert alert-danger">' . sprintf(TEXT_DSGVO_NEWSLETTER_AUDIENCE, count($this->audience())) . '</div>'
            . '<table class="table table-striped"><tr><th scope="row">' . TEXT_TITLE . '</th><td>' . $h($this->title) . '</td></tr>'
            . '<tr><th scope="row">' . TEXT_CONTENT . '</th><td>' . $this->content . '</td></tr></table>'
            . '<div class="buttonSet">' . tep_draw_bootstrap_button(IMAGE_SEND, 'fas fa-paper-plane', tep_href_link('newsletters.php', 'page=' . (int) $_GET['page'] . '&nID=' . (int) $_GET['nID'] . '&action=confirm_send'), 'primary', null, 'btn-success btn-block btn-lg')
            . tep_draw_bootstrap_button(IMAGE_CANCEL, 'fas fa-angle-left', tep_href_link('newsletters.php', 'page=' . (int) $_GET['page'] . '&nID=' . (int) $_GET['nID']), null, null, 'btn-light mt-2')
            . '</div>';
    }

    public function send($newsletter_id)
    {
        try {
            $result = dsgvo_phoenix::sendMarketing($this->audience(), dsgvo_phoenix::NEWSLETTER_TYPE, (string) $this->title, (string) $this->content);
            error_log(sprintf('dsgvo: newsletter %d sent to %d customers, %d skipped', $newsletter_id, $result['sent'], $result['skipped']));
        } catch (\Dsgvo\Exception $e) {
            // No decision, no mail: the newsletter stays unsent and can be sent again.
            error_log("dsgvo: newsletter $newsletter_id not sent: " . $e->getMessage());
            $GLOBALS['messageStack']->add_session('dsgvo: ' . $e->getMessage(), 'error');
            return;
        }
        tep_db_query('UPDATE newsletters SET date_sent = NOW(), status = 1 WHERE newsletters_id = ' . (int) $newsletter_id);
    }
}
