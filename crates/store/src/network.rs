//! Sites, their hosts and template overrides, and the vocabularies shared by
//! entries: programmes (network-wide), categories (per site) and tags.

use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use serde_json::Value as Json;

use crate::entities::{category, programme, site, site_host, site_template, tag};
use crate::{
    now, CategoryRow, ProgrammeRow, Result, SiteHostRow, SiteRow, SiteTemplateRow, Store,
    StoreError, TagRow,
};

/// Everything needed to know the network at a glance; small enough (a few
/// hundred sites) to hold in memory and refresh as a whole.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NetworkRows {
    pub sites: Vec<SiteRow>,
    pub hosts: Vec<SiteHostRow>,
    pub templates: Vec<SiteTemplateRow>,
    pub programmes: Vec<ProgrammeRow>,
    pub categories: Vec<CategoryRow>,
    /// Every menu item, by site, language and order.
    pub menu_items: Vec<crate::MenuItemRow>,
    /// Published pages some menu item leads to.
    pub menu_pages: Vec<crate::EntryRow>,
}

/// A site as declared by an administrator or the network file.
#[derive(Debug, Clone)]
pub struct NewSite {
    pub slug: String,
    pub kind: String,
    pub parent_id: Option<i32>,
    pub name_ar: String,
    pub name_fr: String,
    pub tagline_ar: String,
    pub tagline_fr: String,
    pub default_locale: String,
    pub theme: String,
    pub logo_url: Option<String>,
    pub contact: Json,
    pub social: Json,
}

/// What a site's own administrators change (`Store::update_site_settings`);
/// the slug, kind, parent and hosts stay the platform's.
#[derive(Debug, Clone)]
pub struct SiteSettingsUpdate {
    pub name_ar: String,
    pub name_fr: String,
    pub tagline_ar: String,
    pub tagline_fr: String,
    pub default_locale: String,
    pub theme: String,
    pub logo_url: Option<String>,
    pub contact: Json,
    pub social: Json,
    /// Keys of the `settings` column to set; the others are kept.
    pub settings: serde_json::Map<String, Json>,
}

