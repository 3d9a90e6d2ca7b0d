-- The demo shop: the project's own osCommerce 2.x-style schema, the tables a small shop has that hold
-- personal data (plus its order statuses). Written for the demo; the real shop schemas are test fixtures.
-- Like the shops, utf8 with a case- and accent-insensitive collation: dsgvo must never match addresses through it.
CREATE TABLE customers (
  customers_id int(11) NOT NULL auto_increment,
  customers_gender char(1) NOT NULL default '',
  customers_firstname varchar(32) NOT NULL default '',
  customers_lastname varchar(32) NOT NULL default '',
  customers_dob datetime NOT NULL default '0000-00-00 00:00:00',
  customers_email_address varchar(96) NOT NULL default '',
  customers_default_address_id int(11) default NULL,
  customers_telephone varchar(32) NOT NULL default '',
  customers_fax varchar(32) default NULL,
  customers_password varchar(60) NOT NULL default '',
  customers_newsletter char(1) default NULL,
  PRIMARY KEY (customers_id),
  KEY idx_customers_email_address (customers_email_address)
) CHARACTER SET utf8 COLLATE utf8_general_ci;

CREATE TABLE customers_info (
  customers_info_id int(11) NOT NULL,
  customers_info_date_of_last_logon datetime default NULL,
  customers_info_number_of_logons int(5) default NULL,
  customers_info_date_account_created datetime default NULL,
  customers_info_date_account_last_modified datetime default NULL,
  global_product_notifications int(1) default 0,
  password_reset_key char(40) default NULL,
  password_reset_date datetime default NULL,
  PRIMARY KEY (customers_info_id)
) CHARACTER SET utf8 COLLATE utf8_general_ci;

CREATE TABLE address_book (
  address_book_id int(11) NOT NULL auto_increment,
  customers_id int(11) NOT NULL,
  entry_gender char(1) NOT NULL default '',
  entry_company varchar(255) default NULL,
  entry_firstname varchar(255) NOT NULL default '',
  entry_lastname varchar(255) NOT NULL default '',
  entry_street_address varchar(255) NOT NULL default '',
  entry_postcode varchar(255) NOT NULL default '',
  entry_city varchar(255) NOT NULL default '',
  entry_country_id int(11) NOT NULL default 0,
  PRIMARY KEY (address_book_id),
  KEY idx_address_book_customers_id (customers_id)
) CHARACTER SET utf8 COLLATE utf8_general_ci;

CREATE TABLE customers_basket (
  customers_basket_id int(11) NOT NULL auto_increment,
  customers_id int(11) NOT NULL,
  products_id tinytext NOT NULL,
  customers_basket_quantity int(2) NOT NULL,
  customers_basket_date_added char(8) default NULL,
  PRIMARY KEY (customers_basket_id),
  KEY idx_customers_basket_customers_id (customers_id)
) CHARACTER SET utf8 COLLATE utf8_general_ci;

CREATE TABLE orders_status (
  orders_status_id int(11) NOT NULL default 0,
  language_id int(11) NOT NULL default 1,
  orders_status_name varchar(32) NOT NULL,
  PRIMARY KEY (orders_status_id, language_id)
) CHARACTER SET utf8 COLLATE utf8_general_ci;

-- customers_id 0 is a guest order (a "purchase without account" add-on).
CREATE TABLE orders (
  orders_id int(11) NOT NULL auto_increment,
  customers_id int(11) NOT NULL default 0,
  customers_name varchar(255) NOT NULL default '',
  customers_street_address varchar(255) NOT NULL default '',
  customers_city varchar(255) NOT NULL default '',
  customers_postcode varchar(255) NOT NULL default '',
  customers_country varchar(255) NOT NULL default '',
  customers_telephone varchar(255) NOT NULL default '',
  customers_email_address varchar(255) NOT NULL default '',
  delivery_name varchar(255) NOT NULL default '',
  delivery_street_address varchar(255) NOT NULL default '',
  delivery_city varchar(255) NOT NULL default '',
  delivery_postcode varchar(255) NOT NULL default '',
  delivery_country varchar(255) NOT NULL default '',
  billing_name varchar(255) NOT NULL default '',
  billing_street_address varchar(255) NOT NULL default '',
  billing_city varchar(255) NOT NULL default '',
  billing_postcode varchar(255) NOT NULL default '',
  billing_country varchar(255) NOT NULL default '',
  payment_method varchar(255) NOT NULL default '',
  cc_type varchar(20) default NULL,
  cc_owner varchar(255) default NULL,
  cc_number varchar(32) default NULL,
  cc_expires varchar(4) default NULL,
  last_modified datetime default NULL,
  date_purchased datetime default NULL,
  orders_status int(5) NOT NULL default 1,
  currency char(3) default NULL,
  currency_value decimal(14,6) default NULL,
  PRIMARY KEY (orders_id),
  KEY idx_orders_customers_id (customers_id)
) CHARACTER SET utf8 COLLATE utf8_general_ci;

CREATE TABLE orders_products (
  orders_products_id int(11) NOT NULL auto_increment,
  orders_id int(11) NOT NULL,
  products_id int(11) NOT NULL,
  products_model varchar(12) default NULL,
  products_name varchar(64) NOT NULL,
  products_price decimal(15,4) NOT NULL,
  final_price decimal(15,4) NOT NULL,
  products_tax decimal(7,4) NOT NULL,
  products_quantity int(2) NOT NULL,
  PRIMARY KEY (orders_products_id),
  KEY idx_orders_products_orders_id (orders_id)
) CHARACTER SET utf8 COLLATE utf8_general_ci;

CREATE TABLE orders_total (
  orders_total_id int unsigned NOT NULL auto_increment,
  orders_id int NOT NULL,
  title varchar(255) NOT NULL,
  text varchar(255) NOT NULL,
  value decimal(15,4) NOT NULL,
  class varchar(32) NOT NULL,
  sort_order int NOT NULL,
  PRIMARY KEY (orders_total_id),
  KEY idx_orders_total_orders_id (orders_id)
) CHARACTER SET utf8 COLLATE utf8_general_ci;

CREATE TABLE orders_status_history (
  orders_status_history_id int(11) NOT NULL auto_increment,
  orders_id int(11) NOT NULL,
  orders_status_id int(5) NOT NULL,
  date_added datetime NOT NULL,
  customer_notified int(1) default 0,
  comments text,
  PRIMARY KEY (orders_status_history_id),
  KEY idx_orders_status_history_orders_id (orders_id)
) CHARACTER SET utf8 COLLATE utf8_general_ci;

CREATE TABLE reviews (
  reviews_id int(11) NOT NULL auto_increment,
  products_id int(11) NOT NULL,
  customers_id int(11) default NULL,
  customers_name varchar(255) NOT NULL,
  reviews_rating int(1) default NULL,
  date_added datetime default NULL,
  reviews_status tinyint(1) NOT NULL default 0,
  reviews_read int(5) NOT NULL default 0,
  PRIMARY KEY (reviews_id),
  KEY idx_reviews_customers_id (customers_id)
) CHARACTER SET utf8 COLLATE utf8_general_ci;

CREATE TABLE reviews_description (
  reviews_id int(11) NOT NULL,
  languages_id int(11) NOT NULL,
  reviews_text text NOT NULL,
  PRIMARY KEY (reviews_id, languages_id)
) CHARACTER SET utf8 COLLATE utf8_general_ci;
