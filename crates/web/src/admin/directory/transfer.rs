//! CSV import (a refused file lists every problem with its line and keeps
//! the text to fix) and export of institutions and contacts.

use super::*;

/// What the import page shows besides the form.
#[derive(Default)]
struct ImportState {
    file: String,
    text: String,
    problems: Vec<Value>,
    outcome: Option<Value>,
    form_error: Option<String>,
}

fn columns_help(lang: Locale) -> Value {
    let table = |columns: &[tawasul_app::directory::csv::Column]| -> Vec<Value> {
        columns
            .iter()
            .map(|c| json!({"fr": c.fr, "ar": c.ar, "required": c.required, "header": c.header(lang)}))
            .collect()
    };
    json!({"institutions": table(INSTITUTION_COLUMNS), "contacts": table(CONTACT_COLUMNS)})
}

fn import_page(
    app: &App,
    req: &Req,
    viewer: &Viewer,
    site: &str,
    state: ImportState,
    status: StatusCode,
) -> Response {
    let Some(mut ctx) = directory_context(app, req, viewer, site, "import", "directory.import")
    else {
        return no_site(app, req, viewer, site);
    };
    let file = if state.file == "contacts" {
        "contacts"
    } else {
        "institutions"
    };
    ctx.insert("file", file);
    ctx.insert(
        "files",
        &json!([
            {"value": "institutions", "label": text(app, req, "directory.institutions")},
            {"value": "contacts", "label": text(app, req, "directory.contacts")},
        ]),
    );
    ctx.insert("text", &state.text);
    ctx.insert("problems", &state.problems);
    if let Some(outcome) = &state.outcome {
        ctx.insert("outcome", outcome);
    }
    if let Some(message) = &state.form_error {
        ctx.insert("form_error", message);
    }
    ctx.insert("columns", &columns_help(req.lang));
    ctx.insert("action", &format!("/admin/sites/{site}/directory/import"));
    render(app, req, "directory_import.html", &ctx, status)
}

/// `GET /admin/sites/{site}/directory/import?file=`
pub async fn import_form(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(site): Path<String>,
) -> Response {
    if let Some(refused) = unless_manager(&app, &req, &viewer, &site) {
        return refused;
    }
    let state = ImportState {
        file: req.query_param("file").unwrap_or_default(),
        ..ImportState::default()
    };
    import_page(&app, &req, &viewer, &site, state, StatusCode::OK)
}

/// A line's problem in the reader's language.
fn problem_text(app: &App, req: &Req, e: &LineError) -> String {
    let key = format!("directory.problems.{}", e.problem.key());
    let pattern = text(app, req, &key);
    if pattern == key {
        return e.problem.to_string();
    }
    e.problem.values().iter().fold(pattern, |t, (name, value)| {
        t.replace(&format!("{{{name}}}"), value)
    })
}

/// `POST /admin/sites/{site}/directory/import` (multipart: `_csrf`,
/// `file` = institutions | contacts, `upload` a file, or `text` pasted).
pub async fn import(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(site): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    // Who may is decided before anything sent is read.
    if let Some(refused) = unless_manager(&app, &req, &viewer, &site) {
        return refused;
    }
    let mut csrf_ok = csrf_matches(&viewer, csrf_header(&req.headers));
    let mut state = ImportState::default();
    let mut upload: Vec<u8> = Vec::new();
    let Ok(mut multipart) = multipart else {
        return import_page(
            &app,
            &req,
            &viewer,
            &site,
            ImportState {
                form_error: Some(text(&app, &req, "directory.import_unreadable")),
                ..ImportState::default()
            },
            StatusCode::BAD_REQUEST,
        );
    };
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => {
                let status = if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    StatusCode::PAYLOAD_TOO_LARGE
                } else {
                    StatusCode::BAD_REQUEST
                };
                if !csrf_ok {
                    return csrf_refused(&app, &req, &viewer);
                }
                state.form_error = Some(text(&app, &req, "directory.import_unreadable"));
                return import_page(&app, &req, &viewer, &site, state, status);
            }
        };
        let name = field.name().unwrap_or_default().to_owned();
        let bytes = match field.bytes().await {
            Ok(bytes) => bytes,
            Err(_) => {
                if !csrf_ok {
                    return csrf_refused(&app, &req, &viewer);
                }
                state.form_error = Some(text(&app, &req, "directory.import_unreadable"));
                return import_page(&app, &req, &viewer, &site, state, StatusCode::BAD_REQUEST);
            }
        };
        match name.as_str() {
            "_csrf" => {
                let token = String::from_utf8_lossy(&bytes).into_owned();
                csrf_ok = csrf_ok || csrf_matches(&viewer, Some(token.as_str()));
            }
            "file" => state.file = String::from_utf8_lossy(&bytes).into_owned(),
            "text" => state.text = String::from_utf8_lossy(&bytes).into_owned(),
            "upload" => upload = bytes.to_vec(),
            _ => {}
        }
    }
    if !csrf_ok {
        return csrf_refused(&app, &req, &viewer);
    }
    let file = if state.file == "contacts" {
        DirectoryFile::Contacts
    } else {
        DirectoryFile::Institutions
    };
    // A chosen file wins over the text box; its text is kept in the box
    // when refused, so it can be corrected here and sent again.
    let bytes = if upload.is_empty() {
        state.text.clone().into_bytes()
    } else {
        if let Ok(text) = std::str::from_utf8(&upload) {
            state.text = text.trim_start_matches('\u{FEFF}').to_owned();
        }
        upload
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        state.form_error = Some(text(&app, &req, "directory.import_nothing"));
        return import_page(
            &app,
            &req,
            &viewer,
            &site,
            state,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    match app
        .try_import_directory(Some(&viewer), &site, file, &bytes)
        .await
    {
        Ok(Ok(outcome)) => {
            state.text.clear();
            state.outcome = Some(json!({
                "created": outcome.counts.created,
                "updated": outcome.counts.updated,
                "unchanged": outcome.counts.unchanged,
                "ignored_columns": outcome.ignored_columns,
            }));
            import_page(&app, &req, &viewer, &site, state, StatusCode::OK)
        }
        Ok(Err(lines)) => {
            state.problems = lines
                .iter()
                .map(|e| {
                    json!({
                        "line": e.line,
                        "column": e.column,
                        "message": problem_text(&app, &req, e),
                    })
                })
                .collect();
            import_page(
                &app,
                &req,
                &viewer,
                &site,
                state,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(e) => error_page(&app, &req, Some(&viewer), &e),
    }
}

/// `GET /admin/sites/{site}/directory/export/{institutions|contacts}?lang=`
pub async fn export(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path((site, file)): Path<(String, String)>,
) -> Response {
    let file = match file.parse::<DirectoryFile>() {
        Ok(file) => file,
        Err(e) => return error_page(&app, &req, Some(&viewer), &e),
    };
    let locale = match req.query_param("lang").as_deref() {
        Some("ar") => Locale::Ar,
        _ => Locale::Fr,
    };
    let separator = match req.query_param("separator").as_deref() {
        Some("comma") => Separator::Comma,
        _ => Separator::Semicolon,
    };
    match app
        .export_directory(Some(&viewer), &site, file, locale, separator)
        .await
    {
        Ok(body) => crate::api::directory::csv_response(&site, file, body),
        Err(e) => error_page(&app, &req, Some(&viewer), &e),
    }
}
