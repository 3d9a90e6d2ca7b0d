//! `Dsgvo\Decision`: the answer of `maySend`, read-only.

use ext_php_rs::prelude::*;

use crate::core::rules::decision;

/// Whether a mail may be sent, the stable reason code, the legal basis and the consent event relied on.
#[php_class]
#[php(name = "Dsgvo\\Decision")]
#[php(flags = ext_php_rs::flags::ClassFlags::Final.union(ext_php_rs::flags::ClassFlags::NoDynamicProperties))]
pub struct Decision {
    inner: decision::Decision,
}

impl From<decision::Decision> for Decision {
    fn from(inner: decision::Decision) -> Self {
        Decision { inner }
    }
}

#[php_impl]
impl Decision {
    /// True if the mail may be sent.
    #[php(getter)]
    pub fn get_allowed(&self) -> bool {
        self.inner.allowed
    }

    /// Reason code: consent, existing_customer, transactional; opted_out, opted_out_all, suppressed,
    /// no_consent, consent_revoked, consent_pending, consent_other_address, consent_unconfirmed,
    /// consent_stale, no_purchase, purchase_too_old, email_changed, notice_missing,
    /// no_similar_purchase, too_frequent, unknown_customer, restricted.
    #[php(getter)]
    pub fn get_reason(&self) -> String {
        self.inner.reason.code().to_owned()
    }

    /// The legal basis relied on (consent, existing_customer, transactional); null when denied.
    #[php(getter)]
    pub fn get_basis(&self) -> Option<String> {
        self.inner.basis.map(|b| b.name().to_owned())
    }

    /// The consent event the decision rests on, if any.
    #[php(getter)]
    pub fn get_event_id(&self) -> Option<i64> {
        self.inner.event_id.and_then(|id| i64::try_from(id).ok())
    }

    /// True when the mail may carry advertising (recommendations, offers): every allowed mail that is
    /// not transactional; a transactional mail only when its type's advertising_type is allowed now.
    #[php(getter)]
    pub fn get_may_advertise(&self) -> bool {
        self.inner.may_advertise
    }

    /// True when the mail must carry the objection notice (objectionNotice): allowed, and not
    /// transactional or advertising.
    #[php(getter)]
    pub fn get_notice_required(&self) -> bool {
        self.inner.notice_required
    }
}
