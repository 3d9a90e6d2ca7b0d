<?php
// dsgvo for Zen Cart 2.x: consent ledger, double opt-in, objections and one-click unsubscribe, send decisions
// (§ 7 Abs. 3 UWG), data-subject export and erasure. Needs the dsgvo PHP extension loaded (php.ini, see
// docs/integration.md of the dsgvo project).
return [
    'pluginVersion' => 'v1.0.0',
    'pluginName' => 'DSGVO (GDPR email marketing)',
    'pluginDescription' => 'Consent ledger with double opt-in, one-click unsubscribe (RFC 8058), send decisions for newsletters, product notifications and admin mail, customer export and erasure. Needs the dsgvo PHP extension.',
    'pluginAuthor' => 'dsgvo project',
    'pluginId' => 0,
    'zcVersions' => ['v2.1.0', 'v2.2.0', 'v2.2.1', 'v2.2.2'],
    'changelog' => '',
    'github_repo' => '',
    'pluginGroups' => [],
];
