//! The command line, as clap reads it. Doc comments are the `--help` text.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Tawasul: the websites, editorial workflow and notices of an education
/// network (an academy, its directorates and schools).
#[derive(Debug, Parser)]
#[command(name = "tawasul", version, about, long_about = None)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct Global {
    /// Data folder (database file, uploads). Overrides `paths.data`.
    #[arg(long, global = true, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Configuration file [default: ./tawasul.toml when it exists].
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve every site of the network over HTTP.
    Serve {
        /// Address to listen on, e.g. 0.0.0.0:8080. Overrides `server.listen`.
        #[arg(long, value_name = "ADDR")]
        listen: Option<SocketAddr>,
    },
    /// Bring the database schema up to date, then exit.
    Migrate,
    /// Create a fresh demo network from content/, print its addresses and logins, and serve it.
    Demo {
        /// Address to listen on. Overrides `server.listen`.
        #[arg(long, value_name = "ADDR")]
        listen: Option<SocketAddr>,
        /// Folder with network.toml and the sites' content.
        #[arg(long, value_name = "DIR", default_value = "content")]
        content: PathBuf,
        /// Load the demo and exit without serving.
        #[arg(long)]
        no_serve: bool,
    },
    /// Manage sites.
    #[command(subcommand)]
    Site(SiteCommand),
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Import content.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Rebuild the search index from the database.
    Reindex {
        /// Only this site and the sites below it.
        #[arg(long, value_name = "SLUG")]
        site: Option<String>,
    },
    /// Manage API tokens for scripts and other information systems.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Import or export a site's directory of institutions and contacts (CSV).
    #[command(subcommand)]
    Directory(DirectoryCommand),
    /// Manage where media files are stored (`[storage]`).
    #[command(subcommand)]
    Storage(StorageCommand),
    /// Manage the sites' media libraries.
    #[command(subcommand)]
    Media(MediaCommand),
}

