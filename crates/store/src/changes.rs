//! The change log that keeps every node's page cache exact.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::Value as Json;
use time::Duration;

use crate::entities::change;
use crate::{now, Result, Store};

/// One recorded change: what it touched, as cache dependencies.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub id: i64,
    pub deps: Json,
}

impl Store {
    /// Records a change; returns its id.
    pub async fn record_change(&self, deps: Json) -> Result<i64> {
        let row = change::ActiveModel {
            deps: Set(deps),
            created_at: Set(now()),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        Ok(row.id)
    }

    /// Changes after `after`, oldest first, at most `limit`.
    pub async fn changes_since(&self, after: i64, limit: u64) -> Result<Vec<Change>> {
        Ok(change::Entity::find()
            .filter(change::Column::Id.gt(after))
            .order_by_asc(change::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|row| Change {
                id: row.id,
                deps: row.deps,
            })
            .collect())
    }

    /// The newest change id, 0 when there is none: where a node starts reading.
    pub async fn last_change_id(&self) -> Result<i64> {
        Ok(change::Entity::find()
            .order_by_desc(change::Column::Id)
            .one(&self.db)
            .await?
            .map_or(0, |row| row.id))
    }

    /// Forgets changes older than `age`: every running node has read them.
    pub async fn prune_changes(&self, age: Duration) -> Result<u64> {
        Ok(change::Entity::delete_many()
            .filter(change::Column::CreatedAt.lt(now() - age))
            .exec(&self.db)
            .await?
            .rows_affected)
    }
}
