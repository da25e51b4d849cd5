//! One module per command.

mod demo;
mod directory;
mod import;
mod media;
mod reindex;
mod serve;
mod site;
mod storage;
mod token;
mod user;

use std::sync::Arc;

use anyhow::Context as _;
use tawasul_app::import::moving::Format;
use tawasul_app::{App, Config};

use crate::cli::{
    Cli, Command, DirectoryCommand, ImportCommand, MediaCommand, SiteCommand, StorageCommand,
    TokenCommand, UserCommand,
};

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let mut config = Config::load(cli.global.config.as_deref())?;
    if let Some(data) = &cli.global.data {
        config.paths.data = data.clone();
    }
    match cli.command {
        Command::Serve { listen } => serve::run(open(config).await?, listen).await,
        Command::Migrate => {
            let app = open(config).await?;
            println!(
                "database schema is up to date ({})",
                app.store().backend_name()
            );
            Ok(())
        }
        Command::Demo {
            listen,
            content,
            no_serve,
        } => {
            let explicit_data = cli.global.data.is_some();
            demo::run(config, explicit_data, &content, listen, no_serve).await
        }
        Command::Site(SiteCommand::Add {
            slug,
            kind,
            parent,
            name_ar,
            name_fr,
            hosts,
            theme,
            locale,
        }) => {
            site::add(
                &*open(config).await?,
                slug,
                kind,
                parent,
                name_ar,
                name_fr,
                hosts,
                theme,
                locale,
            )
            .await
        }
        Command::Site(SiteCommand::List) => site::list(&*open(config).await?),
        Command::User(UserCommand::Add {
            email,
            name,
            password_stdin,
            site,
            role,
            platform_admin,
        }) => {
            user::add(
                &*open(config).await?,
                email,
                name,
                password_stdin,
                site.zip(role),
                platform_admin,
            )
            .await
        }
        Command::User(UserCommand::Disable { email }) => {
            user::disable(&*open(config).await?, &email).await
        }
        Command::User(UserCommand::Enable { email }) => {
            user::enable(&*open(config).await?, &email).await
        }
        Command::Import(ImportCommand::Markdown { dir, site }) => {
            import::markdown(&*open(config).await?, &dir, &site).await
        }
        Command::Import(ImportCommand::Wordpress { file, options }) => {
            import::move_in(&*open(config).await?, Format::WordPress, file, options).await
        }
        Command::Import(ImportCommand::Blogger { file, options }) => {
            import::move_in(&*open(config).await?, Format::Blogger, file, options).await
        }
        Command::Reindex { site } => reindex::run(&*open(config).await?, site.as_deref()).await,
        Command::Directory(DirectoryCommand::Import {
            site,
            institutions,
            contacts,
        }) => directory::import(&*open(config).await?, &site, institutions, contacts).await,
        Command::Directory(DirectoryCommand::Export {
            site,
            institutions,
            contacts,
            lang,
            separator,
            output,
        }) => {
            directory::export(
                &*open(config).await?,
                &site,
                institutions,
                contacts,
                &lang,
                &separator,
                output.as_deref(),
            )
            .await
        }
        Command::Token(TokenCommand::Create {
            email,
            name,
            expires_days,
        }) => token::create(&*open(config).await?, &email, &name, expires_days).await,
        Command::Storage(StorageCommand::Migrate { from }) => {
            storage::migrate(&*open(config).await?, from).await
        }
        Command::Media(MediaCommand::AdoptImported { site, dry_run }) => {
            media::adopt_imported(&*open(config).await?, site.as_deref(), dry_run).await
        }
    }
}

async fn open(config: Config) -> anyhow::Result<Arc<App>> {
    let data = config.paths.data.clone();
    App::open(config)
        .await
        .with_context(|| format!("opening the data folder {}", data.display()))
}
