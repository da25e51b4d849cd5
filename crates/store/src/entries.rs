//! Entries: saving them with their revisions and workflow events, and the
//! queries public pages need.

use sea_orm::sea_query::{
    Alias, Asterisk, Expr, Func, LikeExpr, Query, SelectStatement, UnionType,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait,
    FromQueryResult, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Set,
    TransactionTrait,
};
use serde_json::Value as Json;
use time::OffsetDateTime;

use crate::entities::{entry, entry_programme, entry_tag, revision, tag};
use crate::{now, CoverEdit, EntryRow, Result, RevisionRow, Store, TagRow};

/// An entry as its author gives it: everything but the bookkeeping.
#[derive(Debug, Clone, PartialEq)]
pub struct EntryDraft {
    pub site_id: i32,
    pub kind: String,
    pub locale: String,
    pub translation_key: Option<String>,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub body_md: String,
    pub body_html: String,
    /// The cover: a library photo resolved as pages show it, or none.
    pub cover: CoverEdit,
    pub category_id: Option<i32>,
    pub fields: Json,
    pub status: String,
    pub published_at: Option<OffsetDateTime>,
    pub featured: bool,
    pub featured_on_parent: bool,
    pub menu_order: Option<i32>,
    pub tag_ids: Vec<i32>,
    pub programme_ids: Vec<i32>,
    pub author_id: Option<i32>,
}

/// What saving an entry did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    Created(i32),
    Updated(i32),
    Unchanged(i32),
}

impl Saved {
    pub fn id(self) -> i32 {
        match self {
            Saved::Created(id) | Saved::Updated(id) | Saved::Unchanged(id) => id,
        }
    }
}

/// A filter over public entries. Empty `site_ids` means no site at all.
#[derive(Debug, Clone, Default)]
pub struct EntryQuery {
    pub site_ids: Vec<i32>,
    pub kind: Option<String>,
    pub locale: Option<String>,
    pub category_id: Option<i32>,
    pub tag_id: Option<i32>,
    pub programme_id: Option<i32>,
    pub featured: Option<bool>,
    pub featured_on_parent: Option<bool>,
    /// Leaves out announcements whose deadline (their last day) is before
    /// this day (`latest_public_lists` only: home pages).
    pub open_on: Option<time::Date>,
}

/// An entry as a list shows it: no text, no facts. What home pages,
/// archives, search results and sitemaps read.
#[derive(Debug, Clone, PartialEq, FromQueryResult)]
pub struct EntrySummary {
    pub id: i32,
    pub site_id: i32,
    pub kind: String,
    pub locale: String,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub cover_url: Option<String>,
    pub cover_alt: String,
    /// A library cover's renditions, resolved (JSON), for a `<picture>`.
    pub cover_image: Option<Json>,
    pub category_id: Option<i32>,
    pub published_at: Option<OffsetDateTime>,
    pub updated_at: OffsetDateTime,
}

impl From<&EntryRow> for EntrySummary {
    fn from(row: &EntryRow) -> Self {
        EntrySummary {
            id: row.id,
            site_id: row.site_id,
            kind: row.kind.clone(),
            locale: row.locale.clone(),
            slug: row.slug.clone(),
            title: row.title.clone(),
            summary: row.summary.clone(),
            cover_url: row.cover_url.clone(),
            cover_alt: row.cover_alt.clone(),
            cover_image: row.cover_image.clone(),
            category_id: row.category_id,
            published_at: row.published_at,
            updated_at: row.updated_at,
        }
    }
}

fn summaries() -> sea_orm::Select<entry::Entity> {
    use entry::Column as C;
    entry::Entity::find().select_only().columns([
        C::Id,
        C::SiteId,
        C::Kind,
        C::Locale,
        C::Slug,
        C::Title,
        C::Summary,
        C::CoverUrl,
        C::CoverAlt,
        C::CoverImage,
        C::CategoryId,
        C::PublishedAt,
        C::UpdatedAt,
    ])
}

/// A row of `latest_public_lists`: which list it belongs to, and the entry.
#[derive(Debug, FromQueryResult)]
struct Listed {
    list_number: i32,
    #[sea_orm(nested)]
    entry: EntrySummary,
}

/// One page of a listing.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
}

