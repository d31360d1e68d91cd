//! Suppliers' products and the part numbers their customers know them by.
//! Every query is scoped to the owning supplier, except [`find_many`],
//! which loads products already reached through a footprint or a request.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use tierlink_domain::ids::{OrgId, ProductId};
use tierlink_domain::pagination::{Page, PageRequest};
use tierlink_domain::products::{CustomerPart, Product, ProductDetails};
use tierlink_domain::time::now;

use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::schema::{footprint_drafts, product_customer_parts, product_footprints, products};
use crate::time::to_db;

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = products)]
struct ProductRow {
    id: String,
    org_id: String,
    code: String,
    name: String,
    description: String,
    cpc_code: Option<String>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

fn corrupt(id: &str, what: &str) -> StoreError {
    StoreError::Corrupt(format!("product {id}: {what}"))
}

/// Rows with their part numbers, in the rows' order.
fn with_parts(conn: &mut DbConnection, rows: Vec<ProductRow>) -> Result<Vec<Product>, StoreError> {
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let parts: Vec<(String, String, String)> = product_customer_parts::table
        .filter(product_customer_parts::product_id.eq_any(&ids))
        .select((
            product_customer_parts::product_id,
            product_customer_parts::customer_org_id,
            product_customer_parts::part_number,
        ))
        .order((
            product_customer_parts::product_id,
            product_customer_parts::customer_org_id,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|row| {
            let customer_parts = parts
                .iter()
                .filter(|(product, ..)| *product == row.id)
                .map(|(_, customer, part)| {
                    Ok(CustomerPart {
                        customer_org_id: customer
                            .parse()
                            .map_err(|_| corrupt(&row.id, "customer"))?,
                        part_number: part.clone(),
                    })
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            Ok(Product {
                id: row.id.parse().map_err(|_| corrupt(&row.id, "id"))?,
                org_id: row.org_id.parse().map_err(|_| corrupt(&row.id, "org_id"))?,
                details: ProductDetails {
                    code: row.code,
                    name: row.name,
                    description: row.description,
                    cpc_code: row.cpc_code,
                    customer_parts,
                },
            })
        })
        .collect()
}

/// Refuses a code or a customer's part number another product of the
/// supplier already has (the unique constraints back this up under races).
fn check_unique(
    conn: &mut DbConnection,
    org: OrgId,
    except: Option<ProductId>,
    details: &ProductDetails,
) -> Result<(), StoreError> {
    let except = except.map(|id| id.to_string()).unwrap_or_default();
    let taken: i64 = products::table
        .filter(products::org_id.eq(org.to_string()))
        .filter(products::code.eq(&details.code))
        .filter(products::id.ne(&except))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Err(StoreError::Duplicate {
            field: Some("code".into()),
            message: format!("another of your products has the code `{}`", details.code),
        });
    }
    for (index, part) in details.customer_parts.iter().enumerate() {
        let taken: i64 = product_customer_parts::table
            .filter(product_customer_parts::supplier_org_id.eq(org.to_string()))
            .filter(product_customer_parts::customer_org_id.eq(part.customer_org_id.to_string()))
            .filter(product_customer_parts::part_number.eq(&part.part_number))
            .filter(product_customer_parts::product_id.ne(&except))
            .count()
            .get_result(conn)?;
        if taken > 0 {
            return Err(StoreError::Duplicate {
                field: Some(format!("customer_parts[{index}].part_number")),
                message: format!(
                    "another of your products has this customer's part number `{}`",
                    part.part_number
                ),
            });
        }
    }
    Ok(())
}

fn insert_parts(
    conn: &mut DbConnection,
    org: OrgId,
    id: ProductId,
    details: &ProductDetails,
) -> Result<(), StoreError> {
    for part in &details.customer_parts {
        diesel::insert_into(product_customer_parts::table)
            .values((
                product_customer_parts::product_id.eq(id.to_string()),
                product_customer_parts::supplier_org_id.eq(org.to_string()),
                product_customer_parts::customer_org_id.eq(part.customer_org_id.to_string()),
                product_customer_parts::part_number.eq(&part.part_number),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Adds a product to `org`'s catalogue.
pub fn insert(
    conn: &mut DbConnection,
    org: OrgId,
    details: &ProductDetails,
) -> Result<Product, StoreError> {
    check_unique(conn, org, None, details)?;
    let id = ProductId::generate();
    let at = to_db(now());
    diesel::insert_into(products::table)
        .values(ProductRow {
            id: id.to_string(),
            org_id: org.to_string(),
            code: details.code.clone(),
            name: details.name.clone(),
            description: details.description.clone(),
            cpc_code: details.cpc_code.clone(),
            created_at: at,
            updated_at: at,
        })
        .execute(conn)?;
    insert_parts(conn, org, id, details)?;
    find(conn, org, id)
}

/// Replaces a product's details and part numbers.
pub fn update(
    conn: &mut DbConnection,
    org: OrgId,
    id: ProductId,
    details: &ProductDetails,
) -> Result<Product, StoreError> {
    find(conn, org, id)?;
    check_unique(conn, org, Some(id), details)?;
    diesel::update(products::table.find(id.to_string()))
        .set((
            products::code.eq(&details.code),
            products::name.eq(&details.name),
            products::description.eq(&details.description),
            products::cpc_code.eq(&details.cpc_code),
            products::updated_at.eq(to_db(now())),
        ))
        .execute(conn)?;
    diesel::delete(
        product_customer_parts::table.filter(product_customer_parts::product_id.eq(id.to_string())),
    )
    .execute(conn)?;
    insert_parts(conn, org, id, details)?;
    find(conn, org, id)
}

/// Removes a product no footprint refers to.
pub fn delete(conn: &mut DbConnection, org: OrgId, id: ProductId) -> Result<(), StoreError> {
    find(conn, org, id)?;
    let key = id.to_string();
    let drafted: i64 = footprint_drafts::table
        .filter(footprint_drafts::product_id.eq(&key))
        .count()
        .get_result(conn)?;
    let published: i64 = product_footprints::table
        .filter(product_footprints::product_id.eq(&key))
        .count()
        .get_result(conn)?;
    if drafted + published > 0 {
        return Err(StoreError::Rejected {
            code: "product_in_use",
            field: None,
            message: "the product has footprints in answers; it stays in the catalogue".into(),
        });
    }
    diesel::delete(
        product_customer_parts::table.filter(product_customer_parts::product_id.eq(&key)),
    )
    .execute(conn)?;
    diesel::delete(products::table.find(&key)).execute(conn)?;
    Ok(())
}

/// One product of `org`.
pub fn find(conn: &mut DbConnection, org: OrgId, id: ProductId) -> Result<Product, StoreError> {
    let row: ProductRow = products::table
        .find(id.to_string())
        .filter(products::org_id.eq(org.to_string()))
        .select(ProductRow::as_select())
        .first(conn)?;
    with_parts(conn, vec![row])?
        .pop()
        .ok_or(StoreError::NotFound)
}

/// Products by id, whoever owns them (callers reached them through a
/// footprint or request they may see).
pub fn find_many(conn: &mut DbConnection, ids: &[ProductId]) -> Result<Vec<Product>, StoreError> {
    let keys: Vec<String> = ids.iter().map(ToString::to_string).collect();
    let rows: Vec<ProductRow> = products::table
        .filter(products::id.eq_any(&keys))
        .select(ProductRow::as_select())
        .order(products::id)
        .load(conn)?;
    with_parts(conn, rows)
}

/// A page of `org`'s products, oldest first; with `customer`, only those
/// that customer has a part number for.
pub fn list(
    conn: &mut DbConnection,
    org: OrgId,
    customer: Option<OrgId>,
    page: &PageRequest,
) -> Result<Page<Product>, StoreError> {
    let mut query = products::table
        .filter(products::org_id.eq(org.to_string()))
        .select(ProductRow::as_select())
        .order(products::id.asc())
        .limit(i64::try_from(page.limit.get() + 1).unwrap_or(i64::MAX))
        .into_boxed();
    if let Some(after) = &page.after {
        query = query.filter(products::id.gt(after.key().to_owned()));
    }
    if let Some(customer) = customer {
        query = query.filter(
            products::id.eq_any(
                product_customer_parts::table
                    .filter(product_customer_parts::customer_org_id.eq(customer.to_string()))
                    .select(product_customer_parts::product_id),
            ),
        );
    }
    let rows: Vec<ProductRow> = query.load(conn)?;
    let products = with_parts(conn, rows)?;
    Ok(Page::from_overfetched(products, page.limit, |p| {
        p.id.to_string()
    }))
}

/// Every product `supplier` sells `customer` (has a part number for).
pub fn sold_to(
    conn: &mut DbConnection,
    supplier: OrgId,
    customer: OrgId,
) -> Result<Vec<Product>, StoreError> {
    let rows: Vec<ProductRow> = products::table
        .filter(products::org_id.eq(supplier.to_string()))
        .filter(
            products::id.eq_any(
                product_customer_parts::table
                    .filter(product_customer_parts::customer_org_id.eq(customer.to_string()))
                    .select(product_customer_parts::product_id),
            ),
        )
        .select(ProductRow::as_select())
        .order(products::id)
        .load(conn)?;
    with_parts(conn, rows)
}
