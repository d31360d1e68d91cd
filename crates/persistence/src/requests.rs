//! Requests: one per supplier per requirement (depth 1), or forwarded by a
//! tier-1 to its own suppliers (depth 2). A request is visible to its
//! supplier and to the organisation that sent it, and to no one else.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use tierlink_domain::ids::{OrgId, RequestId, RequirementId};
use tierlink_domain::pagination::{Page, PageRequest};
use tierlink_domain::requests::{Party, Request, RequestStatus};
use tierlink_domain::requirements::{
    ReportingPeriod, RequirementContent, RequirementItem, Version,
};
use tierlink_domain::time::now;

use crate::columns::{limit, parse_id, parse_org};
use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::locks::lock_requests_of_requirement;
use crate::request_details::{self, Details};
use crate::request_items;
use crate::schema::requests;
use crate::time::{from_db, to_db};

#[derive(Debug, Queryable, QueryableByName, Selectable, Insertable)]
#[diesel(table_name = requests)]
pub(crate) struct RequestRow {
    id: String,
    requirement_id: String,
    parent_request_id: Option<String>,
    requester_org_id: String,
    supplier_org_id: String,
    depth: i32,
    title: String,
    message: String,
    period_start: NaiveDate,
    period_end: NaiveDate,
    due_date: NaiveDate,
    status: String,
    decline_reason: Option<String>,
    requirement_version: i32,
    revision: i32,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    /// The items as stored (see [`request_items`]).
    items: String,
}

/// A request to create.
#[derive(Debug)]
pub struct NewRequest<'a> {
    pub requirement_id: RequirementId,
    pub parent_request_id: Option<RequestId>,
    pub requester: OrgId,
    pub supplier: OrgId,
    pub depth: i32,
    pub title: &'a str,
    pub message: &'a str,
    pub period: ReportingPeriod,
    pub due_date: NaiveDate,
    pub requirement_version: i32,
    pub items: &'a [RequirementItem],
}

pub fn insert(conn: &mut DbConnection, new: &NewRequest<'_>) -> Result<RequestId, StoreError> {
    let at = to_db(now());
    let request = RequestId::generate();
    let id = request.to_string();
    diesel::insert_into(requests::table)
        .values(RequestRow {
            id: id.clone(),
            requirement_id: new.requirement_id.to_string(),
            parent_request_id: new.parent_request_id.map(|id| id.to_string()),
            requester_org_id: new.requester.to_string(),
            supplier_org_id: new.supplier.to_string(),
            depth: new.depth,
            title: new.title.to_owned(),
            message: new.message.to_owned(),
            period_start: new.period.start(),
            period_end: new.period.end(),
            due_date: new.due_date,
            status: RequestStatus::Open.as_str().to_owned(),
            decline_reason: None,
            requirement_version: new.requirement_version,
            revision: 1,
            created_at: at,
            updated_at: at,
            items: request_items::to_db(new.items),
        })
        .execute(conn)?;
    Ok(request)
}

