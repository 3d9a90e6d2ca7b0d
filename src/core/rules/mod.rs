//! The rules: pure functions, no I/O. What is a valid argument, what an event does to the consent
//! state.

pub mod consent;
pub mod decision;
pub mod email;
pub mod email_type;
pub mod free_text;
pub mod ident;
pub mod import;
pub mod mail_record;
pub mod notice;
pub mod opt_out_import;
pub mod proof;
pub mod recommend;
pub mod request;
pub mod restriction;
pub mod sales;
pub mod tag_rule;
pub mod traces;
pub mod unsubscribe;
