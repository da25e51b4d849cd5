//! The institutions of a directorate: list, search, create, edit, delete.

use super::*;

fn institution_row(req: &Req, site: &str, i: &InstitutionView) -> Value {
    json!({
        "id": i.id,
        "code": i.code,
        "name": name_in(req.lang, &i.name_ar, &i.name_fr),
        "name_ar": i.name_ar,
        "name_fr": i.name_fr,
        "cycle": i.cycle.as_str(),
        "cycle_label": i.cycle.label(req.lang),
        "commune": i.commune,
        "email": i.email,
        "url": format!("/admin/sites/{site}/directory/institutions/{}", i.id),
        "contacts_url": format!("/admin/sites/{site}/directory/contacts?institution={}", i.id),
    })
}

/// `GET /admin/sites/{site}/directory/institutions?q=&cycle=&page=`
pub async fn institutions(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(site): Path<String>,
) -> Response {
    let mut filter = list_filter(&req, "cycle");
    if filter.kind.parse::<Cycle>().is_err() {
        filter.kind.clear();
    }
    let found: ListPage<InstitutionView> = match app.institutions(&viewer, &site, &filter).await {
        Ok(found) => found,
        Err(e) => return error_page(&app, &req, Some(&viewer), &e),
    };
    let Some(mut ctx) = directory_context(
        &app,
        &req,
        &viewer,
        &site,
        "institutions",
        "directory.institutions",
    ) else {
        return no_site(&app, &req, &viewer, &site);
    };
    let rows: Vec<Value> = found
        .items
        .iter()
        .map(|i| institution_row(&req, &site, i))
        .collect();
    ctx.insert("institutions", &rows);
    ctx.insert("total", &found.total);
    ctx.insert("q", &filter.q);
    ctx.insert("cycle", &filter.kind);
    ctx.insert("cycles", &cycle_options(req.lang));
    ctx.insert(
        "export_urls",
        &export_links(&site, DirectoryFile::Institutions),
    );
    pagination(
        &mut ctx,
        &format!("/admin/sites/{site}/directory/institutions"),
        &[("q", filter.q.clone()), ("cycle", filter.kind.clone())],
        found.page,
        found.pages,
    );
    render(
        &app,
        &req,
        "directory_institutions.html",
        &ctx,
        StatusCode::OK,
    )
}

/// The institution form, new (`id` None) or existing, with what was typed.
#[expect(clippy::too_many_arguments, reason = "a form page and its state")]
async fn institution_page(
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
        "institutions",
        if id.is_some() {
            "directory.institution_edit"
        } else {
            "directory.institution_new"
        },
    ) else {
        return no_site(app, req, viewer, site);
    };
    let base = format!("/admin/sites/{site}/directory/institutions");
    ctx.insert("form", &form);
    ctx.insert("errors", &errors);
    ctx.insert("cycles", &cycle_options(req.lang));
    match id {
        Some(id) => {
            ctx.insert("action", &format!("{base}/{id}"));
            ctx.insert("delete_url", &format!("{base}/{id}/delete"));
            ctx.insert(
                "contacts_url",
                &format!("/admin/sites/{site}/directory/contacts?institution={id}"),
            );
        }
        None => ctx.insert("action", &base),
    }
    ctx.insert("is_new", &id.is_none());
    ctx.insert("list_url", &base);
    render(app, req, "directory_institution.html", &ctx, status)
}

fn institution_form(i: &InstitutionView) -> Value {
    json!({
        "code": i.code, "name_ar": i.name_ar, "name_fr": i.name_fr,
        "cycle": i.cycle.as_str(), "commune": i.commune, "email": i.email,
    })
}

fn typed_institution(form: &Form) -> (InstitutionFields, Value) {
    let fields = InstitutionFields {
        code: Some(form.get("code").to_owned()),
        name_ar: Some(form.get("name_ar").to_owned()),
        name_fr: Some(form.get("name_fr").to_owned()),
        cycle: Some(form.get("cycle").to_owned()),
        commune: Some(form.get("commune").to_owned()),
        email: Some(form.get("email").to_owned()),
    };
    let typed = json!({
        "code": form.get("code"), "name_ar": form.get("name_ar"), "name_fr": form.get("name_fr"),
        "cycle": form.get("cycle"), "commune": form.get("commune"), "email": form.get("email"),
    });
    (fields, typed)
}

/// `GET /admin/sites/{site}/directory/institutions/new`
pub async fn new_institution(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(site): Path<String>,
) -> Response {
    if let Some(refused) = unless_manager(&app, &req, &viewer, &site) {
        return refused;
    }
    let form = json!({"cycle": "primary"});
    institution_page(
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

/// `GET /admin/sites/{site}/directory/institutions/{id}`
pub async fn edit_institution(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path((site, id)): Path<(String, String)>,
) -> Response {
    let Ok(id) = id.parse::<i32>() else {
        return error_page(&app, &req, Some(&viewer), &AppError::NotFound(id));
    };
    match app.institution(&viewer, &site, id).await {
        Ok(i) => {
            let form = institution_form(&i);
            institution_page(
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

/// `POST /admin/sites/{site}/directory/institutions`
pub async fn create_institution(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(site): Path<String>,
    form: Form,
) -> Response {
    if !form.csrf_ok(&viewer, &req) {
        return csrf_refused(&app, &req, &viewer);
    }
    store_institution(&app, &req, &viewer, &site, None, &form).await
}

/// `POST /admin/sites/{site}/directory/institutions/{id}`
pub async fn save_institution(
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
    store_institution(&app, &req, &viewer, &site, Some(id), &form).await
}

/// Adds (`id` is `None`) or changes a institution as the form says; a refusal
/// shows the form again with what was typed and each error.
async fn store_institution(
    app: &App,
    req: &Req,
    viewer: &Viewer,
    site: &str,
    id: Option<i32>,
    form: &Form,
) -> Response {
    let (fields, typed) = typed_institution(form);
    let saved = match id {
        Some(id) => app
            .update_institution(viewer, site, id, fields)
            .await
            .map(drop),
        None => app.create_institution(viewer, site, fields).await.map(drop),
    };
    match saved {
        Ok(()) => see_other_with(
            &format!("/admin/sites/{site}/directory/institutions"),
            "directory.saved",
        ),
        Err(e) => match directory_errors(app, req, &e) {
            Some(errors) => {
                institution_page(
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

/// `POST /admin/sites/{site}/directory/institutions/{id}/delete`
pub async fn delete_institution(
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
    match app.delete_institution(&viewer, &site, id).await {
        Ok(()) => see_other_with(
            &format!("/admin/sites/{site}/directory/institutions"),
            "directory.deleted",
        ),
        Err(e) => error_page(&app, &req, Some(&viewer), &e),
    }
}
