//! Who is calling and what they may do: roles of people, scopes of machine
//! clients, and the one rule book ([`Caller::may`]) that maps both onto
//! permissions. Endpoints declare the permission they need; nothing else
//! decides.

use std::fmt;

use crate::error::FieldError;
use crate::ids::{ClientId, OrgId, UserId};

/// A person's role in their organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Everything, including managing users and machine clients.
    Admin,
    /// Reads, and writes requirements and answers.
    Editor,
    /// Reads only.
    Viewer,
}

impl Role {
    pub const ALL: [Self; 3] = [Self::Admin, Self::Editor, Self::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Editor => "editor",
            Self::Viewer => "viewer",
        }
    }

    pub fn parse(input: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|role| role.as_str() == input)
            .ok_or_else(|| {
                FieldError::new(
                    "role",
                    "invalid_role",
                    format!("unknown role `{input}` (use admin, editor or viewer)"),
                )
            })
    }
}

/// What a machine client was granted (OAuth2 scopes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    RequirementsRead,
    RequirementsWrite,
    ResponsesRead,
    ResponsesWrite,
    /// PACT: list the footprints published to the organisation.
    FootprintList,
    /// PACT: read one footprint, and send PACT events.
    FootprintRead,
}

impl Scope {
    pub const ALL: [Self; 6] = [
        Self::RequirementsRead,
        Self::RequirementsWrite,
        Self::ResponsesRead,
        Self::ResponsesWrite,
        Self::FootprintList,
        Self::FootprintRead,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::RequirementsRead => "requirements:read",
            Self::RequirementsWrite => "requirements:write",
            Self::ResponsesRead => "responses:read",
            Self::ResponsesWrite => "responses:write",
            Self::FootprintList => "footprint:list",
            Self::FootprintRead => "footprint:read",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Self::RequirementsRead => "Read reporting requirements and requests",
            Self::RequirementsWrite => "Create, publish and forward reporting requirements",
            Self::ResponsesRead => "Read answers to requests",
            Self::ResponsesWrite => "Write and submit answers to requests",
            Self::FootprintList => "PACT: list the product footprints published to you",
            Self::FootprintRead => "PACT: read a product footprint, and send PACT events",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|scope| scope.as_str() == input)
    }
}

/// A set of scopes, written space-separated on the wire (RFC 6749 §3.3).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scopes(Vec<Scope>);

impl Scopes {
    /// Parses scopes; `field` names the input for error messages.
    pub fn parse<'a>(
        field: &str,
        inputs: impl IntoIterator<Item = &'a str>,
    ) -> Result<Self, FieldError> {
        let mut scopes = Vec::new();
        for input in inputs {
            let scope = Scope::parse(input).ok_or_else(|| {
                let known: Vec<&str> = Scope::ALL.iter().map(|s| s.as_str()).collect();
                FieldError::new(
                    field,
                    "invalid_scope",
                    format!("unknown scope `{input}` (known: {})", known.join(", ")),
                )
            })?;
            if !scopes.contains(&scope) {
                scopes.push(scope);
            }
        }
        scopes.sort();
        Ok(Self(scopes))
    }

    /// Parses the space-separated form.
    pub fn parse_spaced(field: &str, input: &str) -> Result<Self, FieldError> {
        Self::parse(field, input.split_whitespace())
    }

    pub fn contains(&self, scope: Scope) -> bool {
        self.0.contains(&scope)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn is_subset_of(&self, other: &Self) -> bool {
        self.0.iter().all(|scope| other.contains(*scope))
    }

    pub fn iter(&self) -> impl Iterator<Item = Scope> + '_ {
        self.0.iter().copied()
    }
}

impl fmt::Display for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.0.iter().map(|scope| scope.as_str()).collect();
        f.write_str(&names.join(" "))
    }
}

/// Something an endpoint may require of its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// See one's own organisation and its partners.
    ReadOrganisation,
    /// Add, change and disable people.
    ManageUsers,
    /// Create, rotate and revoke machine clients.
    ManageClients,
    /// Read the organisation's audit trail (admins only).
    ReadAudit,
    /// Invite suppliers, accept invitations, end links, decide disclosure.
    ManageNetwork,
    ReadRequirements,
    WriteRequirements,
    ReadResponses,
    WriteResponses,
    /// PACT ListFootprints.
    ListFootprints,
    /// PACT GetFootprint and Events.
    ReadFootprints,
}

