//! The extractors that make an endpoint protected.
//!
//! [`Authenticated`] verifies the bearer token and re-reads the account's
//! current state (a disabled user or revoked client is refused at once; a
//! changed role applies at once). [`Authorized<P>`] additionally requires
//! the permission `P`, decided by the domain's rule book
//! ([`Caller::may`]). A handler without either is public, visibly.
//!
//! The account's state comes from the [`AccountCache`] while nobody's
//! standing changed since it was read: a change through this server is
//! seen at once; one by another process within the cache's recheck time
//! (SQLite) or by another replica within the account watch's poll
//! (PostgreSQL, `LISTEN`/`NOTIFY`).

use std::marker::PhantomData;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use tierlink_domain::access::{Actor, Caller, Permission};
use tierlink_persistence::Database;
use tierlink_usecases::sessions;

use super::AuthState;
use super::tokens::Subject;
use crate::account_cache::{AccountCache, AccountKey, AccountState};
use crate::auth::tokens::TokenError;
use crate::problem::ApiError;

/// What a 401 says of a token that was good but has expired.
pub const EXPIRED_TOKEN: &str = "the access token has expired";

/// A caller whose token is valid and whose account is active.
#[derive(Debug, Clone)]
pub struct Authenticated(pub Caller);

impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = bearer_token(req);
        let auth = req.app_data::<web::Data<AuthState>>().cloned();
        let db = req.app_data::<web::Data<Database>>().cloned();
        let cache = req.app_data::<web::Data<AccountCache>>();
        // The version is taken before the account is read, so the state
        // read may be kept under it.
        let lookup = match (&token, &db, cache) {
            (Some(_), Some(db), Some(cache)) => cache.begin(db),
            _ => None,
        };
        Box::pin(async move {
            let (Some(auth), Some(db)) = (auth, db) else {
                return Err(ApiError::internal(
                    "auth state or database missing from app data",
                ));
            };
            let token = token.ok_or(ApiError::Unauthenticated("a bearer token is required"))?;
            let subject = auth.tokens.verify(&token).map_err(|error| {
                tracing::info!(%error, "access token refused");
                match error {
                    TokenError::Expired => ApiError::Unauthenticated(EXPIRED_TOKEN),
                    _ => ApiError::Unauthenticated("the access token is invalid or expired"),
                }
            })?;
            let key = account_key(&subject);
            let state = match lookup.as_ref().and_then(|lookup| lookup.get(&key)) {
                Some(state) => state,
                None => {
                    let state = crate::db::read(&db, move |conn| account_state(conn, key)).await?;
                    if let Some(lookup) = lookup {
                        lookup.keep(key, state.clone());
                    }
                    state
                }
            };
            current_caller(subject, state)
                .map(Authenticated)
                .ok_or(ApiError::Unauthenticated(
                    "the account is disabled or revoked",
                ))
        })
    }
}

fn account_key(subject: &Subject) -> AccountKey {
    match subject {
        Subject::User { org_id, id } => AccountKey::User {
            org: *org_id,
            id: *id,
        },
        Subject::Client { org_id, id, .. } => AccountKey::Client {
            org: *org_id,
            id: *id,
        },
    }
}

/// The account's standing as the database has it now.
fn account_state(
    conn: &mut tierlink_persistence::DbConnection,
    key: AccountKey,
) -> Result<AccountState, tierlink_usecases::Error> {
    Ok(match key {
        AccountKey::User { org, id } => AccountState::User(sessions::active_role(conn, org, id)?),
        AccountKey::Client { org, id } => {
            AccountState::Client(sessions::active_scopes(conn, org, id)?)
        }
    })
}

/// The caller, or `None` if the account is gone, disabled or revoked, or a
/// client's token claims scopes it no longer holds.
fn current_caller(subject: Subject, state: AccountState) -> Option<Caller> {
    match (subject, state) {
        (Subject::User { org_id, id }, AccountState::User(role)) => role.map(|role| Caller {
            org_id,
            actor: Actor::User { id, role },
        }),
        (Subject::Client { org_id, id, scopes }, AccountState::Client(granted)) => granted
            .filter(|granted| scopes.is_subset_of(granted))
            .map(|_| Caller {
                org_id,
                actor: Actor::Client { id, scopes },
            }),
        _ => None,
    }
}

fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty())
        .then(|| token.trim().to_owned())
}

/// A permission an endpoint requires, as a type: `Authorized<need::ManageUsers>`.
pub trait Requirement {
    const PERMISSION: Permission;
}

/// The permissions, as types for [`Authorized`].
pub mod need {
    use super::{Permission, Requirement};

    macro_rules! requirement {
        ($($name:ident),* $(,)?) => {$(
            #[derive(Debug)]
            pub struct $name;
            impl Requirement for $name {
                const PERMISSION: Permission = Permission::$name;
            }
        )*};
    }

    requirement!(
        ReadOrganisation,
        ManageUsers,
        ManageClients,
        ReadAudit,
        ManageNetwork,
        ReadRequirements,
        WriteRequirements,
        ReadResponses,
        WriteResponses,
        ListFootprints,
        ReadFootprints,
    );
}

/// An authenticated caller holding permission `P`; 403 otherwise.
#[derive(Debug)]
pub struct Authorized<P>(pub Caller, pub PhantomData<P>);

impl<P: Requirement + 'static> FromRequest for Authorized<P> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let authenticated = Authenticated::from_request(req, payload);
        Box::pin(async move {
            let Authenticated(caller) = authenticated.await?;
            if caller.may(P::PERMISSION) {
                Ok(Self(caller, PhantomData))
            } else {
                Err(ApiError::Forbidden(P::PERMISSION))
            }
        })
    }
}
