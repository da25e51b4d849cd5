use tawasul_app::{App, NewSiteInput};

#[expect(
    clippy::too_many_arguments,
    reason = "one argument per command-line option"
)]
pub async fn add(
    app: &App,
    slug: String,
    kind: String,
    parent: Option<String>,
    name_ar: String,
    name_fr: String,
    hosts: Vec<String>,
    theme: String,
    locale: String,
) -> anyhow::Result<()> {
    let id = app
        .add_site(NewSiteInput {
            slug: slug.clone(),
            kind,
            parent,
            name_ar,
            name_fr,
            hosts,
            theme,
            default_locale: locale,
        })
        .await?;
    println!("site #{id} `{slug}` saved");
    Ok(())
}

pub fn list(app: &App) -> anyhow::Result<()> {
    let network = app.network();
    for site in network.sites() {
        let parent = network.parent(site).map(|p| p.slug.as_str()).unwrap_or("-");
        println!(
            "{:<24} {:<12} parent={:<20} hosts={}  {}",
            site.slug,
            site.kind,
            parent,
            if site.hosts.is_empty() {
                "-".to_owned()
            } else {
                site.hosts.join(",")
            },
            site.name_fr
        );
    }
    Ok(())
}