/// Who is acting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    User { id: UserId, role: Role },
    Client { id: ClientId, scopes: Scopes },
}

/// The authenticated caller of a request: an actor acting for an organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub org_id: OrgId,
    pub actor: Actor,
}

impl Caller {
    /// The rule book.
    pub fn may(&self, permission: Permission) -> bool {
        use Permission as P;
        match &self.actor {
            Actor::User {
                role: Role::Admin, ..
            } => true,
            Actor::User {
                role: Role::Editor, ..
            } => !matches!(
                permission,
                P::ManageUsers | P::ManageClients | P::ManageNetwork | P::ReadAudit
            ),
            Actor::User {
                role: Role::Viewer, ..
            } => {
                matches!(
                    permission,
                    P::ReadOrganisation
                        | P::ReadRequirements
                        | P::ReadResponses
                        | P::ListFootprints
                        | P::ReadFootprints
                )
            }
            Actor::Client { scopes, .. } => match permission {
                P::ReadOrganisation => true,
                P::ManageUsers | P::ManageClients | P::ManageNetwork | P::ReadAudit => false,
                P::ReadRequirements => {
                    scopes.contains(Scope::RequirementsRead)
                        || scopes.contains(Scope::RequirementsWrite)
                }
                P::WriteRequirements => scopes.contains(Scope::RequirementsWrite),
                P::ReadResponses => {
                    scopes.contains(Scope::ResponsesRead) || scopes.contains(Scope::ResponsesWrite)
                }
                P::WriteResponses => scopes.contains(Scope::ResponsesWrite),
                P::ListFootprints => scopes.contains(Scope::FootprintList),
                P::ReadFootprints => scopes.contains(Scope::FootprintRead),
            },
        }
    }

    pub fn user_id(&self) -> Option<UserId> {
        match self.actor {
            Actor::User { id, .. } => Some(id),
            Actor::Client { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role) -> Caller {
        Caller {
            org_id: OrgId::generate(),
            actor: Actor::User {
                id: UserId::generate(),
                role,
            },
        }
    }

    fn client(scopes: &str) -> Caller {
        Caller {
            org_id: OrgId::generate(),
            actor: Actor::Client {
                id: ClientId::generate(),
                scopes: Scopes::parse_spaced("scope", scopes).unwrap_or_default(),
            },
        }
    }

    #[test]
    fn roles_grant_what_their_names_say() {
        assert!(user(Role::Admin).may(Permission::ManageUsers));
        assert!(!user(Role::Editor).may(Permission::ManageClients));
        assert!(!user(Role::Editor).may(Permission::ReadAudit));
        assert!(user(Role::Admin).may(Permission::ReadAudit));
        assert!(!user(Role::Editor).may(Permission::ManageNetwork));
        assert!(!user(Role::Viewer).may(Permission::ManageNetwork));
        assert!(user(Role::Editor).may(Permission::WriteResponses));
        assert!(user(Role::Viewer).may(Permission::ReadRequirements));
        assert!(!user(Role::Viewer).may(Permission::WriteRequirements));
    }

    #[test]
    fn clients_get_exactly_their_scopes_and_write_implies_read() {
        let reader = client("requirements:read");
        assert!(reader.may(Permission::ReadRequirements));
        assert!(!reader.may(Permission::WriteRequirements));
        assert!(!reader.may(Permission::ReadResponses));
        let writer = client("responses:write");
        assert!(writer.may(Permission::ReadResponses) && writer.may(Permission::WriteResponses));
        assert!(!writer.may(Permission::ManageUsers));
    }

    #[test]
    fn scopes_parse_and_print_space_separated() {
        let scopes =
            Scopes::parse_spaced("scope", "responses:write requirements:read responses:write");
        assert_eq!(
            scopes.map(|s| s.to_string()).ok(),
            Some("requirements:read responses:write".to_owned())
        );
        assert!(Scopes::parse_spaced("scope", "admin").is_err());
    }
}
