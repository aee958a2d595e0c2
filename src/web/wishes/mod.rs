//! Micro-wishes, one file per task:
//!
//! - [`stations`]: a love station's page and its poster
//! - [`posting`]: the posting form and the post
//! - [`tracking`]: the worker's tracking page (no account): withdraw, confirm
//! - [`wall`]: the wall of open wishes
//! - [`claims`]: one wish's page; claim, release, fulfil; "my claims"
//!
//! The staff's side is [`super::staff_wishes`]; the views all share are in
//! [`super::view::wishes`].

pub mod claims;
pub mod posting;
pub mod stations;
pub mod tracking;
pub mod wall;
