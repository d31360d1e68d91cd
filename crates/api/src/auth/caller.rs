//! The extractors that make an endpoint protected.
//!
//! [`Authenticated`] verifies the bearer token and re-reads the account's
//! current state (a disabled user or revoked client is refused at once; a
//! changed role applies at once). [`Authorized<P>`] additionally requires
//! the permission `P`, decided by the domain's rule book
//! ([`Caller::may`]). A handler without either is public, visibly.

use std::marker::PhantomData;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use tierlink_domain::access::{Actor, Caller, Permission};
use tierlink_persistence::{Database, api_clients, users};

use super::AuthState;
use super::tokens::Subject;
use crate::problem::ApiError;

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
        Box::pin(async move {
            let (Some(auth), Some(db)) = (auth, db) else {
                return Err(ApiError::internal(
                    "auth state or database missing from app data",
                ));
            };
            let token = token.ok_or(ApiError::Unauthenticated("a bearer token is required"))?;
            let subject = auth.tokens.verify(&token).map_err(|error| {
                tracing::info!(%error, "access token refused");
                ApiError::Unauthenticated("the access token is invalid or expired")
            })?;
            let caller = crate::db::read(&db, move |conn| current_caller(conn, subject)).await?;
            caller.map(Authenticated).ok_or(ApiError::Unauthenticated(
                "the account is disabled or revoked",
            ))
        })
    }
}

/// The caller as the database sees it now, or `None` if the account is
/// gone, disabled or revoked.
fn current_caller(
    conn: &mut tierlink_persistence::DbConnection,
    subject: Subject,
) -> Result<Option<Caller>, tierlink_persistence::StoreError> {
    Ok(match subject {
        Subject::User { org_id, id } => users::active_role(conn, org_id, id)?.map(|role| Caller {
            org_id,
            actor: Actor::User { id, role },
        }),
        Subject::Client { org_id, id, scopes } => api_clients::active_scopes(conn, org_id, id)?
            .filter(|granted| scopes.is_subset_of(granted))
            .map(|_| Caller {
                org_id,
                actor: Actor::Client { id, scopes },
            }),
    })
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
        ManageNetwork,
        ReadRequirements,
        WriteRequirements,
        ReadResponses,
        WriteResponses,
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
