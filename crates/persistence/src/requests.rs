//! Requests: one per supplier per requirement (depth 1), or forwarded by a
//! tier-1 to its own suppliers (depth 2). A request is visible to its
//! supplier and to the organisation that sent it, and to no one else.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use tierlink_domain::FieldError;
use tierlink_domain::ids::OrgId;
use tierlink_domain::pagination::{Page, PageRequest};
use tierlink_domain::requirements::{
    ReportingPeriod, RequestStatus, RequirementContent, RequirementItem,
};
use tierlink_domain::time::now;

use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::network::{is_active_supplier, limit, names_of, parse_org, rejected};
use crate::requirements;
use crate::schema::{request_items, requests};
use crate::time::{from_db, to_db};

/// A request, with its parties' names and its items.
#[derive(Debug, Clone)]
pub struct Request {
    pub id: String,
    pub requirement_id: String,
    pub parent_request_id: Option<String>,
    pub requester_org_id: OrgId,
    pub requester_name: String,
    pub supplier_org_id: OrgId,
    pub supplier_name: String,
    pub depth: i32,
    pub title: String,
    pub message: String,
    pub period: ReportingPeriod,
    pub due_date: NaiveDate,
    pub status: RequestStatus,
    pub decline_reason: Option<String>,
    pub requirement_version: i32,
    pub revision: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub items: Vec<RequirementItem>,
    /// How far the requirement behind it may travel down the chain.
    pub cascade_depth: i32,
}

impl Request {
    /// Whether its supplier may forward it to its own suppliers now.
    pub fn forwardable(&self) -> bool {
        self.status.is_pending() && self.depth < self.cascade_depth
    }
}

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = requests)]
struct RequestRow {
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
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = request_items)]
struct ItemRow {
    request_id: String,
    position: i32,
    metric_code: String,
    required: bool,
    guidance: Option<String>,
    estimates_accepted: bool,
}

/// A request to create.
#[derive(Debug)]
pub struct NewRequest<'a> {
    pub requirement_id: &'a str,
    pub parent_request_id: Option<&'a str>,
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

pub fn insert(conn: &mut DbConnection, new: &NewRequest<'_>) -> Result<String, StoreError> {
    let at = to_db(now());
    let id = uuid::Uuid::now_v7().to_string();
    diesel::insert_into(requests::table)
        .values(RequestRow {
            id: id.clone(),
            requirement_id: new.requirement_id.to_owned(),
            parent_request_id: new.parent_request_id.map(str::to_owned),
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
        })
        .execute(conn)?;
    write_items(conn, &id, new.items)?;
    Ok(id)
}

fn write_items(
    conn: &mut DbConnection,
    id: &str,
    items: &[RequirementItem],
) -> Result<(), StoreError> {
    diesel::delete(request_items::table.filter(request_items::request_id.eq(id))).execute(conn)?;
    for (position, item) in (0_i32..).zip(items) {
        diesel::insert_into(request_items::table)
            .values(ItemRow {
                request_id: id.to_owned(),
                position,
                metric_code: item.metric.clone(),
                required: item.required,
                guidance: item.guidance.clone(),
                estimates_accepted: item.estimates_accepted,
            })
            .execute(conn)?;
    }
    Ok(())
}

