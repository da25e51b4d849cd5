//! Everything that turns stored content into HTML: Markdown to sanitised
//! HTML, themes (templates, static files, UI strings), the admin interface
//! and Tera rendering.

mod admin;
mod error;
mod i18n;
pub mod markdown;
mod theme;

pub use admin::Admin;
pub use error::RenderError;
pub use i18n::{format_date, Strings};
pub use theme::{Renderer, StaticFile};

pub type Result<T, E = RenderError> = std::result::Result<T, E>;

/// Re-exported so callers build contexts without depending on Tera directly.
pub use tera::Context;
