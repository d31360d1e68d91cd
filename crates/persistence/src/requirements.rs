//! Reporting requirements: rows, lifecycle transitions and amendments.
//! Publishing creates the requests (see [`crate::requests`]).

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use tierlink_domain::FieldError;
use tierlink_domain::ids::OrgId;
use tierlink_domain::pagination::{Page, PageRequest};
use tierlink_domain::requirements::{
    Audience, CascadeDepth, ReportingPeriod, RequestStatus, RequirementAction, RequirementContent,
    RequirementItem, RequirementStatus,
};
use tierlink_domain::time::now;

use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::network::{active_suppliers_of, is_active_supplier, limit, parse_org, rejected};
use crate::requests::{self, NewRequest};
use crate::schema::{
    requests as requests_table, requirement_audience, requirement_items, requirement_versions,
    requirements,
};
use crate::time::{from_db, to_db};

/// A requirement as its requester sees it.
#[derive(Debug, Clone)]
pub struct Requirement {
    pub id: String,
    pub org_id: OrgId,
    pub content: RequirementContent,
    pub status: RequirementStatus,
    pub version: i32,
    pub revision: i32,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
}

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
}

/// What an amendment recorded.
#[derive(Debug, Clone)]
pub struct Version {
    pub version: i32,
    pub changes: Vec<String>,
    pub note: String,
    pub amended_by: String,
    pub amended_at: DateTime<Utc>,
}

/// Filters for listing requirements.
#[derive(Debug, Clone, Default)]
pub struct RequirementFilter {
    pub status: Option<RequirementStatus>,
}

pub fn insert(
    conn: &mut DbConnection,
    org: OrgId,
    created_by: &str,
    content: &RequirementContent,
) -> Result<Requirement, StoreError> {
    check_audience(conn, org, &content.audience)?;
    let at = to_db(now());
    let id = uuid::Uuid::now_v7().to_string();
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
    find(conn, org, &id)
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

/// Every chosen supplier must be an active direct supplier of `org`.
fn check_audience(
    conn: &mut DbConnection,
    org: OrgId,
    audience: &Audience,
) -> Result<(), StoreError> {
    if let Audience::Chosen(suppliers) = audience {
        for (index, supplier) in suppliers.iter().enumerate() {
            if !is_active_supplier(conn, org, *supplier)? {
                return Err(StoreError::Invalid(FieldError::new(
                    format!("audience.suppliers[{index}]"),
                    "not_a_supplier",
                    format!("{supplier} is not one of your active suppliers"),
                )));
            }
        }
    }
    Ok(())
}

/// One of `org`'s requirements; anyone else's is `NotFound`.
pub fn find(conn: &mut DbConnection, org: OrgId, id: &str) -> Result<Requirement, StoreError> {
    let row: RequirementRow = requirements::table
        .filter(requirements::id.eq(id))
        .filter(requirements::org_id.eq(org.to_string()))
        .select(RequirementRow::as_select())
        .first(conn)?;
    assemble(conn, vec![row])?.pop().ok_or(StoreError::NotFound)
}

/// A requirement by id, whoever owns it: for following a request to its requirement.
pub(crate) fn find_any(conn: &mut DbConnection, id: &str) -> Result<Requirement, StoreError> {
    let row: RequirementRow = requirements::table
        .find(id)
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
                id: row.id,
            })
        })
        .collect()
}

/// Loads `org`'s requirement, checks the caller's `If-Match` revision and
/// that `action` is allowed now.
fn load_for(
    conn: &mut DbConnection,
    org: OrgId,
    id: &str,
    expected: Option<i32>,
    action: RequirementAction,
) -> Result<Requirement, StoreError> {
    crate::answers::lock_requirement(conn, id)?;
    let requirement = find(conn, org, id)?;
    if let Some(expected) = expected
        && expected != requirement.revision
    {
        return Err(StoreError::Stale {
            current: requirement.revision,
        });
    }
    requirement
        .status
        .apply(action)
        .map_err(|illegal| StoreError::Rejected {
            code: "illegal_transition",
            field: None,
            message: illegal.to_string(),
        })?;
    Ok(requirement)
}

/// Replaces a draft's content.
pub fn update_draft(
    conn: &mut DbConnection,
    org: OrgId,
    id: &str,
    expected: Option<i32>,
    content: &RequirementContent,
) -> Result<Requirement, StoreError> {
    let current = load_for(conn, org, id, expected, RequirementAction::Edit)?;
    check_audience(conn, org, &content.audience)?;
    diesel::update(requirements::table.filter(requirements::id.eq(id)))
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
    write_content_children(conn, id, content)?;
    find(conn, org, id)
}