fn content_differs(row: &EntryRow, d: &EntryDraft) -> bool {
    row.kind != d.kind
        || row.locale != d.locale
        || row.translation_key != d.translation_key
        || row.title != d.title
        || row.summary != d.summary
        || row.body_md != d.body_md
        || row.body_html != d.body_html
        || !d.cover.is_on(row)
        || row.category_id != d.category_id
        || row.fields != d.fields
        || row.status != d.status
        || row.published_at != d.published_at
        || row.featured != d.featured
        || row.featured_on_parent != d.featured_on_parent
        || row.menu_order != d.menu_order
}

impl Store {
    /// Saves an entry identified by its site and slug: creates it, or updates
    /// it when something changed. Every change writes a revision, and a change
    /// of status writes a workflow event with `action`, in one transaction.
    pub async fn upsert_entry_by_slug(&self, draft: EntryDraft, action: &str) -> Result<Saved> {
        // Read before the transaction: on SQLite a transaction that reads
        // then writes fails ("busy snapshot") if another writer (a server's
        // background work) committed in between.
        let existing = entry::Entity::find()
            .filter(entry::Column::SiteId.eq(draft.site_id))
            .filter(entry::Column::Slug.eq(draft.slug.as_str()))
            .one(&self.db)
            .await?;
        let current_links = match &existing {
            Some(row) => Some(self.entry_link_ids(&self.db, row.id).await?),
            None => None,
        };
        let txn = self.db.begin().await?;
        let stamp = now();
        let saved = match existing {
            None => {
                let row = entry::ActiveModel {
                    site_id: Set(draft.site_id),
                    slug: Set(draft.slug.clone()),
                    version: Set(1),
                    created_at: Set(stamp),
                    scheduled_at: Set(None),
                    deleted_at: Set(None),
                    ..fill(&draft, stamp)
                }
                .insert(&txn)
                .await?;
                record_revision(&txn, &row, draft.author_id).await?;
                record_event(&txn, row.id, action, None, &row.status, draft.author_id).await?;
                replace_links(&txn, row.id, &draft).await?;
                crate::index_log::note_entry_change(&txn, row.id).await?;
                Saved::Created(row.id)
            }
            Some(row) => {
                let links_changed = current_links.unwrap_or_default()
                    != (sorted(&draft.tag_ids), sorted(&draft.programme_ids));
                if !content_differs(&row, &draft) && !links_changed {
                    txn.commit().await?;
                    return Ok(Saved::Unchanged(row.id));
                }
                let old_status = row.status.clone();
                let id = row.id;
                let mut model = fill(&draft, stamp);
                model.id = Set(id);
                model.version = Set(row.version + 1);
                let updated = model.update(&txn).await?;
                record_revision(&txn, &updated, draft.author_id).await?;
                if old_status != updated.status {
                    record_event(
                        &txn,
                        id,
                        action,
                        Some(&old_status),
                        &updated.status,
                        draft.author_id,
                    )
                    .await?;
                }
                replace_links(&txn, id, &draft).await?;
                crate::index_log::note_entry_change(&txn, id).await?;
                Saved::Updated(id)
            }
        };
        txn.commit().await?;
        Ok(saved)
    }

    async fn entry_link_ids(
        &self,
        txn: &impl ConnectionTrait,
        entry_id: i32,
    ) -> Result<(Vec<i32>, Vec<i32>)> {
        let tags = entry_tag::Entity::find()
            .filter(entry_tag::Column::EntryId.eq(entry_id))
            .all(txn)
            .await?
            .into_iter()
            .map(|l| l.tag_id)
            .collect::<Vec<_>>();
        let programmes = entry_programme::Entity::find()
            .filter(entry_programme::Column::EntryId.eq(entry_id))
            .all(txn)
            .await?
            .into_iter()
            .map(|l| l.programme_id)
            .collect::<Vec<_>>();
        Ok((sorted(&tags), sorted(&programmes)))
    }

    /// Published entries whose publication time fell in `(after, until]`:
    /// what appears on its own when the clock passes a scheduled time.
    pub async fn published_between(
        &self,
        after: OffsetDateTime,
        until: OffsetDateTime,
    ) -> Result<Vec<EntryRow>> {
        Ok(entry::Entity::find()
            .filter(entry::Column::Status.eq("published"))
            .filter(entry::Column::DeletedAt.is_null())
            .filter(entry::Column::PublishedAt.gt(after))
            .filter(entry::Column::PublishedAt.lte(until))
            .all(&self.db)
            .await?)
    }

