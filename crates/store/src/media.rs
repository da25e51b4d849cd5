//! The media library: items of a site's library and their renditions. A
//! site holds a file once (unique site and content hash): storing it again
//! answers the item already there.

use sea_orm::sea_query::{Expr, Func, LikeExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait, UpdateMany,
};

use crate::entities::{entry, media, rendition};
use crate::entries::{escape_like, Page};
use crate::{now, EntryRow, Result, Store, StoreError};

pub type MediaRow = media::Model;
pub type RenditionRow = rendition::Model;

/// A new item of a site's library.
#[derive(Debug, Clone, PartialEq)]
pub struct NewMedia {
    pub site_id: i32,
    /// `image`, `document`, `video` or `video_link`.
    pub kind: String,
    pub original_name: String,
    /// Empty for a video link.
    pub stored_name: String,
    pub mime: String,
    pub size: i64,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub hash: String,
    pub meta: MediaMeta,
    pub video_provider: Option<String>,
    pub video_id: Option<String>,
    pub uploaded_by: Option<i32>,
}

/// What editors describe about an item.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaMeta {
    pub alt_ar: String,
    pub alt_fr: String,
    pub caption: String,
    pub credit: String,
    /// `own`, `licensed`, `consent_on_file` or `public_domain`.
    pub rights: String,
    pub depicts_minors: bool,
    pub focal_x: f32,
    pub focal_y: f32,
}

/// A generated file of an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRendition {
    pub width: i32,
    pub height: i32,
    /// `webp` or `jpeg`.
    pub format: String,
    /// `width` (scaled) or `thumbnail` (square crop).
    pub purpose: String,
    pub stored_name: String,
    pub size: i64,
}

/// An entry's cover from the library, as pages show it: the item, its
/// largest JPEG (for feeds and OpenGraph), its alt text in the entry's
/// language and its renditions (JSON). All empty: no library cover.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CoverEdit {
    pub media_id: Option<i32>,
    pub url: Option<String>,
    pub alt: String,
    pub image: Option<serde_json::Value>,
}

impl CoverEdit {
    /// Whether the entry already holds exactly this cover.
    pub(crate) fn is_on(&self, row: &EntryRow) -> bool {
        row.cover_media_id == self.media_id
            && row.cover_url == self.url
            && row.cover_alt == self.alt
            && row.cover_image == self.image
    }

    /// Sets the four cover columns of an update.
    pub(crate) fn apply(&self, update: UpdateMany<entry::Entity>) -> UpdateMany<entry::Entity> {
        update
            .col_expr(entry::Column::CoverMediaId, Expr::value(self.media_id))
            .col_expr(entry::Column::CoverUrl, Expr::value(self.url.clone()))
            .col_expr(entry::Column::CoverAlt, Expr::value(self.alt.clone()))
            .col_expr(entry::Column::CoverImage, Expr::value(self.image.clone()))
    }
}

/// How a gallery is stored: its ids in order, space-separated.
pub fn gallery_text(ids: &[i32]) -> String {
    ids.iter().map(i32::to_string).collect::<Vec<_>>().join(" ")
}

/// The ids of a stored gallery, in order (anything else is skipped).
pub fn gallery_ids(text: &str) -> Vec<i32> {
    text.split_whitespace()
        .filter_map(|id| id.parse().ok())
        .collect()
}

fn rendition_model(media_id: i32, r: &NewRendition) -> rendition::ActiveModel {
    rendition::ActiveModel {
        media_id: Set(media_id),
        width: Set(r.width),
        height: Set(r.height),
        format: Set(r.format.clone()),
        purpose: Set(r.purpose.clone()),
        stored_name: Set(r.stored_name.clone()),
        size: Set(r.size),
        ..Default::default()
    }
}

impl Store {
    /// The item of the site with this content hash, if any.
    pub async fn media_by_hash(&self, site_id: i32, hash: &str) -> Result<Option<MediaRow>> {
        Ok(media::Entity::find()
            .filter(media::Column::SiteId.eq(site_id))
            .filter(media::Column::Hash.eq(hash))
            .one(&self.db)
            .await?)
    }

