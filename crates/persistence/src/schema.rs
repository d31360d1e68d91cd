//! Diesel's view of the tables, shared by both engines. Keep it in step with
//! `migrations/postgres` and `migrations/sqlite`.

diesel::table! {
    organisations (id) {
        id -> Text,
        name -> Text,
        country -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    organisation_identifiers (org_id, position) {
        org_id -> Text,
        position -> Integer,
        scheme -> Text,
        issuer -> Text,
        value -> Text,
    }
}

diesel::joinable!(organisation_identifiers -> organisations (org_id));
diesel::allow_tables_to_appear_in_same_query!(organisations, organisation_identifiers);