    /// The live entry of a site with this slug.
    pub async fn entry_by_slug(&self, site_id: i32, slug: &str) -> Result<Option<EntryRow>> {
        Ok(entry::Entity::find()
            .filter(entry::Column::SiteId.eq(site_id))
            .filter(entry::Column::Slug.eq(slug))
            .filter(entry::Column::DeletedAt.is_null())
            .one(&self.db)
            .await?)
    }

    /// A live (not deleted) entry by id.
    pub async fn entry(&self, id: i32) -> Result<Option<EntryRow>> {
        Ok(entry::Entity::find_by_id(id)
            .filter(entry::Column::DeletedAt.is_null())
            .one(&self.db)
            .await?)
    }

    /// The newest public entries of several lists in one round trip (one
    /// `UNION ALL` of per-list queries): what a home page shows. `lists` are
    /// (query, limit) pairs; the result has one list per pair, in order,
    /// newest first.
    pub async fn latest_public_lists(
        &self,
        lists: &[(EntryQuery, u64)],
    ) -> Result<Vec<Vec<EntrySummary>>> {
        let mut union: Option<SelectStatement> = None;
        for (number, (query, limit)) in lists.iter().enumerate() {
            // A literal, not a bound value: PostgreSQL cannot type a
            // parameter that only appears in a select list.
            let mut condition = public_condition(query);
            if let Some(day) = query.open_on {
                condition = condition.add(open_on(self.db.get_database_backend(), day));
            }
            let list = summaries()
                .expr_as(Expr::cust(number.to_string()), "list_number")
                .filter(condition)
                .order_by_desc(entry::Column::PublishedAt)
                .order_by_desc(entry::Column::Id)
                .limit(*limit)
                .into_query();
            let wrapped = Query::select()
                .column(Asterisk)
                .from_subquery(list, Alias::new(format!("list{number}")))
                .to_owned();
            match union.as_mut() {
                None => union = Some(wrapped),
                Some(union) => {
                    union.union(UnionType::All, wrapped);
                }
            }
        }
        let Some(statement) = union else {
            return Ok(Vec::new());
        };
        let statement = self.db.get_database_backend().build(&statement);
        let rows = Listed::find_by_statement(statement).all(&self.db).await?;
        let mut out = vec![Vec::new(); lists.len()];
        for row in rows {
            if let Some(list) = usize::try_from(row.list_number)
                .ok()
                .and_then(|n| out.get_mut(n))
            {
                list.push(row.entry);
            }
        }
        // A union keeps no order of its own.
        for list in &mut out {
            list.sort_by_key(|e: &EntrySummary| std::cmp::Reverse((e.published_at, e.id)));
        }
        Ok(out)
    }

