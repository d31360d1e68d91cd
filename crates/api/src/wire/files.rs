//! Files on the wire: bodies that are bytes, not JSON.

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};

/// A file's bytes: `type: string, format: binary`, which generators turn
/// into a byte array, a `File` or a `Blob` (an array of integers would
/// make them parse the bytes as JSON). Used inline, under the file's media
/// types: `content((inline(FileBytes) = "text/csv"))`.
#[derive(Debug, Clone, Copy)]
pub struct FileBytes;

impl utoipa::PartialSchema for FileBytes {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .into()
    }
}

impl utoipa::ToSchema for FileBytes {}
