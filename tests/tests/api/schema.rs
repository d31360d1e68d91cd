//! Both engines' migrations reach the same tables and columns.

use tierlink_persistence::schema_info::describe;
use tierlink_persistence::{Database, DatabaseUrl, PoolOptions};
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