    /// Public entries by id (the search index's hits), in no set order.
    pub async fn public_summaries_by_ids(&self, ids: &[i32]) -> Result<Vec<EntrySummary>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(summaries()
            .filter(entry::Column::Id.is_in(ids.iter().copied()))
            .filter(entry::Column::Status.eq("published"))
            .filter(entry::Column::DeletedAt.is_null())
            .filter(entry::Column::PublishedAt.lte(now()))
            .into_model::<EntrySummary>()
            .all(&self.db)
            .await?)
    }

    /// The newest `limit` public entries with their text: what a feed shows.
    pub async fn latest_public_full(
        &self,
        query: &EntryQuery,
        limit: u64,
    ) -> Result<Vec<EntryRow>> {
        Ok(entry::Entity::find()
            .filter(public_condition(query))
            .order_by_desc(entry::Column::PublishedAt)
            .order_by_desc(entry::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?)
    }

    /// Public entries matching `query`, newest first, `per_page` from `page` (1-based).
    pub async fn public_entries(
        &self,
        query: &EntryQuery,
        page: u64,
        per_page: u64,
    ) -> Result<Page<EntrySummary>> {
        self.counted_page(public_condition(query), page, per_page)
            .await
    }

    /// One page of the entries matching `condition`, newest first, and how
    /// many match in all: an index-only count, then the page (a window count
    /// in one query was measured far slower on SQLite, which then sorts
    /// every match).
    async fn counted_page(
        &self,
        condition: Condition,
        page: u64,
        per_page: u64,
    ) -> Result<Page<EntrySummary>> {
        let total = entry::Entity::find()
            .filter(condition.clone())
            .count(&self.db)
            .await?;
        let items = summaries()
            .filter(condition)
            .order_by_desc(entry::Column::PublishedAt)
            .order_by_desc(entry::Column::Id)
            .offset(crate::page_offset(page, per_page))
            .limit(per_page)
            .into_model::<EntrySummary>()
            .all(&self.db)
            .await?;
        Ok(Page { items, total })
    }

    /// Public entries whose title, summary or text contains every word of
    /// `words` (case-insensitive for Latin letters), newest first. A plain
    /// scan: the search index replaces it where one is configured.
    pub async fn search_public(
        &self,
        site_ids: &[i32],
        words: &[String],
        page: u64,
        per_page: u64,
    ) -> Result<Page<EntrySummary>> {
        let mut cond = public_condition(&EntryQuery {
            site_ids: site_ids.to_vec(),
            ..Default::default()
        });
        for word in words {
            let pattern = format!("%{}%", escape_like(&word.to_lowercase()));
            let mut any = Condition::any();
            for column in [
                entry::Column::Title,
                entry::Column::Summary,
                entry::Column::BodyMd,
            ] {
                any = any.add(
                    Expr::expr(Func::lower(Expr::col((entry::Entity, column))))
                        .like(LikeExpr::new(pattern.clone()).escape('\\')),
                );
            }
            cond = cond.add(any);
        }
        self.counted_page(cond, page, per_page).await
    }

    /// A site's pages in a language (not deleted), by title: what a menu
    /// may lead to.
    pub async fn pages_of_site(&self, site_id: i32, locale: &str) -> Result<Vec<EntryRow>> {
        Ok(entry::Entity::find()
            .filter(entry::Column::SiteId.eq(site_id))
            .filter(entry::Column::Kind.eq("page"))
            .filter(entry::Column::Locale.eq(locale))
            .filter(entry::Column::DeletedAt.is_null())
            .order_by_asc(entry::Column::Title)
            .limit(500)
            .all(&self.db)
            .await?)
    }

    /// Published pages that a menu item leads to.
    pub(crate) async fn menu_pages(&self) -> Result<Vec<EntryRow>> {
        let in_menus = sea_orm::sea_query::Query::select()
            .column(crate::entities::menu_item::Column::EntryId)
            .from(crate::entities::menu_item::Entity)
            .and_where(crate::entities::menu_item::Column::EntryId.is_not_null())
            .to_owned();
        Ok(entry::Entity::find()
            .filter(entry::Column::Kind.eq("page"))
            .filter(entry::Column::Status.eq("published"))
            .filter(entry::Column::DeletedAt.is_null())
            .filter(entry::Column::Id.in_subquery(in_menus))
            .order_by_asc(entry::Column::SiteId)
            .all(&self.db)
            .await?)
    }

    /// Translations of an entry that readers see now: same site, same
    /// translation key, public and past their publication time (an
    /// embargoed one is not linked before its time).
    pub async fn public_translations(&self, row: &EntryRow) -> Result<Vec<EntryRow>> {
        self.translations_where(
            row,
            Condition::all()
                .add(entry::Column::Status.is_in(["published", "archived"]))
                .add(entry::Column::PublishedAt.lte(now())),
            entry::Column::Locale,
        )
        .await
    }

    /// Every other entry of an entry's translation group, whatever its
    /// state (the trash left out), oldest first.
    pub async fn translation_group(&self, row: &EntryRow) -> Result<Vec<EntryRow>> {
        self.translations_where(row, Condition::all(), entry::Column::Id)
            .await
    }

    /// Public translations of an entry, embargoed ones included (the pages
    /// a change of the entry touches): same site, same translation key.
    pub async fn translations(&self, row: &EntryRow) -> Result<Vec<EntryRow>> {
        self.translations_where(
            row,
            Condition::all().add(entry::Column::Status.is_in(["published", "archived"])),
            entry::Column::Locale,
        )
        .await
    }

    /// The other live entries sharing `row`'s translation key on its site
    /// that also meet `condition`, ordered by `order`.
    async fn translations_where(
        &self,
        row: &EntryRow,
        condition: Condition,
        order: entry::Column,
    ) -> Result<Vec<EntryRow>> {
        let Some(key) = &row.translation_key else {
            return Ok(Vec::new());
        };
        Ok(entry::Entity::find()
            .filter(entry::Column::SiteId.eq(row.site_id))
            .filter(entry::Column::TranslationKey.eq(key.as_str()))
            .filter(entry::Column::Id.ne(row.id))
            .filter(entry::Column::DeletedAt.is_null())
            .filter(condition)
            .order_by_asc(order)
            .all(&self.db)
            .await?)
    }

    /// Every public entry of a site past its publication time, for its
    /// sitemap (id, kind, slug, updated).
    pub async fn sitemap_entries(&self, site_id: i32) -> Result<Vec<EntrySummary>> {
        Ok(summaries()
            .filter(entry::Column::SiteId.eq(site_id))
            .filter(entry::Column::Status.is_in(["published", "archived"]))
            .filter(entry::Column::DeletedAt.is_null())
            .filter(entry::Column::PublishedAt.lte(now()))
            .order_by_desc(entry::Column::PublishedAt)
            .into_model::<EntrySummary>()
            .all(&self.db)
            .await?)
    }

    /// The tags of one entry, by name, in one round trip.
    pub async fn tags_of_entry(&self, entry_id: i32) -> Result<Vec<TagRow>> {
        Ok(tag::Entity::find()
            .filter(
                tag::Column::Id.in_subquery(
                    Query::select()
                        .column(entry_tag::Column::TagId)
                        .from(entry_tag::Entity)
                        .and_where(Expr::col(entry_tag::Column::EntryId).eq(entry_id))
                        .to_owned(),
                ),
            )
            .order_by_asc(tag::Column::Name)
            .all(&self.db)
            .await?)
    }

    /// Programme ids of one entry.
    pub async fn programme_ids_of(&self, entry_id: i32) -> Result<Vec<i32>> {
        Ok(entry_programme::Entity::find()
            .filter(entry_programme::Column::EntryId.eq(entry_id))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|l| l.programme_id)
            .collect())
    }

    pub async fn revisions(&self, entry_id: i32) -> Result<Vec<RevisionRow>> {
        Ok(revision::Entity::find()
            .filter(revision::Column::EntryId.eq(entry_id))
            .order_by_asc(revision::Column::Version)
            .all(&self.db)
            .await?)
    }

    /// How many live entries the site has, by any status.
    pub async fn count_entries(&self, site_id: i32) -> Result<u64> {
        Ok(entry::Entity::find()
            .filter(entry::Column::SiteId.eq(site_id))
            .filter(entry::Column::DeletedAt.is_null())
            .count(&self.db)
            .await?)
    }
}

