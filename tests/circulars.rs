//! Internal circulars, end to end over real SMTP: a directorate writes a
//! note to its 200 primary schools with a PDF, has it reviewed and
//! approved, sends it (a reference number, one personal copy each, the PDF
//! attached); schools acknowledge it from the link in their mail; those
//! who have not by the day asked get one reminder, and only they; the
//! sender reads who stands where per school and exports the list. A
//! circular never reaches the public site. Real server, real database
//! (SQLite, or PostgreSQL with TAWASUL_TEST_DATABASE_URL), real SMTP.

mod common;

#[path = "../crates/mail/tests/support/smtp_server.rs"]
mod smtp_server;

use std::collections::BTreeSet;

use common::{demo, ApiClient, ApiResponse, TestApp};
use serde_json::{json, Value};
use smtp_server::SmtpServer;
use time::OffsetDateTime;

const SITE: &str = "dp-kenitra";
const SCHOOLS: usize = 200;
const OBJECT: &str = "تنظيم امتحانات نيل شهادة الدروس الابتدائية";

async fn smtp_server_app(relay: &SmtpServer) -> TestApp {
    let port = relay.port();
    TestApp::with_demo_and(|config| {
        config.mail.transport = "smtp".to_owned();
        config.mail.smtp_host = "127.0.0.1".to_owned();
        config.mail.smtp_port = port;
        config.mail.smtp_security = "none".to_owned();
    })
    .await
}