/// After an amendment, the requirement's own (depth 1) requests take the
/// new title, description, due date and items; forwarded requests keep
/// their tier-1's choices but drop items no longer asked for.
pub fn follow_amendment(
    conn: &mut DbConnection,
    requirement: RequirementId,
    version: i32,
    content: &RequirementContent,
) -> Result<Vec<RequestId>, StoreError> {
    lock_requests_of_requirement(conn, requirement)?;
    let requirement_id = requirement.to_string();
    let requirement_id = requirement_id.as_str();
    let at = to_db(now());
    let pending: Vec<&str> = RequestStatus::ALL
        .iter()
        .filter(|s| s.follows_amendments())
        .map(|s| s.as_str())
        .collect();
    // The requirement's own requests still following it: their ids are
    // part of the answer, then they are updated in one statement.
    let direct_pending = requests::requirement_id
        .eq(requirement_id)
        .and(requests::depth.eq(1))
        .and(requests::status.eq_any(&pending));
    let direct: Vec<String> = requests::table
        .filter(direct_pending.clone())
        .select(requests::id)
        .load(conn)?;
    let items = request_items::to_db(&content.items);
    diesel::update(requests::table.filter(direct_pending))
        .set((
            requests::title.eq(&content.title),
            requests::message.eq(&content.description),
            requests::due_date.eq(content.due_date),
            requests::requirement_version.eq(version),
            requests::revision.eq(requests::revision + 1),
            requests::updated_at.eq(at),
            requests::items.eq(&items),
        ))
        .execute(conn)?;
    let forwarded: Vec<(String, String)> = requests::table
        .filter(requests::requirement_id.eq(requirement_id))
        .filter(requests::depth.gt(1))
        .filter(requests::status.eq_any(&pending))
        .select((requests::id, requests::items))
        .load(conn)?;
    let asked: Vec<&str> = content
        .items
        .iter()
        .map(|item| item.metric.as_str())
        .collect();
    for (id, items) in &forwarded {
        let mut kept = request_items::from_db(id, items)?;
        kept.retain(|item| asked.contains(&item.metric.as_str()));
        diesel::update(requests::table.filter(requests::id.eq(id)))
            .set((
                requests::requirement_version.eq(version),
                requests::revision.eq(requests::revision + 1),
                requests::updated_at.eq(at),
                requests::items.eq(request_items::to_db(&kept)),
            ))
            .execute(conn)?;
    }
    direct
        .iter()
        .chain(forwarded.iter().map(|(id, _)| id))
        .map(|id| parse_id(id, "request"))
        .collect()
}

/// The requests of `rows`, with their details read in one statement.
fn assemble(conn: &mut DbConnection, rows: Vec<RequestRow>) -> Result<Vec<Request>, StoreError> {
    let ids: Vec<&str> = rows.iter().map(|row| row.id.as_str()).collect();
    let mut details = request_details::of_rows(conn, &ids)?;
    rows.into_iter()
        .map(|row| {
            let details = details
                .remove(&row.id)
                .ok_or_else(|| StoreError::Corrupt(format!("request {}: details", row.id)))?;
            to_request(row, &details)
        })
        .collect()
}

/// A request from its row and its details.
fn to_request(row: RequestRow, details: &Details) -> Result<Request, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("request {}: {what}", row.id));
    Ok(Request {
        requester_name: details.requester_name.clone().unwrap_or_default(),
        supplier_name: details.supplier_name.clone().unwrap_or_default(),
        requester_org_id: parse_org(&row.requester_org_id)?,
        supplier_org_id: parse_org(&row.supplier_org_id)?,
        period: ReportingPeriod::new(row.period_start, row.period_end)
            .map_err(|_| corrupt("period"))?,
        status: RequestStatus::parse(&row.status).ok_or_else(|| corrupt("status"))?,
        items: request_items::from_db(&row.id, &row.items)?,
        cascade_depth: details.cascade_depth.unwrap_or(1),
        requirement_id: parse_id(&row.requirement_id, "requirement")?,
        parent_request_id: row
            .parent_request_id
            .as_deref()
            .map(|id| parse_id(id, "request"))
            .transpose()?,
        depth: row.depth,
        title: row.title,
        message: row.message,
        due_date: row.due_date,
        decline_reason: row.decline_reason,
        requirement_version: row.requirement_version,
        revision: row.revision,
        created_at: from_db(row.created_at),
        updated_at: from_db(row.updated_at),
        id: parse_id(&row.id, "request")?,
    })
}

/// Filters for a supplier's incoming requests.
#[derive(Debug, Clone, Default)]
pub struct IncomingFilter {
    pub status: Option<RequestStatus>,
    pub customer: Option<OrgId>,
    pub due_before: Option<NaiveDate>,
    pub due_after: Option<NaiveDate>,
    /// `Some(true)`: only overdue ones (pending past their due date on `today`).
    pub overdue: Option<bool>,
    pub today: Option<NaiveDate>,
}

