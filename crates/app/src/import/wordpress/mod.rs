//! Moving in from WordPress: its export (WXR) read as a stream
//! (`wxr.rs`), and the addresses its posts answered (`old_urls.rs`). The
//! writing is shared with Blogger (`import::moving`).

pub mod old_urls;
pub mod wxr;

#[cfg(test)]
mod tests;
