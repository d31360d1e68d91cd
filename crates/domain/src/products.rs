//! A supplier's products: its own code and name, the UN CPC class, and the
//! part number each customer knows the product by. Also the PACT URNs a
//! product and an organisation are identified by in published footprints.

use crate::error::{FieldError, ValidationErrors};
use crate::identifiers::OrgIdentifier;
use crate::ids::{OrgId, ProductId};

/// Product codes and part numbers: letters, digits and `. _ - /`, so they
/// can stand in a URN and a URL unescaped.
const MAX_CODE: usize = 64;
const MAX_NAME: usize = 200;
const MAX_DESCRIPTION: usize = 2_000;

/// A product code or part number, trimmed; `field` names it in the error.
pub fn check_code(field: &str, value: &str) -> Result<String, FieldError> {
    let value = value.trim();
    let valid = !value.is_empty()
        && value.len() <= MAX_CODE
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'/'));
    if valid {
        Ok(value.to_owned())
    } else {
        Err(FieldError::new(
            field,
            "invalid_format",
            format!("{field} is 1 to {MAX_CODE} letters, digits, `.`, `_`, `-` or `/`"),
        ))
    }
}

/// A UN Central Product Classification code (CPC Ver. 2.1): one to five
/// digits, e.g. `41231` (flat-rolled steel).
fn check_cpc(value: &str) -> Result<String, FieldError> {
    let value = value.trim();
    if (1..=5).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_digit()) {
        Ok(value.to_owned())
    } else {
        Err(FieldError::new(
            "cpc_code",
            "invalid_format",
            "cpc_code is a UN CPC code of 1 to 5 digits, such as 41231",
        ))
    }
}

/// What a supplier says about one product, as given.
#[derive(Debug, Clone, Default)]
pub struct ProductInput<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub description: &'a str,
    pub cpc_code: Option<&'a str>,
    /// `(customer organisation id as given, part number)`.
    pub customer_parts: Vec<(&'a str, &'a str)>,
}

/// The part number one customer knows a product by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerPart {
    pub customer_org_id: OrgId,
    pub part_number: String,
}

/// A validated product (who its customers are is checked against the
/// supplier's network by the use case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductDetails {
    pub code: String,
    pub name: String,
    pub description: String,
    pub cpc_code: Option<String>,
    pub customer_parts: Vec<CustomerPart>,
}

impl ProductDetails {
    pub fn parse(input: &ProductInput<'_>) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let code = errors.collect(check_code("code", input.code));
        let name = input.name.trim();
        if name.is_empty() {
            errors.push(FieldError::new("name", "required", "name the product"));
        }
        errors.collect(FieldError::check_max_chars("name", name, MAX_NAME));
        errors.collect(FieldError::check_max_chars(
            "description",
            input.description,
            MAX_DESCRIPTION,
        ));
        let cpc_code = input.cpc_code.map(|c| errors.collect(check_cpc(c)));
        let mut customer_parts = Vec::new();
        for (index, (customer, part)) in input.customer_parts.iter().enumerate() {
            let field = format!("customer_parts[{index}]");
            let customer = errors
                .collect(OrgId::parse("customer_org_id", customer).map_err(|e| e.under(&field)));
            let part = errors.collect(check_code("part_number", part).map_err(|e| e.under(&field)));
            if let (Some(customer_org_id), Some(part_number)) = (customer, part) {
                if customer_parts
                    .iter()
                    .any(|p: &CustomerPart| p.customer_org_id == customer_org_id)
                {
                    errors.push(FieldError::new(
                        format!("{field}.customer_org_id"),
                        "duplicate",
                        "a product has one part number per customer",
                    ));
                }
                customer_parts.push(CustomerPart {
                    customer_org_id,
                    part_number,
                });
            }
        }
        errors.finish(|| Self {
            code: code.unwrap_or_default(),
            name: name.to_owned(),
            description: input.description.trim().to_owned(),
            cpc_code: cpc_code.flatten(),
            customer_parts,
        })
    }

    /// The part number `customer` knows this product by.
    pub fn part_number_for(&self, customer: OrgId) -> Option<&str> {
        self.customer_parts
            .iter()
            .find(|p| p.customer_org_id == customer)
            .map(|p| p.part_number.as_str())
    }
}

/// A product as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    pub id: ProductId,
    pub org_id: OrgId,
    pub details: ProductDetails,
}

