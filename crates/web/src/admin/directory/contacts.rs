//! The contacts of a directorate: list, search, create, edit, delete.

use super::*;

fn contact_row(req: &Req, site: &str, c: &ContactView) -> Value {
    json!({
        "id": c.id,
        "name": c.name,
        "function": c.function.as_str(),
        "function_label": c.function.label(req.lang),
        "email": c.email,
        "institution": c.institution.as_ref().map(|i| json!({
            "code": i.code,
            "name": name_in(req.lang, &i.name_ar, &i.name_fr),
            "url": format!("/admin/sites/{site}/directory/institutions/{}", i.id),
        })),
        "url": format!("/admin/sites/{site}/directory/contacts/{}", c.id),
    })
}

/// `GET /admin/sites/{site}/directory/contacts?q=&function=&institution=&page=`
pub async fn contacts(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(site): Path<String>,
) -> Response {
    let mut filter = list_filter(&req, "function");
    if filter.kind.parse::<Function>().is_err() {
        filter.kind.clear();
    }
    let found = match app.contacts(&viewer, &site, &filter).await {
        Ok(found) => found,
        Err(e) => return error_page(&app, &req, Some(&viewer), &e),
    };
    let institution = match filter.institution {
        Some(id) => app.institution(&viewer, &site, id).await.ok(),
        None => None,
    };
    let Some(mut ctx) =
        directory_context(&app, &req, &viewer, &site, "contacts", "directory.contacts")
    else {
        return no_site(&app, &req, &viewer, &site);
    };
    let rows: Vec<Value> = found
        .items
        .iter()
        .map(|c| contact_row(&req, &site, c))
        .collect();
    ctx.insert("contacts", &rows);
    ctx.insert("total", &found.total);
    ctx.insert("q", &filter.q);
    ctx.insert("function", &filter.kind);
    ctx.insert("functions", &function_options(req.lang));
    if let Some(i) = &institution {
        ctx.insert(
            "institution",
            &json!({"id": i.id, "code": i.code, "name": name_in(req.lang, &i.name_ar, &i.name_fr)}),
        );
    }
    ctx.insert("export_urls", &export_links(&site, DirectoryFile::Contacts));
    pagination(
        &mut ctx,
        &format!("/admin/sites/{site}/directory/contacts"),
        &[
            ("q", filter.q.clone()),
            ("function", filter.kind.clone()),
            (
                "institution",
                filter
                    .institution
                    .map(|i| i.to_string())
                    .unwrap_or_default(),
            ),
        ],
        found.page,
        found.pages,
    );
    render(&app, &req, "directory_contacts.html", &ctx, StatusCode::OK)
}

#[expect(clippy::too_many_arguments, reason = "a form page and its state")]
async fn contact_page(
    app: &App,
    req: &Req,
    viewer: &Viewer,
    site: &str,
    id: Option<i32>,
    form: Value,
    errors: Map<String, Value>,
    status: StatusCode,
) -> Response {
    let Some(mut ctx) = directory_context(
        app,
        req,
        viewer,
        site,
        "contacts",
        if id.is_some() {
            "directory.contact_edit"
        } else {
            "directory.contact_new"
        },
    ) else {
        return no_site(app, req, viewer, site);
    };
    let base = format!("/admin/sites/{site}/directory/contacts");
    ctx.insert("form", &form);
    ctx.insert("errors", &errors);
    ctx.insert("functions", &function_options(req.lang));
    match id {
        Some(id) => {
            ctx.insert("action", &format!("{base}/{id}"));
            ctx.insert("delete_url", &format!("{base}/{id}/delete"));
        }
        None => ctx.insert("action", &base),
    }
    ctx.insert("is_new", &id.is_none());
    ctx.insert("list_url", &base);
    render(app, req, "directory_contact.html", &ctx, status)
}

fn typed_contact(form: &Form) -> (ContactFields, Value) {
    let fields = ContactFields {
        name: Some(form.get("name").to_owned()),
        function: Some(form.get("function").to_owned()),
        institution: Some(form.get("institution").to_owned()),
        email: Some(form.get("email").to_owned()),
    };
    let typed = json!({
        "name": form.get("name"), "function": form.get("function"),
        "institution": form.get("institution"), "email": form.get("email"),
    });
    (fields, typed)
}

