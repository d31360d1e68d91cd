//! Reporting requirements (`requirements` with their items, audience and
//! amendment history): rows in, domain entities out.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use tierlink_domain::ids::{OrgId, RequirementId};
use tierlink_domain::pagination::{Page, PageRequest};
use tierlink_domain::requirements::{
    Audience, CascadeDepth, ReportingPeriod, Requirement, RequirementContent, RequirementItem,
    RequirementStatus, Version,
};
use tierlink_domain::time::now;

use crate::columns::{limit, parse_id, parse_org};
use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::schema::{requirement_audience, requirement_items, requirement_versions, requirements};
use crate::time::{from_db, to_db};

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = requirements)]
struct RequirementRow {
    id: String,
    org_id: String,
    title: String,
    description: String,
    period_start: NaiveDate,
    period_end: NaiveDate,
    due_date: NaiveDate,
    audience_all: bool,
    cascade_depth: i32,
    status: String,
    version: i32,
    revision: i32,
    created_by: String,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    published_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = requirement_items)]
struct ItemRow {
    requirement_id: String,
    position: i32,
    metric_code: String,
    required: bool,
    guidance: Option<String>,
    estimates_accepted: bool,
    part_numbers: Option<String>,
}

/// Filters for listing requirements.
#[derive(Debug, Clone, Default)]
pub struct RequirementFilter {
    pub status: Option<RequirementStatus>,
}

/// A new draft requirement of `org`.
pub fn insert(
    conn: &mut DbConnection,
    org: OrgId,
    created_by: &str,
    content: &RequirementContent,
) -> Result<Requirement, StoreError> {
    let at = to_db(now());
    let requirement = RequirementId::generate();
    let id = requirement.to_string();
    diesel::insert_into(requirements::table)
        .values(RequirementRow {
            id: id.clone(),
            org_id: org.to_string(),
            title: content.title.clone(),
            description: content.description.clone(),
            period_start: content.period.start(),
            period_end: content.period.end(),
            due_date: content.due_date,
            audience_all: matches!(content.audience, Audience::AllActiveSuppliers),
            cascade_depth: i32::from(content.cascade_depth.get()),
            status: RequirementStatus::Draft.as_str().to_owned(),
            version: 1,
            revision: 1,
            created_by: created_by.to_owned(),
            created_at: at,
            updated_at: at,
            published_at: None,
        })
        .execute(conn)?;
    write_content_children(conn, &id, content)?;
    find(conn, org, requirement)
}