/// Publishes, closes or cancels. Publishing sends one request to each
/// targeted supplier; closing and cancelling settle the requests still open.
pub fn transition(
    conn: &mut DbConnection,
    org: OrgId,
    id: &str,
    expected: Option<i32>,
    action: RequirementAction,
) -> Result<Requirement, StoreError> {
    let current = load_for(conn, org, id, expected, action)?;
    let next = current
        .status
        .apply(action)
        .map_err(|_| StoreError::Corrupt("transition".to_owned()))?;
    let at = now();
    match action {
        RequirementAction::Publish => {
            let suppliers = match &current.content.audience {
                Audience::AllActiveSuppliers => active_suppliers_of(conn, org)?,
                Audience::Chosen(chosen) => {
                    check_audience(conn, org, &current.content.audience)?;
                    chosen.clone()
                }
            };
            if suppliers.is_empty() {
                return Err(rejected(
                    "no_audience",
                    Some("audience"),
                    "there is no active supplier to send this requirement to",
                ));
            }
            for supplier in suppliers {
                requests::insert(
                    conn,
                    &NewRequest {
                        requirement_id: id,
                        parent_request_id: None,
                        requester: org,
                        supplier,
                        depth: 1,
                        title: &current.content.title,
                        message: &current.content.description,
                        period: current.content.period,
                        due_date: current.content.due_date,
                        requirement_version: current.version,
                        items: &current.content.items,
                    },
                )?;
            }
        }
        RequirementAction::Close | RequirementAction::Cancel => {
            let settled = if action == RequirementAction::Close {
                RequestStatus::Closed
            } else {
                RequestStatus::Cancelled
            };
            crate::answers::lock_requests_of_requirement(conn, id)?;
            let pending: Vec<&str> = RequestStatus::ALL
                .iter()
                .filter(|s| s.is_pending())
                .map(|s| s.as_str())
                .collect();
            diesel::update(
                requests_table::table
                    .filter(requests_table::requirement_id.eq(id))
                    .filter(requests_table::status.eq_any(pending)),
            )
            .set((
                requests_table::status.eq(settled.as_str()),
                requests_table::updated_at.eq(to_db(at)),
                requests_table::revision.eq(requests_table::revision + 1),
            ))
            .execute(conn)?;
        }
        RequirementAction::Edit | RequirementAction::Amend => {}
    }
    diesel::update(requirements::table.filter(requirements::id.eq(id)))
        .set((
            requirements::status.eq(next.as_str()),
            requirements::revision.eq(current.revision + 1),
            requirements::updated_at.eq(to_db(at)),
            requirements::published_at.eq(if action == RequirementAction::Publish {
                Some(to_db(at))
            } else {
                current.published_at.map(to_db)
            }),
        ))
        .execute(conn)?;
    find(conn, org, id)
}

/// Amends a published requirement: a new version, recorded with what
/// changed; the open requests it created follow. Title, description, due
/// date and items may change; period, audience and cascade depth may not.
pub fn amend(
    conn: &mut DbConnection,
    org: OrgId,
    id: &str,
    expected: Option<i32>,
    content: &RequirementContent,
    note: &str,
    amended_by: &str,
) -> Result<Requirement, StoreError> {
    let current = load_for(conn, org, id, expected, RequirementAction::Amend)?;
    let changes = content.changes_from(&current.content);
    for fixed in ["period", "audience", "cascade_depth"] {
        if changes.contains(&fixed) {
            return Err(StoreError::Invalid(FieldError::new(
                fixed,
                "not_amendable",
                format!(
                    "{fixed} cannot change after publication; cancel and publish a new requirement"
                ),
            )));
        }
    }
    if changes.is_empty() {
        return Err(StoreError::Invalid(FieldError::new(
            "",
            "no_changes",
            "the amendment changes nothing",
        )));
    }
    let version = current.version + 1;
    let at = to_db(now());
    diesel::update(requirements::table.filter(requirements::id.eq(id)))
        .set((
            requirements::title.eq(&content.title),
            requirements::description.eq(&content.description),
            requirements::due_date.eq(content.due_date),
            requirements::version.eq(version),
            requirements::revision.eq(current.revision + 1),
            requirements::updated_at.eq(at),
        ))
        .execute(conn)?;
    write_content_children(conn, id, content)?;
    diesel::insert_into(requirement_versions::table)
        .values((
            requirement_versions::requirement_id.eq(id),
            requirement_versions::version.eq(version),
            requirement_versions::changes.eq(changes.join(",")),
            requirement_versions::note.eq(note),
            requirement_versions::amended_by.eq(amended_by),
            requirement_versions::amended_at.eq(at),
        ))
        .execute(conn)?;
    requests::follow_amendment(conn, id, version, content)?;
    find(conn, org, id)
}

/// The amendments of `org`'s requirement, oldest first.
pub fn versions(conn: &mut DbConnection, org: OrgId, id: &str) -> Result<Vec<Version>, StoreError> {
    find(conn, org, id)?;
    versions_of(conn, id)
}

/// The amendments of a requirement, whoever owns it. Callers must have
/// established that the viewer may see them (its requester, or the supplier
/// of a request it sent directly).
pub fn versions_of(conn: &mut DbConnection, id: &str) -> Result<Vec<Version>, StoreError> {
    let rows: Vec<(i32, String, String, String, NaiveDateTime)> = requirement_versions::table
        .filter(requirement_versions::requirement_id.eq(id))
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
    requirement_ids: &[&str],
) -> Result<std::collections::HashMap<String, OrgId>, StoreError> {
    let rows: Vec<(String, String)> = requirements::table
        .filter(requirements::id.eq_any(requirement_ids))
        .select((requirements::id, requirements::org_id))
        .load(conn)?;
    rows.into_iter()
        .map(|(id, owner)| Ok((id, parse_org(&owner)?)))
        .collect()
}

/// The organisation that wrote a requirement (whose custom metrics its items may use).
pub fn owner_of(conn: &mut DbConnection, requirement_id: &str) -> Result<OrgId, StoreError> {
    let owner: String = requirements::table
        .find(requirement_id)
        .select(requirements::org_id)
        .first(conn)?;
    parse_org(&owner)
}
