//! A deterministic, realistic supply chain for benchmarks and demos: one
//! large firm, its tier-1 and tier-2 suppliers, published requirements,
//! requests, forwarded requests and answers, written with multi-row
//! `INSERT`s (plain SQL both engines accept). The same seed and plan give
//! the same data, ids included.

use diesel::RunQueryDsl;
use tierlink_domain::metrics::{self, ValueKind};
use tierlink_domain::requirements::RequirementItem;
use tierlink_persistence::{DbConnection, StoreError};

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct SeedPlan {
    pub seed: u64,
    pub tier1: usize,
    /// Tier-2 suppliers, spread evenly over the tier-1s.
    pub tier2: usize,
    pub requirements: usize,
    pub items_per_requirement: usize,
    /// Of the requests to tier-1s, the percentage forwarded to a tier-2.
    pub forwarded_percent: u64,
    /// Of all requests, the percentage answered (half submitted, half accepted).
    pub answered_percent: u64,
    /// How many suppliers (the first tier-1s) get a user who can log in.
    pub supplier_users: usize,
    /// Extra requirements, each sent only to the last supplier with a login
    /// and left open: the supplier a bulk answer of
    /// `bulk_requests × items_per_requirement` entries is measured with.
    pub bulk_requests: usize,
}

impl SeedPlan {
    /// The benchmark chain of issue 6.
    pub fn benchmark(seed: u64) -> Self {
        Self {
            seed,
            tier1: 2_000,
            tier2: 10_000,
            requirements: 20,
            items_per_requirement: 30,
            forwarded_percent: 25,
            answered_percent: 80,
            supplier_users: 16,
            bulk_requests: 0,
        }
    }
}

/// What was generated, with the logins it created.
#[derive(Debug, Clone)]
pub struct SeedSummary {
    pub large_firm_id: String,
    /// E-mail addresses: the large firm's admin first, then supplier admins.
    pub logins: Vec<String>,
    pub organisations: usize,
    pub requests: usize,
    pub answers: usize,
    pub rows: usize,
}

/// SplitMix64: a tiny, well-known deterministic mixer.
fn mix(seed: u64, n: u64) -> u64 {
    let mut z = seed.wrapping_add(n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Deterministic, time-ordered ids: kind prefix, then a counter.
fn id(kind: u32, n: usize) -> String {
    format!("{:08x}-0000-7000-8000-{:012x}", 0x0190_0000_u32 + kind, n)
}

/// Buffers rows of one table and writes them in multi-row `INSERT`s.
struct Batch<'a> {
    table: &'static str,
    columns: &'static str,
    rows: Vec<String>,
    written: &'a mut usize,
}

impl<'a> Batch<'a> {
    const SIZE: usize = 500;

    fn new(table: &'static str, columns: &'static str, written: &'a mut usize) -> Self {
        Self {
            table,
            columns,
            rows: Vec::with_capacity(Self::SIZE),
            written,
        }
    }

    fn push(&mut self, conn: &mut DbConnection, row: String) -> Result<(), StoreError> {
        self.rows.push(row);
        if self.rows.len() >= Self::SIZE {
            self.flush(conn)?;
        }
        Ok(())
    }

    fn flush(&mut self, conn: &mut DbConnection) -> Result<(), StoreError> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let sql = format!(
            "INSERT INTO {} ({}) VALUES {}",
            self.table,
            self.columns,
            self.rows.join(",")
        );
        diesel::sql_query(sql).execute(conn)?;
        *self.written += self.rows.len();
        self.rows.clear();
        Ok(())
    }
}

/// The columns of a seeded request row.
const REQUEST_COLUMNS: &str = "id, requirement_id, parent_request_id, requester_org_id, supplier_org_id, depth, title, message, period_start, period_end, due_date, status, decline_reason, requirement_version, revision, created_at, updated_at, draft_is_latest_revision, items";

/// Writes the same items (all required, estimates accepted) for each
/// requirement into `requirement_items`.
fn write_requirement_items(
    conn: &mut DbConnection,
    owners: impl IntoIterator<Item = String>,
    items: &[&metrics::MetricDefinition],
    written: &mut usize,
) -> Result<(), StoreError> {
    let columns = "requirement_id, position, metric_code, required, guidance, estimates_accepted";
    let mut batch = Batch::new("requirement_items", columns, written);
    for owner in owners {
        for (position, metric) in items.iter().enumerate() {
            batch.push(
                conn,
                format!(
                    "({}, {position}, {}, true, NULL, true)",
                    text(&owner),
                    text(metric.code)
                ),
            )?;
        }
    }
    batch.flush(conn)
}

