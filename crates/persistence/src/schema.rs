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

diesel::table! {
    invitations (id) {
        id -> Text,
        buyer_org_id -> Text,
        email -> Text,
        business_number -> Nullable<Text>,
        code_hash -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        accepted_at -> Nullable<Timestamp>,
        accepted_by_org_id -> Nullable<Text>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    supplier_links (id) {
        id -> Text,
        buyer_org_id -> Text,
        supplier_org_id -> Text,
        active -> Bool,
        disclose_suppliers -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        ended_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    custom_metrics (id) {
        id -> Text,
        org_id -> Text,
        code -> Text,
        label_en -> Text,
        label_ko -> Text,
        kind -> Text,
        dimension -> Nullable<Text>,
        guidance -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    requirements (id) {
        id -> Text,
        org_id -> Text,
        title -> Text,
        description -> Text,
        period_start -> Date,
        period_end -> Date,
        due_date -> Date,
        audience_all -> Bool,
        cascade_depth -> Integer,
        status -> Text,
        version -> Integer,
        revision -> Integer,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        published_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    requirement_items (requirement_id, position) {
        requirement_id -> Text,
        position -> Integer,
        metric_code -> Text,
        required -> Bool,
        guidance -> Nullable<Text>,
        estimates_accepted -> Bool,
        part_numbers -> Nullable<Text>,
    }
}

diesel::table! {
    requirement_audience (requirement_id, supplier_org_id) {
        requirement_id -> Text,
        supplier_org_id -> Text,
    }
}

diesel::table! {
    requirement_versions (requirement_id, version) {
        requirement_id -> Text,
        version -> Integer,
        changes -> Text,
        note -> Text,
        amended_by -> Text,
        amended_at -> Timestamp,
    }
}

diesel::table! {
    requests (id) {
        id -> Text,
        requirement_id -> Text,
        parent_request_id -> Nullable<Text>,
        requester_org_id -> Text,
        supplier_org_id -> Text,
        depth -> Integer,
        title -> Text,
        message -> Text,
        period_start -> Date,
        period_end -> Date,
        due_date -> Date,
        status -> Text,
        decline_reason -> Nullable<Text>,
        requirement_version -> Integer,
        revision -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        draft_is_latest_revision -> Bool,
        items -> Text,
    }
}

diesel::table! {
    idempotency_keys (org_id, idempotency_key) {
        org_id -> Text,
        idempotency_key -> Text,
        fingerprint -> Text,
        status -> Integer,
        location -> Nullable<Text>,
        etag -> Nullable<Text>,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    answer_drafts (request_id, metric_code) {
        request_id -> Text,
        metric_code -> Text,
        value_text -> Nullable<Text>,
        unit -> Nullable<Text>,
        canonical_value -> Nullable<Text>,
        canonical_unit -> Nullable<Text>,
        method -> Nullable<Text>,
        obtained -> Text,
        period_start -> Date,
        period_end -> Date,
        comment -> Nullable<Text>,
        evidence -> Text,
        source -> Nullable<Text>,
        updated_by -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    answer_revisions (request_id, revision) {
        request_id -> Text,
        revision -> Integer,
        status -> Text,
        share_upstream -> Bool,
        submitted_by -> Text,
        submitted_at -> Timestamp,
        reviewed_by -> Nullable<Text>,
        reviewed_at -> Nullable<Timestamp>,
        review_comment -> Nullable<Text>,
    }
}

diesel::table! {
    answer_revision_entries (request_id, revision, metric_code) {
        request_id -> Text,
        revision -> Integer,
        metric_code -> Text,
        value_text -> Nullable<Text>,
        unit -> Nullable<Text>,
        canonical_value -> Nullable<Text>,
        canonical_unit -> Nullable<Text>,
        method -> Nullable<Text>,
        obtained -> Text,
        period_start -> Date,
        period_end -> Date,
        comment -> Nullable<Text>,
        evidence -> Text,
        source -> Nullable<Text>,
        review_comment -> Nullable<Text>,
    }
}

diesel::table! {
    answer_attachments (request_id, child_request_id) {
        request_id -> Text,
        child_request_id -> Text,
        attached_by -> Text,
        attached_at -> Timestamp,
    }
}

diesel::table! {
    evidence_files (id) {
        id -> Text,
        org_id -> Text,
        request_id -> Text,
        file_name -> Text,
        media_type -> Text,
        size_bytes -> BigInt,
        sha256 -> Text,
        storage_key -> Text,
        uploaded_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    events (seq) {
        seq -> BigInt,
        event_id -> Text,
        org_id -> Text,
        event_type -> Text,
        resource_type -> Text,
        resource_id -> Text,
        actor -> Text,
        payload -> Text,
        occurred_at -> Timestamp,
        actor_org_id -> Nullable<Text>,
        request_id -> Nullable<Text>,
    }
}

diesel::table! {
    webhook_endpoints (id) {
        id -> Text,
        org_id -> Text,
        url -> Text,
        description -> Text,
        event_types -> Text,
        enabled -> Bool,
        secret -> Text,
        previous_secret -> Nullable<Text>,
        previous_secret_until -> Nullable<Timestamp>,
        disabled_reason -> Nullable<Text>,
        failing_since -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        kind -> Text,
        token_url -> Nullable<Text>,
        client_id -> Nullable<Text>,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Text,
        endpoint_id -> Text,
        org_id -> Text,
        event_id -> Text,
        event_type -> Text,
        body -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        last_attempt_at -> Nullable<Timestamp>,
        response_status -> Nullable<Integer>,
        error -> Nullable<Text>,
        duration_ms -> Nullable<Integer>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(webhook_deliveries -> webhook_endpoints (endpoint_id));

diesel::table! {
    reminders_sent (request_id, kind, due_date) {
        request_id -> Text,
        kind -> Text,
        due_date -> Date,
        sent_at -> Timestamp,
    }
}

diesel::table! {
    products (id) {
        id -> Text,
        org_id -> Text,
        code -> Text,
        name -> Text,
        description -> Text,
        cpc_code -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    product_customer_parts (product_id, customer_org_id) {
        product_id -> Text,
        supplier_org_id -> Text,
        customer_org_id -> Text,
        part_number -> Text,
    }
}

diesel::joinable!(product_customer_parts -> products (product_id));

diesel::table! {
    footprint_drafts (request_id, product_id) {
        request_id -> Text,
        product_id -> Text,
        footprint -> Text,
        comment -> Nullable<Text>,
        valid_from -> Nullable<Timestamp>,
        valid_until -> Nullable<Timestamp>,
        updated_by -> Text,
        updated_at -> Timestamp,
        precursors -> Nullable<Text>,
    }
}

diesel::table! {
    footprint_shares (footprint_id, org_id) {
        footprint_id -> Text,
        org_id -> Text,
    }
}

diesel::table! {
    product_footprints (id) {
        id -> Text,
        owner_org_id -> Text,
        recipient_org_id -> Text,
        request_id -> Text,
        product_id -> Text,
        status -> Text,
        preceding_id -> Nullable<Text>,
        created_at -> Timestamp,
        valid_from -> Timestamp,
        valid_until -> Timestamp,
        geography -> Nullable<Text>,
        document -> Text,
    }
}

diesel::table! {
    product_footprint_urns (footprint_id, kind, urn) {
        footprint_id -> Text,
        kind -> Text,
        urn -> Text,
    }
}

diesel::table! {
    revision_footprints (request_id, revision, product_id) {
        request_id -> Text,
        revision -> Integer,
        product_id -> Text,
        footprint_id -> Text,
    }
}

diesel::table! {
    pact_requests (id) {
        id -> Text,
        org_id -> Text,
        requirement_id -> Text,
        host_id -> Text,
        request_event_id -> Text,
        our_source -> Text,
        criteria -> Text,
        created_at -> Timestamp,
        answered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    pact_events_received (org_id, source, event_id) {
        org_id -> Text,
        source -> Text,
        event_id -> Text,
        received_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    webhook_endpoints,
    webhook_deliveries,
    organisations,
    organisation_identifiers,
    users,
    api_clients,
    refresh_tokens,
    invitations,
    supplier_links,
    custom_metrics,
    requirements,
    requirement_items,
    requirement_audience,
    requirement_versions,
    requests,
    idempotency_keys,
    answer_drafts,
    answer_revisions,
    answer_revision_entries,
    answer_attachments,
    evidence_files,
    events,
    reminders_sent,
    products,
    product_customer_parts,
    footprint_drafts,
    product_footprints,
    product_footprint_urns,
    revision_footprints,
    pact_requests,
    pact_events_received,
    footprint_shares,
);
