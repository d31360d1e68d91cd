//! CSV round trips for people who answer in a spreadsheet: a template of a
//! request, an all-or-nothing import of the filled template, and an export
//! of a submitted revision.

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::Deserialize;
use serde_json::Value;
use tierlink_domain::ids::{RequestId, RevisionNumber};
use tierlink_domain::metrics;
use tierlink_domain::{FieldError, ValidationErrors};
use tierlink_persistence::Database;
use tierlink_usecases::answers as usecase;
use utoipa_actix_web::service_config::ServiceConfig;

use super::answers::{save_entries, validate};
use crate::auth::caller::{Authorized, need};
use crate::db;
use crate::extract::QueryParams;
use crate::path::Id;
use crate::problem::{ApiError, Problem};
use crate::wire::answers::{AnswerBody, EntryInputBody, ExportQuery};
use crate::wire::files::FileBytes;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(answer_template)
        .service(import_answer)
        .service(export_answer);
}

const COLUMNS: [&str; 11] = [
    "item_code",
    "label_en",
    "label_ko",
    "required",
    "expected_unit",
    "accepted_units",
    "value",
    "unit",
    "obtained",
    "method",
    "comment",
];

fn csv_response(filename: &str, body: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .body(body)
}

/// Writes rows as CSV, every cell [`guard`]ed.
fn write_csv(rows: Vec<Vec<String>>) -> Result<Vec<u8>, ApiError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        writer
            .write_record(row.into_iter().map(guard))
            .map_err(ApiError::internal)?;
    }
    writer.into_inner().map_err(ApiError::internal)
}

/// What a spreadsheet takes a cell starting with for a formula (OWASP,
/// CSV injection): `=`, `+`, `-`, `@`, tab and carriage return.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell made safe to open in a spreadsheet (OWASP's CSV-injection
/// advice): one that starts like a formula gets a single quote in front,
/// which spreadsheets show as text and do not run. Text from suppliers
/// (comments, methods, text values) and from requesters (custom metric
/// labels) reaches the other side's spreadsheet this way. A plain number
/// (`-5`, `+1.5`) is left alone, so negative values stay numbers: no
/// formula can be written with digits, a sign and a point only.
fn guard(cell: String) -> String {
    if cell.starts_with(FORMULA_STARTS) && !is_plain_number(&cell) {
        format!("'{cell}")
    } else {
        cell
    }
}

/// A cell as imported: the quote [`guard`] put in front of a formula-like
/// cell is taken off again, so an exported or filled-in file imports as
/// what was written. (A cell that really starts with a quote followed by
/// `=`, `+`, `-`, `@` loses that quote.)
fn unguard(cell: String) -> String {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) => rest.to_owned(),
        _ => cell,
    }
}

/// `-5`, `+1.25`, `.5`: an optional sign, digits, at most one point.
fn is_plain_number(cell: &str) -> bool {
    let digits = cell.strip_prefix(['+', '-']).unwrap_or(cell);
    digits.bytes().any(|b| b.is_ascii_digit())
        && digits.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && digits.bytes().filter(|b| *b == b'.').count() <= 1
}

/// Download a request's answer template (CSV)
///
/// One row per item: its code, English and Korean label, whether it is
/// required and the expected unit. Fill `value` (and `unit`, `obtained`,
/// `method`, `comment`) and import it. A cell that a spreadsheet would run
/// as a formula starts with a `'`, which the import takes off again.
#[utoipa::path(
    tag = "answers",
    operation_id = "getAnswerTemplate",
    params(("id" = uuid::Uuid, Path, description = "The request's id")),
    security(("bearer" = []), ("oauth2" = ["responses:read"])),
    responses(
        (status = 200, description = "The template, UTF-8", content((inline(FileBytes) = "text/csv")),
            headers(("Content-Disposition" = String, description = "`attachment; filename=\"request-<id>.csv\"`"))),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request for you to answer", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/{id}/answer/template.csv")]
