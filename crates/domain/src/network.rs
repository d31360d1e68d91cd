//! The supply-chain network: who supplies whom, and the rule that links
//! never loop back.

use std::collections::{HashSet, VecDeque};

use chrono::{DateTime, Duration, Utc};

use crate::ids::OrgId;

/// How long an invitation can be accepted.
pub const INVITATION_LIFETIME_DAYS: i64 = 14;

pub fn invitation_expiry(created: DateTime<Utc>) -> DateTime<Utc> {
    created + Duration::days(INVITATION_LIFETIME_DAYS)
}

/// Whether linking `buyer` → `supplier` would close a loop: the buyer
/// supplying itself, or the buyer already (directly or indirectly) supplying
/// the supplier. `suppliers_of` lists the active direct suppliers of a firm.
pub fn would_create_cycle(
    buyer: OrgId,
    supplier: OrgId,
    mut suppliers_of: impl FnMut(OrgId) -> Vec<OrgId>,
) -> bool {
    if buyer == supplier {
        return true;
    }
    // Walk down from the supplier: reaching the buyer means the buyer is
    // upstream of itself.
    let mut seen = HashSet::from([supplier]);
    let mut queue = VecDeque::from([supplier]);
    while let Some(firm) = queue.pop_front() {
        for next in suppliers_of(firm) {
            if next == buyer {
                return true;
            }
            if seen.insert(next) {
                queue.push_back(next);
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    #[test]
    fn loops_are_detected_at_any_depth() {
        let (a, b, c, d) = (
            OrgId::generate(),
            OrgId::generate(),
            OrgId::generate(),
            OrgId::generate(),
        );
        // a buys from b, b buys from c.
        let edges: HashMap<OrgId, Vec<OrgId>> = HashMap::from([(a, vec![b]), (b, vec![c])]);
        let lookup = |firm: OrgId| edges.get(&firm).cloned().unwrap_or_default();
        assert!(would_create_cycle(a, a, lookup));
        assert!(
            would_create_cycle(c, a, lookup),
            "c buying from a closes a→b→c→a"
        );
        assert!(would_create_cycle(b, a, lookup));
        assert!(
            !would_create_cycle(a, c, lookup),
            "a may also buy from c directly"
        );
        assert!(!would_create_cycle(d, a, lookup));
    }
}