/// `GET /admin/sites/{site}/directory/contacts/new?institution=`
pub async fn new_contact(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(site): Path<String>,
) -> Response {
    let code = match req.query_param("institution").and_then(|v| v.parse().ok()) {
        Some(id) => app
            .institution(&viewer, &site, id)
            .await
            .map(|i| i.code)
            .unwrap_or_default(),
        None => String::new(),
    };
    if let Some(refused) = unless_manager(&app, &req, &viewer, &site) {
        return refused;
    }
    let form = json!({"function": "principal", "institution": code});
    contact_page(
        &app,
        &req,
        &viewer,
        &site,
        None,
        form,
        Map::new(),
        StatusCode::OK,
    )
    .await
}

/// `GET /admin/sites/{site}/directory/contacts/{id}`
pub async fn edit_contact(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path((site, id)): Path<(String, String)>,
) -> Response {
    let Ok(id) = id.parse::<i32>() else {
        return error_page(&app, &req, Some(&viewer), &AppError::NotFound(id));
    };
    match app.contact(&viewer, &site, id).await {
        Ok(c) => {
            let form = json!({
                "name": c.name, "function": c.function.as_str(), "email": c.email,
                "institution": c.institution.map(|i| i.code).unwrap_or_default(),
            });
            contact_page(
                &app,
                &req,
                &viewer,
                &site,
                Some(id),
                form,
                Map::new(),
                StatusCode::OK,
            )
            .await
        }
        Err(e) => error_page(&app, &req, Some(&viewer), &e),
    }
}

/// `POST /admin/sites/{site}/directory/contacts`
pub async fn create_contact(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(site): Path<String>,
    form: Form,
) -> Response {
    if !form.csrf_ok(&viewer, &req) {
        return csrf_refused(&app, &req, &viewer);
    }
    store_contact(&app, &req, &viewer, &site, None, &form).await
}

/// `POST /admin/sites/{site}/directory/contacts/{id}`
pub async fn save_contact(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path((site, id)): Path<(String, String)>,
    form: Form,
) -> Response {
    if !form.csrf_ok(&viewer, &req) {
        return csrf_refused(&app, &req, &viewer);
    }
    let Ok(id) = id.parse::<i32>() else {
        return error_page(&app, &req, Some(&viewer), &AppError::NotFound(id));
    };
    store_contact(&app, &req, &viewer, &site, Some(id), &form).await
}

/// Adds (`id` is `None`) or changes a contact as the form says; a refusal
/// shows the form again with what was typed and each error.
async fn store_contact(
    app: &App,
    req: &Req,
    viewer: &Viewer,
    site: &str,
    id: Option<i32>,
    form: &Form,
) -> Response {
    let (fields, typed) = typed_contact(form);
    let saved = match id {
        Some(id) => app.update_contact(viewer, site, id, fields).await.map(drop),
        None => app.create_contact(viewer, site, fields).await.map(drop),
    };
    match saved {
        Ok(()) => see_other_with(
            &format!("/admin/sites/{site}/directory/contacts"),
            "directory.saved",
        ),
        Err(e) => match directory_errors(app, req, &e) {
            Some(errors) => {
                contact_page(
                    app,
                    req,
                    viewer,
                    site,
                    id,
                    typed,
                    errors,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            None => error_page(app, req, Some(viewer), &e),
        },
    }
}

/// `POST /admin/sites/{site}/directory/contacts/{id}/delete`
pub async fn delete_contact(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path((site, id)): Path<(String, String)>,
    form: Form,
) -> Response {
    if !form.csrf_ok(&viewer, &req) {
        return csrf_refused(&app, &req, &viewer);
    }
    let Ok(id) = id.parse::<i32>() else {
        return error_page(&app, &req, Some(&viewer), &AppError::NotFound(id));
    };
    match app.delete_contact(&viewer, &site, id).await {
        Ok(()) => see_other_with(
            &format!("/admin/sites/{site}/directory/contacts"),
            "directory.deleted",
        ),
        Err(e) => error_page(&app, &req, Some(&viewer), &e),
    }
}
