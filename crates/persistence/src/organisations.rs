//! Organisations and their identifiers: rows, and the queries over them.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use tierlink_domain::identifiers::{IdentifierScheme, OrgIdentifier};
use tierlink_domain::ids::OrgId;
use tierlink_domain::organisation::{NewOrganisation, Organisation};
use tierlink_domain::pagination::{Page, PageRequest};
use tierlink_domain::time::now;

use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::schema::{organisation_identifiers, organisations, supplier_links};
use crate::time::{from_db, to_db};

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = organisations)]
struct OrganisationRow {
    id: String,
    name: String,
    country: String,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = organisation_identifiers)]
struct IdentifierRow {
    org_id: String,
    position: i32,
    scheme: String,
    issuer: String,
    value: String,
}

impl IdentifierRow {
    fn into_domain(self) -> Result<OrgIdentifier, StoreError> {
        let corrupt = || {
            StoreError::Corrupt(format!(
                "identifier {}/{} of {}",
                self.scheme, self.value, self.org_id
            ))
        };
        let scheme = IdentifierScheme::parse(&self.scheme).ok_or_else(corrupt)?;
        let issuer = (!self.issuer.is_empty()).then_some(self.issuer.as_str());
        OrgIdentifier::parse(scheme, issuer, &self.value).map_err(|_| corrupt())
    }
}

/// Stores a new organisation with its identifiers. Run inside
/// [`crate::Database::write`]: a duplicate identifier leaves nothing behind.
pub fn insert(conn: &mut DbConnection, new: &NewOrganisation) -> Result<Organisation, StoreError> {
    check_identifiers_free(conn, new)?;
    let id = OrgId::generate();
    let created_at = now();
    diesel::insert_into(organisations::table)
        .values(OrganisationRow {
            id: id.to_string(),
            name: new.name.as_str().to_owned(),
            country: new.country.as_str().to_owned(),
            created_at: to_db(created_at),
            updated_at: to_db(created_at),
        })
        .execute(conn)?;
    for (position, identifier) in (0_i32..).zip(&new.identifiers) {
        diesel::insert_into(organisation_identifiers::table)
            .values(IdentifierRow {
                org_id: id.to_string(),
                position,
                scheme: identifier.scheme().as_str().to_owned(),
                issuer: identifier.issuer().to_owned(),
                value: identifier.value().to_owned(),
            })
            .execute(conn)?;
    }
    Ok(Organisation {
        id,
        name: new.name.as_str().to_owned(),
        country: new.country.as_str().to_owned(),
        identifiers: new.identifiers.clone(),
        created_at,
        updated_at: created_at,
    })
}

/// A duplicate error naming the first of `new`'s identifiers another
/// organisation holds (`identifiers[i].value`).
pub fn check_identifiers_free(
    conn: &mut DbConnection,
    new: &NewOrganisation,
) -> Result<(), StoreError> {
    for (index, identifier) in new.identifiers.iter().enumerate() {
        if identifier_owner(conn, identifier)?.is_some() {
            return Err(StoreError::Duplicate {
                field: Some(format!("identifiers[{index}].value")),
                message: format!("an organisation with {identifier} is already registered"),
            });
        }
    }
    Ok(())
}

/// The organisation that holds `identifier`, if any.
pub fn identifier_owner(
    conn: &mut DbConnection,
    identifier: &OrgIdentifier,
) -> Result<Option<OrgId>, StoreError> {
    let owner: Option<String> = organisation_identifiers::table
        .filter(organisation_identifiers::scheme.eq(identifier.scheme().as_str()))
        .filter(organisation_identifiers::issuer.eq(identifier.issuer()))
        .filter(organisation_identifiers::value.eq(identifier.value()))
        .select(organisation_identifiers::org_id)
        .first(conn)
        .optional()?;
    owner.map(|id| parse_id(&id)).transpose()
}

pub fn find(conn: &mut DbConnection, id: OrgId) -> Result<Organisation, StoreError> {
    let row: OrganisationRow = organisations::table
        .find(id.to_string())
        .select(OrganisationRow::as_select())
        .first(conn)?;
    let mut loaded = with_identifiers(conn, vec![row])?;
    loaded.pop().ok_or(StoreError::NotFound)
}

/// A page of the organisations `viewer` may see, oldest first.
pub fn list_visible(
    conn: &mut DbConnection,
    viewer: OrgId,
    page: &PageRequest,
) -> Result<Page<Organisation>, StoreError> {
    let me = viewer.to_string();
    let suppliers = supplier_links::table
        .filter(supplier_links::buyer_org_id.eq(me.clone()))
        .filter(supplier_links::active.eq(true))
        .select(supplier_links::supplier_org_id);
    let customers = supplier_links::table
        .filter(supplier_links::supplier_org_id.eq(me.clone()))
        .filter(supplier_links::active.eq(true))
        .select(supplier_links::buyer_org_id);
    let mut query = organisations::table
        .filter(
            organisations::id
                .eq(me.clone())
                .or(organisations::id.eq_any(suppliers))
                .or(organisations::id.eq_any(customers)),
        )
        .select(OrganisationRow::as_select())
        .order(organisations::id.asc())
        .limit(i64::try_from(page.limit.get() + 1).unwrap_or(i64::MAX))
        .into_boxed();
    if let Some(after) = &page.after {
        query = query.filter(organisations::id.gt(after.key().to_owned()));
    }
    let rows: Vec<OrganisationRow> = query.load(conn)?;
    let page = Page::from_overfetched(rows, page.limit, |row| row.id.clone());
    let next = page.next;
    let items = with_identifiers(conn, page.items)?;
    Ok(Page { items, next })
}

/// Loads the identifiers of all `rows` in one query and assembles them.
fn with_identifiers(
    conn: &mut DbConnection,
    rows: Vec<OrganisationRow>,
) -> Result<Vec<Organisation>, StoreError> {
    let ids: Vec<&str> = rows.iter().map(|row| row.id.as_str()).collect();
    let identifiers: Vec<IdentifierRow> = organisation_identifiers::table
        .filter(organisation_identifiers::org_id.eq_any(ids))
        .order((
            organisation_identifiers::org_id,
            organisation_identifiers::position,
        ))
        .select(IdentifierRow::as_select())
        .load(conn)?;
    let mut by_org: HashMap<String, Vec<OrgIdentifier>> = HashMap::new();
    for identifier in identifiers {
        let org_id = identifier.org_id.clone();
        by_org
            .entry(org_id)
            .or_default()
            .push(identifier.into_domain()?);
    }
    let mut organisations = Vec::with_capacity(rows.len());
    for row in rows {
        organisations.push(Organisation {
            id: parse_id(&row.id)?,
            identifiers: by_org.remove(&row.id).unwrap_or_default(),
            name: row.name,
            country: row.country,
            created_at: from_db(row.created_at),
            updated_at: from_db(row.updated_at),
        });
    }
    Ok(organisations)
}

fn parse_id(id: &str) -> Result<OrgId, StoreError> {
    id.parse()
        .map_err(|_| StoreError::Corrupt(format!("organisation id `{id}`")))
}