pub async fn answer_template(
    Authorized(caller, ..): Authorized<need::ReadResponses>,
    db: web::Data<Database>,
    Id(id): Id<RequestId>,
) -> Result<HttpResponse, ApiError> {
    let org = caller.org_id;
    let usecase::RequestToAnswer { request, custom } =
        db::read(&db, move |conn| usecase::request_to_answer(conn, org, id)).await?;
    let mut rows = vec![COLUMNS.iter().map(|c| (*c).to_owned()).collect::<Vec<_>>()];
    for item in &request.items {
        let (label_en, label_ko, dimension) = match metrics::find(&item.metric) {
            Some(m) => (
                m.label_en.to_owned(),
                m.label_ko.to_owned(),
                match m.kind {
                    metrics::ValueKind::Quantity { dimension, .. } => Some(dimension),
                    _ => None,
                },
            ),
            None => custom
                .iter()
                .find(|c| c.code == item.metric)
                .map(|c| {
                    (
                        c.label_en.clone(),
                        c.label_ko.clone(),
                        c.dimension.as_deref().and_then(metrics::Dimension::parse),
                    )
                })
                .unwrap_or_default(),
        };
        rows.push(vec![
            item.metric.clone(),
            label_en,
            label_ko,
            item.required.to_string(),
            dimension
                .map(|d| d.canonical_unit().to_owned())
                .unwrap_or_default(),
            dimension
                .map(|d| d.accepted_units().join(" "))
                .unwrap_or_default(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ]);
    }
    Ok(csv_response(
        &format!("request-{}.csv", request.id),
        write_csv(rows)?,
    ))
}

/// Import a filled answer template (CSV)
///
/// Every row is validated before any is applied: if one row is bad, nothing
/// is imported and each bad row is listed with its line number
/// (`lines[3].unit`). Rows with an empty `value` are skipped. Valid rows
/// are saved into the draft; submit it afterwards.
#[utoipa::path(
    tag = "answers",
    operation_id = "importAnswer",
    params(("id" = uuid::Uuid, Path, description = "The request's id")),
    request_body(description = "The filled template, UTF-8: as `text/csv`, or as bytes (`application/octet-stream`)",
        content((inline(FileBytes) = "text/csv"), (inline(FileBytes) = "application/octet-stream"))),
    security(("bearer" = []), ("oauth2" = ["responses:write"])),
    responses(
        (status = 200, description = "Imported into the draft", body = AnswerBody),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs the editor role or the responses:write scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request for you to answer", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Neither `text/csv` nor `application/octet-stream`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad rows, each listed by line; nothing imported", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/{id}/answer/import")]
#[tracing::instrument(skip_all)]
pub async fn import_answer(
    req: HttpRequest,
    Authorized(caller, ..): Authorized<need::WriteResponses>,
    db: web::Data<Database>,
    Id(id): Id<RequestId>,
    body: Bytes,
) -> Result<web::Json<AnswerBody>, ApiError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap_or("(not text)"));
    if !content_type
        .is_some_and(|c| c.starts_with("text/csv") || c.starts_with("application/octet-stream"))
    {
        return Err(ApiError::wrong_content_type(
            "`text/csv` or `application/octet-stream`",
            content_type,
        ));
    }
    let (bodies, lines) = parse_rows(&body)?;
    let entries = validate(&db, caller.org_id, id, bodies)
        .await
        .map_err(|error| match error {
            ApiError::Validation(errors) => ApiError::Validation(by_line(errors, &lines)),
            other => other,
        })?;
    Ok(web::Json(save_entries(&db, &caller, id, entries).await?))
}

#[derive(Debug, Deserialize)]
struct Row {
    item_code: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    obtained: String,
    #[serde(default)]
    method: String,
    #[serde(default)]
    comment: String,
}