/// After an amendment, the requirement's own (depth 1) requests take the
/// new title, description, due date and items; forwarded requests keep
/// their tier-1's choices but drop items no longer asked for.
pub(crate) fn follow_amendment(
    conn: &mut DbConnection,
    requirement_id: &str,
    version: i32,
    content: &RequirementContent,
) -> Result<(), StoreError> {
    crate::answers::lock_requests_of_requirement(conn, requirement_id)?;
    let at = to_db(now());
    let pending: Vec<&str> = RequestStatus::ALL
        .iter()
        .filter(|s| s.is_pending() || **s == RequestStatus::Submitted)
        .map(|s| s.as_str())
        .collect();
    let direct: Vec<String> = requests::table
        .filter(requests::requirement_id.eq(requirement_id))
        .filter(requests::depth.eq(1))
        .filter(requests::status.eq_any(&pending))
        .select(requests::id)
        .load(conn)?;
    for id in &direct {
        diesel::update(requests::table.filter(requests::id.eq(id)))
            .set((
                requests::title.eq(&content.title),
                requests::message.eq(&content.description),
                requests::due_date.eq(content.due_date),
                requests::requirement_version.eq(version),
                requests::revision.eq(requests::revision + 1),
                requests::updated_at.eq(at),
            ))
            .execute(conn)?;
        write_items(conn, id, &content.items)?;
    }
    let forwarded: Vec<String> = requests::table
        .filter(requests::requirement_id.eq(requirement_id))
        .filter(requests::depth.gt(1))
        .filter(requests::status.eq_any(&pending))
        .select(requests::id)
        .load(conn)?;
    let asked: Vec<&str> = content
        .items
        .iter()
        .map(|item| item.metric.as_str())
        .collect();
    for id in &forwarded {
        diesel::delete(
            request_items::table
                .filter(request_items::request_id.eq(id))
                .filter(request_items::metric_code.ne_all(&asked)),
        )
        .execute(conn)?;
        diesel::update(requests::table.filter(requests::id.eq(id)))
            .set((
                requests::requirement_version.eq(version),
                requests::revision.eq(requests::revision + 1),
                requests::updated_at.eq(at),
            ))
            .execute(conn)?;
    }
    Ok(())
}

fn assemble(conn: &mut DbConnection, rows: Vec<RequestRow>) -> Result<Vec<Request>, StoreError> {
    let ids: Vec<&str> = rows.iter().map(|row| row.id.as_str()).collect();
    let items: Vec<ItemRow> = request_items::table
        .filter(request_items::request_id.eq_any(&ids))
        .order((request_items::request_id, request_items::position))
        .select(ItemRow::as_select())
        .load(conn)?;
    let mut items_by_request: HashMap<String, Vec<RequirementItem>> = HashMap::new();
    for item in items {
        items_by_request
            .entry(item.request_id)
            .or_default()
            .push(RequirementItem {
                metric: item.metric_code,
                required: item.required,
                guidance: item.guidance,
                estimates_accepted: item.estimates_accepted,
            });
    }
    let mut org_ids: Vec<String> = rows
        .iter()
        .map(|row| row.requester_org_id.clone())
        .collect();
    org_ids.extend(rows.iter().map(|row| row.supplier_org_id.clone()));
    let names = names_of(conn, &org_ids)?;
    let requirement_ids: Vec<&str> = rows.iter().map(|row| row.requirement_id.as_str()).collect();
    let depths: HashMap<String, i32> = crate::schema::requirements::table
        .filter(crate::schema::requirements::id.eq_any(&requirement_ids))
        .select((
            crate::schema::requirements::id,
            crate::schema::requirements::cascade_depth,
        ))
        .load::<(String, i32)>(conn)?
        .into_iter()
        .collect();
    rows.into_iter()
        .map(|row| {
            let corrupt = |what: &str| StoreError::Corrupt(format!("request {}: {what}", row.id));
            Ok(Request {
                requester_name: names
                    .get(&row.requester_org_id)
                    .map(|(name, _)| name.clone())
                    .unwrap_or_default(),
                supplier_name: names
                    .get(&row.supplier_org_id)
                    .map(|(name, _)| name.clone())
                    .unwrap_or_default(),
                requester_org_id: parse_org(&row.requester_org_id)?,
                supplier_org_id: parse_org(&row.supplier_org_id)?,
                period: ReportingPeriod::new(row.period_start, row.period_end)
                    .map_err(|_| corrupt("period"))?,
                status: RequestStatus::parse(&row.status).ok_or_else(|| corrupt("status"))?,
                items: items_by_request.remove(&row.id).unwrap_or_default(),
                cascade_depth: depths.get(&row.requirement_id).copied().unwrap_or(1),
                requirement_id: row.requirement_id,
                parent_request_id: row.parent_request_id,
                depth: row.depth,
                title: row.title,
                message: row.message,
                due_date: row.due_date,
                decline_reason: row.decline_reason,
                requirement_version: row.requirement_version,
                revision: row.revision,
                created_at: from_db(row.created_at),
                updated_at: from_db(row.updated_at),
                id: row.id,
            })
        })
        .collect()
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
    ids: &[String],
) -> Result<Vec<Request>, StoreError> {
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
    ids: &[String],
) -> Result<Vec<(String, i32)>, StoreError> {
    let mut found = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(crate::batch::ROWS_PER_INSERT) {
        found.extend(
            requests::table
                .filter(requests::id.eq_any(chunk))
                .filter(requests::supplier_org_id.eq(supplier.to_string()))
                .select((requests::id, requests::revision))
                .load::<(String, i32)>(conn)?,
        );
    }
    Ok(found)
}

