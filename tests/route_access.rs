//! Every route of the admin and the API decides who may use it: the test
//! reads the routers' own definitions (every `.route(` in `crates/web`),
//! fills each path with real things of dp-kenitra, and sends every method
//! a route takes as someone signed in with no role there. A route that
//! answers them anything but a refusal — or that is missing from the
//! lists below — fails the test, so a new route cannot be added without
//! an access decision.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::admin::Browser;
use common::demo::{EDITOR_RABAT, SITE_ADMIN_KENITRA};
use common::{ApiClient, ApiResponse, TestApp};
use reqwest::Method;
use serde_json::json;

/// Routes anyone may use, or that act only on the signed-in person
/// themself, each with why.
const OPEN: &[(&str, &str)] = &[
    ("/healthz", "the load balancer's health check"),
    ("/_static/{theme}/{file}", "theme files"),
    (
        "/uploads/{file}",
        "published files, under unguessable names",
    ),
    ("/admin/_static/{file}", "the admin's own script and style"),
    ("/admin/login", "signing in"),
    ("/admin/login/code", "the second step of signing in"),
    ("/admin/logout", "signing out oneself"),
    ("/admin/password/forgot", "asking for a reset link"),
    ("/admin/password/reset", "using a reset link"),
    ("/admin/", "one's own dashboard"),
    ("/admin/account", "one's own account"),
    ("/admin/account/password", "one's own password"),
    ("/admin/account/tokens", "one's own tokens"),
    ("/admin/account/tokens/{id}/revoke", "one's own tokens"),
    ("/admin/account/notifications", "one's own mail preferences"),
    ("/admin/account/logout-everywhere", "one's own sessions"),
    ("/admin/account/two-factor", "one's own second step"),
    ("/admin/account/two-factor/start", "one's own second step"),
    ("/admin/account/two-factor/confirm", "one's own second step"),
    ("/admin/account/two-factor/renew", "one's own second step"),
    ("/admin/account/two-factor/disable", "one's own second step"),
    (
        "/admin/paste",
        "turns pasted HTML into Markdown, reads nothing stored",
    ),
    (
        "/admin/search",
        "searches only the sites the person has a role on",
    ),
    ("/api/v1/auth/login", "signing in"),
    ("/api/v1/auth/logout", "signing out oneself"),
    ("/api/v1/auth/logout-everywhere", "one's own sessions"),
    ("/api/v1/auth/password", "one's own password"),
    ("/api/v1/auth/password/forgot", "asking for a reset link"),
    ("/api/v1/auth/password/reset", "using a reset link"),
    ("/api/v1/me", "oneself"),
    ("/api/v1/tokens", "one's own tokens"),
    ("/api/v1/tokens/{id}", "one's own tokens"),
    ("/api/v1/search", "searches what the person may read"),
    ("/api/v1", "the API's index"),
];

/// Routes whose answer to an outsider is a list limited to what they may
/// see (an empty list, or only the sites they have a role on).
const FILTERED: &[(&str, &str)] = &[
    (
        "/admin/sites",
        "platform admins manage sites; others see a refusal or nothing",
    ),
    ("/api/v1/sites", "lists the sites the person has a role on"),
    ("/admin/outbox", "the system's mails: platform admins only"),
    ("/admin/people", "platform admins only"),
    (
        "/admin/audit",
        "each person sees the records of their own sites",
    ),
    (
        "/admin/audit/export",
        "each person sees the records of their own sites",
    ),
];