    /// Adds an item with its renditions, in one transaction. When the site
    /// already holds this content, nothing is written and the item already
    /// there is returned with `false`.
    pub async fn insert_media(
        &self,
        new: &NewMedia,
        renditions: &[NewRendition],
    ) -> Result<(MediaRow, bool)> {
        if let Some(existing) = self.media_by_hash(new.site_id, &new.hash).await? {
            return Ok((existing, false));
        }
        let stamp = now();
        let txn = self.db.begin().await?;
        let inserted = media::ActiveModel {
            site_id: Set(new.site_id),
            kind: Set(new.kind.clone()),
            original_name: Set(new.original_name.clone()),
            stored_name: Set(new.stored_name.clone()),
            mime: Set(new.mime.clone()),
            size: Set(new.size),
            width: Set(new.width),
            height: Set(new.height),
            hash: Set(new.hash.clone()),
            alt_ar: Set(new.meta.alt_ar.clone()),
            alt_fr: Set(new.meta.alt_fr.clone()),
            caption: Set(new.meta.caption.clone()),
            credit: Set(new.meta.credit.clone()),
            rights: Set(new.meta.rights.clone()),
            depicts_minors: Set(new.meta.depicts_minors),
            focal_x: Set(new.meta.focal_x),
            focal_y: Set(new.meta.focal_y),
            video_provider: Set(new.video_provider.clone()),
            video_id: Set(new.video_id.clone()),
            uploaded_by: Set(new.uploaded_by),
            created_at: Set(stamp),
            updated_at: Set(stamp),
            ..Default::default()
        }
        .insert(&txn)
        .await;
        let row = match inserted {
            Ok(row) => row,
            // Two uploads of one photo at once: the other one won.
            Err(e) => {
                drop(txn);
                return match StoreError::from(e) {
                    StoreError::Conflict(_) => self
                        .media_by_hash(new.site_id, &new.hash)
                        .await?
                        .map(|row| (row, false))
                        .ok_or(StoreError::NotFound("media")),
                    other => Err(other),
                };
            }
        };
        for r in renditions {
            rendition_model(row.id, r).insert(&txn).await?;
        }
        txn.commit().await?;
        Ok((row, true))
    }

    pub async fn media(&self, id: i32) -> Result<Option<MediaRow>> {
        Ok(media::Entity::find_by_id(id).one(&self.db).await?)
    }

