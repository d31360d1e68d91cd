//! Product footprints in answers: a supplier drafts one PACT footprint per
//! product for a request that asks for them (`pcf.product_footprints`);
//! submitting the answer publishes them to the requester as PACT
//! ProductFootprints; the PACT API reads what was published to the caller.
//!
//! Publication follows PACT's lifecycle: a footprint never changes. A
//! revision that says something new about a product publishes a new
//! footprint naming the old one in `precedingPfIds`, and the old one
//! becomes `Deprecated`; one that says the same keeps the old footprint.

use chrono::{DateTime, Utc};
use tierlink_domain::footprints::{
    CarbonFootprint, DataModelExtension, FootprintStatus, ProductFootprint, SPEC_VERSION, Validity,
};
use tierlink_domain::ids::{FootprintId, OrgId, ProductId, RequestId, RevisionNumber};
use tierlink_domain::metrics::PRODUCT_FOOTPRINTS;
use tierlink_domain::products::{Product, UrnIssuer, classifications};
use tierlink_domain::requests::Request;
use tierlink_domain::time::now;
use tierlink_domain::{FieldError, Rejection, ValidationErrors};
use tierlink_persistence::footprints::{self as store, Criteria, Draft, NewFootprint, Published};
use tierlink_persistence::locks::lock_request;
use tierlink_persistence::{DbConnection, drafts, organisations, products, requests};

use crate::answers::request_answered_by;
use crate::error::{Error, not_found};

/// The longest comment a footprint may carry.
pub const COMMENT_MAX: usize = 4_000;

/// A footprint as the supplier gives it, its `pcf` already in shape.
#[derive(Debug, Clone)]
pub struct FootprintInput {
    pub pcf: CarbonFootprint,
    pub comment: Option<String>,
    pub validity_period_start: Option<DateTime<Utc>>,
    pub validity_period_end: Option<DateTime<Utc>>,
    /// Footprints your suppliers published to you that went into this
    /// one (its precursors).
    pub precursors: Vec<FootprintId>,
}

/// The most precursors one footprint names.
pub const MAX_PRECURSORS: usize = 100;

/// A drafted footprint with its product.
#[derive(Debug, Clone)]
pub struct DraftFootprint {
    pub product: Product,
    pub pcf: CarbonFootprint,
    pub comment: Option<String>,
    pub validity: Validity,
    pub updated_by: String,
    pub updated_at: DateTime<Utc>,
    pub precursors: Vec<FootprintId>,
}

fn asks_for_footprints(request: &Request) -> bool {
    request.items.iter().any(|i| i.metric == PRODUCT_FOOTPRINTS)
}

/// The request, answerable by `supplier` and asking for footprints.
fn footprint_request(
    tx: &mut DbConnection,
    supplier: OrgId,
    id: RequestId,
) -> Result<Request, Error> {
    let request = request_answered_by(tx, supplier, id)?;
    request.check_answerable()?;
    if !asks_for_footprints(&request) {
        return Err(Rejection::new(
            "footprints_not_requested",
            format!("this request does not ask for product footprints (`{PRODUCT_FOOTPRINTS}`)"),
        )
        .into());
    }
    Ok(request)
}

/// A stored footprint that does not (de)serialise: broken data, a 500.
pub(crate) fn corrupt(error: serde_json::Error) -> Error {
    Error::Store(tierlink_persistence::StoreError::Corrupt(format!(
        "stored footprint: {error}"
    )))
}

fn parse_pcf(json: &str) -> Result<CarbonFootprint, Error> {
    serde_json::from_str(json).map_err(corrupt)
}

