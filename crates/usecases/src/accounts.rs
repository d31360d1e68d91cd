//! Organisations signing up: the organisation, its first admin and, with
//! an invitation code, its first customer, in one transaction.

use tierlink_domain::access::Role;
use tierlink_domain::identity::{DisplayName, Email};
use tierlink_domain::organisation::{NewOrganisation, Organisation};
use tierlink_persistence::users::{self, NewUser, User};
use tierlink_persistence::{DbConnection, organisations};

use crate::error::Error;
use crate::network;

/// The first admin of a new organisation.
#[derive(Debug)]
pub struct FirstAdmin<'a> {
    pub email: &'a Email,
    pub display_name: &'a DisplayName,
    pub password_hash: String,
}

/// Whether `organisation`'s identifiers and the admin's `email` are all
/// free: a duplicate names the first taken, as [`sign_up`] would. A cheap
/// check before the password is hashed; [`sign_up`] checks again.
pub fn check_free(
    conn: &mut DbConnection,
    organisation: &NewOrganisation,
    email: &Email,
) -> Result<(), Error> {
    organisations::check_identifiers_free(conn, organisation)
        .map_err(|e| e.under("organisation"))?;
    users::check_email_free(conn, email).map_err(|e| e.under("admin"))?;
    Ok(())
}

/// Signs an organisation up with its first admin; with the digest of an
/// invitation code, accepts that invitation for it (a refusal names
/// `invitation_code`). Lock: the network's, when an invitation is accepted.
pub fn sign_up(
    tx: &mut DbConnection,
    organisation: &NewOrganisation,
    invitation_code_hash: Option<&str>,
    admin: FirstAdmin<'_>,
) -> Result<(Organisation, User), Error> {
    let organisation =
        organisations::insert(tx, organisation).map_err(|e| e.under("organisation"))?;
    let admin = users::insert(
        tx,
        NewUser {
            org_id: organisation.id,
            email: admin.email,
            display_name: admin.display_name,
            role: Role::Admin,
            password_hash: admin.password_hash,
        },
    )
    .map_err(|e| e.under("admin"))?;
    if let Some(code_hash) = invitation_code_hash {
        let by = format!("user:{}", admin.id);
        network::accept_invitation(tx, organisation.id, &by, code_hash).map_err(
            |error| match error {
                Error::Rejected(mut rejection) => {
                    rejection.field = Some("invitation_code".to_owned());
                    Error::Rejected(rejection)
                }
                other => other,
            },
        )?;
    }
    Ok((organisation, admin))
}