fn write_content_children(
    conn: &mut DbConnection,
    id: &str,
    content: &RequirementContent,
) -> Result<(), StoreError> {
    diesel::delete(requirement_items::table.filter(requirement_items::requirement_id.eq(id)))
        .execute(conn)?;
    for (position, item) in (0_i32..).zip(&content.items) {
        diesel::insert_into(requirement_items::table)
            .values(ItemRow {
                requirement_id: id.to_owned(),
                position,
                metric_code: item.metric.clone(),
                required: item.required,
                guidance: item.guidance.clone(),
                estimates_accepted: item.estimates_accepted,
                part_numbers: crate::columns::part_numbers_to_db(&item.part_numbers),
            })
            .execute(conn)?;
    }
    diesel::delete(requirement_audience::table.filter(requirement_audience::requirement_id.eq(id)))
        .execute(conn)?;
    if let Audience::Chosen(suppliers) = &content.audience {
        for supplier in suppliers {
            diesel::insert_into(requirement_audience::table)
                .values((
                    requirement_audience::requirement_id.eq(id),
                    requirement_audience::supplier_org_id.eq(supplier.to_string()),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// One of `org`'s requirements; anyone else's is `NotFound`.
pub fn find(
    conn: &mut DbConnection,
    org: OrgId,
    id: RequirementId,
) -> Result<Requirement, StoreError> {
    let row: RequirementRow = requirements::table
        .filter(requirements::id.eq(id.to_string()))
        .filter(requirements::org_id.eq(org.to_string()))
        .select(RequirementRow::as_select())
        .first(conn)?;
    assemble(conn, vec![row])?.pop().ok_or(StoreError::NotFound)
}

/// A requirement by id, whoever owns it: for following a request to its requirement.
pub fn find_any(conn: &mut DbConnection, id: RequirementId) -> Result<Requirement, StoreError> {
    let row: RequirementRow = requirements::table
        .find(id.to_string())
        .select(RequirementRow::as_select())
        .first(conn)?;
    assemble(conn, vec![row])?.pop().ok_or(StoreError::NotFound)
}

pub fn list(
    conn: &mut DbConnection,
    org: OrgId,
    filter: &RequirementFilter,
    page: &PageRequest,
) -> Result<Page<Requirement>, StoreError> {
    let mut query = requirements::table
        .filter(requirements::org_id.eq(org.to_string()))
        .select(RequirementRow::as_select())
        .order(requirements::id.asc())
        .limit(limit(page))
        .into_boxed();
    if let Some(status) = filter.status {
        query = query.filter(requirements::status.eq(status.as_str()));
    }
    if let Some(after) = &page.after {
        query = query.filter(requirements::id.gt(after.key().to_owned()));
    }
    let rows: Vec<RequirementRow> = query.load(conn)?;
    let page = Page::from_overfetched(rows, page.limit, |row| row.id.clone());
    let next = page.next;
    Ok(Page {
        items: assemble(conn, page.items)?,
        next,
    })
}

fn assemble(
    conn: &mut DbConnection,
    rows: Vec<RequirementRow>,
) -> Result<Vec<Requirement>, StoreError> {
    let ids: Vec<&str> = rows.iter().map(|row| row.id.as_str()).collect();
    let items: Vec<ItemRow> = requirement_items::table
        .filter(requirement_items::requirement_id.eq_any(&ids))
        .order((
            requirement_items::requirement_id,
            requirement_items::position,
        ))
        .select(ItemRow::as_select())
        .load(conn)?;
    let audience: Vec<(String, String)> = requirement_audience::table
        .filter(requirement_audience::requirement_id.eq_any(&ids))
        .select((
            requirement_audience::requirement_id,
            requirement_audience::supplier_org_id,
        ))
        .order((
            requirement_audience::requirement_id,
            requirement_audience::supplier_org_id,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|row| {
            let corrupt =
                |what: &str| StoreError::Corrupt(format!("requirement {}: {what}", row.id));
            let own_items = items
                .iter()
                .filter(|item| item.requirement_id == row.id)
                .map(|item| RequirementItem {
                    metric: item.metric_code.clone(),
                    required: item.required,
                    guidance: item.guidance.clone(),
                    estimates_accepted: item.estimates_accepted,
                    part_numbers: crate::columns::part_numbers_from_db(
                        item.part_numbers.as_deref(),
                    ),
                })
                .collect();
            let audience = if row.audience_all {
                Audience::AllActiveSuppliers
            } else {
                Audience::Chosen(
                    audience
                        .iter()
                        .filter(|(requirement, _)| *requirement == row.id)
                        .map(|(_, supplier)| parse_org(supplier))
                        .collect::<Result<_, _>>()?,
                )
            };
            Ok(Requirement {
                org_id: parse_org(&row.org_id)?,
                content: RequirementContent {
                    title: row.title,
                    description: row.description,
                    period: ReportingPeriod::new(row.period_start, row.period_end)
                        .map_err(|_| corrupt("period"))?,
                    due_date: row.due_date,
                    items: own_items,
                    audience,
                    cascade_depth: CascadeDepth::parse(i64::from(row.cascade_depth))
                        .map_err(|_| corrupt("cascade depth"))?,
                },
                status: RequirementStatus::parse(&row.status).ok_or_else(|| corrupt("status"))?,
                version: row.version,
                revision: row.revision,
                created_by: row.created_by,
                created_at: from_db(row.created_at),
                updated_at: from_db(row.updated_at),
                published_at: row.published_at.map(from_db),
                id: parse_id(&row.id, "requirement")?,
            })
        })
        .collect()
}

/// Replaces a draft's content.
pub fn update_content(
    conn: &mut DbConnection,
    current: &Requirement,
    content: &RequirementContent,
) -> Result<(), StoreError> {
    let id = current.id.to_string();
    diesel::update(requirements::table.filter(requirements::id.eq(&id)))
        .set((
            requirements::title.eq(&content.title),
            requirements::description.eq(&content.description),
            requirements::period_start.eq(content.period.start()),
            requirements::period_end.eq(content.period.end()),
            requirements::due_date.eq(content.due_date),
            requirements::audience_all.eq(matches!(content.audience, Audience::AllActiveSuppliers)),
            requirements::cascade_depth.eq(i32::from(content.cascade_depth.get())),
            requirements::revision.eq(current.revision + 1),
            requirements::updated_at.eq(to_db(now())),
        ))
        .execute(conn)?;
    write_content_children(conn, &id, content)
}

/// Moves a requirement to `next` (publishing stamps `published_at`).
pub fn set_status(
    conn: &mut DbConnection,
    current: &Requirement,
    next: RequirementStatus,
) -> Result<(), StoreError> {
    let at = now();
    let published_at = if next == RequirementStatus::Published && current.published_at.is_none() {
        Some(at)
    } else {
        current.published_at
    };
    diesel::update(requirements::table.filter(requirements::id.eq(current.id.to_string())))
        .set((
            requirements::status.eq(next.as_str()),
            requirements::revision.eq(current.revision + 1),
            requirements::updated_at.eq(to_db(at)),
            requirements::published_at.eq(published_at.map(to_db)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Records an amendment: the new content and version, and what changed.
pub fn record_amendment(
    conn: &mut DbConnection,
    current: &Requirement,
    content: &RequirementContent,
    changes: &[&str],
    note: &str,
    amended_by: &str,
) -> Result<i32, StoreError> {
    let id = current.id.to_string();
    let version = current.version + 1;
    let at = to_db(now());
    diesel::update(requirements::table.filter(requirements::id.eq(&id)))
        .set((
            requirements::title.eq(&content.title),
            requirements::description.eq(&content.description),
            requirements::due_date.eq(content.due_date),
            requirements::version.eq(version),
            requirements::revision.eq(current.revision + 1),
            requirements::updated_at.eq(at),
        ))
        .execute(conn)?;
    write_content_children(conn, &id, content)?;
    diesel::insert_into(requirement_versions::table)
        .values((
            requirement_versions::requirement_id.eq(&id),
            requirement_versions::version.eq(version),
            requirement_versions::changes.eq(changes.join(",")),
            requirement_versions::note.eq(note),
            requirement_versions::amended_by.eq(amended_by),
            requirement_versions::amended_at.eq(at),
        ))
        .execute(conn)?;
    Ok(version)
}

/// The amendments of a requirement, oldest first. Callers must have
/// established that the viewer may see them (its requester, or the supplier
/// of a request it sent directly).
pub fn versions_of(conn: &mut DbConnection, id: RequirementId) -> Result<Vec<Version>, StoreError> {
    let rows: Vec<(i32, String, String, String, NaiveDateTime)> = requirement_versions::table
        .filter(requirement_versions::requirement_id.eq(id.to_string()))
        .order(requirement_versions::version.asc())
        .select((
            requirement_versions::version,
            requirement_versions::changes,
            requirement_versions::note,
            requirement_versions::amended_by,
            requirement_versions::amended_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(version, changes, note, amended_by, amended_at)| Version {
            version,
            changes: changes
                .split(',')
                .filter(|c| !c.is_empty())
                .map(str::to_owned)
                .collect(),
            note,
            amended_by,
            amended_at: from_db(amended_at),
        })
        .collect())
}

/// The owners of the given requirements, by requirement id.
pub fn owners_of(
    conn: &mut DbConnection,
    requirement_ids: &[RequirementId],
) -> Result<HashMap<RequirementId, OrgId>, StoreError> {
    let ids: Vec<String> = requirement_ids.iter().map(ToString::to_string).collect();
    let rows: Vec<(String, String)> = requirements::table
        .filter(requirements::id.eq_any(&ids))
        .select((requirements::id, requirements::org_id))
        .load(conn)?;
    rows.into_iter()
        .map(|(id, owner)| Ok((parse_id(&id, "requirement")?, parse_org(&owner)?)))
        .collect()
}

/// The organisation that wrote a requirement (whose custom metrics its items may use).
pub fn owner_of(conn: &mut DbConnection, requirement: RequirementId) -> Result<OrgId, StoreError> {
    let owner: String = requirements::table
        .find(requirement.to_string())
        .select(requirements::org_id)
        .first(conn)?;
    parse_org(&owner)
}
