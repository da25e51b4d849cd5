//! Moving an old WordPress or Blogger site in from the admin: upload the
//! export (streamed to a file, never held in memory), read the dry run's
//! report, confirm, and follow the import running in the background (the
//! page refreshes itself without JavaScript; `admin.js` polls the small
//! JSON answer instead). Past imports of the site are listed; one left
//! behind by a process that stopped can be run again. Contexts:
//! docs/admin-ui.md, "Moving in".

use std::sync::Arc;

use axum::extract::multipart::{Field, MultipartRejection};
use axum::extract::{Multipart, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tawasul_app::import::moving::jobs::{ImportJob, ImportUpload, JobChoices, JobState};
use tawasul_app::import::moving::{Format, MoveReport};
use tawasul_app::{App, AppError, Viewer};
use tawasul_domain::Operation;

use super::screens::local;
use super::{
    base_context, csrf_refused, error_page, render, see_other_with, text, AdminUser, Form, Req,
};
use crate::session::{csrf_header, csrf_matches};

/// Seconds between two reloads of a running import's page without
/// JavaScript.
const REFRESH_SECONDS: u32 = 3;

#[derive(Serialize)]
struct SiteView {
    slug: String,
    name: String,
}

#[derive(Serialize)]
struct Choice {
    value: &'static str,
    label: String,
}

/// What the upload form holds, typed back when it is refused.
#[derive(Debug, Default, Serialize)]
struct UploadForm {
    /// `auto`, `wordpress` or `blogger`.
    format: String,
    fetch_media: bool,
    /// `match` (the export's authors) or `me`.
    author: String,
}

impl UploadForm {
    fn format(&self) -> Option<Format> {
        match self.format.as_str() {
            "wordpress" => Some(Format::WordPress),
            "blogger" => Some(Format::Blogger),
            _ => None,
        }
    }
}

#[derive(Serialize)]
struct TallyView {
    kind: String,
    label: String,
    found: usize,
    created: usize,
    updated: usize,
    unchanged: usize,
}

#[derive(Serialize)]
struct SkippedView {
    what: String,
    count: usize,
    why: String,
}

#[derive(Serialize)]
struct NoteView {
    line: Option<usize>,
    title: String,
    message: String,
}

#[derive(Serialize)]
struct RenumberedView {
    line: Option<usize>,
    title: String,
    wanted: String,
    given: String,
}

#[derive(Serialize)]
struct ReportView {
    dry_run: bool,
    tallies: Vec<TallyView>,
    skipped: Vec<SkippedView>,
    redirects: usize,
    renumbered: Vec<RenumberedView>,
    notes: Vec<NoteView>,
}

/// A past or present import, for the list and its own page.
#[derive(Serialize)]
struct JobView {
    id: i32,
    url: String,
    file_name: String,
    size: String,
    format_label: String,
    fetch_media: bool,
    author_email: Option<String>,
    state: &'static str,
    state_label: String,
    phase_label: String,
    done: i64,
    total: i64,
    percent: i64,
    active: bool,
    may_confirm: bool,
    may_run_again: bool,
    error: Option<String>,
    created_by: Option<String>,
    created_at: String,
    finished_at: Option<String>,
}

/// The small answer a running import's page polls.
#[derive(Serialize)]
struct ProgressView {
    state: &'static str,
    state_label: String,
    phase_label: String,
    done: i64,
    total: i64,
    percent: i64,
    active: bool,
}

fn job_url(site: &str, id: i32) -> String {
    format!("/admin/sites/{site}/import/{id}")
}

fn size_label(bytes: i64) -> String {
    const MB: f64 = 1024.0 * 1024.0;
    #[allow(clippy::cast_precision_loss, reason = "a size shown to one decimal")]
    let mb = bytes as f64 / MB;
    if mb >= 0.1 {
        format!("{mb:.1} MB")
    } else {
        format!("{} KB", (bytes + 1023) / 1024)
    }
}

/// A string of `import.{group}.{key}`, else the key itself.
fn label(app: &App, req: &Req, group: &str, key: &str) -> String {
    let full = format!("import.{group}.{key}");
    let found = text(app, req, &full);
    if found.is_empty() || found == full {
        key.to_owned()
    } else {
        found
    }
}

fn percent(done: i64, total: i64) -> i64 {
    if total <= 0 {
        0
    } else {
        (done.clamp(0, total) * 100) / total
    }
}

fn job_view(app: &App, req: &Req, site: &str, job: &ImportJob) -> JobView {
    JobView {
        id: job.id,
        url: job_url(site, job.id),
        file_name: job.file_name.clone(),
        size: size_label(job.file_size),
        format_label: label(app, req, "formats", job.format.source()),
        fetch_media: job.fetch_media,
        author_email: job.author_email.clone(),
        state: job.state.as_str(),
        state_label: label(app, req, "states", job.state.as_str()),
        phase_label: if job.phase.is_empty() {
            String::new()
        } else {
            label(app, req, "phases", &job.phase)
        },
        done: job.done,
        total: job.total,
        percent: percent(job.done, job.total),
        active: job.state.is_active(),
        may_confirm: job.state == JobState::Planned,
        may_run_again: job.state.may_run_again(),
        error: job.error.clone(),
        created_by: job.created_by_name.clone(),
        created_at: local(app, job.created_at),
        finished_at: job.finished_at.map(|at| local(app, at)),
    }
}

fn report_view(app: &App, req: &Req, report: &MoveReport) -> ReportView {
    ReportView {
        dry_run: report.dry_run,
        tallies: report
            .tallies
            .iter()
            .map(|(kind, t)| TallyView {
                kind: kind.clone(),
                label: label(app, req, "kinds", kind),
                found: t.found,
                created: t.created,
                updated: t.updated,
                unchanged: t.unchanged,
            })
            .collect(),
        skipped: report
            .skipped
            .iter()
            .map(|(what, (count, why))| SkippedView {
                what: what.clone(),
                count: *count,
                why: why.clone(),
            })
            .collect(),
        redirects: report.redirects,
        renumbered: report
            .renumbered
            .iter()
            .map(|r| RenumberedView {
                line: r.line,
                title: r.title.clone(),
                wanted: r.wanted.clone(),
                given: r.given.clone(),
            })
            .collect(),
        notes: report
            .notes
            .iter()
            .map(|n| NoteView {
                line: n.line,
                title: n.title.clone(),
                message: n.message.clone(),
            })
            .collect(),
    }
}

/// The site, when the viewer may import into it.
fn import_site(app: &App, req: &Req, viewer: &Viewer, site: &str) -> Result<SiteView, AppError> {
    let network = app.network();
    let row = network
        .site_by_slug(site)
        .ok_or_else(|| AppError::NotFound(site.to_owned()))?;
    if !viewer.may(&network, row.id, Operation::ImportSite) {
        return Err(AppError::Forbidden(format!(
            "only an administrator of {} moves an old site into it",
            row.slug
        )));
    }
    Ok(SiteView {
        slug: row.slug.clone(),
        name: row.name(req.lang).to_owned(),
    })
}

/// The upload form and the site's past imports.
async fn upload_page(
    app: &App,
    req: &Req,
    viewer: &Viewer,
    site: SiteView,
    form: &UploadForm,
    form_error: Option<String>,
    status: StatusCode,
) -> Response {
    let jobs = match app.import_jobs(viewer, &site.slug).await {
        Ok(jobs) => jobs,
        Err(e) => return error_page(app, req, Some(viewer), &e),
    };
    let heading = text(app, req, "import.heading");
    let mut ctx = base_context(
        app,
        req,
        Some(viewer),
        &format!("{heading} · {}", site.name),
    );
    let views: Vec<JobView> = jobs
        .iter()
        .map(|job| job_view(app, req, &site.slug, job))
        .collect();
    let running = views.iter().find(|j| j.active).map(|j| j.url.clone());
    ctx.insert("jobs", &views);
    ctx.insert("running_url", &running);
    ctx.insert(
        "formats",
        &[
            Choice {
                value: "auto",
                label: text(app, req, "import.format_auto"),
            },
            Choice {
                value: "wordpress",
                label: label(app, req, "formats", "wordpress"),
            },
            Choice {
                value: "blogger",
                label: label(app, req, "formats", "blogger"),
            },
        ],
    );
    ctx.insert(
        "authors",
        &[
            Choice {
                value: "match",
                label: text(app, req, "import.author_match"),
            },
            Choice {
                value: "me",
                label: text(app, req, "import.author_me").replace("{email}", &viewer.user.email),
            },
        ],
    );
    ctx.insert("form", form);
    ctx.insert("form_error", &form_error);
    ctx.insert("max_mb", &app.config.import.max_mb);
    ctx.insert("action", &format!("/admin/sites/{}/import", site.slug));
    ctx.insert("site", &site);
    render(app, req, "import.html", &ctx, status)
}

/// `GET /admin/sites/{site}/import`
pub async fn form(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(site): Path<String>,
) -> Response {
    let site = match import_site(&app, &req, &viewer, &site) {
        Ok(site) => site,
        Err(e) => return error_page(&app, &req, Some(&viewer), &e),
    };
    let form = UploadForm {
        format: "auto".to_owned(),
        fetch_media: false,
        author: "match".to_owned(),
    };
    upload_page(&app, &req, &viewer, site, &form, None, StatusCode::OK).await
}

/// Pumps a file field into the upload. `Ok(false)`: too large.
async fn receive(field: &mut Field<'_>, upload: &mut ImportUpload) -> Result<bool, AppError> {
    loop {
        match field.chunk().await {
            Ok(Some(chunk)) => {
                if !upload.write(&chunk).await? {
                    return Ok(false);
                }
            }
            Ok(None) => return Ok(true),
            Err(e) => {
                return Err(AppError::Io {
                    context: "receiving the export".to_owned(),
                    source: std::io::Error::other(e.body_text()),
                })
            }
        }
    }
}

/// Reads what is left of a refused file, up to a bound, so that the
/// browser, still sending, reads the answer rather than a reset connection.
async fn drain(field: &mut Field<'_>) {
    const DRAINED: usize = 16 * 1024 * 1024;
    let mut read = 0usize;
    while let Ok(Some(chunk)) = field.chunk().await {
        read += chunk.len();
        if read > DRAINED {
            break;
        }
    }
}

/// `POST /admin/sites/{site}/import` (multipart: `_csrf`, `format` =
/// auto | wordpress | blogger, `fetch_media`, `author` = match | me, and
/// `export` the file): the dry run, then its report on the job's page.
pub async fn upload(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(site): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let mut csrf_ok = csrf_matches(&viewer, csrf_header(&req.headers));
    let site = match import_site(&app, &req, &viewer, &site) {
        Ok(site) => site,
        Err(e) => return error_page(&app, &req, Some(&viewer), &e),
    };
    let mut form = UploadForm {
        format: "auto".to_owned(),
        fetch_media: false,
        author: "match".to_owned(),
    };
    let unreadable = text(&app, &req, "import.unreadable");
    let Ok(mut multipart) = multipart else {
        return upload_page(
            &app,
            &req,
            &viewer,
            site,
            &form,
            Some(unreadable),
            StatusCode::BAD_REQUEST,
        )
        .await;
    };
    let mut received: Option<(ImportUpload, String)> = None;
    let mut failure: Option<(String, StatusCode)> = None;
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) => {
                failure = Some((unreadable.clone(), StatusCode::BAD_REQUEST));
                break;
            }
        };
        let name = field.name().unwrap_or_default().to_owned();
        if name == "export" {
            let file_name = field.file_name().unwrap_or_default().to_owned();
            // A token that came as a field must come before the file: no
            // byte is written for a forged form.
            if !csrf_ok {
                return csrf_refused(&app, &req, &viewer);
            }
            if received.is_some() {
                continue;
            }
            let mut upload = match app.begin_import_upload(&viewer, &site.slug).await {
                Ok(upload) => upload,
                Err(e) => return error_page(&app, &req, Some(&viewer), &e),
            };
            match receive(&mut field, &mut upload).await {
                Ok(true) if upload.written() > 0 => received = Some((upload, file_name)),
                Ok(true) => upload.discard().await,
                Ok(false) => {
                    upload.discard().await;
                    drain(&mut field).await;
                    failure = Some((
                        text(&app, &req, "import.too_large")
                            .replace("{max}", &app.config.import.max_mb.to_string()),
                        StatusCode::PAYLOAD_TOO_LARGE,
                    ));
                    break;
                }
                Err(e) => {
                    upload.discard().await;
                    tracing::warn!(error = %e, "an export upload was cut short");
                    failure = Some((unreadable.clone(), StatusCode::BAD_REQUEST));
                    break;
                }
            }
            continue;
        }
        let value = match field.text().await {
            Ok(value) => value,
            Err(_) => {
                failure = Some((unreadable.clone(), StatusCode::BAD_REQUEST));
                break;
            }
        };
        match name.as_str() {
            "_csrf" => csrf_ok = csrf_ok || csrf_matches(&viewer, Some(value.as_str())),
            "format" => form.format = value,
            "fetch_media" => form.fetch_media = !value.is_empty(),
            "author" => form.author = value,
            _ => {}
        }
    }
    if !csrf_ok {
        if let Some((upload, _)) = received {
            upload.discard().await;
        }
        return csrf_refused(&app, &req, &viewer);
    }
    if let Some((message, status)) = failure {
        if let Some((upload, _)) = received {
            upload.discard().await;
        }
        return upload_page(&app, &req, &viewer, site, &form, Some(message), status).await;
    }
    let Some((upload, file_name)) = received else {
        let message = text(&app, &req, "import.no_file");
        return upload_page(
            &app,
            &req,
            &viewer,
            site,
            &form,
            Some(message),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let choices = JobChoices {
        format: form.format(),
        fetch_media: form.fetch_media,
        author_me: form.author == "me",
        file_name,
    };
    match app
        .plan_import_job(&viewer, &site.slug, upload, choices)
        .await
    {
        Ok(job) => see_other_with(&job_url(&site.slug, job.id), "moving_in.planned"),
        Err(AppError::Import(problems)) => {
            let detail: Vec<String> = problems
                .iter()
                .map(|p| match p.line {
                    Some(line) => {
                        format!("{} {line}: {}", text(&app, &req, "import.line"), p.message)
                    }
                    None => p.message.clone(),
                })
                .collect();
            let message = format!(
                "{} {}",
                text(&app, &req, "import.refused"),
                detail.join(" · ")
            );
            upload_page(
                &app,
                &req,
                &viewer,
                site,
                &form,
                Some(message),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => error_page(&app, &req, Some(&viewer), &e),
    }
}

/// The page of one import: its report and the confirm button, its
/// progress while it runs, the report of what it did at the end.
async fn job_page(
    app: &App,
    req: &Req,
    viewer: &Viewer,
    site: SiteView,
    job: &ImportJob,
    form_error: Option<String>,
    status: StatusCode,
) -> Response {
    let heading = text(app, req, "import.heading");
    let mut ctx = base_context(
        app,
        req,
        Some(viewer),
        &format!("{heading} · {}", site.name),
    );
    let view = job_view(app, req, &site.slug, job);
    if view.active {
        ctx.insert("refresh_seconds", &REFRESH_SECONDS);
    }
    ctx.insert("progress_url", &format!("{}/progress", view.url));
    ctx.insert("confirm_url", &format!("{}/confirm", view.url));
    ctx.insert("again_url", &format!("{}/again", view.url));
    ctx.insert("list_url", &format!("/admin/sites/{}/import", site.slug));
    ctx.insert("job", &view);
    ctx.insert("report", &report_view(app, req, &job.report));
    ctx.insert("form_error", &form_error);
    ctx.insert("site", &site);
    render(app, req, "import_job.html", &ctx, status)
}

fn parse_id(id: &str) -> Option<i32> {
    id.parse().ok().filter(|id: &i32| *id > 0)
}

/// `GET /admin/sites/{site}/import/{id}`
pub async fn job(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path((site, id)): Path<(String, String)>,
) -> Response {
    let site = match import_site(&app, &req, &viewer, &site) {
        Ok(site) => site,
        Err(e) => return error_page(&app, &req, Some(&viewer), &e),
    };
    let Some(id) = parse_id(&id) else {
        return error_page(&app, &req, Some(&viewer), &AppError::NotFound(id));
    };
    match app.import_job(&viewer, &site.slug, id).await {
        Ok(job) => job_page(&app, &req, &viewer, site, &job, None, StatusCode::OK).await,
        Err(e) => error_page(&app, &req, Some(&viewer), &e),
    }
}

/// `GET /admin/sites/{site}/import/{id}/progress`: JSON.
pub async fn progress(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path((site, id)): Path<(String, String)>,
) -> Response {
    let answer = |status: StatusCode, body: String| {
        (
            status,
            [
                (header::CONTENT_TYPE, "application/json"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            body,
        )
            .into_response()
    };
    let Some(id) = parse_id(&id) else {
        return answer(StatusCode::NOT_FOUND, "{}".to_owned());
    };
    match app.import_job(&viewer, &site, id).await {
        Ok(job) => {
            let view = job_view(&app, &req, &site, &job);
            let body = ProgressView {
                state: view.state,
                state_label: view.state_label,
                phase_label: view.phase_label,
                done: view.done,
                total: view.total,
                percent: view.percent,
                active: view.active,
            };
            answer(
                StatusCode::OK,
                serde_json::to_string(&body).unwrap_or_else(|_| "{}".to_owned()),
            )
        }
        Err(AppError::Forbidden(_)) => answer(StatusCode::FORBIDDEN, "{}".to_owned()),
        Err(AppError::NotFound(_)) => answer(StatusCode::NOT_FOUND, "{}".to_owned()),
        Err(e) => {
            tracing::error!(error = %e, "the progress of an import could not be read");
            answer(StatusCode::INTERNAL_SERVER_ERROR, "{}".to_owned())
        }
    }
}

/// `POST /admin/sites/{site}/import/{id}/confirm` and `…/again` (`_csrf`):
/// the import starts in the background; its page follows it.
pub async fn start(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path((site, id)): Path<(String, String)>,
    form: Form,
) -> Response {
    let site = match import_site(&app, &req, &viewer, &site) {
        Ok(site) => site,
        Err(e) => return error_page(&app, &req, Some(&viewer), &e),
    };
    if !form.csrf_ok(&viewer, &req) {
        return csrf_refused(&app, &req, &viewer);
    }
    let Some(id) = parse_id(&id) else {
        return error_page(&app, &req, Some(&viewer), &AppError::NotFound(id));
    };
    match app.start_import_job(&viewer, &site.slug, id).await {
        Ok(job) => see_other_with(&job_url(&site.slug, job.id), "moving_in.started"),
        Err(AppError::Conflict(why)) => {
            let job = match app.import_job(&viewer, &site.slug, id).await {
                Ok(job) => job,
                Err(e) => return error_page(&app, &req, Some(&viewer), &e),
            };
            let key = if why.contains("another import") {
                "import.busy"
            } else {
                "import.already_started"
            };
            let message = text(&app, &req, key);
            job_page(
                &app,
                &req,
                &viewer,
                site,
                &job,
                Some(message),
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(AppError::NotFound(what)) if what.contains("on this server") => {
            let job = match app.import_job(&viewer, &site.slug, id).await {
                Ok(job) => job,
                Err(e) => return error_page(&app, &req, Some(&viewer), &e),
            };
            let message = text(&app, &req, "import.file_gone");
            job_page(
                &app,
                &req,
                &viewer,
                site,
                &job,
                Some(message),
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => error_page(&app, &req, Some(&viewer), &e),
    }
}
