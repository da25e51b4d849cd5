//! Recommendations followed up (issue 20): each line of a published
//! training report becomes a record a directorate follows up (status,
//! owner, due date, note, history), listed per site and across an academy,
//! and its owner is reminded by mail once when the due date passes. Real
//! server, real database (SQLite, or PostgreSQL with
//! TAWASUL_TEST_DATABASE_URL).

mod common;

use common::{demo, ApiClient, ApiResponse, TestApp};
use reqwest::Method;
use serde_json::{json, Value};
use time::{Duration, OffsetDateTime};

const REPORT_LINE: &str = "Désigner dans chaque établissement un référent Massar";

async fn patch(client: &ApiClient, id: i64, body: Value) -> ApiResponse {
    client
        .send(
            Method::PATCH,
            &format!("/api/v1/recommendations/{id}"),
            Some(&body),
        )
        .await
}

fn rows(response: &ApiResponse) -> Vec<Value> {
    response.json["recommendations"]
        .as_array()
        .expect("a list of recommendations")
        .clone()
}

fn texts(response: &ApiResponse) -> Vec<String> {
    rows(response)
        .iter()
        .map(|r| r["text"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn reminders(test: &TestApp) -> Vec<(String, Value)> {
    test.app
        .store()
        .outbox(None, 10_000)
        .await
        .expect("outbox")
        .into_iter()
        .filter(|row| row.kind == "recommendation_reminder")
        .map(|row| {
            let data = serde_json::from_str(row.data.as_deref().expect("data")).expect("json");
            (row.to_address, data)
        })
        .collect()
}

#[tokio::test]
async fn a_recommendation_goes_from_open_to_done_and_its_owner_is_reminded_once() {
    let test = TestApp::with_demo().await;
    let publisher = test.login(demo::PUBLISHER_RABAT).await;

    // The published Massar training's recommendations are there, open.
    let list = publisher
        .get("/api/v1/sites/dp-rabat/recommendations")
        .await
        .expect(200);
    let found = rows(&list)
        .into_iter()
        .find(|r| r["text"] == REPORT_LINE)
        .expect("the report's line has a follow-up record");
    assert_eq!(found["status"], "open");
    assert_eq!(found["owner"], Value::Null);
    assert!(found["report"]["title"]
        .as_str()
        .expect("a title")
        .starts_with("Massar"));
    let id = found["id"].as_i64().expect("an id");

    // The publisher takes it on, due yesterday.
    let yesterday = (OffsetDateTime::now_utc().date() - Duration::days(1)).to_string();
    let taken = patch(
        &publisher,
        id,
        json!({"status": "in_progress", "owner": publisher.user_id(), "due_on": yesterday,
               "note": "Liste des référents demandée aux établissements"}),
    )
    .await
    .expect(200);
    assert_eq!(taken.json["status"], "in_progress");
    assert_eq!(taken.json["overdue"], true);
    assert_eq!(taken.json["due_on"], yesterday);

    // It is late: listed among the overdue ones, of the Massar programme.
    let overdue = publisher
        .get("/api/v1/sites/dp-rabat/recommendations?overdue=true&programme=massar")
        .await
        .expect(200);
    assert_eq!(texts(&overdue), [REPORT_LINE]);

    // The day's check runs on two servers, twice: one mail, to the owner.
    let today = OffsetDateTime::now_utc().date();
    let other = test.another_process().await;
    let first = test
        .app
        .send_due_recommendation_reminders(today)
        .await
        .expect("reminders");
    let second = other
        .send_due_recommendation_reminders(today)
        .await
        .expect("reminders");
    let third = test
        .app
        .send_due_recommendation_reminders(today)
        .await
        .expect("reminders");
    assert_eq!((first, second, third), (1, 0, 0));
    let sent = reminders(&test).await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].0, demo::PUBLISHER_RABAT.0);
    assert_eq!(sent[0].1["text"], REPORT_LINE);
    assert!(sent[0].1["link"]
        .as_str()
        .expect("a link")
        .ends_with(&format!("/admin/sites/dp-rabat/recommendations/{id}")));

    // Done: no longer overdue, never reminded again.
    let done = patch(&publisher, id, json!({"status": "done"}))
        .await
        .expect(200);
    assert_eq!(done.json["status"], "done");
    assert_eq!(done.json["overdue"], false);
    assert_eq!(
        done.json["note"],
        "Liste des référents demandée aux établissements"
    );
    let overdue = publisher
        .get("/api/v1/sites/dp-rabat/recommendations?overdue=true")
        .await
        .expect(200);
    assert!(!texts(&overdue).contains(&REPORT_LINE.to_owned()));
    let by_status = publisher
        .get("/api/v1/sites/dp-rabat/recommendations?status=done")
        .await
        .expect(200);
    assert_eq!(texts(&by_status), [REPORT_LINE]);
    assert_eq!(
        test.app
            .send_due_recommendation_reminders(today + Duration::days(30))
            .await
            .expect("reminders"),
        0
    );
    assert_eq!(reminders(&test).await.len(), 1);

    // Its history says who changed what, from its creation on.
    let viewer = test
        .app
        .viewer_by_email(demo::PUBLISHER_RABAT.0)
        .await
        .expect("read the account")
        .expect("the publisher");
    let detail = test
        .app
        .recommendation(&viewer, id as i32)
        .await
        .expect("the recommendation");
    let statuses: Vec<(String, String)> = detail
        .history
        .iter()
        .flat_map(|e| e.changes.iter())
        .filter(|c| c.field == "status")
        .map(|c| (c.before.clone(), c.after.clone()))
        .collect();
    assert_eq!(
        statuses,
        [
            (String::new(), "open".to_owned()),
            ("open".to_owned(), "in_progress".to_owned()),
            ("in_progress".to_owned(), "done".to_owned()),
        ]
    );
    assert!(
        detail.history[1..].iter().all(|e| e.actor.is_some()),
        "the publisher's changes name them"
    );

    // A done recommendation is not dropped without being reopened.
    let refused = patch(&publisher, id, json!({"status": "dropped"}))
        .await
        .expect(422);
    assert_eq!(refused.error_fields(), ["status"]);
}

#[tokio::test]
async fn editors_read_publishers_follow_up_and_an_academy_sees_its_directorates() {
    let test = TestApp::with_demo().await;
    let editor = test.login(demo::EDITOR_RABAT).await;
    let list = editor
        .get("/api/v1/sites/dp-rabat/recommendations")
        .await
        .expect(200);
    assert!(texts(&list).contains(&REPORT_LINE.to_owned()));
    let id = rows(&list)
        .into_iter()
        .find(|r| r["text"] == REPORT_LINE)
        .and_then(|r| r["id"].as_i64())
        .expect("an id");
    patch(&editor, id, json!({"status": "done"}))
        .await
        .expect_problem(403, "forbidden");

    // Another directorate's editor sees nothing of Rabat's.
    let sale = test.login(demo::EDITOR_SALE).await;
    sale.get("/api/v1/sites/dp-rabat/recommendations")
        .await
        .expect(403);
    patch(&sale, id, json!({"status": "done"}))
        .await
        .expect(404);

    // The academy's publisher lists Rabat's among the academy's, and
    // follows one up.
    let regional = test.login(demo::REGIONAL).await;
    let academy = regional
        .get("/api/v1/sites/aref-rsk/recommendations")
        .await
        .expect(200);
    assert!(rows(&academy)
        .iter()
        .any(|r| r["text"] == REPORT_LINE && r["report"]["site"] == "dp-rabat"));
    let owned = patch(
        &regional,
        id,
        json!({"service": "Service de l'informatique", "status": "in_progress"}),
    )
    .await
    .expect(200);
    assert_eq!(owned.json["service"], "Service de l'informatique");

    // An owner must be a person of the site.
    let stranger = sale.user_id();
    let refused = patch(&regional, id, json!({"owner": stranger}))
        .await
        .expect(422);
    assert_eq!(refused.error_fields(), ["owner"]);
}

#[tokio::test]
async fn a_publisher_follows_a_recommendation_up_from_its_page_and_an_editor_reads_it() {
    let test = TestApp::with_demo().await;
    let publisher = common::admin::Browser::login(&test, demo::PUBLISHER_RABAT).await;
    let list = publisher.get("/admin/sites/dp-rabat/recommendations").await;
    assert_eq!(list.status, 200);
    let links = list.attrs(
        "[data-test=recommendation] a[href*='/recommendations/']",
        "href",
    );
    let texts = list.texts("[data-test=recommendation] td:first-child a");
    let at = texts
        .iter()
        .position(|t| t == REPORT_LINE)
        .expect("the line is listed");
    let path = links[at].clone();

    let saved = publisher
        .post(
            &path,
            &[
                ("status", "in_progress"),
                ("owner", ""),
                ("service", "Service informatique"),
                ("due_on", "2027-01-15"),
                ("note", "Référents désignés dans 40 établissements"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let page = publisher.get(&path).await;
    assert_eq!(
        page.texts("[data-test=recommendation-status]"),
        ["قيد الإنجاز"]
    );
    assert_eq!(page.attrs("#r-due", "value"), ["2027-01-15"]);
    assert!(page.texts("[data-test=recommendation-history] li li").len() >= 4);

    // A form without its CSRF token changes nothing.
    let forged = test
        .client
        .post(test.url(&path))
        .header("cookie", &publisher.cookie)
        .form(&[("status", "dropped")])
        .send()
        .await
        .expect("request");
    assert_eq!(forged.status(), 403);

    // An editor reads it, without a form; posting is refused.
    let editor = common::admin::Browser::login(&test, demo::EDITOR_RABAT).await;
    let read = editor.get(&path).await;
    assert_eq!(read.status, 200);
    assert!(read.has("[data-test=recommendation-read-only]"));
    assert!(!read.has("[data-test=recommendation-form]"));
    let refused = editor.post(&path, &[("status", "done")]).await;
    assert_eq!(refused.status, 403);

    // The public report still shows the recommendations' text only.
    let feed = test.get("/dp-rabat/fr/feed.atom").await;
    let feed = feed_rs::parser::parse(feed.body.as_bytes()).expect("an Atom feed");
    let href = feed
        .entries
        .iter()
        .map(|e| e.links[0].href.clone())
        .find(|href| href.contains("formation-massar-directeurs"))
        .expect("the Massar report is in the feed");
    let local = &href[href.find("/dp-rabat/").expect("a path on the site")..];
    let public = test.get(local).await;
    assert_eq!(public.status, 200, "{local}");
    let body = public.body;
    assert!(body.contains(REPORT_LINE));
    assert!(!body.contains("Service informatique"));
    assert!(!body.contains("Référents désignés"));
}

#[tokio::test]
async fn lines_changed_in_a_published_report_keep_their_records_matching() {
    let test = TestApp::with_demo().await;
    let publisher = test.login(demo::PUBLISHER_RABAT).await;
    let list = publisher
        .get("/api/v1/sites/dp-rabat/recommendations")
        .await
        .expect(200);
    let line = rows(&list)
        .into_iter()
        .find(|r| r["text"] == REPORT_LINE)
        .expect("the line");
    let report = line["report"]["id"].as_i64().expect("a report") as i32;
    let id = line["id"].as_i64().expect("an id");
    patch(&publisher, id, json!({"status": "in_progress"}))
        .await
        .expect(200);
    let site = test
        .app
        .network()
        .site_by_slug("dp-rabat")
        .expect("Rabat")
        .id;

    // The published text now has the line reworded, and one new line.
    let lines = [
        "Désigner un référent Massar par établissement avant novembre".to_owned(),
        "Ouvrir un espace d'entraide Massar".to_owned(),
    ];
    let created = test
        .app
        .store()
        .sync_recommendations(report, site, &lines)
        .await
        .expect("sync");
    assert_eq!(created, 2);
    let now_listed = publisher
        .get("/api/v1/sites/dp-rabat/recommendations")
        .await
        .expect(200);
    let of_report: Vec<String> = rows(&now_listed)
        .iter()
        .filter(|r| r["report"]["id"] == report)
        .map(|r| r["text"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(of_report, lines);

    // The old line's record stays, with its follow-up, out of the report.
    let kept = test
        .app
        .store()
        .recommendation(id as i32)
        .await
        .expect("read")
        .expect("kept");
    assert!(!kept.in_report);
    assert_eq!(kept.status, "in_progress");

    // Put back, it finds its record again.
    let mut back = lines.to_vec();
    back.push(REPORT_LINE.to_owned());
    assert_eq!(
        test.app
            .store()
            .sync_recommendations(report, site, &back)
            .await
            .expect("sync"),
        0
    );
    let kept = test
        .app
        .store()
        .recommendation(id as i32)
        .await
        .expect("read")
        .expect("kept");
    assert!(kept.in_report);
    assert_eq!(kept.status, "in_progress");
}