/// (method, route) pairs of the routers, read from their source.
fn routes() -> Vec<(Method, String)> {
    let web = common::repo_root().join("crates/web/src");
    let mut out = Vec::new();
    let mut files = Vec::new();
    collect(&web, &mut files);
    for file in files {
        let text = std::fs::read_to_string(&file).expect("a source file");
        let relative = file.strip_prefix(&web).expect("under src");
        let prefix = match relative
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
        {
            Some("admin") => "/admin",
            Some("api") => "/api/v1",
            _ => "",
        };
        let mut rest = text.as_str();
        while let Some(at) = rest.find(".route(") {
            rest = &rest[at + ".route(".len()..];
            let Some(open) = rest.find('"') else { break };
            let after = &rest[open + 1..];
            let Some(close) = after.find('"') else { break };
            let path = &after[..close];
            // The handlers of this route: up to the call's closing paren.
            let mut depth = 1;
            let mut end = 0;
            for (i, c) in rest.char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            end = i;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let call = &rest[..end];
            for (name, method) in [
                ("get(", Method::GET),
                ("post(", Method::POST),
                ("put(", Method::PUT),
                ("patch(", Method::PATCH),
                ("delete(", Method::DELETE),
            ] {
                if call.contains(name) {
                    let full = if path == "/" && prefix.is_empty() {
                        "/".to_owned()
                    } else {
                        format!("{prefix}{path}")
                    };
                    out.push((method, full));
                }
            }
        }
    }
    out.sort_by_key(|(method, path)| (path.clone(), method.to_string()));
    out.dedup();
    out
}

fn collect(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a folder") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

async fn csv(client: &ApiClient, path: &str, body: &str) {
    let answer = ApiResponse::read(
        client
            .request(Method::POST, path)
            .header("content-type", "text/csv; charset=utf-8")
            .body(body.to_owned())
            .send()
            .await
            .expect("request"),
    )
    .await;
    assert!(answer.status < 300, "{path}: {}", answer.text);
}

/// Something real of dp-kenitra behind each placeholder.
async fn things_of_kenitra(test: &TestApp) -> BTreeMap<&'static str, String> {
    let admin = test.login(SITE_ADMIN_KENITRA).await;
    let entry = admin
        .post(
            "/api/v1/sites/dp-kenitra/entries",
            &json!({"kind": "news", "locale": "ar", "title": "مسودة داخلية", "body": "نص."}),
        )
        .await
        .expect(201)
        .json["id"]
        .to_string();
    csv(
        &admin,
        "/api/v1/sites/dp-kenitra/institutions/import",
        "code,nom_ar,cycle,email\nKN1,مدرسة,primaire,kn1@taalim.example\n",
    )
    .await;
    csv(
        &admin,
        "/api/v1/sites/dp-kenitra/contacts/import",
        "nom,fonction,code_etablissement,email\nHajar,Directrice,KN1,d.kn1@taalim.example\n",
    )
    .await;
    let first = |answer: ApiResponse, key: &str| answer.json[key][0]["id"].to_string();
    let institution = first(
        admin
            .get("/api/v1/sites/dp-kenitra/institutions")
            .await
            .expect(200),
        "institutions",
    );
    let contact = first(
        admin
            .get("/api/v1/sites/dp-kenitra/contacts")
            .await
            .expect(200),
        "contacts",
    );
    let audience = admin
        .post(
            "/api/v1/sites/dp-kenitra/audiences",
            &json!({"name": "المديرون", "rule": {"functions": ["principal"]}}),
        )
        .await
        .expect(201)
        .json["id"]
        .to_string();
    let media = upload_photo(&admin).await;
    let member = admin.user_id().to_string();
    let recommendation = first(
        admin
            .get("/api/v1/sites/dp-kenitra/recommendations")
            .await
            .expect(200),
        "recommendations",
    );
    BTreeMap::from([
        ("{site}", "dp-kenitra".to_owned()),
        ("entries/{id}", entry),
        ("media/{id}", media),
        ("institutions/{id}", institution),
        ("contacts/{id}", contact),
        ("audiences/{id}", audience),
        ("recommendations/{id}", recommendation),
        ("{user}", member.clone()),
        ("people/{id}", member),
        ("{version}", "1".to_owned()),
        ("{file}", "institutions.csv".to_owned()),
        ("{theme}", "default".to_owned()),
        // No import or mail of kenitra exists: its number is refused all
        // the same (the site's check comes first), which the test asks.
        ("import/{id}", "1".to_owned()),
        ("outbox/{id}", "1".to_owned()),
    ])
}