/// A request `viewer` may see: as its supplier or as its sender.
pub fn find_for(conn: &mut DbConnection, viewer: OrgId, id: &str) -> Result<Request, StoreError> {
    let row: RequestRow = requests::table
        .filter(requests::id.eq(id))
        .filter(
            requests::supplier_org_id
                .eq(viewer.to_string())
                .or(requests::requester_org_id.eq(viewer.to_string())),
        )
        .select(RequestRow::as_select())
        .first(conn)?;
    assemble(conn, vec![row])?.pop().ok_or(StoreError::NotFound)
}

fn check_revision(request: &Request, expected: Option<i32>) -> Result<(), StoreError> {
    match expected {
        Some(expected) if expected != request.revision => Err(StoreError::Stale {
            current: request.revision,
        }),
        _ => Ok(()),
    }
}

/// The supplier declines a pending request, saying why.
pub fn decline(
    conn: &mut DbConnection,
    supplier: OrgId,
    id: &str,
    reason: &str,
    expected: Option<i32>,
) -> Result<Request, StoreError> {
    crate::answers::lock_request(conn, id)?;
    let request = find_for(conn, supplier, id)?;
    if request.supplier_org_id != supplier {
        return Err(StoreError::NotFound);
    }
    check_revision(&request, expected)?;
    if !request.status.may_decline() {
        return Err(rejected(
            "illegal_transition",
            None,
            &format!(
                "only open, in-progress or changes-requested requests can be declined; this one is {}",
                request.status.as_str()
            ),
        ));
    }
    diesel::update(requests::table.filter(requests::id.eq(id)))
        .set((
            requests::status.eq(RequestStatus::Declined.as_str()),
            requests::decline_reason.eq(Some(reason)),
            requests::revision.eq(request.revision + 1),
            requests::updated_at.eq(to_db(now())),
        ))
        .execute(conn)?;
    find_for(conn, supplier, id)
}

/// What a tier-1 forwards.
#[derive(Debug)]
pub struct Forward<'a> {
    pub suppliers: &'a [OrgId],
    /// The metrics to pass on; `None` for all of the request's items.
    pub metrics: Option<&'a [String]>,
    pub due_date: Option<NaiveDate>,
    pub message: &'a str,
}

