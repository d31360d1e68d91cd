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

diesel::table! {
    users (id) {
        id -> Text,
        org_id -> Text,
        email -> Text,
        email_normalised -> Text,
        display_name -> Text,
        role -> Text,
        password_hash -> Text,
        disabled_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    api_clients (id) {
        id -> Text,
        org_id -> Text,
        name -> Text,
        scopes -> Text,
        secret_hash -> Text,
        secret_rotated_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Text,
        family_id -> Text,
        user_id -> Text,
        token_hash -> Text,
        expires_at -> Timestamp,
        created_at -> Timestamp,
        replaced_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(users -> organisations (org_id));
diesel::joinable!(api_clients -> organisations (org_id));
diesel::joinable!(refresh_tokens -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(
    organisations,
    organisation_identifiers,
    users,
    api_clients,
    refresh_tokens
);
