//! Both engines' migrations reach the same tables and columns, and those
//! that move data carry it over.

use diesel::connection::SimpleConnection;
use diesel::sql_types::{Bool, Integer, Nullable, Text};
use diesel::{QueryableByName, RunQueryDsl};
use tierlink_domain::requirements::RequirementItem;
use tierlink_persistence::schema_info::describe;
use tierlink_persistence::{
    Database, DatabaseUrl, DbConnection, PoolOptions, StoreError, migrations, request_items,
};
use tierlink_tests::{TEST_DATABASE_URL, TestDatabase};

fn migrated_schema(db: &TestDatabase) -> tierlink_persistence::schema_info::Schema {
    let url = DatabaseUrl::parse(&db.url()).expect("a valid URL");
    let database = Database::open(&url, PoolOptions::default()).expect("the database opens");
    database.migrate().expect("migrations apply");
    database.read(describe).expect("the schema is readable")
}

#[test]
fn sqlite_and_postgres_end_with_the_same_schema() {
    let Ok(admin_url) = std::env::var(TEST_DATABASE_URL) else {
        eprintln!("skipped: comparing engines needs PostgreSQL (set {TEST_DATABASE_URL})");
        return;
    };
    let postgres = TestDatabase::create_postgres(&admin_url);
    let sqlite = TestDatabase::Sqlite {
        dir: tempfile::tempdir().expect("a temporary directory"),
    };
    let from_postgres = migrated_schema(&postgres);
    let from_sqlite = migrated_schema(&sqlite);
    assert!(
        from_postgres.contains_key("organisations"),
        "{from_postgres:?}"
    );
    assert_eq!(from_sqlite, from_postgres);
}

#[test]
fn migrating_twice_applies_nothing_the_second_time() {
    let db = TestDatabase::create();
    let url = DatabaseUrl::parse(&db.url()).expect("a valid URL");
    let database = Database::open(&url, PoolOptions::default()).expect("the database opens");
    assert!(!database.migrate().expect("first run").is_empty());
    assert!(database.migrate().expect("second run").is_empty());
}

/// Runs `sql` (several statements) on either engine.
fn execute(conn: &mut DbConnection, sql: &str) {
    match conn {
        DbConnection::Postgres(c) => c.batch_execute(sql),
        DbConnection::Sqlite(c) => c.batch_execute(sql),
    }
    .unwrap_or_else(|error| panic!("{error}: {sql}"));
}

/// Loads `sql`'s rows on either engine.
fn load<T>(conn: &mut DbConnection, sql: &str) -> Vec<T>
where
    T: QueryableByName<diesel::pg::Pg> + QueryableByName<diesel::sqlite::Sqlite> + 'static,
{
    match conn {
        DbConnection::Postgres(c) => diesel::sql_query(sql).load(c),
        DbConnection::Sqlite(c) => diesel::sql_query(sql).load(c),
    }
    .unwrap_or_else(|error| panic!("{error}: {sql}"))
}

#[derive(Debug, PartialEq, QueryableByName)]
struct StoredItems {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Text)]
    items: String,
}

#[derive(Debug, PartialEq, QueryableByName)]
struct ItemRow {
    #[diesel(sql_type = Text)]
    request_id: String,
    #[diesel(sql_type = Integer)]
    position: i32,
    #[diesel(sql_type = Text)]
    metric_code: String,
    #[diesel(sql_type = Bool)]
    required: bool,
    #[diesel(sql_type = Nullable<Text>)]
    guidance: Option<String>,
    #[diesel(sql_type = Bool)]
    estimates_accepted: bool,
    #[diesel(sql_type = Nullable<Text>)]
    part_numbers: Option<String>,
}

const ITEM_ROWS: &str = "SELECT request_id, position, metric_code, required, guidance, \
     estimates_accepted, part_numbers FROM request_items ORDER BY request_id, position";

