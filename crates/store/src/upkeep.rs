//! Upkeep tasks an upgrade leaves for a server to do once (migration
//! `m20261203_500001_upkeep_tasks`): claimed with a lease, so of several
//! nodes starting at once one does the work, and deleted when done.

use std::time::Duration;

use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, Set};

use crate::entities::upkeep_task;
use crate::{now, Result, Store};

impl Store {
    /// Takes `task` for `lease` if it is still to do and nobody holds it
    /// (or its holder's lease ran out): one update, so two nodes asking at
    /// once cannot both get it. `false`: nothing to do here.
    pub async fn claim_upkeep(&self, task: &str, lease: Duration) -> Result<bool> {
        let stamp = now();
        let until = stamp + lease;
        let claimed = upkeep_task::Entity::update_many()
            .col_expr(upkeep_task::Column::ClaimedUntil, Expr::value(Some(until)))
            .filter(upkeep_task::Column::Task.eq(task))
            .filter(
                Condition::any()
                    .add(upkeep_task::Column::ClaimedUntil.is_null())
                    .add(upkeep_task::Column::ClaimedUntil.lt(stamp)),
            )
            .exec(&self.db)
            .await?;
        Ok(claimed.rows_affected == 1)
    }

    /// `task` is done: it is not claimed again.
    pub async fn finish_upkeep(&self, task: &str) -> Result<()> {
        upkeep_task::Entity::delete_by_id(task.to_owned())
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Lets go of `task` without finishing it: the next server to start
    /// does it, without waiting for the lease to run out.
    pub async fn release_upkeep(&self, task: &str) -> Result<()> {
        upkeep_task::Entity::update_many()
            .col_expr(
                upkeep_task::Column::ClaimedUntil,
                Expr::value(Option::<time::OffsetDateTime>::None),
            )
            .filter(upkeep_task::Column::Task.eq(task))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Puts `task` on the list again (what an upgrade's migration does).
    pub async fn schedule_upkeep(&self, task: &str) -> Result<()> {
        upkeep_task::Entity::insert(upkeep_task::ActiveModel {
            task: Set(task.to_owned()),
            claimed_until: Set(None),
        })
        .on_conflict(
            OnConflict::column(upkeep_task::Column::Task)
                .update_column(upkeep_task::Column::ClaimedUntil)
                .to_owned(),
        )
        .exec_without_returning(&self.db)
        .await?;
        Ok(())
    }
}
