use std::io::BufRead as _;

use anyhow::{bail, Context as _};
use tawasul_app::{App, NewUserInput};

pub async fn add(
    app: &App,
    email: String,
    name: String,
    password_stdin: bool,
    membership: Option<(String, String)>,
    platform_admin: bool,
) -> anyhow::Result<()> {
    let password = if password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("reading the password from standard input")?;
        let password = line.trim_end_matches(['\r', '\n']).to_owned();
        if password.is_empty() {
            bail!("--password-stdin was given but standard input had no password");
        }
        Some(password)
    } else {
        None
    };
    let roles = match &membership {
        Some((site, role)) => format!(" as {role} of {site}"),
        None => String::new(),
    };
    let id = app
        .add_user(NewUserInput {
            email: email.clone(),
            name,
            password,
            membership,
            platform_admin,
        })
        .await?;
    println!(
        "user #{id} <{}>{roles}{}",
        email.trim().to_lowercase(),
        if platform_admin {
            ", platform admin"
        } else {
            ""
        }
    );
    Ok(())
}

/// `tawasul user disable --email E`: as the operator, under the platform's
/// rule (the last enabled platform admin stays enabled).
pub async fn disable(app: &App, email: &str) -> anyhow::Result<()> {
    let person = app.disable_account_by_email(email).await?;
    println!(
        "user #{} <{}> is disabled: its sessions and API tokens no longer work",
        person.id, person.email
    );
    Ok(())
}

/// `tawasul user enable --email E`.
pub async fn enable(app: &App, email: &str) -> anyhow::Result<()> {
    let person = app.enable_account_by_email(email).await?;
    println!(
        "user #{} <{}> may sign in again (with its password, or a reset link)",
        person.id, person.email
    );
    Ok(())
}