/// The requests `supplier` received.
pub fn list_incoming(
    conn: &mut DbConnection,
    supplier: OrgId,
    filter: &IncomingFilter,
    page: &PageRequest,
) -> Result<Page<Request>, StoreError> {
    let mut query = requests::table
        .filter(requests::supplier_org_id.eq(supplier.to_string()))
        .select(RequestRow::as_select())
        .order(requests::id.asc())
        .limit(limit(page))
        .into_boxed();
    if let Some(status) = filter.status {
        query = query.filter(requests::status.eq(status.as_str()));
    }
    if let Some(customer) = filter.customer {
        query = query.filter(requests::requester_org_id.eq(customer.to_string()));
    }
    if let Some(before) = filter.due_before {
        query = query.filter(requests::due_date.le(before));
    }
    if let Some(after) = filter.due_after {
        query = query.filter(requests::due_date.ge(after));
    }
    if let (Some(overdue), Some(today)) = (filter.overdue, filter.today) {
        let pending: Vec<&str> = RequestStatus::ALL
            .iter()
            .filter(|s| s.is_pending())
            .map(|s| s.as_str())
            .collect();
        query = if overdue {
            query
                .filter(requests::due_date.lt(today))
                .filter(requests::status.eq_any(pending))
        } else {
            query.filter(
                requests::due_date
                    .ge(today)
                    .or(requests::status.ne_all(pending)),
            )
        };
    }
    if let Some(after) = &page.after {
        query = query.filter(requests::id.gt(after.key().to_owned()));
    }
    let rows: Vec<RequestRow> = query.load(conn)?;
    let page = Page::from_overfetched(rows, page.limit, |row| row.id.clone());
    let next = page.next;
    Ok(Page {
        items: assemble(conn, page.items)?,
        next,
    })
}

/// The requests among `ids` that `supplier` answers, with their items, in
/// a few set queries whatever their number. Others are left out.
pub fn answered_by(
    conn: &mut DbConnection,
    supplier: OrgId,
    ids: &[RequestId],
) -> Result<Vec<Request>, StoreError> {
    let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
    let mut found = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(crate::batch::ROWS_PER_INSERT) {
        let rows: Vec<RequestRow> = requests::table
            .filter(requests::id.eq_any(chunk))
            .filter(requests::supplier_org_id.eq(supplier.to_string()))
            .select(RequestRow::as_select())
            .load(conn)?;
        found.extend(assemble(conn, rows)?);
    }
    Ok(found)
}

/// The revision of each request among `ids` that `supplier` answers: every
/// change to a request or its items moves it, so a request read earlier
/// with the same revision is the request as it is now.
pub fn revisions_of(
    conn: &mut DbConnection,
    supplier: OrgId,
    ids: &[RequestId],
) -> Result<Vec<(RequestId, i32)>, StoreError> {
    let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
    let mut found = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(crate::batch::ROWS_PER_INSERT) {
        let rows = requests::table
            .filter(requests::id.eq_any(chunk))
            .filter(requests::supplier_org_id.eq(supplier.to_string()))
            .select((requests::id, requests::revision))
            .load::<(String, i32)>(conn)?;
        for (id, revision) in rows {
            found.push((parse_id(&id, "request")?, revision));
        }
    }
    Ok(found)
}

/// Which side of request `id` `viewer` is on, and the request's status, in
/// one statement: what a read of its answer needs to authorise.
/// `NotFound` when `viewer` is neither its supplier nor its sender.
pub fn standing(
    conn: &mut DbConnection,
    viewer: OrgId,
    id: RequestId,
) -> Result<(Party, RequestStatus), StoreError> {
    let viewer_id = viewer.to_string();
    let (supplier, status): (String, String) = requests::table
        .filter(requests::id.eq(id.to_string()))
        .filter(
            requests::supplier_org_id
                .eq(&viewer_id)
                .or(requests::requester_org_id.eq(&viewer_id)),
        )
        .select((requests::supplier_org_id, requests::status))
        .first(conn)?;
    let party = if supplier == viewer_id {
        Party::Supplier
    } else {
        Party::Requester
    };
    let status = RequestStatus::parse(&status)
        .ok_or_else(|| StoreError::Corrupt(format!("request {id}: status")))?;
    Ok((party, status))
}

