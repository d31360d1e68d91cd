//! Suppliers' answers: the draft, submitted revisions, the requester's
//! review, tier-2 answers attached up the chain, reuse and bulk answers.
//!
//! Locks (PostgreSQL): every writer of one request's answer first takes
//! that request's row lock ([`tierlink_persistence::locks::lock_request`]),
//! so its checks of the request's status, draft and latest revision hold
//! until it commits; a bulk call takes the row locks of all its requests
//! in id order.

mod access;
mod attach;
mod bulk;
mod draft;
mod entries;
mod read;
mod reuse;
mod review;
mod submit;

pub use access::{request_answered_by, request_visible_to};
pub use attach::{Attached, attach, attachments};
pub use bulk::{BulkAnswer, BulkOutcome, RequestsToAnswer, read_requests_to_answer, save_many};
pub use draft::{save_draft, save_entries};
pub use entries::{RequestToAnswer, check_entries, request_to_answer};
pub use read::{Answer, answer, revision, revision_or_latest, revisions};
pub use reuse::reuse;
pub use review::review;
pub use submit::{Submitted, submit};
