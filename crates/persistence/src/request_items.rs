//! A request's items as stored: a JSON list in the request's own row
//! (`requests.items`), one `[metric, required, guidance, estimates
//! accepted, [part numbers]]` per item, in the request's order.
//!
//! The list is always read and written whole and never queried item by
//! item, so it lives with its request: a request is one row, and a page of
//! requests is read without aggregating their items' rows.

use serde::{Deserialize, Serialize};
use tierlink_domain::requirements::RequirementItem;

use crate::error::StoreError;

/// One item as written: a JSON array, which keeps a request's row small.
#[derive(Serialize)]
struct ItemOut<'a>(&'a str, bool, Option<&'a str>, bool, &'a [String]);

/// One item as read.
#[derive(Deserialize)]
struct ItemIn(String, bool, Option<String>, bool, Vec<String>);

/// The text stored for `items`.
pub fn to_db(items: &[RequirementItem]) -> String {
    let stored: Vec<ItemOut<'_>> = items
        .iter()
        .map(|item| {
            ItemOut(
                &item.metric,
                item.required,
                item.guidance.as_deref(),
                item.estimates_accepted,
                &item.part_numbers,
            )
        })
        .collect();
    // Strings and booleans always serialise.
    serde_json::to_string(&stored).unwrap_or_else(|_| "[]".to_owned())
}

/// The items stored as `text` for request `request` (named in the error if
/// the text is not such a list).
pub fn from_db(request: &str, text: &str) -> Result<Vec<RequirementItem>, StoreError> {
    let stored: Vec<ItemIn> = serde_json::from_str(text)
        .map_err(|_| StoreError::Corrupt(format!("request {request}: items")))?;
    Ok(stored
        .into_iter()
        .map(
            |ItemIn(metric, required, guidance, estimates_accepted, part_numbers)| {
                RequirementItem {
                    metric,
                    required,
                    guidance,
                    estimates_accepted,
                    part_numbers,
                }
            },
        )
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(metric: &str, guidance: Option<&str>, parts: &[&str]) -> RequirementItem {
        RequirementItem {
            metric: metric.to_owned(),
            required: true,
            guidance: guidance.map(str::to_owned),
            estimates_accepted: false,
            part_numbers: parts.iter().map(|p| (*p).to_owned()).collect(),
        }
    }

    #[test]
    fn items_read_back_as_written_in_their_order() {
        let items = vec![
            item("ghg.scope1", Some("Say \"tCO2e\", 탄소"), &[]),
            item("ghg.scope2", None, &["P-1", "P-2"]),
        ];
        let text = to_db(&items);
        assert_eq!(
            text,
            r#"[["ghg.scope1",true,"Say \"tCO2e\", 탄소",false,[]],["ghg.scope2",true,null,false,["P-1","P-2"]]]"#
        );
        assert_eq!(from_db("r", &text).expect("items"), items);
    }

    #[test]
    fn what_a_migration_wrote_reads_too() {
        // PostgreSQL's json_agg separates with ", "; no items is "[]".
        let read = from_db("r", r#"[["ghg.scope1", true, null, true, []]]"#).expect("items");
        assert_eq!(
            read,
            vec![RequirementItem {
                estimates_accepted: true,
                ..item("ghg.scope1", None, &[])
            }]
        );
        assert!(from_db("r", "[]").expect("no items").is_empty());
    }

    #[test]
    fn text_that_is_not_a_list_of_items_is_corrupt() {
        for bad in ["", "{}", r#"[["m", 1, null, true, []]]"#, r#"[["m"]]"#] {
            assert!(
                matches!(from_db("r7", bad), Err(StoreError::Corrupt(what)) if what == "request r7: items"),
                "{bad}"
            );
        }
    }
}
