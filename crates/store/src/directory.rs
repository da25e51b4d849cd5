//! The directory of a site (institutions, contacts, audiences) and the
//! notices sent to it. Imports write a whole file in one transaction or
//! nothing; a notice is its row and one outbox message per recipient,
//! written together.

use std::collections::HashMap;

use sea_orm::sea_query::{Expr, Func, LikeExpr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};

use crate::entities::{audience, contact, institution, notice, outbox};
use crate::entries::{escape_like, Page};
use crate::outbox::queue_mails;
use crate::{now, NewMail, Result, Store, StoreError};

pub type InstitutionRow = institution::Model;
pub type ContactRow = contact::Model;
pub type AudienceRow = audience::Model;
pub type NoticeRow = notice::Model;

/// Rows written per statement: well under the bind-parameter limits of
/// SQLite (32,766) and PostgreSQL (65,535) for the widest table here.
const CHUNK: usize = 500;

/// An institution as checked by the caller (code, names, cycle code,
/// commune, lowercased address).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstitutionInput {
    pub code: String,
    pub name_ar: String,
    pub name_fr: String,
    pub cycle: String,
    pub commune: String,
    pub email: String,
}

/// A contact as checked by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactInput {
    pub name: String,
    pub function: String,
    pub institution_id: Option<i32>,
    pub email: String,
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportCounts {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// One page of a site's institutions or contacts, filtered.
#[derive(Debug, Clone, Default)]
pub struct DirectoryQuery {
    pub site_id: i32,
    /// Every word must appear in a name, code, commune or address.
    pub words: Vec<String>,
    /// A cycle (institutions) or a function (contacts).
    pub kind: Option<String>,
    /// Contacts of this institution only.
    pub institution_id: Option<i32>,
    pub page: u64,
    pub per_page: u64,
}

/// A notice about to be sent.
#[derive(Debug, Clone)]
pub struct NewNotice {
    pub entry_id: i32,
    pub site_id: i32,
    pub sent_by: Option<i32>,
    /// JSON `[{"id", "name"}]`.
    pub audiences: String,
    pub recipients: i32,
    /// The same key for the same entry is the same notice.
    pub request_key: String,
}

/// Where a notice's messages stand, from the outbox.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NoticeDelivery {
    /// Waiting, or being sent right now.
    pub queued: u64,
    pub sent: u64,
    pub failed: u64,
}

/// The outbox key of a notice's message to one address.
pub fn notice_mail_key(entry_id: i32, notice_id: i32, email: &str) -> String {
    format!("{}{email}", notice_key_prefix(entry_id, notice_id))
}

fn notice_key_prefix(entry_id: i32, notice_id: i32) -> String {
    format!("notice:{entry_id}:{notice_id}:")
}

fn words_condition<C: ColumnTrait>(words: &[String], columns: &[C]) -> Condition {
    let mut all = Condition::all();
    for word in words {
        let pattern = format!("%{}%", escape_like(&word.to_lowercase()));
        let mut any = Condition::any();
        for column in columns {
            any = any.add(
                Expr::expr(Func::lower(Expr::col(*column)))
                    .like(LikeExpr::new(pattern.clone()).escape('\\')),
            );
        }
        all = all.add(any);
    }
    all
}

/// Says a broken unique rule in the directory's terms.
fn reworded(err: StoreError, what: &str) -> StoreError {
    match err {
        StoreError::Conflict(_) => StoreError::Conflict(what.to_owned()),
        other => other,
    }
}

const CODE_TAKEN: &str = "an institution of this site already has this code";
const EMAIL_TAKEN: &str = "a contact of this site already has this e-mail address";
const NAME_TAKEN: &str = "this site already has an audience of this name";

impl Store {
    // ------------------------------------------------------------ institutions

    pub async fn institutions_page(&self, query: &DirectoryQuery) -> Result<Page<InstitutionRow>> {
        let mut cond = Condition::all()
            .add(institution::Column::SiteId.eq(query.site_id))
            .add(words_condition(
                &query.words,
                &[
                    institution::Column::Code,
                    institution::Column::NameAr,
                    institution::Column::NameFr,
                    institution::Column::Commune,
                    institution::Column::Email,
                ],
            ));
        if let Some(cycle) = &query.kind {
            cond = cond.add(institution::Column::Cycle.eq(cycle.as_str()));
        }
        let total = institution::Entity::find()
            .filter(cond.clone())
            .count(&self.db)
            .await?;
        let items = institution::Entity::find()
            .filter(cond)
            .order_by_asc(institution::Column::Code)
            .offset(crate::page_offset(query.page, query.per_page))
            .limit(query.per_page)
            .all(&self.db)
            .await?;
        Ok(Page { items, total })
    }

