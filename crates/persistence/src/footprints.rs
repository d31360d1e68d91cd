//! Product footprints: suppliers' drafts per request and product, the PACT
//! footprints a submission publishes to the request's requester, which
//! revision answered which, and the PACT list filters over them.
//!
//! A published footprint never changes, except its status turning
//! `Deprecated`; its `document` is the whole PACT ProductFootprint without
//! `status`, which [`Published::status`] supplies.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use tierlink_domain::footprints::FootprintStatus;
use tierlink_domain::ids::{FootprintId, OrgId, ProductId, RequestId, RevisionNumber, WebhookId};
use tierlink_domain::time::now;

use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::schema::{
    footprint_drafts, footprint_shares, pact_requests, product_footprint_urns, product_footprints,
    revision_footprints,
};
use crate::time::{from_db, to_db};

/// A supplier's draft footprint of one product for one request.
#[derive(Debug, Clone)]
pub struct Draft {
    pub product_id: ProductId,
    /// The PACT `pcf` object, as JSON.
    pub pcf: String,
    pub comment: Option<String>,
    pub valid_from: Option<DateTime<Utc>>,
    pub valid_until: Option<DateTime<Utc>>,
    pub updated_by: String,
    pub updated_at: DateTime<Utc>,
    /// Footprints the supplier's own suppliers published to it that went
    /// into this one.
    pub precursors: Vec<FootprintId>,
}

type DraftTuple = (
    String,
    String,
    Option<String>,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
    String,
    NaiveDateTime,
    Option<String>,
);

const DRAFT_COLUMNS: (
    footprint_drafts::product_id,
    footprint_drafts::footprint,
    footprint_drafts::comment,
    footprint_drafts::valid_from,
    footprint_drafts::valid_until,
    footprint_drafts::updated_by,
    footprint_drafts::updated_at,
    footprint_drafts::precursors,
) = (
    footprint_drafts::product_id,
    footprint_drafts::footprint,
    footprint_drafts::comment,
    footprint_drafts::valid_from,
    footprint_drafts::valid_until,
    footprint_drafts::updated_by,
    footprint_drafts::updated_at,
    footprint_drafts::precursors,
);

fn draft_from(row: DraftTuple) -> Result<Draft, StoreError> {
    let (product, pcf, comment, valid_from, valid_until, updated_by, updated_at, precursors) = row;
    let precursors: Vec<String> = match precursors {
        Some(text) => serde_json::from_str(&text)
            .map_err(|_| StoreError::Corrupt(format!("footprint draft {product}: precursors")))?,
        None => Vec::new(),
    };
    let precursors = precursors
        .iter()
        .map(|id| {
            id.parse()
                .map_err(|_| StoreError::Corrupt(format!("footprint draft {product}: precursor")))
        })
        .collect::<Result<_, _>>()?;
    Ok(Draft {
        precursors,
        product_id: product
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("footprint draft product {product}")))?,
        pcf,
        comment,
        valid_from: valid_from.map(from_db),
        valid_until: valid_until.map(from_db),
        updated_by,
        updated_at: from_db(updated_at),
    })
}

/// Saves (replacing) the draft footprint of `draft.product_id`.
pub fn save_draft(
    conn: &mut DbConnection,
    request: RequestId,
    draft: &Draft,
) -> Result<(), StoreError> {
    let request_id = request.to_string();
    let product_id = draft.product_id.to_string();
    diesel::delete(
        footprint_drafts::table
            .filter(footprint_drafts::request_id.eq(&request_id))
            .filter(footprint_drafts::product_id.eq(&product_id)),
    )
    .execute(conn)?;
    diesel::insert_into(footprint_drafts::table)
        .values((
            footprint_drafts::request_id.eq(&request_id),
            footprint_drafts::product_id.eq(&product_id),
            footprint_drafts::footprint.eq(&draft.pcf),
            footprint_drafts::comment.eq(&draft.comment),
            footprint_drafts::valid_from.eq(draft.valid_from.map(to_db)),
            footprint_drafts::valid_until.eq(draft.valid_until.map(to_db)),
            footprint_drafts::updated_by.eq(&draft.updated_by),
            footprint_drafts::updated_at.eq(to_db(draft.updated_at)),
            footprint_drafts::precursors.eq((!draft.precursors.is_empty()).then(|| {
                let ids: Vec<String> = draft.precursors.iter().map(ToString::to_string).collect();
                serde_json::to_string(&ids).unwrap_or_default()
            })),
        ))
        .execute(conn)?;
    Ok(())
}

