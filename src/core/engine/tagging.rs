//! Rule-based tagging: define, list and drop tag rules, and apply them to the shop's customers.

use super::Engine;
use crate::core::error::Result;
use crate::core::input::{InputValue, KeyValues};
use crate::core::options::Options;
use crate::core::rules::{mail_record, tag_rule};
use crate::core::store::tag_rules::{self, RuleRun, Run, TagRule};
use crate::core::time::Timestamp;

impl Engine {
    /// Defines (or redefines: its conditions replaced) a rule that sets `tag` on every customer meeting
    /// all `conditions`. Writes nothing until applied.
    pub fn define_tag_rule(&self, rule: &str, tag: &str, conditions: KeyValues) -> Result<()> {
        let rule = mail_record::tag("rule", rule)?;
        let tag = mail_record::tag("tag", tag)?;
        let conditions = tag_rule::conditions(conditions)?;
        let now = Timestamp::now();
        self.session(async |session| {
            tag_rules::define(session, &rule, &tag, &conditions, now).await
        })
    }

    /// The defined rules by name, with the counts of their last run.
    pub fn tag_rules(&self) -> Result<Vec<TagRule>> {
        self.session(async |session| tag_rules::list(session, None).await)
    }

    /// Removes the rule and the tags it set; returns how many tags it removed.
    pub fn drop_tag_rule(&self, rule: &str) -> Result<u64> {
        let rule = mail_record::tag("rule", rule)?;
        self.session(async |session| tag_rules::drop_rule(session, &rule).await)
    }

    /// Applies the rules (option `rules`: these names; default all) as set statements; `dry_run`
    /// counts only; `timeout_ms` bounds each statement (default 10 minutes). `progress` hears of each
    /// rule when it is done.
    pub fn apply_tag_rules(
        &self,
        options: KeyValues,
        progress: &mut dyn FnMut(&RuleRun),
    ) -> Result<Vec<RuleRun>> {
        let mut o = Options::new("applyTagRules", options);
        let dry_run = o.flag("dry_run")?;
        let names = match o.take("rules") {
            None => None,
            Some(InputValue::Array(items)) => Some(
                items
                    .iter()
                    .map(|(_, v)| match v {
                        InputValue::Str(name) => mail_record::tag("rule", name),
                        other => Err(o.invalid("rules", "a list of rule names", other)),
                    })
                    .collect::<Result<Vec<String>>>()?,
            ),
            Some(other) => return Err(o.invalid("rules", "a list of rule names", &other)),
        };
        let limit = o.long_timeout()?;
        o.finish()?;
        self.require_shop("applyTagRules")?;
        let keyring = self.config.keyring();
        self.session(async |session| {
            let rules = tag_rules::list(session, names.as_deref()).await?;
            let run = Run {
                rules,
                excluded_setting: self.config.excluded_order_statuses.as_deref(),
                keyring: &keyring,
                dry_run,
                limit,
            };
            tag_rules::apply(session, &run, progress).await
        })
    }
}
