//! Products of a supplier's catalogue on the wire.

use serde::{Deserialize, Serialize};
use tierlink_domain::products::Product;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// The part number a customer knows a product by.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerPart {
    /// One of your customers (an organisation you supply).
    #[schema(value_type = Uuid)]
    pub customer_org_id: String,
    /// The customer's part number: 1 to 64 letters, digits, `.`, `_`, `-`, `/`.
    #[schema(max_length = 64, example = "HMC-778-220")]
    pub part_number: String,
}

/// `POST /v1/products` and `PUT /v1/products/{id}`: the whole product.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "CRC-1.2", "name": "Cold-rolled steel coil 1.2 mm",
    "description": "Cold-rolled coil, 1.2 mm, for door panels", "cpc_code": "41231",
    "customer_parts": [{"customer_org_id": "019aee0c-4a7e-7c3e-9d0b-2f1a3c4d5e6f", "part_number": "HMC-778-220"}]}))]
pub struct ProductInput {
    /// Your own product code: 1 to 64 letters, digits, `.`, `_`, `-`, `/`;
    /// unique in your catalogue.
    #[schema(max_length = 64)]
    pub code: String,
    /// The trade name (PACT `productNameCompany`), at most 200 characters.
    #[schema(max_length = 200)]
    pub name: String,
    /// What the product is (PACT `productDescription`), at most 2,000 characters.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub description: String,
    /// The UN CPC (Ver. 2.1) code, 1 to 5 digits; published as the
    /// classification `urn:pact:productclassification:un-cpc:<code>`.
    #[schema(pattern = "^[0-9]{1,5}$")]
    pub cpc_code: Option<String>,
    /// The part number each customer knows the product by, one per
    /// customer. A request for footprints asks for every product with a
    /// part number of its requester.
    #[serde(default)]
    pub customer_parts: Vec<CustomerPart>,
}

/// A product.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Product, example = json!({"id": "019aee0c-0000-7000-8000-0000000000aa",
    "code": "CRC-1.2", "name": "Cold-rolled steel coil 1.2 mm",
    "description": "Cold-rolled coil, 1.2 mm, for door panels", "cpc_code": "41231",
    "customer_parts": [{"customer_org_id": "019aee0c-4a7e-7c3e-9d0b-2f1a3c4d5e6f", "part_number": "HMC-778-220"}]}))]
pub struct ProductBody {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpc_code: Option<String>,
    pub customer_parts: Vec<CustomerPart>,
}

impl From<Product> for ProductBody {
    fn from(product: Product) -> Self {
        Self {
            id: product.id.as_uuid(),
            code: product.details.code,
            name: product.details.name,
            description: product.details.description,
            cpc_code: product.details.cpc_code,
            customer_parts: product
                .details
                .customer_parts
                .into_iter()
                .map(|p| CustomerPart {
                    customer_org_id: p.customer_org_id.to_string(),
                    part_number: p.part_number,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProductPage {
    pub items: Vec<ProductBody>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// Which products to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ProductQuery {
    /// How many items to return, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200, default = 50, example = 50)]
    pub limit: Option<u32>,
    /// Where to continue: the `next_cursor` of the previous page. Opaque.
    pub cursor: Option<String>,
    /// Only products this customer has a part number for.
    #[param(value_type = Option<Uuid>)]
    pub customer: Option<String>,
}