async fn upload_photo(admin: &ApiClient) -> String {
    let img = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8, y as u8, 90]));
    let mut bytes = Vec::new();
    img.write_to(
        &mut std::io::Cursor::new(&mut bytes),
        image::ImageFormat::Jpeg,
    )
    .expect("a jpeg");
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name("kenitra.jpg"),
    );
    let response = admin
        .request(Method::POST, "/api/v1/sites/dp-kenitra/media")
        .multipart(form)
        .send()
        .await
        .expect("request");
    ApiResponse::read(response).await.expect(201).json["id"].to_string()
}

fn fill(route: &str, things: &BTreeMap<&'static str, String>) -> String {
    let mut path = route.to_owned();
    for (hole, value) in things {
        if hole.contains('/') {
            let (segment, placeholder) = hole.split_once('/').expect("a segment");
            path = path.replace(
                &format!("/{segment}/{placeholder}"),
                &format!("/{segment}/{value}"),
            );
        }
    }
    for (hole, value) in things {
        if !hole.contains('/') {
            path = path.replace(hole, value);
        }
    }
    path
}

#[tokio::test]
async fn every_route_refuses_someone_without_a_role_on_the_site() {
    let test = TestApp::with_demo().await;
    let things = things_of_kenitra(&test).await;
    // An editor of Rabat: signed in, with no role on Kenitra.
    let outsider = Browser::login(&test, EDITOR_RABAT).await;
    let routes = routes();
    assert!(routes.len() > 80, "the routers were read: {}", routes.len());
    let mut wrong = Vec::new();
    for (method, route) in &routes {
        let listed = |list: &[(&str, &str)]| list.iter().any(|(r, _)| r == route);
        if listed(OPEN) {
            continue;
        }
        let path = fill(route, &things);
        assert!(!path.contains('{'), "no real thing for {route}");
        let request = test
            .client
            .request(method.clone(), test.url(&path))
            .header("cookie", &outsider.cookie)
            .header("x-csrf-token", &outsider.csrf)
            .header("accept", "application/json");
        let request = if *method == Method::GET {
            request
        } else {
            request.form(&[("_csrf", outsider.csrf.as_str())])
        };
        let status = request.send().await.expect("request").status().as_u16();
        let refused = matches!(status, 401 | 403 | 404 | 405 | 415);
        let public_site_page = route == "/" || route.starts_with("/{");
        let allowed_list = listed(FILTERED) && status == 200;
        if !(refused || allowed_list || public_site_page) {
            wrong.push(format!("{method} {path} → {status}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "routes that did not refuse someone without a role on dp-kenitra:\n{}",
        wrong.join("\n")
    );

    // Nobody signed in: the admin sends them to sign in, the API says 401.
    let mut wrong = Vec::new();
    for (method, route) in &routes {
        if OPEN.iter().any(|(r, _)| r == route)
            || !(route.starts_with("/admin") || route.starts_with("/api/v1"))
        {
            continue;
        }
        let path = fill(route, &things);
        let response = test
            .client
            .request(method.clone(), test.url(&path))
            .send()
            .await
            .expect("request");
        let status = response.status().as_u16();
        let to_login = response
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .is_some_and(|l| l.starts_with("/admin/login"));
        let refused = if route.starts_with("/api/v1") {
            matches!(status, 401 | 405 | 415)
        } else {
            (status == 303 && to_login) || matches!(status, 401 | 403 | 405)
        };
        if !refused {
            wrong.push(format!("{method} {path} → {status}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "routes that did not refuse someone not signed in:\n{}",
        wrong.join("\n")
    );
}
