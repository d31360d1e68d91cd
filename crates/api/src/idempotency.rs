//! `Idempotency-Key` on create requests: the first answer for a key is
//! stored (in the same transaction as what it created) and replayed to
//! retries with the same body; the same key with another body is refused.

use actix_web::dev::Payload;
use actix_web::http::{StatusCode, header};
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse};
use futures_util::future::{Ready, ready};
use serde::Serialize;
use sha2::{Digest, Sha256};
use tierlink_domain::FieldError;
use tierlink_domain::ids::OrgId;
use tierlink_persistence::idempotency::{self, StoredResponse};
use tierlink_persistence::{Database, DbConnection, StoreError};

use crate::db;
use crate::problem::ApiError;

pub const HEADER: &str = "Idempotency-Key";
/// The header a replayed answer carries (`true`).
pub const REPLAYED: &str = "Idempotent-Replayed";

/// The SHA-256 of a request body, left in the request's extensions by
/// [`crate::extract::JsonBody`].
#[derive(Debug, Clone)]
pub struct BodyDigest(pub String);

pub fn digest(body: &[u8]) -> String {
    hex::encode(Sha256::digest(body))
}

/// A create request's idempotency key. Its fingerprint (method, path and
/// body digest) is taken when [`create_once`] runs, after the body was read.
#[derive(Debug, Clone, Default)]
pub struct IdempotencyKey(Option<(String, Option<HttpRequest>)>);

impl IdempotencyKey {
    fn fingerprint(&self) -> Option<(String, String)> {
        let (key, req) = self.0.as_ref()?;
        let req = req.as_ref()?;
        let body = req
            .extensions()
            .get::<BodyDigest>()
            .map(|d| d.0.clone())
            .unwrap_or_default();
        let fingerprint = digest(format!("{} {}\n{body}", req.method(), req.path()).as_bytes());
        Some((key.clone(), fingerprint))
    }
}

impl FromRequest for IdempotencyKey {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let Some(value) = req.headers().get(HEADER) else {
            return ready(Ok(Self(None)));
        };
        let key = value
            .to_str()
            .ok()
            .map(str::trim)
            .filter(|k| (1..=255).contains(&k.len()));
        let Some(key) = key else {
            return ready(Err(ApiError::invalid_parameter(FieldError::new(
                HEADER,
                "invalid_value",
                "an idempotency key is 1 to 255 visible ASCII characters (a UUID is a good choice)",
            ))));
        };
        ready(Ok(Self(Some((key.to_owned(), Some(req.clone()))))))
    }
}

/// What a create produced: the body, and the `Location` and `ETag` to send.
#[derive(Debug)]
pub struct Created<T> {
    /// The status to answer with, when not the create's usual one.
    pub status: Option<StatusCode>,
    pub body: T,
    pub location: Option<String>,
    pub etag: Option<String>,
}

/// What a keyed create's transaction found or did.
enum Outcome {
    /// It created, and stored this answer with the key.
    Created(StoredResponse),
    /// The key had an answer already.
    Stored(StoredResponse),
}

/// Why a keyed create's transaction rolled back.
enum Failed {
    /// Another request with the same key committed first: this one's claim
    /// failed, and the stored answer is read after the rollback.
    Raced,
    UseCase(tierlink_usecases::Error),
}

impl From<StoreError> for Failed {
    fn from(error: StoreError) -> Self {
        Self::UseCase(error.into())
    }
}

impl From<tierlink_persistence::DieselError> for Failed {
    fn from(error: tierlink_persistence::DieselError) -> Self {
        Self::UseCase(error.into())
    }
}