/// Saves the supplier's footprint of one of its products into the draft
/// of a request that asks for footprints. Lock: the request's row.
pub fn save_draft(
    tx: &mut DbConnection,
    supplier: OrgId,
    by: &str,
    id: RequestId,
    product_id: ProductId,
    input: FootprintInput,
) -> Result<DraftFootprint, Error> {
    lock_request(tx, id)?;
    let request = footprint_request(tx, supplier, id)?;
    let product = products::find(tx, supplier, product_id).map_err(not_found("product"))?;
    if product
        .details
        .part_number_for(request.requester_org_id)
        .is_none()
    {
        return Err(Error::invalid(FieldError::new(
            "product_id",
            "not_sold_to_requester",
            format!(
                "`{}` has no part number of {}: add theirs to the product first",
                product.details.code, request.requester_name
            ),
        )));
    }
    let mut errors = ValidationErrors::new();
    if let Err(invalid) = input.pcf.validate("pcf") {
        for error in invalid.into_errors() {
            errors.push(error);
        }
    }
    let validity = errors.collect(Validity::of(
        &input.pcf,
        input.validity_period_start,
        input.validity_period_end,
    ));
    if let Some(comment) = &input.comment {
        errors.collect(FieldError::check_max_chars("comment", comment, COMMENT_MAX));
    }
    if input.precursors.len() > MAX_PRECURSORS {
        errors.push(FieldError::new(
            "precursors",
            "too_many",
            format!("at most {MAX_PRECURSORS} precursors"),
        ));
    }
    for (index, precursor) in input.precursors.iter().enumerate() {
        // A precursor is a footprint published to the supplier itself.
        if store::find_addressed_to(tx, supplier, *precursor).is_err() {
            errors.push(FieldError::new(
                format!("precursors[{index}]"),
                "unknown_footprint",
                format!("no footprint {precursor} was published to you"),
            ));
        } else if input.precursors[..index].contains(precursor) {
            errors.push(FieldError::new(
                format!("precursors[{index}]"),
                "duplicate",
                "listed twice",
            ));
        }
    }
    let validity = errors
        .finish(|| validity)?
        .ok_or(Error::NotFound("validity"))?;
    let pcf = serde_json::to_string(&input.pcf).map_err(corrupt)?;
    drafts::will_change(tx, id, by)?;
    let updated_at = now();
    store::save_draft(
        tx,
        id,
        &Draft {
            product_id,
            pcf,
            comment: input.comment.clone(),
            valid_from: input.validity_period_start,
            valid_until: input.validity_period_end,
            updated_by: by.to_owned(),
            updated_at,
            precursors: input.precursors.clone(),
        },
    )?;
    let next = request.status.after_draft_saved();
    if next != request.status {
        requests::set_status(tx, id, next)?;
    }
    Ok(DraftFootprint {
        product,
        pcf: input.pcf,
        comment: input.comment,
        validity,
        updated_by: by.to_owned(),
        updated_at,
        precursors: input.precursors,
    })
}

/// Removes one product's footprint from the draft. Lock: the request's row.
pub fn delete_draft(
    tx: &mut DbConnection,
    supplier: OrgId,
    by: &str,
    id: RequestId,
    product_id: ProductId,
) -> Result<(), Error> {
    lock_request(tx, id)?;
    footprint_request(tx, supplier, id)?;
    drafts::will_change(tx, id, by)?;
    if store::delete_draft(tx, id, product_id)? {
        Ok(())
    } else {
        Err(Error::NotFound("footprint"))
    }
}

/// The footprints in the draft of a request `supplier` answers.
pub fn drafts(
    conn: &mut DbConnection,
    supplier: OrgId,
    id: RequestId,
) -> Result<Vec<DraftFootprint>, Error> {
    request_answered_by(conn, supplier, id)?;
    let rows = store::drafts(conn, id)?;
    let ids: Vec<ProductId> = rows.iter().map(|d| d.product_id).collect();
    let found = products::find_many(conn, &ids)?;
    rows.into_iter()
        .map(|row| {
            let product = found
                .iter()
                .find(|p| p.id == row.product_id)
                .cloned()
                .ok_or(Error::NotFound("product"))?;
            let pcf = parse_pcf(&row.pcf)?;
            let validity = Validity::of(&pcf, row.valid_from, row.valid_until)?;
            Ok(DraftFootprint {
                product,
                pcf,
                comment: row.comment,
                validity,
                updated_by: row.updated_by,
                updated_at: row.updated_at,
                precursors: row.precursors,
            })
        })
        .collect()
}