/// The non-empty rows as entries, with the line number of each.
fn parse_rows(body: &[u8]) -> Result<(Vec<EntryInputBody>, Vec<u64>), ApiError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(body);
    let mut errors = ValidationErrors::new();
    let mut bodies = Vec::new();
    let mut lines = Vec::new();
    for (index, record) in reader.deserialize::<Row>().enumerate() {
        let line = u64::try_from(index).unwrap_or(u64::MAX) + 2;
        match record {
            Ok(row) if row.value.is_empty() => {}
            Ok(row)
                if [
                    &row.item_code,
                    &row.value,
                    &row.unit,
                    &row.obtained,
                    &row.method,
                    &row.comment,
                ]
                .iter()
                .any(|cell| cell.contains('\0')) =>
            {
                errors.push(FieldError::new(
                    format!("lines[{line}]"),
                    "invalid_characters",
                    format!("line {line}: cells must not contain NUL characters"),
                ));
            }
            Ok(row) => {
                let optional = |s: String| (!s.is_empty()).then_some(unguard(s));
                bodies.push(EntryInputBody {
                    metric: unguard(row.item_code),
                    value: Value::String(unguard(row.value)),
                    unit: optional(row.unit),
                    method: optional(row.method),
                    obtained: optional(row.obtained),
                    period: None,
                    comment: optional(row.comment),
                    evidence: Vec::new(),
                });
                lines.push(line);
            }
            Err(error) => errors.push(FieldError::new(
                format!("lines[{line}]"),
                "unreadable_row",
                error.to_string(),
            )),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    if bodies.is_empty() {
        return Err(ApiError::Validation(
            FieldError::new(
                "lines",
                "empty",
                "no row has a value; fill the `value` column",
            )
            .into(),
        ));
    }
    Ok((bodies, lines))
}

/// `entries[i].unit` → `lines[<line of row i>].unit`.
fn by_line(errors: ValidationErrors, lines: &[u64]) -> ValidationErrors {
    let mut mapped = ValidationErrors::new();
    for mut error in errors.into_errors() {
        if let Some(rest) = error.field.strip_prefix("entries[")
            && let Some((index, tail)) = rest.split_once(']')
            && let Some(line) = index.parse::<usize>().ok().and_then(|i| lines.get(i))
        {
            let column = match tail.trim_start_matches('.') {
                "metric" => "item_code",
                other => other,
            };
            error.field = format!("lines[{line}].{column}");
            error.message = format!("line {line}: {}", error.message);
        }
        mapped.push(error);
    }
    mapped
}

/// Export an answer (CSV)
///
/// A submitted revision as CSV: one row per entry, values exactly as
/// reported with their canonical conversion. For the supplier and the requester.
#[utoipa::path(
    tag = "answers",
    operation_id = "exportAnswer",
    params(("id" = uuid::Uuid, Path, description = "The request's id"), ExportQuery),
    security(("bearer" = []), ("oauth2" = ["responses:read"])),
    responses(
        (status = 200, description = "The revision as CSV, UTF-8", content((inline(FileBytes) = "text/csv")),
            headers(("Content-Disposition" = String, description = "`attachment; filename=\"answer-<id>-r<revision>.csv\"`"))),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request or revision for you", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/{id}/answer/export.csv")]
pub async fn export_answer(
    Authorized(caller, ..): Authorized<need::ReadResponses>,
    db: web::Data<Database>,
    Id(id): Id<RequestId>,
    QueryParams(query): QueryParams<ExportQuery>,
) -> Result<HttpResponse, ApiError> {
    let org = caller.org_id;
    let number = query
        .revision
        .map(|n| {
            RevisionNumber::new(n).ok_or_else(|| {
                ApiError::invalid_parameter(FieldError::new(
                    "revision",
                    "invalid_revision",
                    "a revision is a number from 1",
                ))
            })
        })
        .transpose()?;
    let (revision, entries) = db::read(&db, move |conn| {
        usecase::revision_or_latest(conn, org, id, number)
    })
    .await?;
    let mut rows = vec![
        [
            "item_code",
            "value",
            "unit",
            "canonical_value",
            "canonical_unit",
            "obtained",
            "method",
            "period_start",
            "period_end",
            "comment",
        ]
        .iter()
        .map(|c| (*c).to_owned())
        .collect::<Vec<_>>(),
    ];
    for e in entries {
        rows.push(vec![
            e.metric,
            e.value.unwrap_or_default(),
            e.unit.unwrap_or_default(),
            e.canonical_value.unwrap_or_default(),
            e.canonical_unit.unwrap_or_default(),
            e.obtained,
            e.method.unwrap_or_default(),
            e.period_start.to_string(),
            e.period_end.to_string(),
            e.comment.unwrap_or_default(),
        ]);
    }
    Ok(csv_response(
        &format!("answer-{id}-r{}.csv", revision.number),
        write_csv(rows)?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_like_cells_are_guarded_and_plain_numbers_are_not() {
        for (cell, written) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("-", "'-"),
            ("-5", "-5"),
            ("+1.25", "+1.25"),
            ("-.5", "-.5"),
            ("42", "42"),
            ("Scope 1 = all sites", "Scope 1 = all sites"),
            ("", ""),
        ] {
            assert_eq!(guard(cell.to_owned()), written, "{cell:?}");
            assert_eq!(unguard(written.to_owned()), cell, "{written:?}");
        }
        assert_eq!(unguard("'quoted".to_owned()), "'quoted");
    }
}
