//! Rule sets and the selectors users write in `--select`, config and suppressions.

use crate::meta::Family;
use crate::registry::{all_rules, RuleId};

/// A set of rules, as a fixed-size bitset over [`RuleId`]s.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, Debug)]
pub struct RuleSet([u64; 4]);

impl RuleSet {
    pub const EMPTY: RuleSet = RuleSet([0; 4]);

    pub fn all() -> RuleSet {
        let mut set = RuleSet::EMPTY;
        for id in RuleId::iter() {
            set.insert(id);
        }
        set
    }

    /// The rules that are on when nothing is selected explicitly.
    pub fn defaults() -> RuleSet {
        let mut set = RuleSet::EMPTY;
        for id in RuleId::iter() {
            if id.meta().default_enabled {
                set.insert(id);
            }
        }
        set
    }

    pub fn insert(&mut self, id: RuleId) {
        let i = id.index();
        self.0[i / 64] |= 1 << (i % 64);
    }

    pub fn remove(&mut self, id: RuleId) {
        let i = id.index();
        self.0[i / 64] &= !(1 << (i % 64));
    }

    pub fn contains(&self, id: RuleId) -> bool {
        let i = id.index();
        self.0[i / 64] & (1 << (i % 64)) != 0
    }

    pub fn union(&mut self, other: &RuleSet) {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            *a |= b;
        }
    }

    pub fn subtract(&mut self, other: &RuleSet) {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            *a &= !b;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|w| *w == 0)
    }

    pub fn iter(&self) -> impl Iterator<Item = RuleId> + '_ {
        RuleId::iter().filter(|id| self.contains(*id))
    }
}

/// What a user wrote to name one or more rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RuleSelector {
    /// `ALL`
    All,
    /// `PF4`, `PF40`, `PF` (a code prefix)
    Prefix(String),
    /// `PF401` or `mutable-default-argument`
    Rule(RuleId),
    /// `async`, `exceptions`, ...
    Family(Family),
}

impl RuleSelector {
    /// Parses a selector; `None` when it names no rule.
    pub fn parse(text: &str) -> Option<RuleSelector> {
        let text = text.trim();
        if text == "ALL" {
            return Some(RuleSelector::All);
        }
        if let Some(id) = RuleId::from_code_or_name(text) {
            return Some(RuleSelector::Rule(id));
        }
        if let Some(family) = Family::ALL.into_iter().find(|f| f.name() == text) {
            return Some(RuleSelector::Family(family));
        }
        let upper = text.to_ascii_uppercase();
        if upper.starts_with("PF")
            && upper.len() < 5
            && upper[2..].chars().all(|c| c.is_ascii_digit())
            && all_rules()
                .iter()
                .any(|r| r.meta().code.starts_with(&upper))
        {
            return Some(RuleSelector::Prefix(upper));
        }
        None
    }

    pub fn rules(&self) -> RuleSet {
        let mut set = RuleSet::EMPTY;
        for id in RuleId::iter() {
            let meta = id.meta();
            let hit = match self {
                RuleSelector::All => true,
                RuleSelector::Prefix(p) => meta.code.starts_with(p.as_str()),
                RuleSelector::Rule(r) => *r == id,
                RuleSelector::Family(f) => meta.family == *f,
            };
            if hit {
                set.insert(id);
            }
        }
        set
    }

    /// The closest known rule code or name, for "did you mean" messages.
    pub fn suggest(text: &str) -> Option<&'static str> {
        let mut best: Option<(usize, &'static str)> = None;
        for rule in all_rules() {
            for cand in [rule.meta().code, rule.meta().name] {
                let d = edit_distance(&text.to_ascii_lowercase(), &cand.to_ascii_lowercase());
                if d <= 3 && best.is_none_or(|(bd, _)| d < bd) {
                    best = Some((d, cand));
                }
            }
        }
        best.map(|(_, c)| c)
    }
}

/// Levenshtein distance, small inputs only.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Resolves `select`, `extend-select` and `ignore` the way ruff does: an
/// explicit `select` replaces the defaults, `extend-select` adds, `ignore` removes.
pub fn resolve_rule_set(
    select: Option<&[RuleSelector]>,
    extend_select: &[RuleSelector],
    ignore: &[RuleSelector],
) -> RuleSet {
    let mut set = match select {
        Some(selectors) => {
            let mut s = RuleSet::EMPTY;
            for sel in selectors {
                s.union(&sel.rules());
            }
            s
        }
        None => RuleSet::defaults(),
    };
    for sel in extend_select {
        set.union(&sel.rules());
    }
    for sel in ignore {
        set.subtract(&sel.rules());
    }
    set
}