/// Runs `create` once per key, in one transaction that first claims the
/// key ([`idempotency::claim`]), then creates, then stores the answer with
/// the key. A retry with the same key and body gets the stored answer
/// (with `Idempotent-Replayed: true`), also while the first is still
/// running: it waits for the claim and replays what committed.
pub async fn create_once<T, F>(
    db: &Database,
    org: OrgId,
    key: IdempotencyKey,
    status: StatusCode,
    create: F,
) -> Result<HttpResponse, ApiError>
where
    T: Serialize,
    F: FnOnce(&mut DbConnection) -> Result<Created<T>, tierlink_usecases::Error> + Send + 'static,
{
    let key = key.fingerprint();
    let claimed = key.clone();
    let attempt = db::transaction(db, move |tx| -> Result<Outcome, Failed> {
        if let Some((key, fingerprint)) = &claimed {
            if let Some(stored) = idempotency::find(tx, org, key)? {
                return Ok(Outcome::Stored(stored));
            }
            match idempotency::claim(tx, org, key, fingerprint) {
                Ok(()) => {}
                Err(StoreError::Duplicate { .. }) => return Err(Failed::Raced),
                Err(other) => return Err(other.into()),
            }
        }
        let created = create(tx).map_err(Failed::UseCase)?;
        let body = serde_json::to_string(&created.body)
            .map_err(|e| StoreError::Corrupt(format!("serialising a response: {e}")))?;
        let stored = StoredResponse {
            fingerprint: claimed.as_ref().map(|(_, f)| f.clone()).unwrap_or_default(),
            status: i32::from(created.status.unwrap_or(status).as_u16()),
            location: created.location,
            etag: created.etag,
            body,
        };
        if let Some((key, _)) = &claimed {
            idempotency::complete(tx, org, key, &stored)?;
        }
        Ok(Outcome::Created(stored))
    })
    .await?;
    let stored = match attempt {
        Ok(Outcome::Created(stored)) => return Ok(respond(&stored, false)),
        Ok(Outcome::Stored(stored)) => stored,
        Err(Failed::Raced) => {
            let Some((key, _)) = key.clone() else {
                return Err(ApiError::internal("an idempotency race without a key"));
            };
            db::read(db, move |conn| Ok(idempotency::find(conn, org, &key)?))
                .await?
                .ok_or(ApiError::Busy)?
        }
        Err(Failed::UseCase(error)) => return Err(error.into()),
    };
    replay(&stored, key.map(|(_, fingerprint)| fingerprint).as_deref())
}

/// The stored answer again, if it was given to the same request
/// (`fingerprint`); 409 `idempotency_key_reused` otherwise.
fn replay(stored: &StoredResponse, fingerprint: Option<&str>) -> Result<HttpResponse, ApiError> {
    if fingerprint.is_some_and(|fingerprint| stored.fingerprint != fingerprint) {
        return Err(ApiError::Conflict {
            code: "idempotency_key_reused",
            field: Some(HEADER.to_owned()),
            message: "this Idempotency-Key was used for a different request; use a new key"
                .to_owned(),
        });
    }
    Ok(respond(stored, true))
}

/// The answer already stored for this request's key, replayed (or the
/// 409 for a reused key), before a create does its slow work: a sign-up
/// retried with its key is answered without hashing the password again,
/// and without the checks made before hashing (which would find the
/// e-mail address taken — by the first attempt). `None` without a key or
/// a stored answer: go on with [`create_once`], which still replays a
/// concurrent first attempt.
pub async fn replay_stored(
    db: &Database,
    org: OrgId,
    key: &IdempotencyKey,
) -> Result<Option<HttpResponse>, ApiError> {
    let Some((key, fingerprint)) = key.fingerprint() else {
        return Ok(None);
    };
    let stored = db::read(db, move |conn| Ok(idempotency::find(conn, org, &key)?)).await?;
    stored
        .map(|stored| replay(&stored, Some(&fingerprint)))
        .transpose()
}

fn respond(stored: &StoredResponse, replayed: bool) -> HttpResponse {
    let status = u16::try_from(stored.status)
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::OK);
    let mut response = HttpResponse::build(status);
    response.content_type("application/json");
    // A create's answer is tenant data (a client's secret, even): never cached.
    response.insert_header((header::CACHE_CONTROL, "no-store"));
    if let Some(location) = &stored.location {
        response.insert_header((header::LOCATION, location.clone()));
    }
    if let Some(etag) = &stored.etag {
        response.insert_header((header::ETAG, etag.clone()));
    }
    if replayed {
        response.insert_header((REPLAYED, "true"));
    }
    response.body(stored.body.clone())
}
