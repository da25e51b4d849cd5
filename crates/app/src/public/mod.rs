//! The public websites: every page a reader, a feed reader or a crawler can
//! ask a site for, rendered with the site's theme in the page's language.

mod feeds;
mod pages;
pub mod routes;
mod serve;
pub mod views;

pub use pages::{CircularPage, NewsletterPage, PageQuery, PublicResponse};
pub use serve::{NetworkPage, Served};

/// Where a request came in: the scheme and host the reader used, and the
/// path prefix of the site (`""` when the host names the site, `/dp-rabat`
/// on a one-domain deployment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub scheme: String,
    pub host: String,
    pub prefix: String,
}

impl Origin {
    /// `scheme://host`, no trailing slash.
    pub fn base(&self) -> String {
        format!("{}://{}", self.scheme, self.host)
    }

    /// What identifies the origin in cache keys: `scheme://host/prefix`.
    pub fn key(&self) -> String {
        format!("{}://{}{}", self.scheme, self.host, self.prefix)
    }

    /// The port the reader used, with its colon (`:8080`), or `""`.
    fn port_suffix(&self) -> &str {
        let host = &self.host;
        let after_bracket = host.rfind(']').map_or(0, |i| i + 1);
        match host[after_bracket..].rfind(':') {
            Some(i) => &host[after_bracket + i..],
            None => "",
        }
    }
}