/// A request `viewer` may see: as its supplier or as its sender.
pub fn find_for(
    conn: &mut DbConnection,
    viewer: OrgId,
    id: RequestId,
) -> Result<Request, StoreError> {
    find_with_versions(conn, viewer, id).map(|(request, _)| request)
}

/// A request `viewer` may see, and the amendments of its requirement
/// (none for a forwarded request): one statement.
pub fn find_with_versions(
    conn: &mut DbConnection,
    viewer: OrgId,
    id: RequestId,
) -> Result<(Request, Vec<Version>), StoreError> {
    let found = request_details::one(conn, &viewer.to_string(), &id.to_string())?
        .ok_or(StoreError::NotFound)?;
    let versions = found.versions()?;
    Ok((to_request(found.request, &found.details)?, versions))
}

/// Records the supplier's refusal of a request.
pub fn record_decline(
    conn: &mut DbConnection,
    request: &Request,
    reason: &str,
) -> Result<(), StoreError> {
    diesel::update(requests::table.filter(requests::id.eq(request.id.to_string())))
        .set((
            requests::status.eq(RequestStatus::Declined.as_str()),
            requests::decline_reason.eq(Some(reason)),
            requests::revision.eq(requests::revision + 1),
            requests::updated_at.eq(to_db(now())),
        ))
        .execute(conn)?;
    Ok(())
}

/// Moves a request to `status` (and its revision on).
pub fn set_status(
    conn: &mut DbConnection,
    request: RequestId,
    status: RequestStatus,
) -> Result<(), StoreError> {
    set_statuses(conn, &[request], status)
}

