//! The extractors that make an endpoint protected.
//!
//! [`Authenticated`] verifies the bearer token and re-reads the account's
//! current state (a disabled user or revoked client is refused at once; a
//! changed role applies at once). [`Authorized<P>`] additionally requires
//! the permission `P`, decided by the domain's rule book
//! ([`Caller::may`]). A handler without either is public, visibly.
//! [`AuthorizedRead<P>`] is `Authorized<P>` for the hot reads: the
//! account is checked in the same trip to the database as the read.
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
use tierlink_usecases::{Error, sessions};

use super::AuthState;
use super::tokens::Subject;
use crate::account_cache::{AccountCache, AccountKey, AccountState, Lookup};
use crate::auth::tokens::TokenError;
use crate::problem::ApiError;

/// What a 401 says of a token that was good but has expired.
pub const EXPIRED_TOKEN: &str = "the access token has expired";

/// What a 401 says of a good token whose account is no longer active.
const INACTIVE_ACCOUNT: &str = "the account is disabled or revoked";

/// A caller whose token is valid and whose account is active.
#[derive(Debug, Clone)]
pub struct Authenticated(pub Caller);

impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let verified = verify(req);
        Box::pin(async move {
            let Verified {
                db,
                subject,
                key,
                lookup,
            } = verified?;
            let state = match lookup.as_ref().and_then(|lookup| lookup.get(&key)) {
                Some(state) => state,
                None => crate::db::read(&db, move |conn| read_account(conn, key, lookup)).await?,
            };
            current_caller(subject, state)
                .map(Authenticated)
                .ok_or(ApiError::Unauthenticated(INACTIVE_ACCOUNT))
        })
    }
}

/// What is known of a request's caller before the database is asked: a
/// verified token, and a look into the account cache begun.
struct Verified {
    db: web::Data<Database>,
    subject: Subject,
    key: AccountKey,
    lookup: Option<Lookup>,
}

/// Verifies the bearer token (401 if missing, forged or expired) and takes
/// the cache's version: before the account is read, so the state read may
/// be kept under it.
fn verify(req: &HttpRequest) -> Result<Verified, ApiError> {
    let (Some(auth), Some(db)) = (
        req.app_data::<web::Data<AuthState>>(),
        req.app_data::<web::Data<Database>>().cloned(),
    ) else {
        return Err(ApiError::internal(
            "auth state or database missing from app data",
        ));
    };
    let token = bearer_token(req).ok_or(ApiError::Unauthenticated("a bearer token is required"))?;
    let subject = auth.tokens.verify(&token).map_err(|error| {
        tracing::info!(%error, "access token refused");
        match error {
            TokenError::Expired => ApiError::Unauthenticated(EXPIRED_TOKEN),
            _ => ApiError::Unauthenticated("the access token is invalid or expired"),
        }
    })?;
    let lookup = req
        .app_data::<web::Data<AccountCache>>()
        .and_then(|cache| cache.begin(&db));
    Ok(Verified {
        key: account_key(&subject),
        db,
        subject,
        lookup,
    })
}

/// [`Authorized<P>`] for the hot reads (a request, the list of incoming
/// requests): when the account cache does not know the account, its check
/// runs in the same trip to the database as the read ([`Self::read`]),
/// not in one of its own. The caller is only reachable through
/// [`Self::read`], after the check.
///
/// With the account unknown to the cache, the handler's own checks of its
/// input come first: a malformed parameter is a 400 even for a disabled
/// account, which then gets its 401 from the read.
pub struct AuthorizedRead<P> {
    db: web::Data<Database>,
    subject: Subject,
    key: AccountKey,
    /// The caller, already checked against the cached account.
    checked: Option<Caller>,
    lookup: Option<Lookup>,
    permission: PhantomData<P>,
}

impl<P> std::fmt::Debug for AuthorizedRead<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthorizedRead")
            .field("key", &self.key)
            .field("checked", &self.checked)
            .finish_non_exhaustive()
    }
}

impl<P: Requirement + 'static> FromRequest for AuthorizedRead<P> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(verify(req).and_then(|verified| {
            let checked = match verified.lookup.as_ref().and_then(|l| l.get(&verified.key)) {
                Some(state) => Some(authorize::<P>(verified.subject.clone(), state)?),
                None => None,
            };
            Ok(Self {
                db: verified.db,
                subject: verified.subject,
                key: verified.key,
                checked,
                lookup: verified.lookup,
                permission: PhantomData,
            })
        }))
    }
}

impl<P: Requirement + 'static> AuthorizedRead<P> {
    /// Runs `f` as the caller on the blocking pool, the account checked
    /// first in the same trip unless the cache knew it: 401 if it is
    /// disabled or revoked, 403 without permission `P`. A check made here
    /// and `f` are one [`Database::read_batch`]: on SQLite, one read
    /// transaction.
    pub async fn read<T, F>(self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut tierlink_persistence::DbConnection, Caller) -> Result<T, Error>
            + Send
            + 'static,
    {
        let Self {
            db,
            subject,
            key,
            checked,
            lookup,
            ..
        } = self;
        let outcome = match checked {
            Some(caller) => crate::db::read(&db, move |conn| f(conn, caller).map(Ok)).await?,
            None => {
                crate::db::read_batch(&db, move |conn| {
                    let state = read_account(conn, key, lookup)?;
                    match authorize::<P>(subject, state) {
                        Ok(caller) => f(conn, caller).map(Ok),
                        Err(refusal) => Ok(Err(refusal)),
                    }
                })
                .await?
            }
        };
        outcome.map_err(ApiError::from)
    }
}

/// Why a caller was refused, as it crosses back from the blocking pool.
#[derive(Debug)]
enum Refusal {
    Inactive,
    Forbidden(Permission),
}

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::Inactive => ApiError::Unauthenticated(INACTIVE_ACCOUNT),
            Refusal::Forbidden(permission) => ApiError::Forbidden(permission),
        }
    }
}

/// The caller of `subject` in account state `state`, if active and holding
/// permission `P`.
fn authorize<P: Requirement>(subject: Subject, state: AccountState) -> Result<Caller, Refusal> {
    let caller = current_caller(subject, state).ok_or(Refusal::Inactive)?;
    if caller.may(P::PERMISSION) {
        Ok(caller)
    } else {
        Err(Refusal::Forbidden(P::PERMISSION))
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

/// The account's standing as the database has it now, kept in the cache
/// under the version `lookup` took before this read.
fn read_account(
    conn: &mut tierlink_persistence::DbConnection,
    key: AccountKey,
    lookup: Option<Lookup>,
) -> Result<AccountState, Error> {
    let state = account_state(conn, key)?;
    if let Some(lookup) = lookup {
        lookup.keep(key, state.clone());
    }
    Ok(state)
}

/// The account's standing as the database has it now.
fn account_state(
    conn: &mut tierlink_persistence::DbConnection,
    key: AccountKey,
) -> Result<AccountState, Error> {
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