/// An entry without a deadline, or whose deadline is `day` or later. The
/// deadline is a fact in the JSON `fields` (`YYYY-MM-DD`, which compares
/// as text), read the way each database reads JSON.
fn open_on(backend: sea_orm::DbBackend, day: time::Date) -> sea_orm::sea_query::SimpleExpr {
    let deadline = match backend {
        sea_orm::DbBackend::Postgres => "(fields ->> 'deadline')",
        _ => "json_extract(fields, '$.deadline')",
    };
    // The day is written into the statement, as the list's number is (a
    // date prints as digits and hyphens only): PostgreSQL refused the
    // statement with it as a bound value inside the union.
    Expr::cust(format!(
        "({deadline} IS NULL OR {deadline} >= '{:04}-{:02}-{:02}')",
        day.year(),
        u8::from(day.month()),
        day.day()
    ))
}

fn public_condition(query: &EntryQuery) -> Condition {
    let mut cond = Condition::all()
        .add(entry::Column::SiteId.is_in(query.site_ids.iter().copied()))
        .add(entry::Column::Status.eq("published"))
        .add(entry::Column::DeletedAt.is_null())
        .add(entry::Column::PublishedAt.lte(now()));
    if let Some(kind) = &query.kind {
        cond = cond.add(entry::Column::Kind.eq(kind.as_str()));
    }
    if let Some(locale) = &query.locale {
        cond = cond.add(entry::Column::Locale.eq(locale.as_str()));
    }
    if let Some(category_id) = query.category_id {
        cond = cond.add(entry::Column::CategoryId.eq(category_id));
    }
    if let Some(featured) = query.featured {
        cond = cond.add(entry::Column::Featured.eq(featured));
    }
    if let Some(featured) = query.featured_on_parent {
        cond = cond.add(entry::Column::FeaturedOnParent.eq(featured));
    }
    if let Some(tag_id) = query.tag_id {
        cond = cond.add(
            entry::Column::Id.in_subquery(
                Query::select()
                    .column(entry_tag::Column::EntryId)
                    .from(entry_tag::Entity)
                    .and_where(Expr::col(entry_tag::Column::TagId).eq(tag_id))
                    .to_owned(),
            ),
        );
    }
    if let Some(programme_id) = query.programme_id {
        cond = cond.add(
            entry::Column::Id.in_subquery(
                Query::select()
                    .column(entry_programme::Column::EntryId)
                    .from(entry_programme::Entity)
                    .and_where(Expr::col(entry_programme::Column::ProgrammeId).eq(programme_id))
                    .to_owned(),
            ),
        );
    }
    cond
}