/// Removes the draft footprint of one product; whether there was one.
pub fn delete_draft(
    conn: &mut DbConnection,
    request: RequestId,
    product: ProductId,
) -> Result<bool, StoreError> {
    let removed = diesel::delete(
        footprint_drafts::table
            .filter(footprint_drafts::request_id.eq(request.to_string()))
            .filter(footprint_drafts::product_id.eq(product.to_string())),
    )
    .execute(conn)?;
    Ok(removed > 0)
}

/// The request's draft footprints, by product id.
pub fn drafts(conn: &mut DbConnection, request: RequestId) -> Result<Vec<Draft>, StoreError> {
    let rows: Vec<DraftTuple> = footprint_drafts::table
        .filter(footprint_drafts::request_id.eq(request.to_string()))
        .select(DRAFT_COLUMNS)
        .order(footprint_drafts::product_id)
        .load(conn)?;
    rows.into_iter().map(draft_from).collect()
}

/// A footprint to publish.
#[derive(Debug, Clone)]
pub struct NewFootprint<'a> {
    pub id: FootprintId,
    pub owner: OrgId,
    pub recipient: OrgId,
    pub request: RequestId,
    pub product: ProductId,
    pub preceding: Option<FootprintId>,
    pub created_at: DateTime<Utc>,
    pub valid_from: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
    pub geography: Option<&'a str>,
    /// The ProductFootprint without `status`, as JSON.
    pub document: &'a str,
    pub product_ids: &'a [String],
    pub company_ids: &'a [String],
    pub classifications: &'a [String],
}

/// Kinds of URN a footprint is found by.
const PRODUCT: &str = "product";
const COMPANY: &str = "company";
const CLASSIFICATION: &str = "classification";

