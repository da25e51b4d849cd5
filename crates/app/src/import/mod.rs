//! Importing content: the whole demo network (`network.toml` and each site's
//! folder) or one folder of Markdown into one site. One code path for both.
//! Everything is read and checked first; only a clean plan is written, and
//! writing it again changes nothing (entries are keyed by site and slug).

pub mod blogger;
pub mod convert;
mod folder;
pub(crate) use folder::files_under;
pub mod front_matter;
mod library;
pub mod media;
pub mod moving;
pub mod network_file;
pub mod slugs;
pub mod wordpress;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use serde_json::json;
use tawasul_domain::EntryKind;
use tawasul_store::{EntryDraft, NewSite, Saved};

use crate::cache::deps::{entry_change_deps, Dep};
use crate::{password, App, AppError, ImportProblem};
use folder::{FolderPlan, Known};
use network_file::NetworkFile;

/// What an import did, for the command line to print.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub sites: usize,
    pub users: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Files stored: the photos entries show (items of their site's
    /// library) and the sites' logos.
    pub media: usize,
    /// Of the photos, those the libraries did not hold yet.
    pub library_new: usize,
}

impl std::fmt::Display for ImportReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} entries created, {} updated, {} unchanged; {} media files ({} new in a media library)",
            self.created, self.updated, self.unchanged, self.media, self.library_new
        )?;
        if self.sites > 0 || self.users > 0 {
            write!(f, "; {} sites, {} users", self.sites, self.users)?;
        }
        Ok(())
    }
}

/// A login of the demo network, printed by `tawasul demo`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoLogin {
    pub email: String,
    pub password: String,
    pub roles: String,
}

impl App {
    /// Imports the Markdown files of `dir` into the existing site `site_slug`.
    pub async fn import_markdown(
        &self,
        dir: &Path,
        site_slug: &str,
    ) -> Result<ImportReport, AppError> {
        let network = self.network();
        let site = network
            .site_by_slug(site_slug)
            .ok_or_else(|| AppError::NotFound(format!("site `{site_slug}`")))?;
        let programmes: BTreeSet<String> =
            network.programmes.iter().map(|p| p.slug.clone()).collect();
        let categories: BTreeSet<String> = site.categories.iter().map(|c| c.slug.clone()).collect();
        let mut problems = Vec::new();
        let plan = folder::plan(
            dir,
            &Known {
                programmes: &programmes,
                categories: &categories,
            },
            &mut problems,
        );
        self.check_templates(&site.theme, dir, &plan, &mut problems);
        if !problems.is_empty() {
            return Err(AppError::Import(problems));
        }
        let site_id = site.id;
        drop(network);
        let mut report = ImportReport::default();
        let deps = self.write_folder(site_id, plan, &mut report).await?;
        self.publish_change(deps).await?;
        Ok(report)
    }

    /// Loads a whole network from `content` (its `network.toml` and each
    /// site's folder). Returns what it did and the logins it set.
    pub async fn load_network(
        &self,
        content: &Path,
    ) -> Result<(ImportReport, Vec<DemoLogin>), AppError> {
        let themes: BTreeSet<String> =
            self.with_renderer(|r| r.theme_names().map(str::to_owned).collect());
        let file =
            network_file::read(&content.join("network.toml"), &themes).map_err(AppError::Import)?;

        let programmes: BTreeSet<String> = self
            .network()
            .programmes
            .iter()
            .map(|p| p.slug.clone())
            .chain(file.programme.iter().map(|p| p.slug.clone()))
            .collect();
        let mut problems = Vec::new();
        let mut plans: Vec<(String, PathBuf, FolderPlan)> = Vec::new();
        let mut logos = HashMap::new();
        for site in &file.site {
            let dir = content.join(
                site.content
                    .clone()
                    .unwrap_or_else(|| format!("sites/{}", site.slug)),
            );
            let known_categories: BTreeSet<String> = self
                .network()
                .site_by_slug(&site.slug)
                .map(|s| s.categories.iter().map(|c| c.slug.clone()).collect())
                .unwrap_or_default();
            let plan = if dir.exists() {
                folder::plan(
                    &dir,
                    &Known {
                        programmes: &programmes,
                        categories: &known_categories,
                    },
                    &mut problems,
                )
            } else {
                FolderPlan::default()
            };
            self.check_templates(&site.theme, &dir, &plan, &mut problems);
            if let Some(logo) = &site.logo {
                match media::prepare(content, logo) {
                    Ok(file) => {
                        logos.insert(site.slug.clone(), file);
                    }
                    Err(message) => problems.push(ImportProblem {
                        file: content.join("network.toml"),
                        line: None,
                        message: format!("site `{}`: {message}", site.slug),
                    }),
                }
            }
            plans.push((site.slug.clone(), dir, plan));
        }
        let directories = crate::directory::demo::plan(
            plans
                .iter()
                .map(|(slug, dir, _)| (slug.as_str(), dir.as_path())),
            &mut problems,
        );
        if !problems.is_empty() {
            return Err(AppError::Import(problems));
        }

        let mut report = ImportReport::default();
        let logins = self.write_network(&file, &logos, &mut report).await?;
        self.refresh_network().await?;
        for (slug, _dir, plan) in plans {
            let site_id = self
                .network()
                .site_by_slug(&slug)
                .map(|s| s.id)
                .ok_or_else(|| AppError::NotFound(format!("site `{slug}`")))?;
            self.write_folder(site_id, plan, &mut report).await?;
        }
        self.write_directories(directories).await?;
        // Sites, users and programmes may all have changed: every page.
        self.follow_all_recommendations().await?;
        self.publish_change(vec![Dep::All]).await?;
        Ok((report, logins))
    }

