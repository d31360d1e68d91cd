//! Hand-written SQL that diesel keeps prepared, like the statements of its
//! query builder.
//!
//! `diesel::sql_query` marks its statement unsafe to cache, so every call
//! is parsed and planned again (on PostgreSQL, an unnamed statement). A
//! [`Statement`] is SQL fixed at compile time, identified by its own type:
//! each connection prepares it once and reuses the plan. Parameters are
//! numbered (`$1` or `?1`; either spelling works on both engines) and bound
//! in that order with [`Prepared::bind`]; rows load with `QueryableByName`,
//! as with `sql_query`.
//!
//! ```ignore
//! statement!(LockRequest, "SELECT id FROM requests WHERE id = $1 FOR UPDATE");
//! prepared::<LockRequest>().bind::<Text, _>(id).execute(pg)?;
//! ```

use std::marker::PhantomData;

use diesel::QueryResult;
use diesel::RunQueryDsl;
use diesel::backend::Backend;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::serialize::ToSql;
use diesel::sql_types::{HasSqlType, Untyped};

/// SQL text fixed at compile time; the implementing type names it.
pub trait Statement: 'static {
    const SQL: &'static str;
    /// The SQL split at its placeholders, once per statement (declared by
    /// [`statement!`]).
    fn pieces() -> &'static Pieces;
}

/// A statement's SQL split at its numbered placeholders: each piece of text
/// with the number of the parameter after it, then the rest.
#[derive(Debug)]
pub struct Pieces {
    parts: Vec<(&'static str, usize)>,
    tail: &'static str,
}

impl Pieces {
    pub fn of(sql: &'static str) -> Self {
        let mut parts = Vec::new();
        let mut rest = sql;
        while let Some((text, n, after)) = next_placeholder(rest) {
            parts.push((text, n));
            rest = after;
        }
        Self { parts, tail: rest }
    }
}

/// Declares a [`Statement`]: `statement!(Name, "SQL");`.
#[macro_export]
macro_rules! statement {
    ($(#[$meta:meta])* $name:ident, $sql:expr $(,)?) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy)]
        struct $name;
        impl $crate::prepared::Statement for $name {
            const SQL: &'static str = $sql;
            fn pieces() -> &'static $crate::prepared::Pieces {
                static PIECES: ::std::sync::OnceLock<$crate::prepared::Pieces> =
                    ::std::sync::OnceLock::new();
                PIECES.get_or_init(|| $crate::prepared::Pieces::of(Self::SQL))
            }
        }
    };
}

/// A [`Statement`] ready to bind and run.
#[derive(Debug)]
pub struct Prepared<S>(PhantomData<S>);

impl<S> Clone for Prepared<S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S> Copy for Prepared<S> {}

/// The statement `S`, to bind and run.
pub fn prepared<S: Statement>() -> Prepared<S> {
    Prepared(PhantomData)
}

impl<S: Statement> Prepared<S> {
    /// Binds the first parameter (`$1` or `?1`); bind more on the result.
    pub fn bind<ST, V>(self, value: V) -> Bound<Self, V, ST> {
        Bound::new(self, value)
    }
}

impl<S: Statement> QueryId for Prepared<S> {
    type QueryId = S;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<S: Statement, DB: Backend> QueryFragment<DB> for Prepared<S> {
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        render(S::pieces(), self, out)
    }
}

impl<S: Statement> Query for Prepared<S> {
    type SqlType = Untyped;
}

impl<S: Statement, Conn> RunQueryDsl<Conn> for Prepared<S> {}

/// A statement with its parameters bound so far, in order (diesel's own
/// bound `sql_query` is unsafe to cache and cannot be named).
#[derive(Debug)]
pub struct Bound<Q, V, ST> {
    query: Q,
    value: V,
    sql_type: PhantomData<ST>,
}

impl<Q, V, ST> Bound<Q, V, ST> {
    fn new(query: Q, value: V) -> Self {
        Self {
            query,
            value,
            sql_type: PhantomData,
        }
    }

    /// Binds the next parameter.
    pub fn bind<ST2, V2>(self, value: V2) -> Bound<Self, V2, ST2> {
        Bound::new(self, value)
    }
}

impl<Q: QueryId, V, ST: QueryId> QueryId for Bound<Q, V, ST> {
    type QueryId = Bound<Q::QueryId, (), ST::QueryId>;
    const HAS_STATIC_QUERY_ID: bool = Q::HAS_STATIC_QUERY_ID && ST::HAS_STATIC_QUERY_ID;
}

impl<Q, V, ST, DB> QueryFragment<DB> for Bound<Q, V, ST>
where
    DB: Backend,
    Self: Binds<DB>,
{
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        render(Self::pieces(), self, out)
    }
}

