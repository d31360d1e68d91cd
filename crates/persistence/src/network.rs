//! The supply-chain network: invitations, buyer → supplier links, and the
//! chain as a requester sees it. Rows in, domain entities out; which link
//! may be made is decided by the use-case layer, under
//! [`crate::locks::lock_network`].

use chrono::NaiveDateTime;
use diesel::prelude::*;
use tierlink_domain::identifiers::{BusinessRegistrationNumber, IdentifierScheme};
use tierlink_domain::ids::{InvitationId, OrgId};
use tierlink_domain::network::{Invitation, SupplierLink, invitation_expiry};
use tierlink_domain::pagination::{Page, PageRequest};
use tierlink_domain::time::now;

use crate::columns::{limit, names_of, parse_id, parse_org};
use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::schema::{invitations, organisation_identifiers, supplier_links};
use crate::time::{from_db, to_db};

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = invitations)]
struct InvitationRow {
    id: String,
    buyer_org_id: String,
    email: String,
    business_number: Option<String>,
    code_hash: String,
    created_by: String,
    created_at: NaiveDateTime,
    expires_at: NaiveDateTime,
    accepted_at: Option<NaiveDateTime>,
    accepted_by_org_id: Option<String>,
    revoked_at: Option<NaiveDateTime>,
}

impl InvitationRow {
    fn into_invitation(self) -> Result<Invitation, StoreError> {
        Ok(Invitation {
            buyer_org_id: parse_org(&self.buyer_org_id)?,
            id: parse_id(&self.id, "invitation")?,
            email: self.email,
            business_number: self.business_number,
            created_at: from_db(self.created_at),
            expires_at: from_db(self.expires_at),
            accepted_at: self.accepted_at.map(from_db),
            accepted_by_org_id: self
                .accepted_by_org_id
                .as_deref()
                .map(parse_org)
                .transpose()?,
            revoked_at: self.revoked_at.map(from_db),
        })
    }
}

pub fn create_invitation(
    conn: &mut DbConnection,
    buyer: OrgId,
    email: &str,
    business_number: Option<&BusinessRegistrationNumber>,
    code_hash: &str,
    created_by: &str,
) -> Result<Invitation, StoreError> {
    let created = now();
    let row = InvitationRow {
        id: uuid::Uuid::now_v7().to_string(),
        buyer_org_id: buyer.to_string(),
        email: email.to_owned(),
        business_number: business_number.map(|b| b.digits().to_owned()),
        code_hash: code_hash.to_owned(),
        created_by: created_by.to_owned(),
        created_at: to_db(created),
        expires_at: to_db(invitation_expiry(created)),
        accepted_at: None,
        accepted_by_org_id: None,
        revoked_at: None,
    };
    diesel::insert_into(invitations::table)
        .values(&row)
        .execute(conn)?;
    row.into_invitation()
}

pub fn list_invitations(
    conn: &mut DbConnection,
    buyer: OrgId,
    page: &PageRequest,
) -> Result<Page<Invitation>, StoreError> {
    let mut query = invitations::table
        .filter(invitations::buyer_org_id.eq(buyer.to_string()))
        .select(InvitationRow::as_select())
        .order(invitations::id.asc())
        .limit(limit(page))
        .into_boxed();
    if let Some(after) = &page.after {
        query = query.filter(invitations::id.gt(after.key().to_owned()));
    }
    let rows: Vec<InvitationRow> = query.load(conn)?;
    let items = rows
        .into_iter()
        .map(InvitationRow::into_invitation)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page::from_overfetched(items, page.limit, |i| {
        i.id.to_string()
    }))
}

/// One of `buyer`'s invitations.
pub fn find_invitation(
    conn: &mut DbConnection,
    buyer: OrgId,
    id: InvitationId,
) -> Result<Invitation, StoreError> {
    invitations::table
        .filter(invitations::id.eq(id.to_string()))
        .filter(invitations::buyer_org_id.eq(buyer.to_string()))
        .select(InvitationRow::as_select())
        .first(conn)?
        .into_invitation()
}

