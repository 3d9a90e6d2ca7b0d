<?php
define('MODULE_DSGVO_LEDGER_TEXT_TITLE', 'DSGVO (consents, objections, export, erasure)');
define('MODULE_DSGVO_LEDGER_TEXT_DESCRIPTION', 'Opens Customers &gt; DSGVO: decisions, export and erasure per customer. The newsletter hooks work while the dsgvo extension is loaded.');
define('MODULE_DSGVO_LEDGER_STATUS_TITLE', 'Module active?');
define('MODULE_DSGVO_LEDGER_STATUS_DESC', 'Shows the DSGVO page in the menu.');
