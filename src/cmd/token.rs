use anyhow::bail;
use tawasul_app::App;

/// Prints the new token alone on standard output (so scripts can capture
/// it) and what it is on standard error.
pub async fn create(
    app: &App,
    email: &str,
    name: &str,
    expires_days: Option<u32>,
) -> anyhow::Result<()> {
    let Some(viewer) = app.viewer_by_email(email).await? else {
        bail!(
            "no enabled account has the e-mail address {email} (a disabled one makes no tokens: `tawasul user enable --email {email}` first)"
        );
    };
    let created = app.create_api_token(&viewer, name, expires_days).await?;
    let expiry = match created.row.expires_at {
        Some(at) => format!("expires {}", at.date()),
        None => "never expires (revoke it in the admin when no longer needed)".to_owned(),
    };
    eprintln!(
        "token #{} \"{}\" for {}; {expiry}. It is shown once: keep it now.",
        created.row.id, created.row.name, viewer.user.email
    );
    println!("{}", created.secret);
    Ok(())
}
