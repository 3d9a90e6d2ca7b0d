<?php
// dsgvo: modified's newsletter activation link also confirms dsgvo's consent (GET asks, POST confirms).
require_once DIR_FS_CATALOG . 'includes/classes/dsgvo_modified.php';
dsgvo_modified::guardActivation();