    /// The items of a site among `ids` (others are left out).
    pub async fn media_of_site(&self, site_id: i32, ids: &[i32]) -> Result<Vec<MediaRow>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(media::Entity::find()
            .filter(media::Column::SiteId.eq(site_id))
            .filter(media::Column::Id.is_in(ids.iter().copied()))
            .all(&self.db)
            .await?)
    }

    /// The renditions of these items, smallest first.
    pub async fn renditions_of(&self, media_ids: &[i32]) -> Result<Vec<RenditionRow>> {
        if media_ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(rendition::Entity::find()
            .filter(rendition::Column::MediaId.is_in(media_ids.iter().copied()))
            .order_by_asc(rendition::Column::MediaId)
            .order_by_asc(rendition::Column::Width)
            .order_by_asc(rendition::Column::Id)
            .all(&self.db)
            .await?)
    }

    /// A site's library, newest first; with `query`, only the items whose
    /// original name, alt texts or caption contain every word of it.
    pub async fn search_media(
        &self,
        site_id: i32,
        words: &[String],
        page: u64,
        per_page: u64,
    ) -> Result<Page<MediaRow>> {
        let mut cond = Condition::all().add(media::Column::SiteId.eq(site_id));
        for word in words {
            let pattern = format!("%{}%", escape_like(&word.to_lowercase()));
            let mut any = Condition::any();
            for column in [
                media::Column::OriginalName,
                media::Column::AltAr,
                media::Column::AltFr,
                media::Column::Caption,
            ] {
                any = any.add(
                    Expr::expr(Func::lower(Expr::col((media::Entity, column))))
                        .like(LikeExpr::new(pattern.clone()).escape('\\')),
                );
            }
            cond = cond.add(any);
        }
        let total = media::Entity::find()
            .filter(cond.clone())
            .count(&self.db)
            .await?;
        let items = media::Entity::find()
            .filter(cond)
            .order_by_desc(media::Column::CreatedAt)
            .order_by_desc(media::Column::Id)
            .offset(crate::page_offset(page, per_page))
            .limit(per_page)
            .all(&self.db)
            .await?;
        Ok(Page { items, total })
    }

    /// Changes what editors describe about an item.
    pub async fn update_media_meta(&self, id: i32, meta: &MediaMeta) -> Result<Option<MediaRow>> {
        let Some(row) = self.media(id).await? else {
            return Ok(None);
        };
        let mut active: media::ActiveModel = row.into();
        active.alt_ar = Set(meta.alt_ar.clone());
        active.alt_fr = Set(meta.alt_fr.clone());
        active.caption = Set(meta.caption.clone());
        active.credit = Set(meta.credit.clone());
        active.rights = Set(meta.rights.clone());
        active.depicts_minors = Set(meta.depicts_minors);
        active.focal_x = Set(meta.focal_x);
        active.focal_y = Set(meta.focal_y);
        active.updated_at = Set(now());
        Ok(Some(active.update(&self.db).await?))
    }

    /// Replaces the renditions of one purpose (e.g. the thumbnail after the
    /// focal point moved). Returns the stored names no row uses any more.
    pub async fn replace_renditions(
        &self,
        media_id: i32,
        purpose: &str,
        renditions: &[NewRendition],
    ) -> Result<Vec<String>> {
        // Read outside the transaction (see `network.rs` on SQLite).
        let txn = self.db.begin().await?;
        let old: Vec<String> = rendition::Entity::find()
            .filter(rendition::Column::MediaId.eq(media_id))
            .filter(rendition::Column::Purpose.eq(purpose))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|r| r.stored_name)
            .collect();
        rendition::Entity::delete_many()
            .filter(rendition::Column::MediaId.eq(media_id))
            .filter(rendition::Column::Purpose.eq(purpose))
            .exec(&txn)
            .await?;
        for r in renditions {
            rendition_model(media_id, r).insert(&txn).await?;
        }
        txn.commit().await?;
        self.unreferenced(old).await
    }

    /// Deletes an item and its renditions. Returns the stored names that no
    /// other item (of this site or another) uses, whose files may go.
    pub async fn delete_media(&self, id: i32) -> Result<Vec<String>> {
        let Some(row) = self.media(id).await? else {
            return Ok(Vec::new());
        };
        let mut names: Vec<String> = self
            .renditions_of(&[id])
            .await?
            .into_iter()
            .map(|r| r.stored_name)
            .collect();
        if !row.stored_name.is_empty() {
            names.push(row.stored_name.clone());
        }
        let txn = self.db.begin().await?;
        rendition::Entity::delete_many()
            .filter(rendition::Column::MediaId.eq(id))
            .exec(&txn)
            .await?;
        media::Entity::delete_by_id(id).exec(&txn).await?;
        txn.commit().await?;
        self.unreferenced(names).await
    }

    /// Those of `names` no item and no rendition is stored under.
    async fn unreferenced(&self, mut names: Vec<String>) -> Result<Vec<String>> {
        names.sort();
        names.dedup();
        let mut free = Vec::new();
        for name in names {
            let in_media = media::Entity::find()
                .filter(media::Column::StoredName.eq(name.as_str()))
                .count(&self.db)
                .await?;
            let in_renditions = rendition::Entity::find()
                .filter(rendition::Column::StoredName.eq(name.as_str()))
                .count(&self.db)
                .await?;
            if in_media + in_renditions == 0 {
                free.push(name);
            }
        }
        Ok(free)
    }

    /// Entries of a site (deleted ones too: they may come back) that may
    /// use item `media_id`: their text or imported cover contains `needle`,
    /// their cover is the item, or their gallery names its id. A coarse
    /// filter: the caller checks each candidate's references exactly.
    pub async fn entries_mentioning(
        &self,
        site_id: i32,
        needle: &str,
        media_id: i32,
    ) -> Result<Vec<EntryRow>> {
        let pattern = format!("%{}%", escape_like(needle));
        let gallery = format!("%{media_id}%");
        Ok(entry::Entity::find()
            .filter(entry::Column::SiteId.eq(site_id))
            .filter(
                Condition::any()
                    .add(
                        Expr::col((entry::Entity, entry::Column::BodyMd))
                            .like(LikeExpr::new(pattern.clone()).escape('\\')),
                    )
                    .add(
                        Expr::col((entry::Entity, entry::Column::CoverUrl))
                            .like(LikeExpr::new(pattern).escape('\\')),
                    )
                    .add(entry::Column::CoverMediaId.eq(media_id))
                    .add(Expr::col((entry::Entity, entry::Column::Gallery)).like(gallery)),
            )
            .order_by_desc(entry::Column::UpdatedAt)
            .all(&self.db)
            .await?)
    }

    /// Entries of a site (deleted ones too: they may come back), after
    /// `after_id` in id order, that may show a file of the uploads folder
    /// outside the library: a cover that is no library item, or a text
    /// naming `/uploads/`. A coarse filter: the caller checks each one.
    pub async fn entries_with_upload_links(
        &self,
        site_id: i32,
        after_id: i32,
        limit: u64,
    ) -> Result<Vec<EntryRow>> {
        Ok(entry::Entity::find()
            .filter(entry::Column::SiteId.eq(site_id))
            .filter(entry::Column::Id.gt(after_id))
            .filter(
                Condition::any()
                    .add(
                        Condition::all()
                            .add(entry::Column::CoverMediaId.is_null())
                            .add(entry::Column::CoverUrl.starts_with("/uploads/")),
                    )
                    .add(entry::Column::BodyMd.contains("/uploads/")),
            )
            .order_by_asc(entry::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?)
    }

    /// Makes an entry show library photos instead of imported files: its
    /// cover (`cover`) and its text (`body`: the Markdown and its HTML).
    /// Only if the entry is still as `row` was read (the same version, the
    /// same imported cover, the same text), so a save or another server
    /// doing the same meanwhile wins and this one changes nothing; answers
    /// whether it wrote. A version of its own, with its revision (no
    /// author: nobody typed it), in one transaction: a form opened before
    /// is told the entry changed instead of saving over it.
    pub async fn adopt_entry_photos(
        &self,
        row: &EntryRow,
        cover: Option<&CoverEdit>,
        body: Option<(&str, &str)>,
    ) -> Result<bool> {
        if cover.is_none() && body.is_none() {
            return Ok(false);
        }
        let txn = self.db.begin().await?;
        let mut update = entry::Entity::update_many()
            .col_expr(entry::Column::Version, Expr::value(row.version + 1))
            .col_expr(entry::Column::UpdatedAt, Expr::value(now()))
            .filter(entry::Column::Id.eq(row.id))
            .filter(entry::Column::Version.eq(row.version));
        if let Some(cover) = cover {
            update = cover
                .apply(update)
                .filter(entry::Column::CoverMediaId.is_null())
                .filter(entry::Column::CoverUrl.eq(row.cover_url.clone()));
        }
        if let Some((markdown, html)) = body {
            update = update
                .col_expr(entry::Column::BodyMd, Expr::value(markdown))
                .col_expr(entry::Column::BodyHtml, Expr::value(html))
                .filter(entry::Column::BodyMd.eq(row.body_md.as_str()));
        }
        if update.exec(&txn).await?.rows_affected != 1 {
            return Ok(false);
        }
        let updated = entry::Entity::find_by_id(row.id)
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound("entry"))?;
        crate::editorial::insert_revision(&txn, &updated, None).await?;
        crate::index_log::note_entry_change(&txn, row.id).await?;
        txn.commit().await?;
        Ok(true)
    }

    /// Stores an entry's cover resolved again (its item's alt text or
    /// renditions changed): its version and history are untouched.
    pub async fn refresh_entry_cover(&self, entry_id: i32, cover: &CoverEdit) -> Result<()> {
        cover
            .apply(entry::Entity::update_many())
            .filter(entry::Column::Id.eq(entry_id))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Stores the HTML of an entry rendered again (its media's alt text or
    /// renditions changed): the text itself, its version and its history
    /// are untouched.
    pub async fn refresh_body_html(&self, entry_id: i32, html: &str) -> Result<()> {
        entry::Entity::update_many()
            .col_expr(entry::Column::BodyHtml, Expr::value(html))
            .filter(entry::Column::Id.eq(entry_id))
            .exec(&self.db)
            .await?;
        Ok(())
    }
}
