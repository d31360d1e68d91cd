//! Access tokens: short-lived JWTs (RFC 9068 profile) signed with EdDSA.
//!
//! Claims: `iss`, `aud`, `sub` (`user:<id>` or `client:<id>`), `org`, `role`
//! (people) or `scope` (machine clients), `iat`, `nbf`, `exp`, `jti`. The
//! verifier accepts only EdDSA with one of our `kid`s, so `alg: none`, HMAC
//! tokens keyed with a public key and tokens from other issuers all fail.

use std::time::Duration;

use chrono::Utc;
use jsonwebtoken::{Algorithm, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tierlink_domain::access::{Actor, Caller, Role, Scopes};
use tierlink_domain::ids::{ClientId, OrgId, UserId};

use super::keys::KeyRing;

/// The claims of an access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    pub sub: String,
    pub org: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub jti: String,
}

/// Who a verified token speaks for, before the account's current state is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    User {
        org_id: OrgId,
        id: UserId,
    },
    Client {
        org_id: OrgId,
        id: ClientId,
        scopes: Scopes,
    },
}

/// Why a token was refused. Details go to the log, never to the client.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("malformed token or header")]
    Malformed,
    #[error("the token has expired")]
    Expired,
    #[error("the token was not signed with one of our keys")]
    UnknownKey,
    #[error("token rejected: {0}")]
    Rejected(String),
    #[error("the token's subject is not valid")]
    BadSubject,
}

/// An access token as handed to a client.
#[derive(Debug)]
pub struct IssuedToken {
    pub token: String,
    pub expires_in: u64,
}

/// Issues and verifies access tokens.
#[derive(Debug)]
pub struct TokenIssuer {
    keys: KeyRing,
    issuer: String,
    audience: String,
    lifetime: Duration,
    verified: VerifiedTokens,
}

/// Seconds of clock skew allowed on `nbf` and `exp`.
const LEEWAY_SECS: i64 = 30;

/// How many verified tokens are remembered (about 150 bytes each).
const VERIFIED_TOKENS: usize = 20_000;

/// Tokens whose signature and claims were already checked, by the SHA-256
/// of their text, with their validity window. A token is the same bytes for
/// its whole life, so the signature needs checking once; its times are
/// checked on every use. Keying by digest means a lookup compares digests,
/// never token text, so its timing says nothing about stored tokens.
struct VerifiedTokens(quick_cache::sync::Cache<[u8; 32], Verified>);

impl std::fmt::Debug for VerifiedTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifiedTokens").finish_non_exhaustive()
    }
}

#[derive(Clone)]
struct Verified {
    subject: Subject,
    nbf: i64,
    exp: i64,
}

impl Verified {
    /// The same window `jsonwebtoken` enforces, with the same leeway.
    fn is_current(&self, now: i64) -> bool {
        self.nbf <= now + LEEWAY_SECS && now - LEEWAY_SECS <= self.exp
    }
}

impl TokenIssuer {
    pub fn new(keys: KeyRing, issuer: String, audience: String, lifetime: Duration) -> Self {
        Self {
            keys,
            issuer,
            audience,
            lifetime,
            verified: VerifiedTokens(quick_cache::sync::Cache::new(VERIFIED_TOKENS)),
        }
    }

    pub fn keys(&self) -> &KeyRing {
        &self.keys
    }

    /// The claims a token for `caller` carries, valid from now.
    pub fn claims_for(&self, caller: &Caller) -> Claims {
        let now = Utc::now().timestamp();
        let (sub, role, scope) = match &caller.actor {
            Actor::User { id, role } => {
                (format!("user:{id}"), Some(role.as_str().to_owned()), None)
            }
            Actor::Client { id, scopes } => {
                (format!("client:{id}"), None, Some(scopes.to_string()))
            }
        };
        Claims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            sub,
            org: caller.org_id.to_string(),
            role,
            scope,
            iat: now,
            nbf: now,
            exp: now + i64::try_from(self.lifetime.as_secs()).unwrap_or(900),
            jti: uuid::Uuid::new_v4().to_string(),
        }
    }

    pub fn issue(&self, caller: &Caller) -> Result<IssuedToken, String> {
        let token = self.sign(&self.claims_for(caller))?;
        Ok(IssuedToken {
            token,
            expires_in: self.lifetime.as_secs(),
        })
    }

    /// Signs any claims with the current key (tests use this to forge
    /// expired or misaddressed tokens).
    pub fn sign(&self, claims: &Claims) -> Result<String, String> {
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.keys.signing_kid().to_owned());
        header.typ = Some("at+jwt".to_owned());
        jsonwebtoken::encode(&header, claims, self.keys.encoding_key())
            .map_err(|error| error.to_string())
    }

    /// Checks signature, algorithm, issuer, audience and validity times.
    /// A token verified before is recognised by its digest and only its
    /// times are checked again.
    pub fn verify(&self, token: &str) -> Result<Subject, TokenError> {
        let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let now = Utc::now().timestamp();
        if let Some(known) = self.verified.0.get(&digest)
            && known.is_current(now)
        {
            return Ok(known.subject);
        }
        let verified = self.verify_fully(token)?;
        let subject = verified.subject.clone();
        self.verified.0.insert(digest, verified);
        Ok(subject)
    }

    fn verify_fully(&self, token: &str) -> Result<Verified, TokenError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Malformed)?;
        if header.alg != Algorithm::EdDSA {
            return Err(TokenError::Rejected(format!(
                "algorithm {:?} is not accepted",
                header.alg
            )));
        }
        let key = header
            .kid
            .as_deref()
            .and_then(|kid| self.keys.decoding_key(kid))
            .ok_or(TokenError::UnknownKey)?;
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECS.unsigned_abs();
        let data =
            jsonwebtoken::decode::<Claims>(token, key, &validation).map_err(|error| match error
                .kind()
            {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => TokenError::Expired,
                _ => TokenError::Rejected(error.to_string()),
            })?;
        Ok(Verified {
            subject: subject(&data.claims)?,
            nbf: data.claims.nbf,
            exp: data.claims.exp,
        })
    }
}

fn subject(claims: &Claims) -> Result<Subject, TokenError> {
    let org_id: OrgId = claims.org.parse().map_err(|_| TokenError::BadSubject)?;
    match claims.sub.split_once(':') {
        Some(("user", id)) => {
            // The role is re-read from the database on every request; the
            // claim is informative, but must still be a known role.
            if let Some(role) = &claims.role {
                Role::parse(role).map_err(|_| TokenError::BadSubject)?;
            }
            Ok(Subject::User {
                org_id,
                id: id.parse().map_err(|_| TokenError::BadSubject)?,
            })
        }
        Some(("client", id)) => Ok(Subject::Client {
            org_id,
            id: id.parse().map_err(|_| TokenError::BadSubject)?,
            scopes: Scopes::parse_spaced("scope", claims.scope.as_deref().unwrap_or_default())
                .map_err(|_| TokenError::BadSubject)?,
        }),
        _ => Err(TokenError::BadSubject),
    }
}