#[derive(Debug, Subcommand)]
pub enum MediaCommand {
    /// Make the photos of entries imported before imported photos were
    /// library items (covers and images of texts shown by address) items of
    /// their site's library, described with the entry's alt text, and make
    /// the entries show those items. The files stay where they are. Running
    /// it again finds nothing more to do; a server does it once by itself
    /// when it starts after the upgrade.
    AdoptImported {
        /// Only this site's entries.
        #[arg(long, value_name = "SLUG")]
        site: Option<String>,
        /// Say what would be done, write nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum StorageCommand {
    /// Copy a local uploads folder into the bucket of `[storage]`, each file
    /// checked by its hash once copied. Files already in the bucket are
    /// skipped, so an interrupted run can be started again.
    Migrate {
        /// The folder to copy [default: `paths.uploads`, else <data>/uploads].
        #[arg(long, value_name = "DIR")]
        from: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum DirectoryCommand {
    /// Import a CSV file (UTF-8, `,` or `;`, Arabic or French headers; see
    /// docs/directory.md): institutions are updated by code, contacts by
    /// e-mail. One bad row refuses the whole file.
    Import {
        /// The site whose directory receives the file.
        #[arg(long, value_name = "SLUG")]
        site: String,
        /// A file of institutions.
        #[arg(long, value_name = "FILE", conflicts_with = "contacts")]
        institutions: Option<PathBuf>,
        /// A file of contacts (their institutions must be imported first).
        #[arg(long, value_name = "FILE")]
        contacts: Option<PathBuf>,
    },
    /// Export a site's institutions or contacts as CSV (with a byte-order
    /// mark, so Excel shows Arabic correctly).
    Export {
        #[arg(long, value_name = "SLUG")]
        site: String,
        /// Export the institutions.
        #[arg(long, conflicts_with = "contacts")]
        institutions: bool,
        /// Export the contacts.
        #[arg(long)]
        contacts: bool,
        /// Language of the headers and labels: fr or ar.
        #[arg(long, default_value = "fr")]
        lang: String,
        /// semicolon (what Excel opens in French and Arabic) or comma.
        #[arg(long, default_value = "semicolon")]
        separator: String,
        /// Write to this file instead of standard output.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token for a user and print it once (it is stored only as a hash).
    Create {
        /// The user the token acts as.
        #[arg(long)]
        email: String,
        /// What will use the token, e.g. "rectorat statistics export".
        #[arg(long, default_value = "command line")]
        name: String,
        /// Days until the token expires (1 to 3650); without it, it lives until revoked.
        #[arg(long, value_name = "N")]
        expires_days: Option<u32>,
    },
}

#[derive(Debug, Subcommand)]
pub enum SiteCommand {
    /// Create a site, or update the one with this slug.
    Add {
        /// Short name used in URLs: a-z, 0-9 and hyphens.
        #[arg(long)]
        slug: String,
        /// ministry, academy, directorate or school.
        #[arg(long)]
        kind: String,
        /// Slug of the parent site (an academy for a directorate, a directorate for a school).
        #[arg(long)]
        parent: Option<String>,
        /// Name in Arabic.
        #[arg(long)]
        name_ar: String,
        /// Name in French.
        #[arg(long)]
        name_fr: String,
        /// A host name the site answers to; repeat for several.
        #[arg(long = "host", value_name = "HOST")]
        hosts: Vec<String>,
        /// Theme of the site.
        #[arg(long, default_value = "default")]
        theme: String,
        /// Default language: ar or fr.
        #[arg(long, default_value = "ar")]
        locale: String,
    },
    /// List the sites of the network.
    List,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account, or update the one with this e-mail.
    Add {
        #[arg(long)]
        email: String,
        /// Full name, as colleagues know it.
        #[arg(long)]
        name: String,
        /// Read the password from the first line of standard input (at least 12 characters).
        #[arg(long)]
        password_stdin: bool,
        /// Give the user a role on this site (with --role).
        #[arg(long, requires = "role", value_name = "SLUG")]
        site: Option<String>,
        /// contributor, editor, publisher or site_admin (with --site).
        #[arg(long, requires = "site")]
        role: Option<String>,
        /// Make the user an administrator of the whole platform.
        #[arg(long)]
        platform_admin: bool,
    },
    /// Disable an account at once: its sessions end and its API tokens are
    /// revoked on every server, it cannot sign in or use a reset link, and
    /// it gets no more workflow mails. The last enabled platform
    /// administrator cannot be disabled.
    Disable {
        #[arg(long)]
        email: String,
    },
    /// Let a disabled account sign in again (its old sessions and tokens
    /// stay ended).
    Enable {
        #[arg(long)]
        email: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import a folder of Markdown files (TOML front matter) into a site; running it again updates.
    Markdown {
        /// Folder to import; see docs/content-format.md.
        dir: PathBuf,
        /// The site that receives the entries.
        #[arg(long, value_name = "SLUG")]
        site: String,
    },
    /// Move a WordPress site in from its export (WXR 1.0–1.2: Tools ›
    /// Export › All content): posts, pages, categories, tags, authors,
    /// attachments; every old address answers 301 to its new place.
    /// Running it again updates; see docs/import.md.
    Wordpress {
        /// The export file (read as a stream: its size does not matter).
        file: PathBuf,
        #[command(flatten)]
        options: MoveArgs,
    },
    /// Move a Blogger blog in from its export (Atom: Settings › Back up
    /// content): posts, pages, labels as tags, images.
    Blogger {
        /// The export file.
        file: PathBuf,
        #[command(flatten)]
        options: MoveArgs,
    },
}

/// What moving in from another system needs besides the file.
#[derive(Debug, clap::Args)]
pub struct MoveArgs {
    /// The site that receives everything.
    #[arg(long, value_name = "SLUG")]
    pub site: String,
    /// A copy of the old site's upload folder (wp-content/uploads; for
    /// Blogger, a folder of the blog's images by file name).
    #[arg(long, value_name = "DIR")]
    pub uploads: Option<PathBuf>,
    /// Download the files that are not in --uploads from the old site
    /// (timeouts, three tries, the upload size limit).
    #[arg(long)]
    pub fetch_media: bool,
    /// Give every entry to this account (an e-mail) instead of matching
    /// the export's authors by e-mail.
    #[arg(long, value_name = "EMAIL")]
    pub author: Option<String>,
    /// Read and check everything, print what would happen, write nothing.
    #[arg(long)]
    pub dry_run: bool,
}