/// The migration that moved requests' items from their own table into the
/// request's row carries every item over, in order, and back when reverted.
#[test]
fn request_items_move_into_the_request_row_and_back() {
    let db = TestDatabase::create();
    let url = DatabaseUrl::parse(&db.url()).expect("a valid URL");
    let database = Database::open(&url, PoolOptions::default()).expect("the database opens");
    database
        .read(|conn| -> Result<(), StoreError> {
            migrations::run_up_to(conn, "2026-12-06-000011").expect("the earlier migrations");
            let at = "'2026-11-01 09:00:00'";
            execute(
                conn,
                &format!(
                    "INSERT INTO organisations (id, name, country, created_at, updated_at) VALUES \
                       ('o1', 'Large', 'KR', {at}, {at}), ('o2', 'Small', 'KR', {at}, {at});
                     INSERT INTO requirements (id, org_id, title, description, period_start, \
                       period_end, due_date, audience_all, cascade_depth, status, version, \
                       revision, created_by, created_at, updated_at, published_at) VALUES \
                       ('q1', 'o1', 'T', '', '2026-01-01', '2026-12-31', '2027-03-31', true, 2, \
                        'published', 1, 2, 'u', {at}, {at}, {at});
                     INSERT INTO requests (id, requirement_id, parent_request_id, \
                       requester_org_id, supplier_org_id, depth, title, message, period_start, \
                       period_end, due_date, status, decline_reason, requirement_version, \
                       revision, created_at, updated_at, draft_is_latest_revision) VALUES \
                       ('r1', 'q1', NULL, 'o1', 'o2', 1, 'T', '', '2026-01-01', '2026-12-31', \
                        '2027-03-31', 'open', NULL, 1, 1, {at}, {at}, false), \
                       ('r2', 'q1', NULL, 'o1', 'o1', 1, 'T', '', '2026-01-01', '2026-12-31', \
                        '2027-03-31', 'open', NULL, 1, 1, {at}, {at}, false);
                     INSERT INTO request_items (request_id, position, metric_code, required, \
                       guidance, estimates_accepted, part_numbers) VALUES \
                       ('r1', 1, 'ghg.scope2', false, NULL, true, '[\"P-1\",\"P-2\"]'), \
                       ('r1', 0, 'ghg.scope1', true, 'Say \"tCO2e\", 탄소 ''t''', false, NULL);"
                ),
            );
            let before: Vec<ItemRow> = load(conn, ITEM_ROWS);
            assert_eq!(before.len(), 2);

            migrations::run_pending(conn).expect("the migration applies");
            let stored: Vec<StoredItems> = load(conn, "SELECT id, items FROM requests ORDER BY id");
            let read: Vec<_> = stored
                .iter()
                .map(|row| request_items::from_db(&row.id, &row.items).expect("a list of items"))
                .collect();
            let item =
                |metric: &str, required, guidance: Option<&str>, estimates, parts: &[&str]| {
                    RequirementItem {
                        metric: metric.to_owned(),
                        required,
                        guidance: guidance.map(str::to_owned),
                        estimates_accepted: estimates,
                        part_numbers: parts.iter().map(|p| (*p).to_owned()).collect(),
                    }
                };
            assert_eq!(
                read,
                vec![
                    vec![
                        item(
                            "ghg.scope1",
                            true,
                            Some("Say \"tCO2e\", 탄소 't'"),
                            false,
                            &[]
                        ),
                        item("ghg.scope2", false, None, true, &["P-1", "P-2"]),
                    ],
                    vec![],
                ]
            );

            let reverted = migrations::revert_last(conn).expect("the migration reverts");
            assert!(
                reverted.replace('-', "").starts_with("20261206000012"),
                "{reverted}"
            );
            let after: Vec<ItemRow> = load(conn, ITEM_ROWS);
            let parts = |rows: &[ItemRow]| -> Vec<Option<serde_json::Value>> {
                rows.iter()
                    .map(|row| {
                        row.part_numbers
                            .as_deref()
                            .map(|p| serde_json::from_str(p).expect("part numbers as JSON"))
                    })
                    .collect()
            };
            assert_eq!(parts(&after), parts(&before));
            let without_parts = |rows: Vec<ItemRow>| -> Vec<ItemRow> {
                rows.into_iter()
                    .map(|row| ItemRow {
                        part_numbers: None,
                        ..row
                    })
                    .collect()
            };
            assert_eq!(without_parts(after), without_parts(before));
            Ok(())
        })
        .expect("the database answers");
}