impl Store {
    /// Writes a site's settings. A site that does not exist is not found.
    pub async fn update_site_settings(
        &self,
        site_id: i32,
        update: SiteSettingsUpdate,
    ) -> Result<()> {
        let row = site::Entity::find_by_id(site_id)
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound("site"))?;
        let mut settings = match &row.settings {
            Json::Object(map) => map.clone(),
            _ => serde_json::Map::new(),
        };
        settings.extend(update.settings);
        let mut model = site::ActiveModel::from(row);
        model.name_ar = Set(update.name_ar);
        model.name_fr = Set(update.name_fr);
        model.tagline_ar = Set(update.tagline_ar);
        model.tagline_fr = Set(update.tagline_fr);
        model.default_locale = Set(update.default_locale);
        model.theme = Set(update.theme);
        model.logo_url = Set(update.logo_url);
        model.contact = Set(update.contact);
        model.social = Set(update.social);
        model.settings = Set(Json::Object(settings));
        model.updated_at = Set(now());
        model.update(&self.db).await?;
        Ok(())
    }

    pub async fn load_network(&self) -> Result<NetworkRows> {
        Ok(NetworkRows {
            sites: site::Entity::find()
                .order_by_asc(site::Column::Id)
                .all(&self.db)
                .await?,
            hosts: site_host::Entity::find()
                .order_by_asc(site_host::Column::SiteId)
                .order_by_asc(site_host::Column::Position)
                .all(&self.db)
                .await?,
            templates: site_template::Entity::find().all(&self.db).await?,
            programmes: programme::Entity::find()
                .order_by_asc(programme::Column::Slug)
                .all(&self.db)
                .await?,
            categories: category::Entity::find()
                .order_by_asc(category::Column::SiteId)
                .order_by_asc(category::Column::Slug)
                .all(&self.db)
                .await?,
            menu_items: self.all_menu_items().await?,
            menu_pages: self.menu_pages().await?,
        })
    }

    pub async fn site_by_slug(&self, slug: &str) -> Result<Option<SiteRow>> {
        Ok(site::Entity::find()
            .filter(site::Column::Slug.eq(slug))
            .one(&self.db)
            .await?)
    }

    /// Creates the site, or updates it when its slug exists; returns its id.
    pub async fn upsert_site(&self, new: NewSite) -> Result<i32> {
        let existing = self.site_by_slug(&new.slug).await?;
        let stamp = now();
        let mut model = match &existing {
            Some(row) => site::ActiveModel::from(row.clone()),
            None => site::ActiveModel {
                slug: Set(new.slug.clone()),
                settings: Set(Json::Object(Default::default())),
                created_at: Set(stamp),
                ..Default::default()
            },
        };
        model.kind = Set(new.kind);
        model.parent_id = Set(new.parent_id);
        model.name_ar = Set(new.name_ar);
        model.name_fr = Set(new.name_fr);
        model.tagline_ar = Set(new.tagline_ar);
        model.tagline_fr = Set(new.tagline_fr);
        model.default_locale = Set(new.default_locale);
        model.theme = Set(new.theme);
        model.logo_url = Set(new.logo_url);
        model.contact = Set(new.contact);
        model.social = Set(new.social);
        model.updated_at = Set(stamp);
        let saved = if existing.is_some() {
            model.update(&self.db).await?
        } else {
            model.insert(&self.db).await?
        };
        Ok(saved.id)
    }

    /// Makes `hosts` (in order of preference) the host names of the site.
    /// A host that belongs to another site is a conflict, and nothing changes.
    pub async fn replace_site_hosts(&self, site_id: i32, hosts: &[String]) -> Result<()> {
        // Reads go outside the transaction: on SQLite one that reads before
        // it writes fails when another writer commits in between.
        let txn = self.db.begin().await?;
        for host in hosts {
            if let Some(taken) = site_host::Entity::find()
                .filter(site_host::Column::Host.eq(host.as_str()))
                .filter(site_host::Column::SiteId.ne(site_id))
                .one(&self.db)
                .await?
            {
                return Err(StoreError::Conflict(format!(
                    "host `{host}` already belongs to site #{}",
                    taken.site_id
                )));
            }
        }
        site_host::Entity::delete_many()
            .filter(site_host::Column::SiteId.eq(site_id))
            .exec(&txn)
            .await?;
        for (position, host) in hosts.iter().enumerate() {
            site_host::ActiveModel {
                site_id: Set(site_id),
                host: Set(host.clone()),
                position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// Makes `templates` (name, source) the site's template overrides.
    pub async fn replace_site_templates(
        &self,
        site_id: i32,
        templates: &[(String, String)],
    ) -> Result<()> {
        let txn = self.db.begin().await?;
        site_template::Entity::delete_many()
            .filter(site_template::Column::SiteId.eq(site_id))
            .exec(&txn)
            .await?;
        let stamp = now();
        for (name, source) in templates {
            site_template::ActiveModel {
                site_id: Set(site_id),
                name: Set(name.clone()),
                source: Set(source.clone()),
                updated_at: Set(stamp),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
        }
        txn.commit().await?;
        Ok(())
    }

    pub async fn upsert_programme(
        &self,
        slug: &str,
        names: [&str; 2],
        descriptions: [&str; 2],
    ) -> Result<i32> {
        let model = programme::ActiveModel {
            slug: Set(slug.to_owned()),
            name_ar: Set(names[0].to_owned()),
            name_fr: Set(names[1].to_owned()),
            description_ar: Set(descriptions[0].to_owned()),
            description_fr: Set(descriptions[1].to_owned()),
            ..Default::default()
        };
        programme::Entity::insert(model)
            .on_conflict(
                OnConflict::column(programme::Column::Slug)
                    .update_columns([
                        programme::Column::NameAr,
                        programme::Column::NameFr,
                        programme::Column::DescriptionAr,
                        programme::Column::DescriptionFr,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(&self.db)
            .await?;
        programme::Entity::find()
            .filter(programme::Column::Slug.eq(slug))
            .one(&self.db)
            .await?
            .map(|p| p.id)
            .ok_or(StoreError::NotFound("programme"))
    }

    pub async fn upsert_category(&self, site_id: i32, slug: &str, names: [&str; 2]) -> Result<i32> {
        let existing = category::Entity::find()
            .filter(category::Column::SiteId.eq(site_id))
            .filter(category::Column::Slug.eq(slug))
            .one(&self.db)
            .await?;
        let saved = match existing {
            Some(row) => {
                let mut model = category::ActiveModel::from(row);
                model.name_ar = Set(names[0].to_owned());
                model.name_fr = Set(names[1].to_owned());
                model.update(&self.db).await?
            }
            None => {
                category::ActiveModel {
                    site_id: Set(site_id),
                    slug: Set(slug.to_owned()),
                    name_ar: Set(names[0].to_owned()),
                    name_fr: Set(names[1].to_owned()),
                    ..Default::default()
                }
                .insert(&self.db)
                .await?
            }
        };
        Ok(saved.id)
    }

    /// The tags with these (slug, name) pairs, created when missing.
    pub async fn ensure_tags(&self, tags: &[(String, String)]) -> Result<Vec<TagRow>> {
        let mut rows = Vec::with_capacity(tags.len());
        for (slug, name) in tags {
            let found = tag::Entity::find()
                .filter(tag::Column::Slug.eq(slug.as_str()))
                .one(&self.db)
                .await?;
            let row = match found {
                Some(row) => row,
                None => {
                    tag::ActiveModel {
                        slug: Set(slug.clone()),
                        name: Set(name.clone()),
                        ..Default::default()
                    }
                    .insert(&self.db)
                    .await?
                }
            };
            rows.push(row);
        }
        Ok(rows)
    }

    pub async fn tag_by_slug(&self, slug: &str) -> Result<Option<TagRow>> {
        Ok(tag::Entity::find()
            .filter(tag::Column::Slug.eq(slug))
            .one(&self.db)
            .await?)
    }
}