/// The invitation whose code hashes to `code_hash`, if any.
pub fn find_invitation_by_code(
    conn: &mut DbConnection,
    code_hash: &str,
) -> Result<Option<Invitation>, StoreError> {
    invitations::table
        .filter(invitations::code_hash.eq(code_hash))
        .select(InvitationRow::as_select())
        .first(conn)
        .optional()?
        .map(InvitationRow::into_invitation)
        .transpose()
}

/// Marks an invitation withdrawn (once).
pub fn mark_revoked(conn: &mut DbConnection, id: InvitationId) -> Result<(), StoreError> {
    diesel::update(
        invitations::table
            .filter(invitations::id.eq(id.to_string()))
            .filter(invitations::revoked_at.is_null()),
    )
    .set(invitations::revoked_at.eq(Some(to_db(now()))))
    .execute(conn)?;
    Ok(())
}

/// Marks an invitation used by `supplier`.
pub fn mark_accepted(
    conn: &mut DbConnection,
    id: InvitationId,
    supplier: OrgId,
) -> Result<(), StoreError> {
    diesel::update(invitations::table.filter(invitations::id.eq(id.to_string())))
        .set((
            invitations::accepted_at.eq(Some(to_db(now()))),
            invitations::accepted_by_org_id.eq(Some(supplier.to_string())),
        ))
        .execute(conn)?;
    Ok(())
}

/// Whether `org` registered the Korean business number `digits`.
pub fn holds_business_number(
    conn: &mut DbConnection,
    org: OrgId,
    digits: &str,
) -> Result<bool, StoreError> {
    let held: i64 = organisation_identifiers::table
        .filter(organisation_identifiers::org_id.eq(org.to_string()))
        .filter(organisation_identifiers::scheme.eq(IdentifierScheme::KrBrn.as_str()))
        .filter(organisation_identifiers::value.eq(digits))
        .count()
        .get_result(conn)?;
    Ok(held > 0)
}

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = supplier_links)]
struct LinkRow {
    id: String,
    buyer_org_id: String,
    supplier_org_id: String,
    active: bool,
    disclose_suppliers: bool,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    ended_at: Option<NaiveDateTime>,
}

impl LinkRow {
    fn into_link(self) -> Result<SupplierLink, StoreError> {
        Ok(SupplierLink {
            buyer_org_id: parse_org(&self.buyer_org_id)?,
            supplier_org_id: parse_org(&self.supplier_org_id)?,
            active: self.active,
            disclose_suppliers: self.disclose_suppliers,
            created_at: from_db(self.created_at),
            updated_at: from_db(self.updated_at),
            ended_at: self.ended_at.map(from_db),
        })
    }
}

/// The link between `buyer` and `supplier`, active or ended, if there was one.
pub fn find_link(
    conn: &mut DbConnection,
    buyer: OrgId,
    supplier: OrgId,
) -> Result<Option<SupplierLink>, StoreError> {
    pair(buyer, supplier)
        .select(LinkRow::as_select())
        .first(conn)
        .optional()?
        .map(LinkRow::into_link)
        .transpose()
}

/// Makes `buyer` → `supplier` an active link: a new one, or the ended one
/// again. The caller decided it may exist (see [`crate::locks::lock_network`]).
pub fn activate_link(
    conn: &mut DbConnection,
    buyer: OrgId,
    supplier: OrgId,
) -> Result<SupplierLink, StoreError> {
    let at = to_db(now());
    let reactivated = diesel::update(
        supplier_links::table
            .filter(supplier_links::buyer_org_id.eq(buyer.to_string()))
            .filter(supplier_links::supplier_org_id.eq(supplier.to_string())),
    )
    .set((
        supplier_links::active.eq(true),
        supplier_links::ended_at.eq(None::<NaiveDateTime>),
        supplier_links::updated_at.eq(at),
    ))
    .execute(conn)?;
    if reactivated == 0 {
        diesel::insert_into(supplier_links::table)
            .values(LinkRow {
                id: uuid::Uuid::now_v7().to_string(),
                buyer_org_id: buyer.to_string(),
                supplier_org_id: supplier.to_string(),
                active: true,
                disclose_suppliers: false,
                created_at: at,
                updated_at: at,
                ended_at: None,
            })
            .execute(conn)?;
    }
    pair(buyer, supplier)
        .select(LinkRow::as_select())
        .first(conn)?
        .into_link()
}