/// The namespace of the URNs Tierlink issues (`urn:pact:<domain>:…`): the
/// domain of the deployment, configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrnIssuer(pub String);

impl UrnIssuer {
    /// The product's PACT ids: its Tierlink id, the supplier's code, and
    /// the part number of `customer`, the footprint's recipient, if any.
    pub fn product_ids(&self, product: &Product, customer: OrgId) -> Vec<String> {
        let domain = &self.0;
        let mut ids = vec![
            format!("urn:uuid:{}", product.id),
            format!(
                "urn:pact:{domain}:supplier-id:{}:{}",
                product.org_id, product.details.code
            ),
        ];
        if let Some(part) = product.details.part_number_for(customer) {
            ids.push(format!("urn:pact:{domain}:buyer-id:{customer}:{part}"));
        }
        ids
    }

    /// An organisation's PACT company ids: its Tierlink id, and its
    /// business registration number (`urn:pact:nts.go.kr:brn:…`, issued
    /// by Korea's National Tax Service) and LEI (`urn:lei:…`) if known.
    pub fn company_ids(&self, org: OrgId, identifiers: &[OrgIdentifier]) -> Vec<String> {
        let mut ids = vec![format!("urn:uuid:{org}")];
        for identifier in identifiers {
            match identifier {
                OrgIdentifier::BusinessRegistrationNumber(brn) => {
                    ids.push(format!("urn:pact:nts.go.kr:brn:{}", brn.digits()));
                }
                OrgIdentifier::Lei(lei) => ids.push(format!("urn:lei:{}", lei.as_str())),
                OrgIdentifier::Custom(_) => {}
            }
        }
        ids
    }
}

/// The product's classifications as PACT URNs (UN CPC).
pub fn classifications(product: &Product) -> Vec<String> {
    product
        .details
        .cpc_code
        .iter()
        .map(|code| format!("urn:pact:productclassification:un-cpc:{code}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_product_is_checked_field_by_field() {
        let customer = OrgId::generate().to_string();
        let input = ProductInput {
            code: "bad code",
            name: " ",
            description: "",
            cpc_code: Some("12a"),
            customer_parts: vec![(&customer, "P-1"), (&customer, "P-2"), ("nope", "")],
        };
        let errors = ProductDetails::parse(&input).expect_err("invalid");
        let fields: Vec<&str> = errors.errors().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "code",
                "name",
                "cpc_code",
                "customer_parts[1].customer_org_id",
                "customer_parts[2].customer_org_id",
                "customer_parts[2].part_number"
            ]
        );
    }

    #[test]
    fn company_ids_carry_the_business_registration_number_and_lei() {
        use crate::identifiers::{BusinessRegistrationNumber, Lei};
        let org = OrgId::generate();
        let identifiers = [
            OrgIdentifier::BusinessRegistrationNumber(
                BusinessRegistrationNumber::parse("124-81-00998").expect("valid"),
            ),
            OrgIdentifier::Lei(Lei::parse("5493001KJTIIGC8Y1R12").expect("valid")),
        ];
        assert_eq!(
            UrnIssuer("x.example".into()).company_ids(org, &identifiers),
            [
                format!("urn:uuid:{org}"),
                "urn:pact:nts.go.kr:brn:1248100998".to_owned(),
                "urn:lei:5493001KJTIIGC8Y1R12".to_owned()
            ]
        );
    }

    #[test]
    fn product_ids_name_the_recipients_part_number_only_for_it() {
        let customer = OrgId::generate();
        let customer_text = customer.to_string();
        let input = ProductInput {
            code: "STEEL-01",
            name: "Cold-rolled coil",
            description: "",
            cpc_code: Some("41231"),
            customer_parts: vec![(&customer_text, "HMC-778")],
        };
        let product = Product {
            id: ProductId::generate(),
            org_id: OrgId::generate(),
            details: ProductDetails::parse(&input).expect("valid"),
        };
        let issuer = UrnIssuer("tierlink.example".into());
        let ids = issuer.product_ids(&product, customer);
        assert_eq!(ids.len(), 3);
        assert_eq!(
            ids[2],
            format!("urn:pact:tierlink.example:buyer-id:{customer}:HMC-778")
        );
        assert_eq!(issuer.product_ids(&product, OrgId::generate()).len(), 2);
        assert_eq!(
            classifications(&product),
            ["urn:pact:productclassification:un-cpc:41231"]
        );
    }
}