/// The parameters bound to a statement, by number (1-based).
pub trait Binds<DB: Backend> {
    /// The statement's SQL, split at its placeholders.
    fn pieces() -> &'static Pieces;
    /// How many parameters are bound.
    const COUNT: usize;
    /// Pushes parameter `n` as a bind value at the current place.
    fn push_bind<'b>(&'b self, n: usize, out: &mut AstPass<'_, 'b, DB>) -> QueryResult<()>;
}

impl<S: Statement, DB: Backend> Binds<DB> for Prepared<S> {
    fn pieces() -> &'static Pieces {
        S::pieces()
    }
    const COUNT: usize = 0;
    fn push_bind<'b>(&'b self, n: usize, _: &mut AstPass<'_, 'b, DB>) -> QueryResult<()> {
        Err(unbound(n))
    }
}

impl<Q, V, ST, DB> Binds<DB> for Bound<Q, V, ST>
where
    DB: Backend + HasSqlType<ST>,
    Q: Binds<DB>,
    V: ToSql<ST, DB>,
{
    fn pieces() -> &'static Pieces {
        Q::pieces()
    }
    const COUNT: usize = Q::COUNT + 1;
    fn push_bind<'b>(&'b self, n: usize, out: &mut AstPass<'_, 'b, DB>) -> QueryResult<()> {
        if n == Self::COUNT {
            out.push_bind_param::<ST, V>(&self.value)
        } else {
            self.query.push_bind(n, out)
        }
    }
}

/// Writes the statement with each numbered placeholder (`$n` or `?n`)
/// replaced by the backend's own placeholder for parameter `n`. A number
/// used twice is bound twice, so the same SQL serves both engines.
fn render<'b, DB: Backend, B: Binds<DB>>(
    pieces: &'static Pieces,
    binds: &'b B,
    mut out: AstPass<'_, 'b, DB>,
) -> QueryResult<()> {
    for &(text, n) in &pieces.parts {
        out.push_sql(text);
        binds.push_bind(n, &mut out)?;
    }
    out.push_sql(pieces.tail);
    Ok(())
}

/// Splits `sql` at its first numbered placeholder outside string literals:
/// the text before it, its number and the text after it.
fn next_placeholder(sql: &str) -> Option<(&str, usize, &str)> {
    let bytes = sql.as_bytes();
    let mut at = 0;
    while let Some(offset) = sql[at..].find(['$', '?', '\'']) {
        let start = at + offset;
        if bytes[start] == b'\'' {
            // A literal ends at the next quote ('' inside is two literals).
            at = sql[start + 1..].find('\'').map(|end| start + end + 2)?;
            continue;
        }
        let digits = bytes[start + 1..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if digits > 0 {
            let end = start + 1 + digits;
            let n = sql[start + 1..end].parse().ok()?;
            return Some((&sql[..start], n, &sql[end..]));
        }
        at = start + 1;
    }
    None
}

fn unbound(n: usize) -> diesel::result::Error {
    diesel::result::Error::QueryBuilderError(format!("parameter {n} is not bound").into())
}

impl<Q, V, ST> Query for Bound<Q, V, ST> {
    type SqlType = Untyped;
}

impl<Q, V, ST, Conn> RunQueryDsl<Conn> for Bound<Q, V, ST> {}

#[cfg(test)]
mod tests {
    use super::next_placeholder;

    #[test]
    fn placeholders_are_found_in_order_with_their_numbers() {
        let sql = "SELECT '$.a', 'it''s $2' WHERE a = $1 AND b = ?12 OR c = $1";
        let (text, n, rest) = next_placeholder(sql).expect("first");
        assert_eq!((text, n), ("SELECT '$.a', 'it''s $2' WHERE a = ", 1));
        let (text, n, rest) = next_placeholder(rest).expect("second");
        assert_eq!((text, n), (" AND b = ", 12));
        let (text, n, rest) = next_placeholder(rest).expect("third");
        assert_eq!((text, n, rest), (" OR c = ", 1, ""));
        assert!(next_placeholder("SELECT json_extract(x, '$.y') ? z").is_none());
    }
}