/// A PDF of about `len` bytes: one uncompressed stream of digits.
fn pdf(len: usize) -> Vec<u8> {
    let data: Vec<u8> = b"0123456789 ".iter().copied().cycle().take(len).collect();
    let mut out = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n".to_vec();
    out.extend_from_slice(b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n");
    out.extend_from_slice(format!("3 0 obj\n<< /Length {} >>\nstream\n", data.len()).as_bytes());
    out.extend_from_slice(&data);
    out.extend_from_slice(b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n");
    out
}

/// Everything in the outbox is delivered (or has failed for good).
async fn deliver_everything(test: &TestApp) {
    for _ in 0..60 {
        test.app.store().expedite_outbox().await.expect("expedite");
        test.app.deliver_due().await.expect("a round");
        let store = test.app.store();
        if store
            .outbox(Some("queued"), 1)
            .await
            .expect("outbox")
            .is_empty()
            && store
                .outbox(Some("sending"), 1)
                .await
                .expect("outbox")
                .is_empty()
        {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the outbox did not empty");
}

async fn import_schools(admin: &ApiClient) {
    let mut csv = String::from("code,nom_ar,nom_fr,cycle,email\n");
    for i in 1..=SCHOOLS {
        csv.push_str(&format!(
            "KN{i:03},مدرسة القنيطرة رقم {i},École n° {i},primaire,kn{i:03}@taalim.example\n"
        ));
    }
    let response = ApiResponse::read(
        admin
            .request(
                reqwest::Method::POST,
                &format!("/api/v1/sites/{SITE}/institutions/import"),
            )
            .header("content-type", "text/csv; charset=utf-8")
            .body(csv)
            .send()
            .await
            .expect("import"),
    )
    .await;
    assert!(
        response.status == 200 || response.status == 201,
        "{}",
        response.text
    );
}

async fn upload_pdf(admin: &ApiClient, bytes: Vec<u8>) -> i64 {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name("مذكرة الامتحانات.pdf"),
    );
    let response = admin
        .request(
            reqwest::Method::POST,
            &format!("/api/v1/sites/{SITE}/media"),
        )
        .multipart(form)
        .send()
        .await
        .expect("upload");
    ApiResponse::read(response).await.expect(201).json["id"]
        .as_i64()
        .expect("id")
}

/// A circular, written, submitted and approved; returns its id.
async fn approved_circular(admin: &ApiClient, document: i64, acknowledge_by: &str) -> i64 {
    let created = admin
        .post(
            &format!("/api/v1/sites/{SITE}/entries"),
            &json!({
                "kind": "circular",
                "title": "مذكرة في شأن امتحانات نهاية السلك الابتدائي",
                "body": "السيدات والسادة مديرات ومديري المؤسسات التعليمية،\n\nيشرفني أن أخبركم بتنظيم الامتحانات وفق الجدولة المرفقة.",
                "fields": {"object": OBJECT, "acknowledge_by": acknowledge_by, "attachments": [document]},
            }),
        )
        .await
        .expect(201);
    let id = created.json["id"].as_i64().expect("id");
    let path = format!("/api/v1/entries/{id}/transitions");
    for action in ["submit", "approve"] {
        admin
            .post(&path, &json!({"action": action}))
            .await
            .expect(200);
    }
    id
}

/// The personal data of each queued copy: address → its template data.
async fn copies(test: &TestApp, kind: &str) -> Vec<(String, Value)> {
    test.app
        .store()
        .outbox(None, 10_000)
        .await
        .expect("outbox")
        .into_iter()
        .filter(|row| row.kind == kind)
        .map(|row| {
            let data = serde_json::from_str(row.data.as_deref().expect("data")).expect("json");
            (row.to_address, data)
        })
        .collect()
}

/// The path and query of a link in a mail, to ask the test server.
fn local(url: &str) -> String {
    let parsed = url::Url::parse(url).expect("a link");
    format!("{}?{}", parsed.path(), parsed.query().expect("a query"))
}

fn token_of(url: &str) -> String {
    url::Url::parse(url)
        .expect("a link")
        .query_pairs()
        .find(|(k, _)| k == "t")
        .map(|(_, v)| v.into_owned())
        .expect("a token")
}

#[tokio::test]
async fn a_circular_with_its_pdf_reaches_200_schools_is_acknowledged_and_reminded_once() {
    let relay = SmtpServer::start().await;
    let test = smtp_server_app(&relay).await;
    let admin = test.login(demo::ADMIN).await;
    import_schools(&admin).await;
    let audience = admin
        .post(
            &format!("/api/v1/sites/{SITE}/audiences"),
            &json!({"name": "المدارس الابتدائية", "rule": {"cycles": ["primary"], "institution_emails": true}}),
        )
        .await
        .expect(201)
        .json["id"]
        .as_i64()
        .expect("id");
    let document_bytes = pdf(300 * 1024);
    let document = upload_pdf(&admin, document_bytes.clone()).await;
    let acknowledge_by = (OffsetDateTime::now_utc().date() + time::Duration::days(7)).to_string();
    let id = approved_circular(&admin, document, &acknowledge_by).await;

    // A circular is sent, never published nor sent as a public notice.
    admin
        .post(
            &format!("/api/v1/entries/{id}/transitions"),
            &json!({"action": "publish"}),
        )
        .await
        .expect_problem(409, "illegal-transition");
    admin
        .post(
            &format!("/api/v1/entries/{id}/notices"),
            &json!({"audience_ids": [audience], "confirm": true}),
        )
        .await
        .expect(409);

    // First how many it reaches; nothing goes out.
    let path = format!("/api/v1/entries/{id}/circular");
    let preview = admin
        .post(&path, &json!({"audience_ids": [audience]}))
        .await
        .expect(200);
    assert_eq!(preview.json["count"], SCHOOLS, "{}", preview.text);
    admin.get(&path).await.expect_problem(404, "not-sent");

    let sent = admin
        .post(&path, &json!({"audience_ids": [audience], "confirm": true}))
        .await
        .expect(201);
    let year = OffsetDateTime::now_utc().year();
    assert_eq!(sent.json["reference"], format!("1/{year}"), "{}", sent.text);
    assert_eq!(sent.json["totals"]["recipients"], SCHOOLS);
    let again = admin
        .post(&path, &json!({"audience_ids": [audience], "confirm": true}))
        .await
        .expect(200);
    assert_eq!(
        again.json["sent"], false,
        "a double submit sends nothing more"
    );
    assert_eq!(copies(&test, "circular").await.len(), SCHOOLS);

    // Over SMTP: one copy per school, the PDF attached, a link of its own.
    deliver_everything(&test).await;
    // The relay also got the workflow's notices (submitted, approved).
    let received: Vec<_> = relay
        .messages()
        .into_iter()
        .filter(|m| m.data.contains(&format!("X-Tawasul-Key: notice:{id}:")))
        .collect();
    assert_eq!(received.len(), SCHOOLS);
    let addresses: BTreeSet<String> = received.iter().flat_map(|m| m.to.clone()).collect();
    assert_eq!(addresses.len(), SCHOOLS, "each school once");
    let message = &received[0].data;
    assert!(message.contains("multipart/mixed"), "{}", &message[..2000]);
    assert!(message.contains("Content-Type: application/pdf"));
    assert!(message.contains("Content-Disposition: attachment"));
    let copies = copies(&test, "circular").await;
    let tokens: BTreeSet<String> = copies
        .iter()
        .map(|(_, data)| token_of(data["ack_url"].as_str().expect("ack_url")))
        .collect();
    assert_eq!(tokens.len(), SCHOOLS, "every copy has its own link");
    let (_, data) = &copies[0];
    assert_eq!(data["reference"], format!("1/{year}"));
    assert_eq!(data["attached"], true);
    assert!(data["acknowledge_by"]
        .as_str()
        .is_some_and(|d| d.contains(&year.to_string())));

    // Opening the link acknowledges nothing (mail scanners open links);
    // the button does. The first 50 schools acknowledge.
    let ack_url = data["ack_url"].as_str().expect("ack_url");
    let page = test.get(&local(ack_url)).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(OBJECT));
    assert!(page.body.contains("data-test=\"acknowledge\""));
    assert_eq!(page.header("cache-control"), Some("no-store"));
    let status = admin.get(&path).await.expect(200);
    assert_eq!(status.json["totals"]["acknowledged"], 0);
    let mut acknowledged = BTreeSet::new();
    for (to, data) in copies.iter().take(50) {
        let url = data["ack_url"].as_str().expect("ack_url");
        let answer = test
            .client
            .post(test.url(&local(url)))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("t={}", token_of(url)))
            .send()
            .await
            .expect("acknowledge");
        assert_eq!(answer.status(), 200);
        acknowledged.insert(to.clone());
    }
    // A second click changes nothing; a made-up token is not one.
    let twice = test
        .client
        .post(test.url(&local(ack_url)))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("t={}", token_of(ack_url)))
        .send()
        .await
        .expect("again");
    assert_eq!(twice.status(), 200);
    let forged = test
        .get(&format!("/{SITE}/circulars/ack?t=not-a-token"))
        .await;
    assert_eq!(forged.status, 404);

    // The document, downloaded from a personal link under a readable name.
    let file_url = data["attachments"][0]["url"].as_str().expect("a link");
    let file = test
        .client
        .get(test.url(&local(file_url)))
        .send()
        .await
        .expect("download");
    assert_eq!(file.status(), 200);
    let disposition = file.headers()["content-disposition"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(disposition.contains(&format!("1-{year}")), "{disposition}");
    assert_eq!(
        file.bytes().await.expect("body").as_ref(),
        &document_bytes[..]
    );
    let wrong = file_url.replace(&format!("id={document}"), "id=999999");
    assert_eq!(
        test.client
            .get(test.url(&local(&wrong)))
            .send()
            .await
            .expect("download")
            .status(),
        404
    );

    // Where each school stands.
    let status = admin.get(&path).await.expect(200);
    assert_eq!(status.json["totals"]["delivered"], SCHOOLS);
    assert_eq!(status.json["totals"]["acknowledged"], 50);
    let institutions = status.json["institutions"]
        .as_array()
        .expect("institutions");
    assert_eq!(institutions.len(), SCHOOLS);
    assert_eq!(
        institutions
            .iter()
            .filter(|i| i["acknowledged_at"].is_string())
            .count(),
        50
    );

    // The day passes: one reminder, to the 150 others only, once.
    let after_the_day = OffsetDateTime::now_utc().date() + time::Duration::days(8);
    assert_eq!(
        test.app
            .send_due_circular_reminders(after_the_day)
            .await
            .expect("reminders"),
        SCHOOLS - 50
    );
    assert_eq!(
        test.app
            .send_due_circular_reminders(after_the_day)
            .await
            .expect("reminders"),
        0,
        "the automatic reminder goes once"
    );
    deliver_everything(&test).await;
    let reminded: Vec<_> = relay
        .messages()
        .into_iter()
        .filter(|m| m.data.contains(&format!("X-Tawasul-Key: reminder:{id}:")))
        .collect();
    assert_eq!(reminded.len(), SCHOOLS - 50);
    for message in &reminded {
        assert!(
            !message.to.iter().any(|to| acknowledged.contains(to)),
            "a school that acknowledged was reminded"
        );
    }
    // By hand, not twice within the hour.
    admin
        .post(&format!("{path}/reminders"), &json!({}))
        .await
        .expect(409);

    // The list as a spreadsheet.
    let csv = admin
        .get(&format!("/api/v1/entries/{id}/circular.csv"))
        .await;
    assert_eq!(csv.status, 200);
    assert!(csv
        .header("content-type")
        .is_some_and(|t| t.starts_with("text/csv")));
    let lines: Vec<&str> = csv.text.trim_end().split("\r\n").collect();
    assert_eq!(lines.len(), SCHOOLS + 1, "a header and one line per school");
    assert!(lines[0].contains("acknowledged_at"));
    let reminded_lines = lines.iter().filter(|l| l.ends_with(";1")).count();
    assert_eq!(reminded_lines, SCHOOLS - 50);

    // Never on the public site.
    assert_eq!(test.get(&format!("/{SITE}/circulars/")).await.status, 404);
    let archive = test.get(&format!("/{SITE}/")).await;
    assert!(!archive.body.contains("مذكرة في شأن امتحانات"));
    let search = test
        .anonymous()
        .get(&format!(
            "/api/v1/search?q={}",
            url::form_urlencoded::byte_serialize("امتحانات نهاية السلك".as_bytes())
                .collect::<String>()
        ))
        .await;
    assert!(
        !search.text.contains(&format!("\"id\":{id}")),
        "{}",
        search.text
    );
}

#[tokio::test]
async fn a_circular_goes_out_only_approved_and_only_by_its_sites_senders() {
    let test = TestApp::with_demo().await;
    let admin = test.login(demo::ADMIN).await;
    let created = admin
        .post(
            &format!("/api/v1/sites/{SITE}/entries"),
            &json!({"kind": "circular", "title": "مذكرة", "body": "نص", "fields": {"object": ""}}),
        )
        .await
        .expect(201);
    let id = created.json["id"].as_i64().expect("id");
    // Submitting asks for the object.
    let refused = admin
        .post(
            &format!("/api/v1/entries/{id}/transitions"),
            &json!({"action": "submit"}),
        )
        .await
        .expect_problem(422, "invalid");
    assert_eq!(
        refused.error_fields(),
        ["fields.object"],
        "{}",
        refused.text
    );
    // A draft is not sent.
    admin
        .post(
            &format!("/api/v1/entries/{id}/circular"),
            &json!({"audience_ids": [1], "confirm": true}),
        )
        .await
        .expect(409);
    // Someone of another site may neither send it nor read where it stands.
    let outsider = test.login(demo::PUBLISHER_RABAT).await;
    outsider
        .post(
            &format!("/api/v1/entries/{id}/circular"),
            &json!({"audience_ids": [1], "confirm": true}),
        )
        .await
        .expect(403);
    outsider
        .get(&format!("/api/v1/entries/{id}/circular"))
        .await
        .expect(403);
}