/// A tier-1 forwards (part of) a request it received to its own suppliers.
pub fn forward(
    conn: &mut DbConnection,
    tier1: OrgId,
    parent_id: &str,
    forward: &Forward<'_>,
) -> Result<Vec<Request>, StoreError> {
    crate::answers::lock_request(conn, parent_id)?;
    let parent = find_for(conn, tier1, parent_id)?;
    if parent.supplier_org_id != tier1 {
        return Err(StoreError::NotFound);
    }
    if !parent.status.is_pending() {
        return Err(rejected(
            "illegal_transition",
            None,
            &format!(
                "only a request still being answered can be forwarded; this one is {}",
                parent.status.as_str()
            ),
        ));
    }
    let requirement = requirements::find_any(conn, &parent.requirement_id)?;
    let depth = u8::try_from(parent.depth).unwrap_or(u8::MAX);
    if !requirement
        .content
        .cascade_depth
        .allows_forwarding_from(depth)
    {
        return Err(StoreError::Invalid(FieldError::new(
            "suppliers",
            "beyond_cascade_depth",
            format!(
                "this requirement may travel {} tier(s) down; a tier-{} request cannot be forwarded",
                requirement.content.cascade_depth.get(),
                parent.depth
            ),
        )));
    }
    let items: Vec<RequirementItem> = match forward.metrics {
        None => parent.items.clone(),
        Some(metrics) => {
            let mut chosen = Vec::with_capacity(metrics.len());
            for (index, metric) in metrics.iter().enumerate() {
                let item = parent
                    .items
                    .iter()
                    .find(|item| &item.metric == metric)
                    .ok_or_else(|| {
                        StoreError::Invalid(FieldError::new(
                            format!("metrics[{index}]"),
                            "not_in_request",
                            format!("`{metric}` is not an item of this request"),
                        ))
                    })?;
                if chosen
                    .iter()
                    .any(|known: &RequirementItem| &known.metric == metric)
                {
                    return Err(StoreError::Invalid(FieldError::new(
                        format!("metrics[{index}]"),
                        "duplicate",
                        "listed twice",
                    )));
                }
                chosen.push(item.clone());
            }
            chosen
        }
    };
    let due_date = forward.due_date.unwrap_or(parent.due_date);
    if due_date > parent.due_date {
        return Err(StoreError::Invalid(FieldError::new(
            "due_date",
            "after_parent",
            format!(
                "due by {} at the latest, when your own answer is due",
                parent.due_date
            ),
        )));
    }
    let mut created = Vec::with_capacity(forward.suppliers.len());
    for (index, supplier) in forward.suppliers.iter().enumerate() {
        if !is_active_supplier(conn, tier1, *supplier)? {
            return Err(StoreError::Invalid(FieldError::new(
                format!("suppliers[{index}]"),
                "not_a_supplier",
                format!("{supplier} is not one of your active suppliers"),
            )));
        }
        let exists: i64 = requests::table
            .filter(requests::parent_request_id.eq(parent_id))
            .filter(requests::supplier_org_id.eq(supplier.to_string()))
            .count()
            .get_result(conn)?;
        if exists > 0 {
            return Err(StoreError::Duplicate {
                field: Some(format!("suppliers[{index}]")),
                message: format!("this request was already forwarded to {supplier}"),
            });
        }
        let id = insert(
            conn,
            &NewRequest {
                requirement_id: &parent.requirement_id,
                parent_request_id: Some(parent_id),
                requester: tier1,
                supplier: *supplier,
                depth: parent.depth + 1,
                title: &parent.title,
                message: forward.message,
                period: parent.period,
                due_date,
                requirement_version: parent.requirement_version,
                items: &items,
            },
        )?;
        created.push(id);
    }
    if parent.status == RequestStatus::Open {
        diesel::update(requests::table.filter(requests::id.eq(parent_id)))
            .set((
                requests::status.eq(RequestStatus::InProgress.as_str()),
                requests::revision.eq(parent.revision + 1),
            ))
            .execute(conn)?;
    }
    let rows: Vec<RequestRow> = requests::table
        .filter(requests::id.eq_any(&created))
        .order(requests::id.asc())
        .select(RequestRow::as_select())
        .load(conn)?;
    assemble(conn, rows)
}

/// The requests a tier-1 forwarded from `parent_id` (visible to that tier-1 only).
pub fn forwarded_from(
    conn: &mut DbConnection,
    tier1: OrgId,
    parent_id: &str,
) -> Result<Vec<Request>, StoreError> {
    let parent = find_for(conn, tier1, parent_id)?;
    if parent.supplier_org_id != tier1 {
        return Err(StoreError::NotFound);
    }
    let rows: Vec<RequestRow> = requests::table
        .filter(requests::parent_request_id.eq(parent_id))
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
    requirement_id: &str,
    page: &PageRequest,
) -> Result<Page<RequestProgress>, StoreError> {
    requirements::find(conn, requester, requirement_id)?;
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
    let ids: Vec<&str> = direct.iter().map(|request| request.id.as_str()).collect();
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
                .filter(|(parent, _)| parent.as_deref() == Some(request.id.as_str()))
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