/// Moves every request in `ids` to `status` (and their revisions on).
pub fn set_statuses(
    conn: &mut DbConnection,
    ids: &[RequestId],
    status: RequestStatus,
) -> Result<(), StoreError> {
    let at = to_db(now());
    let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
    for chunk in ids.chunks(crate::batch::ROWS_PER_INSERT) {
        diesel::update(requests::table.filter(requests::id.eq_any(chunk)))
            .set((
                requests::status.eq(status.as_str()),
                requests::revision.eq(requests::revision + 1),
                requests::updated_at.eq(at),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Settles every request of a requirement still awaiting an answer (the
/// requirement was closed or cancelled), after locking them in id order.
pub fn settle_pending(
    conn: &mut DbConnection,
    requirement: RequirementId,
    settled: RequestStatus,
) -> Result<(), StoreError> {
    lock_requests_of_requirement(conn, requirement)?;
    let requirement_id = requirement.to_string();
    let pending: Vec<&str> = RequestStatus::ALL
        .iter()
        .filter(|s| s.is_pending())
        .map(|s| s.as_str())
        .collect();
    diesel::update(
        requests::table
            .filter(requests::requirement_id.eq(&requirement_id))
            .filter(requests::status.eq_any(pending)),
    )
    .set((
        requests::status.eq(settled.as_str()),
        requests::updated_at.eq(to_db(now())),
        requests::revision.eq(requests::revision + 1),
    ))
    .execute(conn)?;
    Ok(())
}

/// Whether `parent` was forwarded to `supplier` already.
pub fn forwarded_to(
    conn: &mut DbConnection,
    parent: RequestId,
    supplier: OrgId,
) -> Result<bool, StoreError> {
    let found: i64 = requests::table
        .filter(requests::parent_request_id.eq(parent.to_string()))
        .filter(requests::supplier_org_id.eq(supplier.to_string()))
        .count()
        .get_result(conn)?;
    Ok(found > 0)
}

/// Whether `child` was forwarded from `parent`.
pub fn is_forwarded_from(
    conn: &mut DbConnection,
    child: RequestId,
    parent: RequestId,
) -> Result<bool, StoreError> {
    let found: i64 = requests::table
        .filter(requests::id.eq(child.to_string()))
        .filter(requests::parent_request_id.eq(parent.to_string()))
        .count()
        .get_result(conn)?;
    Ok(found > 0)
}

/// Whether `org` sent `request` (is its requester).
pub fn is_sent_by(
    conn: &mut DbConnection,
    request: RequestId,
    org: OrgId,
) -> Result<bool, StoreError> {
    let found: i64 = requests::table
        .filter(requests::id.eq(request.to_string()))
        .filter(requests::requester_org_id.eq(org.to_string()))
        .count()
        .get_result(conn)?;
    Ok(found > 0)
}

/// The given requests, in id order, whoever they belong to (the caller
/// made or authorised them).
pub fn find_many(conn: &mut DbConnection, ids: &[RequestId]) -> Result<Vec<Request>, StoreError> {
    let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
    let rows: Vec<RequestRow> = requests::table
        .filter(requests::id.eq_any(&ids))
        .order(requests::id.asc())
        .select(RequestRow::as_select())
        .load(conn)?;
    assemble(conn, rows)
}

/// The requests forwarded from `parent` (for the tier-1 that answers it).
pub fn forwarded_from(
    conn: &mut DbConnection,
    parent: RequestId,
) -> Result<Vec<Request>, StoreError> {
    let rows: Vec<RequestRow> = requests::table
        .filter(requests::parent_request_id.eq(parent.to_string()))
        .order(requests::id.asc())
        .select(RequestRow::as_select())
        .load(conn)?;
    assemble(conn, rows)
}

/// One of a requirement's own requests, with the progress of the requests
/// its tier-1 forwarded (counts only: the requester does not see who).
#[derive(Debug, Clone)]
pub struct RequestProgress {
    pub request: Request,
    pub forwarded_total: usize,
    pub forwarded_by_status: Vec<(RequestStatus, usize)>,
}

/// Every request a requirement sent directly, for its requester.
pub fn list_for_requirement(
    conn: &mut DbConnection,
    requester: OrgId,
    requirement: RequirementId,
    page: &PageRequest,
) -> Result<Page<RequestProgress>, StoreError> {
    let requirement_id = requirement.to_string();
    let requirement_id = requirement_id.as_str();
    let mut query = requests::table
        .filter(requests::requirement_id.eq(requirement_id))
        .filter(requests::requester_org_id.eq(requester.to_string()))
        .select(RequestRow::as_select())
        .order(requests::id.asc())
        .limit(limit(page))
        .into_boxed();
    if let Some(after) = &page.after {
        query = query.filter(requests::id.gt(after.key().to_owned()));
    }
    let rows: Vec<RequestRow> = query.load(conn)?;
    let page = Page::from_overfetched(rows, page.limit, |row| row.id.clone());
    let next = page.next;
    let direct = assemble(conn, page.items)?;
    let ids: Vec<String> = direct
        .iter()
        .map(|request| request.id.to_string())
        .collect();
    let children: Vec<(Option<String>, String)> = requests::table
        .filter(requests::parent_request_id.eq_any(&ids))
        .select((requests::parent_request_id, requests::status))
        .load(conn)?;
    let items = direct
        .into_iter()
        .map(|request| {
            let mut counts: HashMap<RequestStatus, usize> = HashMap::new();
            let mut total = 0;
            for (_, status) in children
                .iter()
                .filter(|(parent, _)| parent.as_deref() == Some(request.id.to_string().as_str()))
            {
                total += 1;
                if let Some(status) = RequestStatus::parse(status) {
                    *counts.entry(status).or_default() += 1;
                }
            }
            let by_status = RequestStatus::ALL
                .iter()
                .filter_map(|s| counts.get(s).map(|n| (*s, *n)))
                .collect();
            RequestProgress {
                request,
                forwarded_total: total,
                forwarded_by_status: by_status,
            }
        })
        .collect();
    Ok(Page { items, next })
}

/// How many requests of `requirement` still await an answer.
pub fn awaiting_count(
    conn: &mut DbConnection,
    requirement: RequirementId,
) -> Result<i64, StoreError> {
    let pending: Vec<&str> = RequestStatus::ALL
        .iter()
        .filter(|s| s.is_pending())
        .map(|s| s.as_str())
        .collect();
    Ok(requests::table
        .filter(requests::requirement_id.eq(requirement.to_string()))
        .filter(requests::status.eq_any(pending))
        .count()
        .get_result(conn)?)
}
