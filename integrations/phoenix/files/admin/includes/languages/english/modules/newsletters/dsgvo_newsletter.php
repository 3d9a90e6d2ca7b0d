<?php
const TEXT_DSGVO_NEWSLETTER_AUDIENCE = 'Customers with the newsletter flag: %d. dsgvo sends only to those whose consent is proven and who have not objected.';
