//! The supply-chain network: inviting suppliers, accepting invitations
//! (which links the two firms), ending links, disclosure, and the views
//! of partners and of the chain.
//!
//! Lock (PostgreSQL): every change to the links takes the network lock
//! ([`lock_network`]) before it reads the graph, so two links that would
//! together close a loop are judged one after the other, never side by side.

use tierlink_domain::identifiers::BusinessRegistrationNumber;
use tierlink_domain::ids::{InvitationId, OrgId};
use tierlink_domain::network::{
    Invitation, SupplierLink, business_number_mismatch, check_new_link, no_such_invitation,
};
use tierlink_domain::pagination::{Page, PageRequest};
use tierlink_domain::time::now;
use tierlink_persistence::columns::names_of;
use tierlink_persistence::locks::lock_network;
use tierlink_persistence::network;
pub use tierlink_persistence::network::{ChainEntry, Partner, Side};
use tierlink_persistence::{DbConnection, StoreError};

use crate::error::{Error, not_found};
use crate::events;
use tierlink_domain::events::EventType;

/// A new invitation from `buyer`, redeemable with the code whose digest
/// is `code_hash`.
pub fn invite(
    tx: &mut DbConnection,
    buyer: OrgId,
    by: &str,
    email: &str,
    business_number: Option<&BusinessRegistrationNumber>,
    code_hash: &str,
) -> Result<Invitation, Error> {
    Ok(network::create_invitation(
        tx,
        buyer,
        email,
        business_number,
        code_hash,
        by,
    )?)
}

/// `buyer`'s invitations, a page at a time.
pub fn invitations(
    conn: &mut DbConnection,
    buyer: OrgId,
    page: &PageRequest,
) -> Result<Page<Invitation>, Error> {
    Ok(network::list_invitations(conn, buyer, page)?)
}

/// Withdraws one of `buyer`'s invitations (again: no change).
pub fn revoke_invitation(
    tx: &mut DbConnection,
    buyer: OrgId,
    id: InvitationId,
) -> Result<Invitation, Error> {
    let invitation = network::find_invitation(tx, buyer, id).map_err(not_found("invitation"))?;
    invitation.check_revocable()?;
    network::mark_revoked(tx, id)?;
    Ok(network::find_invitation(tx, buyer, id)?)
}

/// `supplier` accepts the invitation whose code hashes to `code_hash`,
/// and becomes a supplier of the firm that sent it. Single use. Lock: the
/// network's, then the check that the link closes no loop.
pub fn accept_invitation(
    tx: &mut DbConnection,
    supplier: OrgId,
    by: &str,
    code_hash: &str,
) -> Result<Partner, Error> {
    lock_network(tx)?;
    let invitation =
        network::find_invitation_by_code(tx, code_hash)?.ok_or_else(no_such_invitation)?;
    invitation.check_acceptable(now())?;
    if let Some(digits) = &invitation.business_number
        && !network::holds_business_number(tx, supplier, digits)?
    {
        return Err(business_number_mismatch().into());
    }
    let buyer = invitation.buyer_org_id;
    let link = link(tx, buyer, supplier)?;
    network::mark_accepted(tx, invitation.id, supplier)?;
    events::record(
        tx,
        &[events::about_link(
            EventType::InvitationAccepted,
            buyer,
            supplier,
            buyer,
            by,
        )],
    )?;
    partner(tx, buyer, link)
}

/// Links `buyer` → `supplier` (again, if the link had ended), unless that
/// would make a firm its own supplier. The caller holds the network lock.
fn link(tx: &mut DbConnection, buyer: OrgId, supplier: OrgId) -> Result<SupplierLink, Error> {
    let existing = network::find_link(tx, buyer, supplier)?;
    let mut failure: Option<StoreError> = None;
    let verdict = check_new_link(buyer, supplier, existing.as_ref(), |firm| {
        network::active_suppliers_of(tx, firm).unwrap_or_else(|error| {
            failure.get_or_insert(error);
            Vec::new()
        })
    });
    if let Some(error) = failure {
        return Err(error.into());
    }
    verdict?;
    Ok(network::activate_link(tx, buyer, supplier)?)
}

/// Ends the link `buyer` → `supplier`; either party may (`partner` is the
/// other one, whose view is returned). Lock: the network's.
pub fn end_link(
    tx: &mut DbConnection,
    by: &str,
    buyer: OrgId,
    supplier: OrgId,
    partner_id: OrgId,
) -> Result<Partner, Error> {
    lock_network(tx)?;
    let was_active = network::find_link(tx, buyer, supplier)?.is_some_and(|link| link.active);
    let link = network::end_link(tx, buyer, supplier).map_err(not_found("partner"))?;
    if was_active {
        let ended =
            |audience| events::about_link(EventType::LinkEnded, buyer, supplier, audience, by);
        events::record(tx, &[ended(buyer), ended(supplier)])?;
    }
    partner(tx, partner_id, link)
}

/// The supplier decides whether `customer` may see the names of its own suppliers.
pub fn set_disclosure(
    tx: &mut DbConnection,
    supplier: OrgId,
    customer: OrgId,
    disclose: bool,
) -> Result<Partner, Error> {
    let link =
        network::set_disclosure(tx, customer, supplier, disclose).map_err(not_found("customer"))?;
    partner(tx, customer, link)
}

/// `me`'s direct partners on one side, a page at a time.
pub fn partners(
    conn: &mut DbConnection,
    me: OrgId,
    side: Side,
    include_ended: bool,
    page: &PageRequest,
) -> Result<Page<Partner>, Error> {
    Ok(network::list_partners(conn, me, side, include_ended, page)?)
}

/// The requester's chain: each active tier-1 and, through it, its tier-2s.
pub fn supply_chain(conn: &mut DbConnection, requester: OrgId) -> Result<Vec<ChainEntry>, Error> {
    Ok(network::supply_chain(conn, requester)?)
}

/// `org` as a partner, with the link to it.
fn partner(conn: &mut DbConnection, org: OrgId, link: SupplierLink) -> Result<Partner, Error> {
    let names = names_of(conn, &[org.to_string()])?;
    let (name, country) = names.get(&org.to_string()).cloned().unwrap_or_default();
    Ok(Partner {
        org_id: org,
        name,
        country,
        link,
    })
}
