//! A supplier's product catalogue: add, change, remove, read. A product's
//! part numbers are for the supplier's current customers only.

use tierlink_domain::FieldError;
use tierlink_domain::ids::{OrgId, ProductId};
use tierlink_domain::pagination::{Page, PageRequest};
use tierlink_domain::products::{Product, ProductDetails};
use tierlink_persistence::{DbConnection, network, products};

use crate::error::{Error, not_found};

/// Every customer named in a part number buys from `supplier` today.
fn check_customers(
    conn: &mut DbConnection,
    supplier: OrgId,
    details: &ProductDetails,
) -> Result<(), Error> {
    for (index, part) in details.customer_parts.iter().enumerate() {
        if !network::is_active_supplier(conn, part.customer_org_id, supplier)? {
            return Err(Error::invalid(FieldError::new(
                format!("customer_parts[{index}].customer_org_id"),
                "not_a_customer",
                "this organisation is not one of your customers",
            )));
        }
    }
    Ok(())
}

/// Adds a product to `supplier`'s catalogue.
pub fn create(
    tx: &mut DbConnection,
    supplier: OrgId,
    details: &ProductDetails,
) -> Result<Product, Error> {
    check_customers(tx, supplier, details)?;
    Ok(products::insert(tx, supplier, details)?)
}

/// Replaces a product's details. Footprints already published keep what
/// they said; the next ones say the new.
pub fn update(
    tx: &mut DbConnection,
    supplier: OrgId,
    id: ProductId,
    details: &ProductDetails,
) -> Result<Product, Error> {
    products::find(tx, supplier, id).map_err(not_found("product"))?;
    check_customers(tx, supplier, details)?;
    Ok(products::update(tx, supplier, id, details)?)
}

/// Removes a product no answer has a footprint of.
pub fn delete(tx: &mut DbConnection, supplier: OrgId, id: ProductId) -> Result<(), Error> {
    products::delete(tx, supplier, id).map_err(not_found("product"))
}

/// One of `supplier`'s products.
pub fn get(conn: &mut DbConnection, supplier: OrgId, id: ProductId) -> Result<Product, Error> {
    products::find(conn, supplier, id).map_err(not_found("product"))
}

/// A page of `supplier`'s products, optionally only those `customer` buys.
pub fn list(
    conn: &mut DbConnection,
    supplier: OrgId,
    customer: Option<OrgId>,
    page: &PageRequest,
) -> Result<Page<Product>, Error> {
    Ok(products::list(conn, supplier, customer, page)?)
}