    fn check_templates(
        &self,
        theme: &str,
        dir: &Path,
        plan: &FolderPlan,
        problems: &mut Vec<ImportProblem>,
    ) {
        if plan.templates.is_empty() {
            return;
        }
        if let Err(e) = self.with_renderer(|r| r.check_site_templates(theme, &plan.templates)) {
            problems.push(ImportProblem {
                file: dir.join("templates"),
                line: None,
                message: e.to_string(),
            });
        }
    }

    async fn write_network(
        &self,
        file: &NetworkFile,
        logos: &HashMap<String, media::MediaFile>,
        report: &mut ImportReport,
    ) -> Result<Vec<DemoLogin>, AppError> {
        let store = self.store();
        for p in &file.programme {
            store
                .upsert_programme(
                    &p.slug,
                    [&p.name_ar, &p.name_fr],
                    [&p.description_ar, &p.description_fr],
                )
                .await?;
        }
        let mut ids: HashMap<&str, i32> = HashMap::new();
        for site in &file.site {
            let logo_url = match logos.get(&site.slug) {
                Some(logo) => {
                    media::store(logo, self.storage().as_ref())
                        .await
                        .map_err(|e| {
                            AppError::io(format!("storing {}", logo.source.display()), e)
                        })?;
                    report.media += 1;
                    Some(logo.url.clone())
                }
                None => None,
            };
            let parent_id = site.parent.as_deref().and_then(|p| ids.get(p).copied());
            let id = store
                .upsert_site(NewSite {
                    slug: site.slug.clone(),
                    kind: site.kind.clone(),
                    parent_id,
                    name_ar: site.name_ar.trim().to_owned(),
                    name_fr: site.name_fr.trim().to_owned(),
                    tagline_ar: site.tagline_ar.trim().to_owned(),
                    tagline_fr: site.tagline_fr.trim().to_owned(),
                    default_locale: site.default_locale.clone(),
                    theme: site.theme.clone(),
                    logo_url,
                    contact: serde_json::to_value(&site.contact).unwrap_or_else(|_| json!({})),
                    social: serde_json::to_value(&site.social).unwrap_or_else(|_| json!([])),
                })
                .await?;
            store.replace_site_hosts(id, &site.hosts).await?;
            store
                .ensure_default_menu(id, &crate::menus::default_archives())
                .await?;
            ids.insert(&site.slug, id);
            report.sites += 1;
        }
        let mut logins = Vec::new();
        for user in &file.user {
            let hash = match &user.password {
                Some(p) => Some(password::hash(p)?),
                None => None,
            };
            let user_id = store
                .upsert_user(
                    &user.email.to_lowercase(),
                    user.name.trim(),
                    hash,
                    user.platform_admin,
                )
                .await?;
            let mut roles = Vec::new();
            if user.platform_admin {
                roles.push("platform admin".to_owned());
            }
            for membership in &user.membership {
                if let Some(&site_id) = ids.get(membership.site.as_str()) {
                    store
                        .set_membership(user_id, site_id, &membership.role)
                        .await?;
                    roles.push(format!("{} of {}", membership.role, membership.site));
                }
            }
            if let Some(password) = &user.password {
                logins.push(DemoLogin {
                    email: user.email.to_lowercase(),
                    password: password.clone(),
                    roles: roles.join(", "),
                });
            }
            report.users += 1;
        }
        Ok(logins)
    }