/// What a submission of `request` lacks in footprints: one error per
/// product the supplier sells the requester without a drafted footprint
/// (none if the request does not ask for footprints).
pub(crate) fn missing(
    conn: &mut DbConnection,
    request: &Request,
) -> Result<Vec<FieldError>, Error> {
    let Some(item) = request
        .items
        .iter()
        .find(|i| i.metric == PRODUCT_FOOTPRINTS)
    else {
        return Ok(Vec::new());
    };
    let mut sold = products::sold_to(conn, request.supplier_org_id, request.requester_org_id)?;
    if !item.part_numbers.is_empty() {
        sold.retain(|p| {
            p.details
                .part_number_for(request.requester_org_id)
                .is_some_and(|part| item.part_numbers.iter().any(|listed| listed == part))
        });
    }
    if sold.is_empty() && !item.part_numbers.is_empty() {
        return Ok(vec![FieldError::new(
            "footprints",
            "no_products",
            format!(
                "none of the part numbers {} asks about is on a product in your catalogue: \
                 add them to your products' customer part numbers",
                request.requester_name
            ),
        )]);
    }
    if sold.is_empty() {
        return Ok(vec![FieldError::new(
            "footprints",
            "no_products",
            format!(
                "no product in your catalogue has a part number of {}: add the products you sell them",
                request.requester_name
            ),
        )]);
    }
    let drafted: Vec<ProductId> = store::drafts(conn, request.id)?
        .iter()
        .map(|d| d.product_id)
        .collect();
    Ok(sold
        .iter()
        .filter(|p| !drafted.contains(&p.id))
        .map(|p| {
            FieldError::new(
                format!("footprints.{}", p.id),
                "required",
                format!(
                    "product `{}` ({}) has no footprint",
                    p.details.code, p.details.name
                ),
            )
        })
        .collect())
}