    /// Every institution of these sites, by code.
    pub async fn institutions_of(&self, site_ids: &[i32]) -> Result<Vec<InstitutionRow>> {
        Ok(institution::Entity::find()
            .filter(institution::Column::SiteId.is_in(site_ids.iter().copied()))
            .order_by_asc(institution::Column::SiteId)
            .order_by_asc(institution::Column::Code)
            .all(&self.db)
            .await?)
    }

    pub async fn institutions_by_ids(&self, ids: &[i32]) -> Result<Vec<InstitutionRow>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(institution::Entity::find()
            .filter(institution::Column::Id.is_in(ids.iter().copied()))
            .all(&self.db)
            .await?)
    }

    pub async fn institution(&self, id: i32) -> Result<Option<InstitutionRow>> {
        Ok(institution::Entity::find_by_id(id).one(&self.db).await?)
    }

    pub async fn institution_by_code(
        &self,
        site_id: i32,
        code: &str,
    ) -> Result<Option<InstitutionRow>> {
        Ok(institution::Entity::find()
            .filter(institution::Column::SiteId.eq(site_id))
            .filter(institution::Column::Code.eq(code))
            .one(&self.db)
            .await?)
    }

    pub async fn create_institution(
        &self,
        site_id: i32,
        input: &InstitutionInput,
    ) -> Result<InstitutionRow> {
        let stamp = now();
        institution::ActiveModel {
            site_id: Set(site_id),
            code: Set(input.code.clone()),
            name_ar: Set(input.name_ar.clone()),
            name_fr: Set(input.name_fr.clone()),
            cycle: Set(input.cycle.clone()),
            commune: Set(input.commune.clone()),
            email: Set(input.email.clone()),
            created_at: Set(stamp),
            updated_at: Set(stamp),
            ..Default::default()
        }
        .insert(&self.db)
        .await
        .map_err(|e| reworded(e.into(), CODE_TAKEN))
    }

    /// Changes an institution; `None` when it does not exist.
    pub async fn update_institution(
        &self,
        id: i32,
        input: &InstitutionInput,
    ) -> Result<Option<InstitutionRow>> {
        let Some(row) = self.institution(id).await? else {
            return Ok(None);
        };
        let mut model = institution::ActiveModel::from(row);
        model.code = Set(input.code.clone());
        model.name_ar = Set(input.name_ar.clone());
        model.name_fr = Set(input.name_fr.clone());
        model.cycle = Set(input.cycle.clone());
        model.commune = Set(input.commune.clone());
        model.email = Set(input.email.clone());
        model.updated_at = Set(now());
        Ok(Some(
            model
                .update(&self.db)
                .await
                .map_err(|e| reworded(e.into(), CODE_TAKEN))?,
        ))
    }

    /// Deletes an institution (its contacts stay, without an institution).
    pub async fn delete_institution(&self, id: i32) -> Result<bool> {
        Ok(institution::Entity::delete_by_id(id)
            .exec(&self.db)
            .await?
            .rows_affected
            == 1)
    }

    /// Writes a whole file of institutions in one transaction: a code the
    /// site has is updated, a new one added; nothing else is touched.
    pub async fn import_institutions(
        &self,
        site_id: i32,
        rows: &[InstitutionInput],
    ) -> Result<ImportCounts> {
        // Read outside the transaction (see `replace_site_hosts`).
        let existing: HashMap<String, InstitutionRow> = self
            .institutions_of(&[site_id])
            .await?
            .into_iter()
            .map(|r| (r.code.clone(), r))
            .collect();
        let mut counts = ImportCounts::default();
        let mut changed = Vec::new();
        for row in rows {
            match existing.get(&row.code) {
                Some(known)
                    if known.name_ar == row.name_ar
                        && known.name_fr == row.name_fr
                        && known.cycle == row.cycle
                        && known.commune == row.commune
                        && known.email == row.email =>
                {
                    counts.unchanged += 1;
                }
                Some(_) => {
                    counts.updated += 1;
                    changed.push(row);
                }
                None => {
                    counts.created += 1;
                    changed.push(row);
                }
            }
        }
        if changed.is_empty() {
            return Ok(counts);
        }
        let stamp = now();
        let txn = self.db.begin().await?;
        for chunk in changed.chunks(CHUNK) {
            let models = chunk.iter().map(|row| institution::ActiveModel {
                site_id: Set(site_id),
                code: Set(row.code.clone()),
                name_ar: Set(row.name_ar.clone()),
                name_fr: Set(row.name_fr.clone()),
                cycle: Set(row.cycle.clone()),
                commune: Set(row.commune.clone()),
                email: Set(row.email.clone()),
                created_at: Set(stamp),
                updated_at: Set(stamp),
                ..Default::default()
            });
            institution::Entity::insert_many(models)
                .on_conflict(
                    OnConflict::columns([institution::Column::SiteId, institution::Column::Code])
                        .update_columns([
                            institution::Column::NameAr,
                            institution::Column::NameFr,
                            institution::Column::Cycle,
                            institution::Column::Commune,
                            institution::Column::Email,
                            institution::Column::UpdatedAt,
                        ])
                        .to_owned(),
                )
                .exec_without_returning(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(counts)
    }

    // ------------------------------------------------------------ contacts

    pub async fn contacts_page(&self, query: &DirectoryQuery) -> Result<Page<ContactRow>> {
        let mut cond = Condition::all()
            .add(contact::Column::SiteId.eq(query.site_id))
            .add(words_condition(
                &query.words,
                &[contact::Column::Name, contact::Column::Email],
            ));
        if let Some(function) = &query.kind {
            cond = cond.add(contact::Column::Function.eq(function.as_str()));
        }
        if let Some(institution) = query.institution_id {
            cond = cond.add(contact::Column::InstitutionId.eq(institution));
        }
        let total = contact::Entity::find()
            .filter(cond.clone())
            .count(&self.db)
            .await?;
        let items = contact::Entity::find()
            .filter(cond)
            .order_by_asc(contact::Column::Name)
            .order_by_asc(contact::Column::Id)
            .offset(crate::page_offset(query.page, query.per_page))
            .limit(query.per_page)
            .all(&self.db)
            .await?;
        Ok(Page { items, total })
    }

    /// Every contact of these sites.
    pub async fn contacts_of(&self, site_ids: &[i32]) -> Result<Vec<ContactRow>> {
        Ok(contact::Entity::find()
            .filter(contact::Column::SiteId.is_in(site_ids.iter().copied()))
            .order_by_asc(contact::Column::SiteId)
            .order_by_asc(contact::Column::Name)
            .order_by_asc(contact::Column::Id)
            .all(&self.db)
            .await?)
    }

    pub async fn contact(&self, id: i32) -> Result<Option<ContactRow>> {
        Ok(contact::Entity::find_by_id(id).one(&self.db).await?)
    }

    pub async fn create_contact(&self, site_id: i32, input: &ContactInput) -> Result<ContactRow> {
        let stamp = now();
        contact::ActiveModel {
            site_id: Set(site_id),
            name: Set(input.name.clone()),
            function: Set(input.function.clone()),
            institution_id: Set(input.institution_id),
            email: Set(input.email.clone()),
            created_at: Set(stamp),
            updated_at: Set(stamp),
            ..Default::default()
        }
        .insert(&self.db)
        .await
        .map_err(|e| reworded(e.into(), EMAIL_TAKEN))
    }

    pub async fn update_contact(
        &self,
        id: i32,
        input: &ContactInput,
    ) -> Result<Option<ContactRow>> {
        let Some(row) = self.contact(id).await? else {
            return Ok(None);
        };
        let mut model = contact::ActiveModel::from(row);
        model.name = Set(input.name.clone());
        model.function = Set(input.function.clone());
        model.institution_id = Set(input.institution_id);
        model.email = Set(input.email.clone());
        model.updated_at = Set(now());
        Ok(Some(
            model
                .update(&self.db)
                .await
                .map_err(|e| reworded(e.into(), EMAIL_TAKEN))?,
        ))
    }

    pub async fn delete_contact(&self, id: i32) -> Result<bool> {
        Ok(contact::Entity::delete_by_id(id)
            .exec(&self.db)
            .await?
            .rows_affected
            == 1)
    }

    /// Writes a whole file of contacts in one transaction, keyed by address.
    pub async fn import_contacts(
        &self,
        site_id: i32,
        rows: &[ContactInput],
    ) -> Result<ImportCounts> {
        let existing: HashMap<String, ContactRow> = self
            .contacts_of(&[site_id])
            .await?
            .into_iter()
            .map(|r| (r.email.clone(), r))
            .collect();
        let mut counts = ImportCounts::default();
        let mut changed = Vec::new();
        for row in rows {
            match existing.get(&row.email) {
                Some(known)
                    if known.name == row.name
                        && known.function == row.function
                        && known.institution_id == row.institution_id =>
                {
                    counts.unchanged += 1;
                }
                Some(_) => {
                    counts.updated += 1;
                    changed.push(row);
                }
                None => {
                    counts.created += 1;
                    changed.push(row);
                }
            }
        }
        if changed.is_empty() {
            return Ok(counts);
        }
        let stamp = now();
        let txn = self.db.begin().await?;
        for chunk in changed.chunks(CHUNK) {
            let models = chunk.iter().map(|row| contact::ActiveModel {
                site_id: Set(site_id),
                name: Set(row.name.clone()),
                function: Set(row.function.clone()),
                institution_id: Set(row.institution_id),
                email: Set(row.email.clone()),
                created_at: Set(stamp),
                updated_at: Set(stamp),
                ..Default::default()
            });
            contact::Entity::insert_many(models)
                .on_conflict(
                    OnConflict::columns([contact::Column::SiteId, contact::Column::Email])
                        .update_columns([
                            contact::Column::Name,
                            contact::Column::Function,
                            contact::Column::InstitutionId,
                            contact::Column::UpdatedAt,
                        ])
                        .to_owned(),
                )
                .exec_without_returning(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(counts)
    }

    // ------------------------------------------------------------ audiences

    /// The audiences of a site, by name.
    pub async fn audiences_of(&self, site_id: i32) -> Result<Vec<AudienceRow>> {
        Ok(audience::Entity::find()
            .filter(audience::Column::SiteId.eq(site_id))
            .order_by_asc(audience::Column::Name)
            .all(&self.db)
            .await?)
    }

    pub async fn audience(&self, id: i32) -> Result<Option<AudienceRow>> {
        Ok(audience::Entity::find_by_id(id).one(&self.db).await?)
    }

    pub async fn audience_by_name(&self, site_id: i32, name: &str) -> Result<Option<AudienceRow>> {
        Ok(audience::Entity::find()
            .filter(audience::Column::SiteId.eq(site_id))
            .filter(audience::Column::Name.eq(name))
            .one(&self.db)
            .await?)
    }

    pub async fn create_audience(
        &self,
        site_id: i32,
        name: &str,
        rule_json: &str,
    ) -> Result<AudienceRow> {
        let stamp = now();
        audience::ActiveModel {
            site_id: Set(site_id),
            name: Set(name.to_owned()),
            rule: Set(rule_json.to_owned()),
            created_at: Set(stamp),
            updated_at: Set(stamp),
            ..Default::default()
        }
        .insert(&self.db)
        .await
        .map_err(|e| reworded(e.into(), NAME_TAKEN))
    }

    pub async fn update_audience(
        &self,
        id: i32,
        name: &str,
        rule_json: &str,
    ) -> Result<Option<AudienceRow>> {
        let Some(row) = self.audience(id).await? else {
            return Ok(None);
        };
        let mut model = audience::ActiveModel::from(row);
        model.name = Set(name.to_owned());
        model.rule = Set(rule_json.to_owned());
        model.updated_at = Set(now());
        Ok(Some(
            model
                .update(&self.db)
                .await
                .map_err(|e| reworded(e.into(), NAME_TAKEN))?,
        ))
    }

    pub async fn delete_audience(&self, id: i32) -> Result<bool> {
        Ok(audience::Entity::delete_by_id(id)
            .exec(&self.db)
            .await?
            .rows_affected
            == 1)
    }

    // ------------------------------------------------------------ notices

    /// The notice recorded for `new`'s entry and request key.
    pub(crate) async fn notice_of_request(&self, new: &NewNotice) -> Result<NoticeRow> {
        notice::Entity::find()
            .filter(notice::Column::EntryId.eq(new.entry_id))
            .filter(notice::Column::RequestKey.eq(new.request_key.as_str()))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound("notice"))
    }

    /// Records a notice and queues its messages (`mails`, given the new
    /// notice's id) in one transaction. A notice with the same entry and
    /// request key already recorded is answered instead, with `false`, and
    /// nothing is queued again.
    pub async fn create_notice(
        &self,
        new: &NewNotice,
        mails: impl FnOnce(i32) -> Vec<NewMail>,
    ) -> Result<(NoticeRow, bool)> {
        let txn = self.db.begin().await?;
        let row = match insert_notice(&txn, new).await? {
            NoticeWrite::New(row) => row,
            NoticeWrite::Known => {
                drop(txn);
                return Ok((self.notice_of_request(new).await?, false));
            }
        };
        for chunk in mails(row.id).chunks(CHUNK) {
            queue_mails(&txn, chunk).await?;
        }
        txn.commit().await?;
        Ok((row, true))
    }

    /// The notices of an entry, newest first.
    pub async fn notices_of_entry(&self, entry_id: i32) -> Result<Vec<NoticeRow>> {
        Ok(notice::Entity::find()
            .filter(notice::Column::EntryId.eq(entry_id))
            .order_by_desc(notice::Column::Id)
            .all(&self.db)
            .await?)
    }

    /// How a notice's messages stand in the outbox.
    pub async fn notice_delivery(&self, entry_id: i32, notice_id: i32) -> Result<NoticeDelivery> {
        let prefix = notice_key_prefix(entry_id, notice_id);
        // The prefix is digits and colons: nothing to escape in either form.
        let by_prefix = match self.db.get_database_backend() {
            DbBackend::Sqlite => {
                Expr::cust_with_values("\"idempotency_key\" GLOB ?", [format!("{prefix}*")])
            }
            _ => Expr::col(outbox::Column::IdempotencyKey).like(format!("{prefix}%")),
        };
        let counts: Vec<(String, i64)> = outbox::Entity::find()
            .select_only()
            .column(outbox::Column::Status)
            .column_as(outbox::Column::Id.count(), "n")
            .filter(by_prefix)
            .group_by(outbox::Column::Status)
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut delivery = NoticeDelivery::default();
        for (status, n) in counts {
            let n = u64::try_from(n).unwrap_or(0);
            match status.as_str() {
                "sent" => delivery.sent += n,
                "failed" => delivery.failed += n,
                _ => delivery.queued += n,
            }
        }
        Ok(delivery)
    }
}

/// What writing a notice came to.
pub(crate) enum NoticeWrite {
    New(NoticeRow),
    /// The same entry and request key are already recorded: the request
    /// was made before (a double submit), nothing was written.
    Known,
}

/// Writes a notice as the first statement of `txn` (on SQLite a
/// transaction that reads first fails if another writer commits in
/// between).
pub(crate) async fn insert_notice(
    txn: &sea_orm::DatabaseTransaction,
    new: &NewNotice,
) -> Result<NoticeWrite> {
    let inserted = notice::ActiveModel {
        entry_id: Set(new.entry_id),
        site_id: Set(new.site_id),
        sent_by: Set(new.sent_by),
        audiences: Set(new.audiences.clone()),
        recipients: Set(new.recipients),
        request_key: Set(new.request_key.clone()),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(txn)
    .await
    .map_err(StoreError::from);
    match inserted {
        Ok(row) => Ok(NoticeWrite::New(row)),
        Err(StoreError::Conflict(_)) => Ok(NoticeWrite::Known),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notice_keys_share_their_notice_prefix() {
        let key = notice_mail_key(12, 3, "ecole@taalim.example");
        assert_eq!(key, "notice:12:3:ecole@taalim.example");
        assert!(key.starts_with(&notice_key_prefix(12, 3)));
        assert!(!notice_mail_key(12, 31, "x@y.example").starts_with(&notice_key_prefix(12, 3)));
    }
}
