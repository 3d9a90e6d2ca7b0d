<?php
define('FILENAME_DSGVO', 'dsgvo');
