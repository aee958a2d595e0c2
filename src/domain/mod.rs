//! Types and rules of the portal. Nothing here knows about HTTP or SQL.

pub mod format;
pub mod lang;
pub mod place;
pub mod text;

pub use lang::Lang;
pub use place::{Amenity, PlaceKind};
pub use text::Text;