/// Publishes the drafted footprints of `request` as its revision `number`
/// answered them (see the module doc); `previous` is the revision before.
pub(crate) fn publish(
    tx: &mut DbConnection,
    request: &Request,
    number: RevisionNumber,
    previous: Option<RevisionNumber>,
    issuer: &UrnIssuer,
) -> Result<(), Error> {
    // A request amended to no longer ask for footprints publishes none
    // (and deprecates what it had).
    let drafted = if asks_for_footprints(request) {
        store::drafts(tx, request.id)?
    } else {
        Vec::new()
    };
    let before = match previous {
        Some(previous) => store::of_revision(tx, request.id, previous)?,
        None => Vec::new(),
    };
    if drafted.is_empty() && before.is_empty() {
        return Ok(());
    }
    let ids: Vec<ProductId> = drafted.iter().map(|d| d.product_id).collect();
    let found = products::find_many(tx, &ids)?;
    let owner = organisations::find(tx, request.supplier_org_id)?;
    let company_ids = issuer.company_ids(owner.id, &owner.identifiers);
    let created = now();
    for draft in &drafted {
        let product = found
            .iter()
            .find(|p| p.id == draft.product_id)
            .ok_or(Error::NotFound("product"))?;
        let pcf = parse_pcf(&draft.pcf)?;
        let validity = Validity::of(&pcf, draft.valid_from, draft.valid_until)?;
        let old = before.iter().find(|p| p.product == product.id);
        let old_document = old.map(document_of).transpose()?;
        // Precursors whose suppliers let their answers travel up the chain
        // are named, and shared with this footprint's recipient.
        let mut shared = Vec::new();
        for precursor in &draft.precursors {
            if store::consented(tx, *precursor)? {
                store::share(tx, *precursor, request.requester_org_id)?;
                shared.push(precursor.to_string());
            }
        }
        let extensions = if shared.is_empty() {
            Vec::new()
        } else {
            vec![DataModelExtension::precursors(&issuer.0, &shared)]
        };
        let mut document = ProductFootprint {
            id: FootprintId::generate().to_string(),
            spec_version: SPEC_VERSION.to_owned(),
            preceding_pf_ids: old.map(|p| vec![p.id.to_string()]).unwrap_or_default(),
            created,
            status: FootprintStatus::Active,
            validity_period_start: validity.start,
            validity_period_end: validity.end,
            company_name: owner.name.clone(),
            company_ids: company_ids.clone(),
            product_description: product.details.description.clone(),
            product_ids: issuer.product_ids(product, request.requester_org_id),
            product_classifications: classifications(product),
            product_name_company: product.details.name.clone(),
            comment: draft.comment.clone(),
            pcf,
            extensions,
        };
        if let (Some(old), Some(old_document)) = (old, &old_document)
            && old.status == FootprintStatus::Active
            && old_document.same_content(&document)
        {
            store::link_revision(tx, request.id, number, product.id, old.id)?;
            continue;
        }
        let id = FootprintId::generate();
        document.id = id.to_string();
        let json = serde_json::to_string(&document).map_err(corrupt)?;
        store::publish(
            tx,
            &NewFootprint {
                id,
                owner: request.supplier_org_id,
                recipient: request.requester_org_id,
                request: request.id,
                product: product.id,
                preceding: old.map(|p| p.id),
                created_at: created,
                valid_from: validity.start,
                valid_until: validity.end,
                geography: document.pcf.geography(),
                document: &json,
                product_ids: &document.product_ids,
                company_ids: &document.company_ids,
                classifications: &document.product_classifications,
            },
        )?;
        store::link_revision(tx, request.id, number, product.id, id)?;
        if let Some(old) = old {
            store::deprecate(tx, old.id)?;
        }
    }
    for gone in before.iter().filter(|p| !ids.contains(&p.product)) {
        store::deprecate(tx, gone.id)?;
    }
    Ok(())
}

/// The PACT document of a published footprint, with its current status.
pub fn document_of(published: &Published) -> Result<ProductFootprint, Error> {
    let mut document: ProductFootprint =
        serde_json::from_str(&published.document).map_err(corrupt)?;
    document.status = published.status;
    Ok(document)
}

/// Up to `limit` footprints published to `recipient` meeting `criteria`,
/// after the footprint `after`, and whether more follow.
pub fn list_published(
    conn: &mut DbConnection,
    recipient: OrgId,
    criteria: &Criteria,
    after: Option<&str>,
    limit: usize,
) -> Result<(Vec<ProductFootprint>, bool), Error> {
    let mut rows = store::list_for_recipient(conn, recipient, criteria, after, limit + 1)?;
    let more = rows.len() > limit;
    rows.truncate(limit);
    let documents = rows.iter().map(document_of).collect::<Result<_, _>>()?;
    Ok((documents, more))
}

/// One footprint published to `recipient`.
pub fn get_published(
    conn: &mut DbConnection,
    recipient: OrgId,
    id: FootprintId,
) -> Result<ProductFootprint, Error> {
    let published =
        store::find_for_recipient(conn, recipient, id).map_err(not_found("footprint"))?;
    document_of(&published)
}

/// The footprints revision `number` of a request answered, as PACT
/// documents, for either side of the request.
pub fn of_revision(
    conn: &mut DbConnection,
    viewer: OrgId,
    id: RequestId,
    number: RevisionNumber,
) -> Result<Vec<ProductFootprint>, Error> {
    crate::answers::request_visible_to(conn, viewer, id)?;
    store::of_revision(conn, id, number)?
        .iter()
        .map(document_of)
        .collect()
}
