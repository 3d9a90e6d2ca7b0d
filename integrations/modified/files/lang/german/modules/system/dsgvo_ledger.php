<?php
define('MODULE_DSGVO_LEDGER_TEXT_TITLE', 'DSGVO (Einwilligungen, Widersprüche, Auskunft, Löschung)');
define('MODULE_DSGVO_LEDGER_TEXT_DESCRIPTION', 'Öffnet Kunden &gt; DSGVO: Entscheidungen, Export und Löschung je Kunde. Die Newsletter-Hooks arbeiten, solange die dsgvo-Erweiterung geladen ist.');
define('MODULE_DSGVO_LEDGER_STATUS_TITLE', 'Modul aktiv?');
define('MODULE_DSGVO_LEDGER_STATUS_DESC', 'Zeigt die DSGVO-Seite im Menü.');
