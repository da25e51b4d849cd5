//! The background work of a server process: applying changes recorded by
//! other processes, and keeping the change log short.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::App;

/// How often the change log is read: a change made on another node shows
/// there within this (plus the time of one query).
pub const POLL: Duration = Duration::from_millis(250);
/// Every this many polls, compare the network with the database, in case
/// someone edited it by hand (about a minute).
const NETWORK_CHECK_EVERY: u64 = 240;
/// Every this many polls (about two seconds), show entries whose scheduled
/// publication time has come.
const SCHEDULE_EVERY: u64 = 8;
/// Every this many polls, forget changes every node has long applied.
const PRUNE_EVERY: u64 = 2400;

impl App {
    /// Runs until the task is dropped.
    pub async fn watch_changes(self: Arc<Self>) {
        let mut tick = tokio::time::interval(POLL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut polls: u64 = 0;
        let themes = self
            .config
            .server
            .reload_templates
            .then(|| self.config.paths.themes.clone())
            .flatten();
        let mut themes_changed_at = themes.as_deref().and_then(newest_change);
        let mut scheduled_until = time::OffsetDateTime::now_utc();
        let mut day = self.site_today();
        loop {
            tick.tick().await;
            polls += 1;
            if let Some(dir) = themes.as_deref() {
                let newest = newest_change(dir);
                if newest != themes_changed_at {
                    themes_changed_at = newest;
                    match self.reload_themes() {
                        Ok(()) => tracing::info!(folder = %dir.display(), "themes reloaded"),
                        Err(e) => {
                            tracing::warn!(error = %e, "themes not reloaded; the last good ones stay")
                        }
                    }
                }
            }
            if let Err(e) = self.sync_search().await {
                tracing::warn!(error = %e, "the search index is behind; it catches up when it can");
            }
            if let Err(e) = self.apply_recorded_changes().await {
                tracing::warn!(error = %e, "could not read the change log; pages may stay stale until it answers");
            }
            if polls.is_multiple_of(SCHEDULE_EVERY) {
                let now = time::OffsetDateTime::now_utc();
                match self.apply_scheduled(scheduled_until, now).await {
                    Ok(_) => scheduled_until = now,
                    Err(e) => tracing::warn!(error = %e, "could not check for scheduled entries"),
                }
                if let Err(e) = self.publish_due().await {
                    tracing::warn!(error = %e, "could not publish the entries scheduled for now");
                }
            }
            if polls.is_multiple_of(NETWORK_CHECK_EVERY) {
                if let Err(e) = self.refresh_network_if_changed().await {
                    tracing::warn!(error = %e, "could not check the network for changes");
                }
                // The day to acknowledge a circular ends at midnight, site time.
                let offset =
                    time::UtcOffset::from_whole_seconds(self.config.site.utc_offset_minutes * 60)
                        .unwrap_or(time::UtcOffset::UTC);
                let today = time::OffsetDateTime::now_utc().to_offset(offset).date();
                if today != day {
                    day = today;
                    self.new_day();
                }
                if let Err(e) = self.send_due_circular_reminders(today).await {
                    tracing::warn!(error = %e, "could not send the reminders of circulars");
                }
                if let Err(e) = self.send_due_recommendation_reminders(today).await {
                    tracing::warn!(error = %e, "could not remind the owners of late recommendations");
                }
            }
            if polls.is_multiple_of(PRUNE_EVERY) {
                if let Err(e) = self.store().prune_changes(time::Duration::days(1)).await {
                    tracing::warn!(error = %e, "could not prune the change log");
                }
                let idle =
                    time::Duration::minutes(i64::from(self.config.auth.session_idle_minutes));
                let now = time::OffsetDateTime::now_utc();
                if let Err(e) = self.store().prune_sessions(now - idle).await {
                    tracing::warn!(error = %e, "could not prune ended sessions");
                }
                if let Err(e) = self
                    .store()
                    .prune_login_failures(now - time::Duration::days(1))
                    .await
                {
                    tracing::warn!(error = %e, "could not prune old login failures");
                }
            }
        }
    }
}

/// The latest modification time of any file under `dir`.
impl App {
    /// Today in site time.
    fn site_today(&self) -> time::Date {
        let offset = time::UtcOffset::from_whole_seconds(self.config.site.utc_offset_minutes * 60)
            .unwrap_or(time::UtcOffset::UTC);
        time::OffsetDateTime::now_utc().to_offset(offset).date()
    }

    /// A new day in site time: announcements whose last day has passed
    /// leave the home pages, so every site's lists of announcements (and
    /// the homes that show them) are drawn again. Each server does this by
    /// its own clock; nothing is written to the change log.
    fn new_day(&self) {
        let network = self.network();
        let deps: Vec<crate::cache::deps::Dep> = network
            .sites()
            .iter()
            .flat_map(|site| {
                site.locales().map(|locale| crate::cache::deps::Dep::Kind {
                    site: site.id,
                    locale,
                    kind: tawasul_domain::EntryKind::Announcement,
                })
            })
            .collect();
        let dropped = self.pages.invalidate(&deps);
        tracing::info!(
            dropped,
            "a new day: pages listing announcements are drawn again"
        );
    }
}

fn newest_change(dir: &Path) -> Option<SystemTime> {
    crate::import::files_under(dir)
        .iter()
        .filter_map(|path| path.metadata().and_then(|m| m.modified()).ok())
        .max()
}
