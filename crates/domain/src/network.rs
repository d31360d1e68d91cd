//! The supply-chain network: who supplies whom, and the rule that links
//! never loop back.

use std::collections::{HashSet, VecDeque};

use chrono::{DateTime, Duration, Utc};

use crate::error::Rejection;
use crate::ids::{InvitationId, OrgId};

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

/// An invitation to become a supplier.
#[derive(Debug, Clone)]
pub struct Invitation {
    pub id: InvitationId,
    pub buyer_org_id: OrgId,
    pub email: String,
    /// The Korean business registration number (digits) the invited firm must hold.
    pub business_number: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub accepted_by_org_id: Option<OrgId>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl Invitation {
    /// It may be accepted at `now`: not used, withdrawn or expired.
    pub fn check_acceptable(&self, now: DateTime<Utc>) -> Result<(), Rejection> {
        let refuse = |code, message: &str| Err(Rejection::new(code, message).on("code"));
        if self.accepted_at.is_some() {
            return refuse(
                "invitation_used",
                "this invitation was accepted already; ask for a new one",
            );
        }
        if self.revoked_at.is_some() {
            return refuse("invitation_revoked", "this invitation was withdrawn");
        }
        if self.expires_at <= now {
            return refuse(
                "invitation_expired",
                "this invitation has expired; ask for a new one",
            );
        }
        Ok(())
    }

    /// It may be withdrawn: not once accepted (withdrawing twice is fine).
    pub fn check_revocable(&self) -> Result<(), Rejection> {
        if self.accepted_at.is_some() {
            return Err(Rejection::new(
                "invitation_used",
                "the invitation was accepted already; end the link instead",
            ));
        }
        Ok(())
    }
}

/// The refusals of [`Invitation`] acceptance that are not about the
/// invitation itself.
pub fn no_such_invitation() -> Rejection {
    Rejection::new("invitation_invalid", "no invitation has this code").on("code")
}

pub fn business_number_mismatch() -> Rejection {
    Rejection::new(
        "business_number_mismatch",
        "this invitation is for an organisation with another business registration number",
    )
    .on("code")
}

/// A buyer → supplier link.
#[derive(Debug, Clone)]
pub struct SupplierLink {
    pub buyer_org_id: OrgId,
    pub supplier_org_id: OrgId,
    pub active: bool,
    /// Whether the supplier lets the buyer see the names of its own suppliers.
    pub disclose_suppliers: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
}

/// Decides whether `buyer` → `supplier` may become an active link:
/// `existing` is the link between them, if there ever was one, and
/// `suppliers_of` lists the active direct suppliers of a firm. The caller
/// holds the network lock, so the graph cannot change meanwhile.
pub fn check_new_link(
    buyer: OrgId,
    supplier: OrgId,
    existing: Option<&SupplierLink>,
    suppliers_of: impl FnMut(OrgId) -> Vec<OrgId>,
) -> Result<(), Rejection> {
    if would_create_cycle(buyer, supplier, suppliers_of) {
        return Err(Rejection::new(
            "supply_chain_cycle",
            "this link would make an organisation its own supplier (directly or through its suppliers)",
        )
        .on("code"));
    }
    if existing.is_some_and(|link| link.active) {
        return Err(Rejection::new(
            "already_linked",
            "this organisation is already your supplier",
        )
        .on("code"));
    }
    Ok(())
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