/// The same items as a request stores them, as an SQL literal.
fn request_items_literal(items: &[&metrics::MetricDefinition]) -> String {
    let items: Vec<RequirementItem> = items
        .iter()
        .map(|metric| RequirementItem {
            metric: metric.code.to_owned(),
            required: true,
            guidance: None,
            estimates_accepted: true,
            part_numbers: Vec::new(),
        })
        .collect();
    text(&tierlink_persistence::request_items::to_db(&items))
}

/// A literal for generated text (only our own strings reach here).
fn text(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

const NOW: &str = "'2026-11-01 09:00:00'";

/// A valid reported value and its canonical conversion for a metric.
fn value_for(kind: &ValueKind, n: u64) -> (String, String, String, String) {
    match kind {
        ValueKind::Quantity { dimension, .. } => {
            let value = format!("{}.{:03}", n % 10_000, n % 1000);
            let unit = dimension.canonical_unit();
            (text(&value), text(unit), text(&value), text(unit))
        }
        ValueKind::Percentage => (
            text(&format!("{}", n % 101)),
            text("%"),
            "NULL".into(),
            "NULL".into(),
        ),
        ValueKind::Boolean => (
            text(if n.is_multiple_of(2) { "true" } else { "false" }),
            "NULL".into(),
            "NULL".into(),
            "NULL".into(),
        ),
        ValueKind::Choice { options } => {
            let option = options
                .get(usize::try_from(n).unwrap_or(0) % options.len().max(1))
                .map_or("other", |o| o.value);
            (text(option), "NULL".into(), "NULL".into(), "NULL".into())
        }
        ValueKind::Date => (
            text("2026-06-30"),
            "NULL".into(),
            "NULL".into(),
            "NULL".into(),
        ),
        ValueKind::Text { .. } | ValueKind::Document | ValueKind::ProductFootprints => (
            text("generated"),
            "NULL".into(),
            "NULL".into(),
            "NULL".into(),
        ),
    }
}

/// Writes the chain in one transaction; run on an empty, migrated database.
/// `password_hash` is given to every login; `progress` hears each phase.
pub fn seed(
    conn: &mut DbConnection,
    plan: &SeedPlan,
    password_hash: &str,
    mut progress: impl FnMut(&str, usize, usize),
) -> Result<SeedSummary, StoreError> {
    let items: Vec<&metrics::MetricDefinition> = metrics::catalogue()
        .iter()
        .filter(|m| !matches!(m.kind, ValueKind::Document | ValueKind::ProductFootprints))
        .take(plan.items_per_requirement)
        .collect();
    let stored_items = request_items_literal(&items);
    let mut written = 0;
    let large = id(1, 0);
    let tier1: Vec<String> = (1..=plan.tier1).map(|n| id(1, n)).collect();
    let tier2: Vec<String> = (1..=plan.tier2).map(|n| id(1, plan.tier1 + n)).collect();
    let mut logins = vec!["bench-large@tierlink.example".to_owned()];

    progress("organisations", 0, 1 + plan.tier1 + plan.tier2);
    {
        let mut orgs = Batch::new(
            "organisations",
            "id, name, country, created_at, updated_at",
            &mut written,
        );
        orgs.push(
            conn,
            format!(
                "({}, {}, 'KR', {NOW}, {NOW})",
                text(&large),
                text("Bench Large Firm")
            ),
        )?;
        for (n, org) in tier1.iter().chain(&tier2).enumerate() {
            orgs.push(
                conn,
                format!(
                    "({}, {}, 'KR', {NOW}, {NOW})",
                    text(org),
                    text(&format!("Bench Supplier {:05}", n + 1))
                ),
            )?;
        }
        orgs.flush(conn)?;
    }
    {
        let mut users = Batch::new(
            "users",
            "id, org_id, email, email_normalised, display_name, role, password_hash, disabled_at, created_at, updated_at",
            &mut written,
        );
        let user = |n: usize, org: &str, email: &str| {
            format!(
                "({}, {}, {}, {}, 'Bench user', 'admin', {}, NULL, {NOW}, {NOW})",
                text(&id(2, n)),
                text(org),
                text(email),
                text(email),
                text(password_hash)
            )
        };
        users.push(conn, user(0, &large, &logins[0]))?;
        for (n, org) in tier1.iter().take(plan.supplier_users).enumerate() {
            let email = format!("bench-supplier-{:05}@tierlink.example", n + 1);
            users.push(conn, user(n + 1, org, &email))?;
            logins.push(email);
        }
        users.flush(conn)?;
    }
    progress("links", 0, plan.tier1 + plan.tier2);
    {
        let mut links = Batch::new(
            "supplier_links",
            "id, buyer_org_id, supplier_org_id, active, disclose_suppliers, created_at, updated_at, ended_at",
            &mut written,
        );
        for (n, supplier) in tier1.iter().enumerate() {
            links.push(
                conn,
                format!(
                    "({}, {}, {}, true, {}, {NOW}, {NOW}, NULL)",
                    text(&id(3, n)),
                    text(&large),
                    text(supplier),
                    n % 2 == 0
                ),
            )?;
        }
        for (n, supplier) in tier2.iter().enumerate() {
            let buyer = &tier1[n % tier1.len().max(1)];
            links.push(
                conn,
                format!(
                    "({}, {}, {}, true, false, {NOW}, {NOW}, NULL)",
                    text(&id(3, plan.tier1 + n)),
                    text(buyer),
                    text(supplier)
                ),
            )?;
        }
        links.flush(conn)?;
    }

    let total_requests = plan.requirements * plan.tier1;
    let mut request_n = 0;
    let mut answered = 0;
    let mut requests_made = 0;
    for r in 0..plan.requirements {
        progress("requirements", r, plan.requirements);
        let requirement = id(4, r);
        diesel::sql_query(format!(
            "INSERT INTO requirements (id, org_id, title, description, period_start, period_end, due_date, audience_all, cascade_depth, status, version, revision, created_by, created_at, updated_at, published_at) \
             VALUES ({}, {}, {}, '', '2026-01-01', '2026-12-31', '2099-03-31', true, 2, 'published', 1, 2, 'seed', {NOW}, {NOW}, {NOW})",
            text(&requirement),
            text(&large),
            text(&format!("Bench requirement {:02}", r + 1))
        ))
        .execute(conn)?;
        written += 1;
        write_requirement_items(conn, [requirement.clone()], &items, &mut written)?;

        let mut requests = Vec::new();
        for (n, supplier) in tier1.iter().enumerate() {
            let request = id(5, request_n);
            request_n += 1;
            requests.push((
                request.clone(),
                supplier.clone(),
                large.clone(),
                1,
                None::<String>,
            ));
            if mix(plan.seed, (r * plan.tier1 + n) as u64) % 100 < plan.forwarded_percent
                && !tier2.is_empty()
            {
                let child = id(5, request_n);
                request_n += 1;
                let tier2_supplier = tier2[(n + r * 7) % tier2.len()].clone();
                requests.push((child, tier2_supplier, supplier.clone(), 2, Some(request)));
            }
        }
        let mut request_rows = Batch::new("requests", REQUEST_COLUMNS, &mut written);
        let mut states = Vec::with_capacity(requests.len());
        for (request, supplier, requester, depth, parent) in &requests {
            let roll = mix(plan.seed ^ 0xA5A5, request_n as u64 + states.len() as u64) % 100;
            let status = if roll < plan.answered_percent {
                if roll.is_multiple_of(2) {
                    "accepted"
                } else {
                    "submitted"
                }
            } else {
                "open"
            };
            states.push(status);
            // An answered request's draft is the revision it submitted.
            let draft_is_revision = status != "open";
            request_rows.push(
                conn,
                format!(
                    "({}, {}, {}, {}, {}, {depth}, {}, '', '2026-01-01', '2026-12-31', '2099-03-31', '{status}', NULL, 1, 1, {NOW}, {NOW}, {draft_is_revision}, {stored_items})",
                    text(request),
                    text(&requirement),
                    parent.as_deref().map_or("NULL".to_owned(), text),
                    text(requester),
                    text(supplier),
                    text(&format!("Bench requirement {:02}", r + 1)),
                ),
            )?;
        }
        request_rows.flush(conn)?;

        let mut revisions = Batch::new(
            "answer_revisions",
            "request_id, revision, status, share_upstream, submitted_by, submitted_at, reviewed_by, reviewed_at, review_comment",
            &mut written,
        );
        let mut answered_requests = Vec::new();
        for ((request, ..), status) in requests.iter().zip(&states) {
            if *status == "open" {
                continue;
            }
            let reviewed = if *status == "accepted" {
                format!("'seed', {NOW}")
            } else {
                "NULL, NULL".to_owned()
            };
            revisions.push(
                conn,
                format!(
                    "({}, 1, '{status}', true, 'seed', {NOW}, {reviewed}, NULL)",
                    text(request)
                ),
            )?;
            answered_requests.push(request.clone());
        }
        revisions.flush(conn)?;
        let mut entries = Batch::new(
            "answer_revision_entries",
            "request_id, revision, metric_code, value_text, unit, canonical_value, canonical_unit, method, obtained, period_start, period_end, comment, evidence, source, review_comment",
            &mut written,
        );
        for (k, request) in answered_requests.iter().enumerate() {
            for (position, metric) in items.iter().enumerate() {
                let (value, unit, canonical, canonical_unit) =
                    value_for(&metric.kind, mix(plan.seed, (k * 64 + position) as u64));
                let obtained = ["measured", "calculated", "estimated", "secondary"][position % 4];
                entries.push(
                    conn,
                    format!(
                        "({}, 1, {}, {value}, {unit}, {canonical}, {canonical_unit}, 'GHG Protocol', '{obtained}', '2026-01-01', '2026-12-31', NULL, '', NULL, NULL)",
                        text(request),
                        text(metric.code)
                    ),
                )?;
            }
        }
        entries.flush(conn)?;
        answered += answered_requests.len();
        requests_made += requests.len();
        progress("requests", requests_made, total_requests);
    }
    if plan.bulk_requests > 0 {
        progress("bulk requests", 0, plan.bulk_requests);
        let supplier = &tier1[plan.supplier_users.clamp(1, tier1.len().max(1)) - 1];
        let mut requirement_rows = Batch::new(
            "requirements",
            "id, org_id, title, description, period_start, period_end, due_date, audience_all, cascade_depth, status, version, revision, created_by, created_at, updated_at, published_at",
            &mut written,
        );
        for b in 0..plan.bulk_requests {
            requirement_rows.push(
                conn,
                format!(
                    "({}, {}, {}, '', '2026-01-01', '2026-12-31', '2099-03-31', false, 1, 'published', 1, 2, 'seed', {NOW}, {NOW}, {NOW})",
                    text(&id(4, plan.requirements + b)),
                    text(&large),
                    text(&format!("Bench bulk programme {:04}", b + 1))
                ),
            )?;
        }
        requirement_rows.flush(conn)?;
        let mut audience = Batch::new(
            "requirement_audience",
            "requirement_id, supplier_org_id",
            &mut written,
        );
        for b in 0..plan.bulk_requests {
            audience.push(
                conn,
                format!(
                    "({}, {})",
                    text(&id(4, plan.requirements + b)),
                    text(supplier)
                ),
            )?;
        }
        audience.flush(conn)?;
        write_requirement_items(
            conn,
            (0..plan.bulk_requests).map(|b| id(4, plan.requirements + b)),
            &items,
            &mut written,
        )?;
        let mut request_rows = Batch::new("requests", REQUEST_COLUMNS, &mut written);
        let first_bulk_request = request_n;
        for b in 0..plan.bulk_requests {
            request_rows.push(
                conn,
                format!(
                    "({}, {}, NULL, {}, {}, 1, {}, '', '2026-01-01', '2026-12-31', '2099-03-31', 'open', NULL, 1, 1, {NOW}, {NOW}, false, {stored_items})",
                    text(&id(5, first_bulk_request + b)),
                    text(&id(4, plan.requirements + b)),
                    text(&large),
                    text(supplier),
                    text(&format!("Bench bulk programme {:04}", b + 1)),
                ),
            )?;
        }
        request_rows.flush(conn)?;
        requests_made += plan.bulk_requests;
        progress("bulk requests", plan.bulk_requests, plan.bulk_requests);
    }
    Ok(SeedSummary {
        large_firm_id: large,
        logins,
        organisations: 1 + plan.tier1 + plan.tier2,
        requests: requests_made,
        answers: answered,
        rows: written,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_deterministic_valid_and_ordered() {
        assert_eq!(id(5, 1), id(5, 1));
        assert!(uuid::Uuid::parse_str(&id(5, 12)).is_ok());
        assert!(id(5, 9) < id(5, 10));
        assert_eq!(mix(7, 3), mix(7, 3));
        assert_ne!(mix(7, 3), mix(8, 3));
    }
}