/// Makes `%`, `_` and `\\` in user input match themselves in LIKE.
pub(crate) fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn sorted(ids: &[i32]) -> Vec<i32> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    ids
}

fn fill(d: &EntryDraft, stamp: OffsetDateTime) -> entry::ActiveModel {
    entry::ActiveModel {
        kind: Set(d.kind.clone()),
        locale: Set(d.locale.clone()),
        translation_key: Set(d.translation_key.clone()),
        title: Set(d.title.clone()),
        summary: Set(d.summary.clone()),
        body_md: Set(d.body_md.clone()),
        body_html: Set(d.body_html.clone()),
        cover_media_id: Set(d.cover.media_id),
        cover_url: Set(d.cover.url.clone()),
        cover_alt: Set(d.cover.alt.clone()),
        cover_image: Set(d.cover.image.clone()),
        category_id: Set(d.category_id),
        fields: Set(d.fields.clone()),
        status: Set(d.status.clone()),
        published_at: Set(d.published_at),
        author_id: Set(d.author_id),
        featured: Set(d.featured),
        featured_on_parent: Set(d.featured_on_parent),
        menu_order: Set(d.menu_order),
        updated_at: Set(stamp),
        ..Default::default()
    }
}

async fn record_revision(
    txn: &DatabaseTransaction,
    row: &EntryRow,
    author_id: Option<i32>,
) -> Result<()> {
    crate::editorial::insert_revision(txn, row, author_id).await
}

async fn record_event(
    txn: &DatabaseTransaction,
    entry_id: i32,
    action: &str,
    from: Option<&str>,
    to: &str,
    actor_id: Option<i32>,
) -> Result<()> {
    crate::editorial::insert_event(txn, entry_id, action, from, to, actor_id, "", None).await
}

async fn replace_links(txn: &DatabaseTransaction, entry_id: i32, d: &EntryDraft) -> Result<()> {
    replace_link_ids(txn, entry_id, &d.tag_ids, &d.programme_ids).await
}

pub(crate) async fn replace_link_ids(
    txn: &DatabaseTransaction,
    entry_id: i32,
    tag_ids: &[i32],
    programme_ids: &[i32],
) -> Result<()> {
    entry_tag::Entity::delete_many()
        .filter(entry_tag::Column::EntryId.eq(entry_id))
        .exec(txn)
        .await?;
    entry_programme::Entity::delete_many()
        .filter(entry_programme::Column::EntryId.eq(entry_id))
        .exec(txn)
        .await?;
    let tag_links: Vec<_> = sorted(tag_ids)
        .into_iter()
        .map(|tag_id| entry_tag::ActiveModel {
            entry_id: Set(entry_id),
            tag_id: Set(tag_id),
        })
        .collect();
    if !tag_links.is_empty() {
        entry_tag::Entity::insert_many(tag_links)
            .exec_without_returning(txn)
            .await?;
    }
    let programme_links: Vec<_> = sorted(programme_ids)
        .into_iter()
        .map(|programme_id| entry_programme::ActiveModel {
            entry_id: Set(entry_id),
            programme_id: Set(programme_id),
        })
        .collect();
    if !programme_links.is_empty() {
        entry_programme::Entity::insert_many(programme_links)
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}