    /// Writes a checked plan; returns what it changed, as cache dependencies.
    async fn write_folder(
        &self,
        site_id: i32,
        plan: FolderPlan,
        report: &mut ImportReport,
    ) -> Result<Vec<Dep>, AppError> {
        let store = self.store();
        let photos = self.bring_folder_photos(site_id, &plan, report).await?;
        let mut deps = Vec::new();
        if self.site_chrome_differs(site_id, &plan) {
            deps.push(Dep::Chrome { site: site_id });
        }
        let mut category_ids = HashMap::new();
        for c in &plan.categories {
            let id = store
                .upsert_category(site_id, &c.slug, [&c.name_ar, &c.name_fr])
                .await?;
            category_ids.insert(c.slug.clone(), id);
        }
        if !plan.templates.is_empty() {
            store
                .replace_site_templates(site_id, &plan.templates)
                .await?;
        }
        let network = {
            self.refresh_network().await?;
            self.network()
        };
        if let Some(site) = network.site(site_id) {
            for c in &site.categories {
                category_ids.entry(c.slug.clone()).or_insert(c.id);
            }
        }
        let programme_ids: HashMap<&str, i32> = network
            .programmes
            .iter()
            .map(|p| (p.slug.as_str(), p.id))
            .collect();
        // Pages with a `menu_order` join their language's menu, in that
        // order, unless they are in it already.
        let mut menu_pages: Vec<(i32, String, i32)> = Vec::new();
        for entry in plan.entries {
            let file = entry.file.clone();
            let menu_order = entry.menu_order.filter(|_| entry.kind == EntryKind::Page);
            let before = match store.entry_by_slug(site_id, &entry.slug).await? {
                Some(row) => Some(self.entry_facts(&row).await?),
                None => None,
            };
            let (cover, body_md, body_html) =
                self.with_library_photos(site_id, &entry, &photos).await?;
            let tag_ids = store
                .ensure_tags(&entry.tags)
                .await?
                .into_iter()
                .map(|t| t.id)
                .collect();
            let draft_locale = entry.locale.as_str().to_owned();
            let draft = EntryDraft {
                site_id,
                kind: entry.kind.as_str().to_owned(),
                locale: entry.locale.as_str().to_owned(),
                translation_key: entry.translation,
                slug: entry.slug,
                title: entry.title,
                summary: entry.summary,
                body_md,
                body_html,
                cover,
                category_id: entry
                    .category
                    .as_deref()
                    .and_then(|c| category_ids.get(c).copied()),
                fields: serde_json::to_value(&entry.fields).unwrap_or_else(|_| json!({})),
                status: entry.status.as_str().to_owned(),
                published_at: entry.published_at,
                featured: entry.featured,
                featured_on_parent: entry.featured_on_parent,
                menu_order: entry.menu_order,
                tag_ids,
                programme_ids: entry
                    .programmes
                    .iter()
                    .filter_map(|p| programme_ids.get(p.as_str()).copied())
                    .collect(),
                author_id: None,
            };
            let saved = store
                .upsert_entry_by_slug(draft, "import")
                .await
                .map_err(|e| match AppError::from(e) {
                    AppError::Conflict(m) => AppError::Conflict(format!("{}: {m}", file.display())),
                    other => other,
                })?;
            if let Some(order) = menu_order {
                menu_pages.push((order, draft_locale.clone(), saved.id()));
            }
            match saved {
                Saved::Created(_) => report.created += 1,
                Saved::Updated(_) => report.updated += 1,
                Saved::Unchanged(_) => {
                    report.unchanged += 1;
                    continue;
                }
            }
            if let Some(row) = store.entry(saved.id()).await? {
                let after = self.entry_facts(&row).await?;
                deps.extend(entry_change_deps(before.as_ref(), Some(&after)));
            }
        }
        menu_pages.sort_by_key(|(order, _, _)| *order);
        let mut menu_changed = false;
        for (_, locale, id) in &menu_pages {
            menu_changed |= store.add_page_to_menu(site_id, locale, *id).await?;
        }
        if menu_changed {
            deps.push(Dep::Chrome { site: site_id });
        }
        Ok(deps)
    }

    /// Whether the plan changes what every page of the site shows: its
    /// categories' names or its template overrides.
    fn site_chrome_differs(&self, site_id: i32, plan: &FolderPlan) -> bool {
        let network = self.network();
        let Some(site) = network.site(site_id) else {
            return true;
        };
        let categories_differ = plan.categories.iter().any(|c| {
            site.category_by_slug(&c.slug)
                .is_none_or(|known| known.name_ar != c.name_ar || known.name_fr != c.name_fr)
        });
        let templates_differ =
            !plan.templates.is_empty() && self.site_templates(site_id) != plan.templates;
        categories_differ || templates_differ
    }
}
