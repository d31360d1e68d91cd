//! Metrics an organisation defines for its own requirements, beside the
//! built-in catalogue.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use tierlink_domain::ids::OrgId;
use tierlink_domain::time::now;

use crate::columns::parse_org;
use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::schema::custom_metrics;
use crate::time::{from_db, to_db};

/// A custom metric.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomMetric {
    pub org_id: OrgId,
    pub code: String,
    pub label_en: String,
    pub label_ko: String,
    /// `quantity`, `percentage`, `boolean`, `text`, `date` or `document`.
    pub kind: String,
    /// For quantities: the catalogue dimension (`emissions`, `energy`, …).
    pub dimension: Option<String>,
    pub guidance: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = custom_metrics)]
struct Row {
    id: String,
    org_id: String,
    code: String,
    label_en: String,
    label_ko: String,
    kind: String,
    dimension: Option<String>,
    guidance: String,
    created_at: NaiveDateTime,
}

impl Row {
    fn into_metric(self) -> Result<CustomMetric, StoreError> {
        Ok(CustomMetric {
            org_id: parse_org(&self.org_id)?,
            code: self.code,
            label_en: self.label_en,
            label_ko: self.label_ko,
            kind: self.kind,
            dimension: self.dimension,
            guidance: self.guidance,
            created_at: from_db(self.created_at),
        })
    }
}

pub fn insert(conn: &mut DbConnection, metric: &CustomMetric) -> Result<CustomMetric, StoreError> {
    let taken: i64 = custom_metrics::table
        .filter(custom_metrics::org_id.eq(metric.org_id.to_string()))
        .filter(custom_metrics::code.eq(&metric.code))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Err(StoreError::Duplicate {
            field: Some("code".to_owned()),
            message: format!("you already have a metric `{}`", metric.code),
        });
    }
    let row = Row {
        id: uuid::Uuid::now_v7().to_string(),
        org_id: metric.org_id.to_string(),
        code: metric.code.clone(),
        label_en: metric.label_en.clone(),
        label_ko: metric.label_ko.clone(),
        kind: metric.kind.clone(),
        dimension: metric.dimension.clone(),
        guidance: metric.guidance.clone(),
        created_at: to_db(now()),
    };
    diesel::insert_into(custom_metrics::table)
        .values(&row)
        .execute(conn)?;
    row.into_metric()
}

/// All of `org`'s custom metrics, by code.
pub fn list(conn: &mut DbConnection, org: OrgId) -> Result<Vec<CustomMetric>, StoreError> {
    let rows: Vec<Row> = custom_metrics::table
        .filter(custom_metrics::org_id.eq(org.to_string()))
        .order(custom_metrics::code.asc())
        .select(Row::as_select())
        .load(conn)?;
    rows.into_iter().map(Row::into_metric).collect()
}

/// Custom metrics of any of `orgs` with one of `codes`: to describe the
/// items of requests that came from another organisation.
pub fn find_many(
    conn: &mut DbConnection,
    orgs: &[OrgId],
    codes: &[String],
) -> Result<Vec<CustomMetric>, StoreError> {
    let orgs: Vec<String> = orgs.iter().map(ToString::to_string).collect();
    let rows: Vec<Row> = custom_metrics::table
        .filter(custom_metrics::org_id.eq_any(orgs))
        .filter(custom_metrics::code.eq_any(codes))
        .select(Row::as_select())
        .load(conn)?;
    rows.into_iter().map(Row::into_metric).collect()
}

impl CustomMetric {
    /// How answers to this metric are validated.
    pub fn value_kind(&self) -> Option<tierlink_domain::metrics::ValueKind> {
        use tierlink_domain::metrics::{Dimension, ValueKind};
        Some(match self.kind.as_str() {
            "quantity" => ValueKind::Quantity {
                dimension: Dimension::parse(self.dimension.as_deref()?)?,
                allow_negative: true,
            },
            "percentage" => ValueKind::Percentage,
            "boolean" => ValueKind::Boolean,
            "text" => ValueKind::Text { max_chars: 4_000 },
            "date" => ValueKind::Date,
            "document" => ValueKind::Document,
            _ => return None,
        })
    }
}
