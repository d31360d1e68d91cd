//! Operator commands (`tierlink admin …`): create an organisation with its
//! first admin when open sign-up is off, and reset a forgotten password.
//! They talk to the database directly; no server needs to run.

use std::io::BufRead as _;

use tierlink_domain::identifiers::IdentifierScheme;
use tierlink_domain::identity::{DisplayName, Email, Password};
use tierlink_domain::organisation::{IdentifierInput, NewOrganisation};
use tierlink_persistence::Database;
use tierlink_usecases::accounts::{self, FirstAdmin};
use tierlink_usecases::sessions;

use crate::auth::password::PasswordHasher;
use crate::auth::secrets;
use crate::config::Settings;

/// What `tierlink admin create-org` needs.
#[derive(Debug)]
pub struct CreateOrg {
    pub name: String,
    pub country: String,
    /// `scheme=value`, e.g. `kr_brn=124-81-00998`.
    pub identifiers: Vec<String>,
    pub admin_email: String,
    pub admin_name: String,
    pub password_stdin: bool,
}

/// Creates the organisation and its admin; returns a line to print.
pub fn create_org(settings: &Settings, command: &CreateOrg) -> Result<String, String> {
    let mut parsed_identifiers = Vec::new();
    for raw in &command.identifiers {
        let (scheme, value) = raw.split_once('=').ok_or_else(|| {
            format!("--identifier `{raw}`: expected SCHEME=VALUE, e.g. kr_brn=124-81-00998")
        })?;
        if IdentifierScheme::parse(scheme).is_none() {
            return Err(format!(
                "--identifier `{raw}`: unknown scheme `{scheme}` (kr_brn, lei)"
            ));
        }
        parsed_identifiers.push((scheme.to_owned(), value.to_owned()));
    }
    let inputs: Vec<IdentifierInput<'_>> = parsed_identifiers
        .iter()
        .map(|(scheme, value)| IdentifierInput {
            scheme,
            issuer: None,
            value,
        })
        .collect();
    let organisation = NewOrganisation::parse(&command.name, &command.country, &inputs)
        .map_err(|e| e.to_string())?;
    let email = Email::parse(&command.admin_email).map_err(|e| e.to_string())?;
    let name = DisplayName::parse(&command.admin_name).map_err(|e| e.to_string())?;
    let (password, shown) = password(command.password_stdin, &email)?;
    let hash = hasher(settings)?.hash(&password)?;
    let db = open(settings)?;
    let (org, user) = db
        .write(|tx| {
            accounts::sign_up(
                tx,
                &organisation,
                None,
                FirstAdmin {
                    email: &email,
                    display_name: &name,
                    password_hash: hash,
                },
            )
        })
        .map_err(|e: tierlink_usecases::Error| e.to_string())?;
    Ok(format!(
        "organisation {} ({}) created with admin {} ({}){}",
        org.id,
        org.name,
        user.email,
        user.id,
        shown
            .map(|p| format!("\ninitial password (shown once): {p}"))
            .unwrap_or_default()
    ))
}

/// Sets a new password for the account with `email` and signs it out everywhere.
pub fn reset_password(
    settings: &Settings,
    email: &str,
    password_stdin: bool,
) -> Result<String, String> {
    let email = Email::parse(email).map_err(|e| e.to_string())?;
    let (password, shown) = password(password_stdin, &email)?;
    let hash = hasher(settings)?.hash(&password)?;
    let db = open(settings)?;
    let user = db
        .write(|conn| {
            let user = sessions::user_by_email(conn, &email)?;
            sessions::change_password(conn, user.id, &hash)?;
            Ok(user)
        })
        .map_err(|e| match e {
            tierlink_usecases::Error::NotFound(_) => {
                format!("no account with the e-mail address {}", email.as_str())
            }
            other => other.to_string(),
        })?;
    Ok(format!(
        "password of {} reset; their sessions are signed out{}",
        user.email,
        shown
            .map(|p| format!("\nnew password (shown once): {p}"))
            .unwrap_or_default()
    ))
}

/// Reads the password (for the account of `email`) from standard input,
/// or makes a random one to show.
fn password(from_stdin: bool, email: &Email) -> Result<(Password, Option<String>), String> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        let password =
            Password::choose("password", line.trim_end_matches(['\r', '\n']), Some(email))
                .map_err(|e| e.to_string())?;
        Ok((password, None))
    } else {
        let generated = secrets::generate("");
        let password = Password::parse("password", &generated).map_err(|e| e.to_string())?;
        Ok((password, Some(generated)))
    }
}

fn hasher(settings: &Settings) -> Result<PasswordHasher, String> {
    PasswordHasher::new(settings.auth.argon2)
}

fn open(settings: &Settings) -> Result<Database, String> {
    let db = Database::open(&settings.database_url, settings.command_pool_options())
        .map_err(|e| e.to_string())?;
    db.migrate().map_err(|e| e.to_string())?;
    Ok(db)
}