fn pair(
    buyer: OrgId,
    supplier: OrgId,
) -> supplier_links::BoxedQuery<'static, crate::connection::MultiBackend> {
    supplier_links::table
        .filter(supplier_links::buyer_org_id.eq(buyer.to_string()))
        .filter(supplier_links::supplier_org_id.eq(supplier.to_string()))
        .into_boxed()
}

/// The active direct suppliers of `org`.
pub fn active_suppliers_of(conn: &mut DbConnection, org: OrgId) -> Result<Vec<OrgId>, StoreError> {
    let ids: Vec<String> = supplier_links::table
        .filter(supplier_links::buyer_org_id.eq(org.to_string()))
        .filter(supplier_links::active.eq(true))
        .select(supplier_links::supplier_org_id)
        .load(conn)?;
    ids.iter().map(|id| parse_org(id)).collect()
}

pub fn is_active_supplier(
    conn: &mut DbConnection,
    buyer: OrgId,
    supplier: OrgId,
) -> Result<bool, StoreError> {
    let count: i64 = pair(buyer, supplier)
        .filter(supplier_links::active.eq(true))
        .count()
        .get_result(conn)?;
    Ok(count > 0)
}

/// Whether `a` and `b` are direct partners (either way round, active).
pub fn are_partners(conn: &mut DbConnection, a: OrgId, b: OrgId) -> Result<bool, StoreError> {
    Ok(is_active_supplier(conn, a, b)? || is_active_supplier(conn, b, a)?)
}

/// Ends the link between `buyer` and `supplier` (`NotFound` if there never was one).
pub fn end_link(
    conn: &mut DbConnection,
    buyer: OrgId,
    supplier: OrgId,
) -> Result<SupplierLink, StoreError> {
    let row: LinkRow = pair(buyer, supplier)
        .select(LinkRow::as_select())
        .first(conn)?;
    if row.active {
        let at = to_db(now());
        diesel::update(supplier_links::table.filter(supplier_links::id.eq(&row.id)))
            .set((
                supplier_links::active.eq(false),
                supplier_links::ended_at.eq(Some(at)),
                supplier_links::updated_at.eq(at),
            ))
            .execute(conn)?;
    }
    pair(buyer, supplier)
        .select(LinkRow::as_select())
        .first(conn)?
        .into_link()
}

/// The supplier decides whether `buyer` may see the names of its own suppliers.
pub fn set_disclosure(
    conn: &mut DbConnection,
    buyer: OrgId,
    supplier: OrgId,
    disclose: bool,
) -> Result<SupplierLink, StoreError> {
    let row: LinkRow = pair(buyer, supplier)
        .filter(supplier_links::active.eq(true))
        .select(LinkRow::as_select())
        .first(conn)?;
    diesel::update(supplier_links::table.filter(supplier_links::id.eq(&row.id)))
        .set((
            supplier_links::disclose_suppliers.eq(disclose),
            supplier_links::updated_at.eq(to_db(now())),
        ))
        .execute(conn)?;
    pair(buyer, supplier)
        .select(LinkRow::as_select())
        .first(conn)?
        .into_link()
}

/// A partner organisation with the link to it.
#[derive(Debug, Clone)]
pub struct Partner {
    pub org_id: OrgId,
    pub name: String,
    pub country: String,
    pub link: SupplierLink,
}

/// Which side of the links to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The organisations I buy from.
    Suppliers,
    /// The organisations I supply.
    Customers,
}

