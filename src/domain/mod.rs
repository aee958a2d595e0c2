//! Types and rules of the portal. Nothing here knows about HTTP or SQL.

pub mod account;
pub mod form;
pub mod format;
pub mod lang;
pub mod password_hash;
pub mod place;
pub mod role;
pub mod text;
pub mod wish;
pub mod workshop;

/// Listings show at most this many pages: deeper pages would make the
/// database step over every row before them, and no reader pages that far
/// (the filters narrow a list faster). Counts stop there too ("1,000+").
pub const MAX_PAGES: i64 = 50;

pub use form::FormErrors;
pub use lang::Lang;
pub use place::{Amenity, PlaceKind};
pub use role::{Grants, Role, RoleKind};
pub use text::Text;