/// Publishes a footprint (as `Active`).
pub fn publish(conn: &mut DbConnection, new: &NewFootprint<'_>) -> Result<(), StoreError> {
    let id = new.id.to_string();
    diesel::insert_into(product_footprints::table)
        .values((
            product_footprints::id.eq(&id),
            product_footprints::owner_org_id.eq(new.owner.to_string()),
            product_footprints::recipient_org_id.eq(new.recipient.to_string()),
            product_footprints::request_id.eq(new.request.to_string()),
            product_footprints::product_id.eq(new.product.to_string()),
            product_footprints::status.eq(FootprintStatus::Active.as_str()),
            product_footprints::preceding_id.eq(new.preceding.map(|p| p.to_string())),
            product_footprints::created_at.eq(to_db(new.created_at)),
            product_footprints::valid_from.eq(to_db(new.valid_from)),
            product_footprints::valid_until.eq(to_db(new.valid_until)),
            product_footprints::geography.eq(new.geography.map(str::to_lowercase)),
            product_footprints::document.eq(new.document),
        ))
        .execute(conn)?;
    let mut urns: Vec<(&str, String)> = Vec::new();
    for (kind, values) in [
        (PRODUCT, new.product_ids),
        (COMPANY, new.company_ids),
        (CLASSIFICATION, new.classifications),
    ] {
        for value in values {
            let urn = value.to_lowercase();
            if !urns.iter().any(|(k, u)| *k == kind && *u == urn) {
                urns.push((kind, urn));
            }
        }
    }
    for (kind, urn) in &urns {
        diesel::insert_into(product_footprint_urns::table)
            .values((
                product_footprint_urns::footprint_id.eq(&id),
                product_footprint_urns::kind.eq(*kind),
                product_footprint_urns::urn.eq(urn),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Marks a footprint replaced by a later one.
pub fn deprecate(conn: &mut DbConnection, id: FootprintId) -> Result<(), StoreError> {
    diesel::update(product_footprints::table.find(id.to_string()))
        .set(product_footprints::status.eq(FootprintStatus::Deprecated.as_str()))
        .execute(conn)?;
    Ok(())
}

/// Records that revision `revision` of `request` answered `product` with
/// `footprint`.
pub fn link_revision(
    conn: &mut DbConnection,
    request: RequestId,
    revision: RevisionNumber,
    product: ProductId,
    footprint: FootprintId,
) -> Result<(), StoreError> {
    diesel::insert_into(revision_footprints::table)
        .values((
            revision_footprints::request_id.eq(request.to_string()),
            revision_footprints::revision.eq(revision.get()),
            revision_footprints::product_id.eq(product.to_string()),
            revision_footprints::footprint_id.eq(footprint.to_string()),
        ))
        .execute(conn)?;
    Ok(())
}

/// A published footprint.
#[derive(Debug, Clone)]
pub struct Published {
    pub id: FootprintId,
    pub owner: OrgId,
    pub recipient: OrgId,
    pub request: RequestId,
    pub product: ProductId,
    pub status: FootprintStatus,
    pub document: String,
}

type PublishedTuple = (String, String, String, String, String, String, String);

const PUBLISHED_COLUMNS: (
    product_footprints::id,
    product_footprints::owner_org_id,
    product_footprints::recipient_org_id,
    product_footprints::request_id,
    product_footprints::product_id,
    product_footprints::status,
    product_footprints::document,
) = (
    product_footprints::id,
    product_footprints::owner_org_id,
    product_footprints::recipient_org_id,
    product_footprints::request_id,
    product_footprints::product_id,
    product_footprints::status,
    product_footprints::document,
);

fn published_from(row: PublishedTuple) -> Result<Published, StoreError> {
    let (id, owner, recipient, request, product, status, document) = row;
    let corrupt = |what: &str| StoreError::Corrupt(format!("footprint {id}: {what}"));
    Ok(Published {
        owner: owner.parse().map_err(|_| corrupt("owner"))?,
        recipient: recipient.parse().map_err(|_| corrupt("recipient"))?,
        request: request.parse().map_err(|_| corrupt("request"))?,
        product: product.parse().map_err(|_| corrupt("product"))?,
        status: FootprintStatus::parse(&status).ok_or_else(|| corrupt("status"))?,
        id: id.parse().map_err(|_| corrupt("id"))?,
        document,
    })
}

/// The footprints a revision answered, by product.
pub fn of_revision(
    conn: &mut DbConnection,
    request: RequestId,
    revision: RevisionNumber,
) -> Result<Vec<Published>, StoreError> {
    let rows: Vec<PublishedTuple> = product_footprints::table
        .inner_join(
            revision_footprints::table
                .on(revision_footprints::footprint_id.eq(product_footprints::id)),
        )
        .filter(revision_footprints::request_id.eq(request.to_string()))
        .filter(revision_footprints::revision.eq(revision.get()))
        .select(PUBLISHED_COLUMNS)
        .order(revision_footprints::product_id)
        .load(conn)?;
    rows.into_iter().map(published_from).collect()
}

/// The PACT list criteria: OR within one, AND across. An empty list puts
/// no condition; `statuses: Some(vec![])` (only unknown statuses asked
/// for) matches nothing. URNs and geographies match case-insensitively.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Criteria {
    pub product_ids: Vec<String>,
    pub company_ids: Vec<String>,
    pub classifications: Vec<String>,
    pub geographies: Vec<String>,
    pub statuses: Option<Vec<FootprintStatus>>,
    pub valid_on: Option<DateTime<Utc>>,
    pub valid_after: Option<DateTime<Utc>>,
    pub valid_before: Option<DateTime<Utc>>,
}

/// Up to `limit` footprints published to `recipient` that meet `criteria`,
/// after the id `after`, in id (creation) order.
pub fn list_for_recipient(
    conn: &mut DbConnection,
    recipient: OrgId,
    criteria: &Criteria,
    after: Option<&str>,
    limit: usize,
) -> Result<Vec<Published>, StoreError> {
    let mut query = product_footprints::table
        .filter(visible_to(recipient))
        .select(PUBLISHED_COLUMNS)
        .order(product_footprints::id.asc())
        .limit(i64::try_from(limit).unwrap_or(i64::MAX))
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(product_footprints::id.gt(after.to_owned()));
    }
    for (kind, values) in [
        (PRODUCT, &criteria.product_ids),
        (COMPANY, &criteria.company_ids),
        (CLASSIFICATION, &criteria.classifications),
    ] {
        if values.is_empty() {
            continue;
        }
        let lowered: Vec<String> = values.iter().map(|v| v.to_lowercase()).collect();
        query = query.filter(
            product_footprints::id.eq_any(
                product_footprint_urns::table
                    .filter(product_footprint_urns::kind.eq(kind))
                    .filter(product_footprint_urns::urn.eq_any(lowered))
                    .select(product_footprint_urns::footprint_id),
            ),
        );
    }
    if !criteria.geographies.is_empty() {
        let lowered: Vec<String> = criteria
            .geographies
            .iter()
            .map(|g| g.to_lowercase())
            .collect();
        query = query.filter(product_footprints::geography.eq_any(lowered));
    }
    if let Some(statuses) = &criteria.statuses {
        let names: Vec<&str> = statuses.iter().map(|s| s.as_str()).collect();
        query = query.filter(product_footprints::status.eq_any(names));
    }
    if let Some(on) = criteria.valid_on {
        let on = to_db(on);
        query = query
            .filter(product_footprints::valid_from.le(on))
            .filter(product_footprints::valid_until.ge(on));
    }
    if let Some(after) = criteria.valid_after {
        query = query.filter(product_footprints::valid_from.gt(to_db(after)));
    }
    if let Some(before) = criteria.valid_before {
        query = query.filter(product_footprints::valid_until.lt(to_db(before)));
    }
    let rows: Vec<PublishedTuple> = query.load(conn)?;
    rows.into_iter().map(published_from).collect()
}

/// One footprint published to `recipient`.
pub fn find_for_recipient(
    conn: &mut DbConnection,
    recipient: OrgId,
    id: FootprintId,
) -> Result<Published, StoreError> {
    let row: PublishedTuple = product_footprints::table
        .find(id.to_string())
        .filter(visible_to(recipient))
        .select(PUBLISHED_COLUMNS)
        .first(conn)?;
    published_from(row)
}

/// One footprint published to `recipient` itself (not shared with it).
pub fn find_addressed_to(
    conn: &mut DbConnection,
    recipient: OrgId,
    id: FootprintId,
) -> Result<Published, StoreError> {
    let row: PublishedTuple = product_footprints::table
        .find(id.to_string())
        .filter(product_footprints::recipient_org_id.eq(recipient.to_string()))
        .select(PUBLISHED_COLUMNS)
        .first(conn)?;
    published_from(row)
}

/// The ids of the footprints shared with an organisation.
type SharedIds = diesel::dsl::Select<
    diesel::dsl::Filter<footprint_shares::table, diesel::dsl::Eq<footprint_shares::org_id, String>>,
    footprint_shares::footprint_id,
>;

/// Published to an organisation, or shared with it.
type VisibleTo = diesel::dsl::Or<
    diesel::dsl::Eq<product_footprints::recipient_org_id, String>,
    diesel::dsl::EqAny<product_footprints::id, SharedIds>,
>;

/// Footprints `org` may read: those published to it, and those shared
/// with it as precursors of one published to it.
fn visible_to(org: OrgId) -> VisibleTo {
    product_footprints::recipient_org_id
        .eq(org.to_string())
        .or(product_footprints::id.eq_any(
            footprint_shares::table
                .filter(footprint_shares::org_id.eq(org.to_string()))
                .select(footprint_shares::footprint_id),
        ))
}

/// Lets `org` read footprint `id` (a precursor of one published to it).
pub fn share(conn: &mut DbConnection, id: FootprintId, org: OrgId) -> Result<(), StoreError> {
    let exists: i64 = footprint_shares::table
        .filter(footprint_shares::footprint_id.eq(id.to_string()))
        .filter(footprint_shares::org_id.eq(org.to_string()))
        .count()
        .get_result(conn)?;
    if exists == 0 {
        diesel::insert_into(footprint_shares::table)
            .values((
                footprint_shares::footprint_id.eq(id.to_string()),
                footprint_shares::org_id.eq(org.to_string()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Whether the supplier that published footprint `id` let the answer it
/// came in travel further up the chain (its latest revision naming it).
pub fn consented(conn: &mut DbConnection, id: FootprintId) -> Result<bool, StoreError> {
    use crate::schema::answer_revisions;
    let shared: Option<bool> = revision_footprints::table
        .inner_join(
            answer_revisions::table.on(answer_revisions::request_id
                .eq(revision_footprints::request_id)
                .and(answer_revisions::revision.eq(revision_footprints::revision))),
        )
        .filter(revision_footprints::footprint_id.eq(id.to_string()))
        .order(revision_footprints::revision.desc())
        .select(answer_revisions::share_upstream)
        .first(conn)
        .optional()?;
    Ok(shared.unwrap_or(false))
}

/// A customer's PACT request waiting for its suppliers' footprints.
#[derive(Debug, Clone)]
pub struct PendingPactRequest {
    pub id: String,
    pub org: OrgId,
    pub host: WebhookId,
    pub request_event_id: String,
    pub our_source: String,
    pub criteria: Criteria,
}

/// Records a PACT request that became requirement `requirement`.
pub fn insert_pact_request(
    conn: &mut DbConnection,
    requirement: &str,
    pending: &PendingPactRequest,
) -> Result<(), StoreError> {
    let criteria = serde_json::to_string(&pending.criteria)
        .map_err(|e| StoreError::Corrupt(format!("PACT criteria: {e}")))?;
    diesel::insert_into(pact_requests::table)
        .values((
            pact_requests::id.eq(&pending.id),
            pact_requests::org_id.eq(pending.org.to_string()),
            pact_requests::requirement_id.eq(requirement),
            pact_requests::host_id.eq(pending.host.to_string()),
            pact_requests::request_event_id.eq(&pending.request_event_id),
            pact_requests::our_source.eq(&pending.our_source),
            pact_requests::criteria.eq(criteria),
            pact_requests::created_at.eq(to_db(now())),
        ))
        .execute(conn)?;
    Ok(())
}

/// The unanswered PACT requests behind requirement `requirement`.
pub fn pending_pact_requests(
    conn: &mut DbConnection,
    requirement: &str,
) -> Result<Vec<PendingPactRequest>, StoreError> {
    let rows: Vec<(String, String, String, String, String, String)> = pact_requests::table
        .filter(pact_requests::requirement_id.eq(requirement))
        .filter(pact_requests::answered_at.is_null())
        .select((
            pact_requests::id,
            pact_requests::org_id,
            pact_requests::host_id,
            pact_requests::request_event_id,
            pact_requests::our_source,
            pact_requests::criteria,
        ))
        .order(pact_requests::id)
        .load(conn)?;
    rows.into_iter()
        .map(|(id, org, host, request_event_id, our_source, criteria)| {
            let corrupt = |what: &str| StoreError::Corrupt(format!("PACT request {id}: {what}"));
            Ok(PendingPactRequest {
                org: org.parse().map_err(|_| corrupt("org"))?,
                criteria: serde_json::from_str(&criteria).map_err(|_| corrupt("criteria"))?,
                host: host.parse().map_err(|_| corrupt("host"))?,
                id,
                request_event_id,
                our_source,
            })
        })
        .collect()
}

/// Claims a PACT request for answering: false when another transaction
/// answered it first (two suppliers submitting at once), so it is
/// answered once.
pub fn claim_pact_request(conn: &mut DbConnection, id: &str) -> Result<bool, StoreError> {
    let claimed = diesel::update(
        pact_requests::table
            .find(id)
            .filter(pact_requests::answered_at.is_null()),
    )
    .set(pact_requests::answered_at.eq(Some(to_db(now()))))
    .execute(conn)?;
    Ok(claimed == 1)
}

/// Records that `org` sent the PACT event `(source, id)`; false when it
/// had already (a retry: do nothing again).
pub fn first_receipt(
    conn: &mut DbConnection,
    org: OrgId,
    source: &str,
    event_id: &str,
) -> Result<bool, StoreError> {
    use crate::schema::pact_events_received as received;
    let row = (
        received::org_id.eq(org.to_string()),
        received::source.eq(source),
        received::event_id.eq(event_id),
        received::received_at.eq(to_db(now())),
    );
    let insert = diesel::insert_into(received::table)
        .values(row)
        .on_conflict_do_nothing();
    let written = match conn {
        DbConnection::Postgres(pg) => insert.execute(pg)?,
        DbConnection::Sqlite(lite) => insert.execute(lite)?,
    };
    Ok(written == 1)
}

/// The footprints a requirement's requests published to `requester`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Coverage {
    pub active: i64,
    pub deprecated: i64,
    /// Suppliers with at least one active footprint.
    pub suppliers: i64,
}

/// What requirement `requirement`'s direct requests published to `requester`.
pub fn coverage(
    conn: &mut DbConnection,
    requester: OrgId,
    requirement: &str,
) -> Result<Coverage, StoreError> {
    use crate::schema::requests;
    let rows: Vec<(String, String)> = product_footprints::table
        .inner_join(requests::table.on(requests::id.eq(product_footprints::request_id)))
        .filter(requests::requirement_id.eq(requirement))
        .filter(product_footprints::recipient_org_id.eq(requester.to_string()))
        .select((product_footprints::status, product_footprints::owner_org_id))
        .load(conn)?;
    let active = FootprintStatus::Active.as_str();
    let mut suppliers: Vec<&str> = rows
        .iter()
        .filter(|(status, _)| status == active)
        .map(|(_, owner)| owner.as_str())
        .collect();
    suppliers.sort_unstable();
    suppliers.dedup();
    let count = |wanted: &str| rows.iter().filter(|(status, _)| status == wanted).count();
    Ok(Coverage {
        active: i64::try_from(count(active)).unwrap_or(i64::MAX),
        deprecated: i64::try_from(count(FootprintStatus::Deprecated.as_str())).unwrap_or(i64::MAX),
        suppliers: i64::try_from(suppliers.len()).unwrap_or(i64::MAX),
    })
}