/// My direct partners on one side, active ones unless `include_ended`.
pub fn list_partners(
    conn: &mut DbConnection,
    me: OrgId,
    side: Side,
    include_ended: bool,
    page: &PageRequest,
) -> Result<Page<Partner>, StoreError> {
    let mut query = supplier_links::table
        .select(LinkRow::as_select())
        .order(supplier_links::id.asc())
        .limit(limit(page))
        .into_boxed();
    query = match side {
        Side::Suppliers => query.filter(supplier_links::buyer_org_id.eq(me.to_string())),
        Side::Customers => query.filter(supplier_links::supplier_org_id.eq(me.to_string())),
    };
    if !include_ended {
        query = query.filter(supplier_links::active.eq(true));
    }
    if let Some(after) = &page.after {
        query = query.filter(supplier_links::id.gt(after.key().to_owned()));
    }
    let rows: Vec<LinkRow> = query.load(conn)?;
    let page = Page::from_overfetched(rows, page.limit, |row| row.id.clone());
    let partner_ids: Vec<String> = page
        .items
        .iter()
        .map(|row| match side {
            Side::Suppliers => row.supplier_org_id.clone(),
            Side::Customers => row.buyer_org_id.clone(),
        })
        .collect();
    let names = names_of(conn, &partner_ids)?;
    let mut partners = Vec::with_capacity(page.items.len());
    for (row, partner) in page.items.into_iter().zip(partner_ids) {
        let (name, country) = names.get(&partner).cloned().unwrap_or_default();
        partners.push(Partner {
            org_id: parse_org(&partner)?,
            name,
            country,
            link: row.into_link()?,
        });
    }
    Ok(Page {
        items: partners,
        next: page.next,
    })
}

/// One tier-1 supplier as the requester sees it, with what it discloses of tier 2.
#[derive(Debug, Clone)]
pub struct ChainEntry {
    pub tier1: Partner,
    pub tier2_count: usize,
    /// Names of the tier-1's suppliers, when it discloses them to this requester.
    pub tier2: Option<Vec<(OrgId, String, String)>>,
}

/// The requester's chain: each active tier-1 and, through it, its tier-2s.
pub fn supply_chain(
    conn: &mut DbConnection,
    requester: OrgId,
) -> Result<Vec<ChainEntry>, StoreError> {
    let tier1: Vec<LinkRow> = supplier_links::table
        .filter(supplier_links::buyer_org_id.eq(requester.to_string()))
        .filter(supplier_links::active.eq(true))
        .select(LinkRow::as_select())
        .order(supplier_links::id.asc())
        .load(conn)?;
    let tier1_ids: Vec<String> = tier1
        .iter()
        .map(|row| row.supplier_org_id.clone())
        .collect();
    let tier2_links: Vec<(String, String)> = supplier_links::table
        .filter(supplier_links::buyer_org_id.eq_any(&tier1_ids))
        .filter(supplier_links::active.eq(true))
        .select((
            supplier_links::buyer_org_id,
            supplier_links::supplier_org_id,
        ))
        .order(supplier_links::id.asc())
        .load(conn)?;
    let mut all_ids = tier1_ids.clone();
    all_ids.extend(tier2_links.iter().map(|(_, supplier)| supplier.clone()));
    let names = names_of(conn, &all_ids)?;
    let mut chain = Vec::with_capacity(tier1.len());
    for row in tier1 {
        let supplier = row.supplier_org_id.clone();
        let below: Vec<&String> = tier2_links
            .iter()
            .filter(|(buyer, _)| *buyer == supplier)
            .map(|(_, s)| s)
            .collect();
        let tier2 = if row.disclose_suppliers {
            let mut named = Vec::with_capacity(below.len());
            for id in &below {
                let (name, country) = names.get(*id).cloned().unwrap_or_default();
                named.push((parse_org(id)?, name, country));
            }
            Some(named)
        } else {
            None
        };
        let (name, country) = names.get(&supplier).cloned().unwrap_or_default();
        chain.push(ChainEntry {
            tier2_count: below.len(),
            tier2,
            tier1: Partner {
                org_id: parse_org(&supplier)?,
                name,
                country,
                link: row.into_link()?,
            },
        });
    }
    Ok(chain)
}
