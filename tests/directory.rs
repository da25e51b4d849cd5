//! The directory of a directorate and the notices sent to it, end to end:
//! CSV files as directorates keep them, refused whole with every bad line,
//! imported again without duplicates, exported for Excel and read back;
//! audiences; a published entry sent as a notice to "the principals of
//! primary schools", delivered over real SMTP to each of them exactly
//! once; and who may do what. Real server, real database (SQLite, or
//! PostgreSQL with TAWASUL_TEST_DATABASE_URL), real SMTP over TCP.

mod common;

#[path = "../crates/mail/tests/support/smtp_server.rs"]
mod smtp_server;

use std::collections::BTreeSet;

use common::{demo, ApiClient, ApiResponse, TestApp};
use serde_json::json;
use smtp_server::SmtpServer;

const PRIMARY_PRINCIPALS: &str = "مديرات ومديرو المدارس الابتدائية";

/// Posts a CSV body, as a script or a browser would send the file.
async fn post_csv(client: &ApiClient, path: &str, body: &str) -> ApiResponse {
    ApiResponse::read(
        client
            .request(reqwest::Method::POST, path)
            .header("content-type", "text/csv; charset=utf-8")
            .body(body.to_owned())
            .send()
            .await
            .expect("request"),
    )
    .await
}

fn codes(list: &ApiResponse) -> BTreeSet<String> {
    list.json["institutions"]
        .as_array()
        .expect("institutions")
        .iter()
        .map(|i| i["code"].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn lines_of(problem: &ApiResponse) -> Vec<u64> {
    problem.json["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .map(|l| l["line"].as_u64().expect("a line number"))
        .collect()
}

/// Everything in the outbox is delivered (or has failed for good).
async fn deliver_everything(test: &TestApp) {
    for _ in 0..40 {
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
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the outbox did not empty");
}

async fn notice_rows(test: &TestApp) -> Vec<tawasul_store::OutboxRow> {
    test.app
        .store()
        .outbox(None, 10_000)
        .await
        .expect("outbox")
        .into_iter()
        .filter(|m| m.kind == "notice")
        .collect()
}

async fn audience_id(client: &ApiClient, site: &str, name: &str) -> i64 {
    let list = client
        .get(&format!("/api/v1/sites/{site}/audiences"))
        .await
        .expect(200);
    list.json["audiences"]
        .as_array()
        .expect("audiences")
        .iter()
        .find(|a| a["name"] == name)
        .and_then(|a| a["id"].as_i64())
        .unwrap_or_else(|| panic!("no audience «{name}» in {}", list.text))
}

/// A published entry of the site, to send as a notice.
async fn published_entry(client: &ApiClient, site: &str) -> (i64, String) {
    let list = client
        .get(&format!("/api/v1/sites/{site}/entries?status=published"))
        .await
        .expect(200);
    let entry = list.json["entries"]
        .as_array()
        .and_then(|e| e.first())
        .cloned()
        .unwrap_or_else(|| panic!("a published entry in {}", list.text));
    (
        entry["id"].as_i64().expect("id"),
        entry["title"].as_str().unwrap_or_default().to_owned(),
    )
}

#[tokio::test]
async fn a_directorate_imports_its_spreadsheet_as_kept_and_importing_again_updates() {
    let test = TestApp::with_demo().await;
    let admin = test.login(demo::SITE_ADMIN_KENITRA).await;
    let path = "/api/v1/sites/dp-kenitra/institutions/import";
    // As Excel saves "CSV UTF-8" in an Arabic locale: a byte-order mark,
    // semicolons, Arabic headers, CRLF, a quoted name holding a semicolon.
    let first = "\u{FEFF}الرمز;الاسم بالعربية;الاسم بالفرنسية;السلك;الجماعة;البريد الإلكتروني\r\n\
        KN101;مدرسة الوحدة;École Al Wahda;الابتدائي;القنيطرة;KN101@Taalim.example\r\n\
        KN201;\"إعدادية الجاحظ; الملحقة\";Collège Al Jahid;الثانوي الإعدادي;القنيطرة;kn201@taalim.example\r\n\
        KN301;ثانوية طارق بن زياد;Lycée Tarik;Secondaire qualifiant;;kn301@taalim.example\r\n";
    let done = post_csv(&admin, path, first).await.expect(200);
    assert_eq!(done.json["created"], 3, "{}", done.text);

    let list = admin
        .get("/api/v1/sites/dp-kenitra/institutions")
        .await
        .expect(200);
    assert_eq!(list.json["total"], 3);
    let middle = &list.json["institutions"][1];
    assert_eq!(middle["name_ar"], "إعدادية الجاحظ; الملحقة");
    assert_eq!(middle["cycle"], "middle");
    assert_eq!(
        list.json["institutions"][0]["email"], "kn101@taalim.example",
        "addresses are kept lowercased"
    );

    // The same directory a month later, with French headers and commas:
    // one school renamed, one new, the others as they were.
    let again = "code,nom_ar,nom_fr,cycle,commune,email\n\
        KN101,مدرسة الوحدة الجديدة,École Al Wahda,primaire,Kénitra,kn101@taalim.example\n\
        KN201,\"إعدادية الجاحظ; الملحقة\",Collège Al Jahid,collège,القنيطرة,kn201@taalim.example\n\
        KN301,ثانوية طارق بن زياد,Lycée Tarik,lycée,,kn301@taalim.example\n\
        KN102,مدرسة الفرح,École Al Farah,primaire,Kénitra,kn102@taalim.example\n";
    let done = post_csv(&admin, path, again).await.expect(200);
    assert_eq!(
        (
            &done.json["created"],
            &done.json["updated"],
            &done.json["unchanged"]
        ),
        (&json!(1), &json!(1), &json!(2)),
        "{}",
        done.text
    );
    let list = admin
        .get("/api/v1/sites/dp-kenitra/institutions?q=الوحدة")
        .await
        .expect(200);
    assert_eq!(list.json["total"], 1, "{}", list.text);
    assert_eq!(
        list.json["institutions"][0]["name_ar"],
        "مدرسة الوحدة الجديدة"
    );
    let all = admin
        .get("/api/v1/sites/dp-kenitra/institutions")
        .await
        .expect(200);
    assert_eq!(all.json["total"], 4, "updated by code, not duplicated");
    let primary = admin
        .get("/api/v1/sites/dp-kenitra/institutions?cycle=primary")
        .await
        .expect(200);
    assert_eq!(
        codes(&primary),
        BTreeSet::from(["KN101".into(), "KN102".into()])
    );

    // Contacts, updated by their address.
    let contacts = "nom,fonction,code_etablissement,email\n\
        Hajar Belkadi,Directrice,KN101,direction.kn101@taalim.example\n\
        Driss Amrani,Inspecteur,,inspection.kn@taalim.example\n";
    let done = post_csv(&admin, "/api/v1/sites/dp-kenitra/contacts/import", contacts)
        .await
        .expect(200);
    assert_eq!(done.json["created"], 2);
    let moved = "الاسم;المهمة;رمز المؤسسة;البريد الإلكتروني\n\
        هاجر بلقاضي;مديرة;KN102;Direction.KN101@taalim.example\n";
    let done = post_csv(&admin, "/api/v1/sites/dp-kenitra/contacts/import", moved)
        .await
        .expect(200);
    assert_eq!(
        (&done.json["created"], &done.json["updated"]),
        (&json!(0), &json!(1))
    );
    let list = admin
        .get("/api/v1/sites/dp-kenitra/contacts?function=principal")
        .await
        .expect(200);
    assert_eq!(list.json["total"], 1);
    assert_eq!(list.json["contacts"][0]["name"], "هاجر بلقاضي");
    assert_eq!(list.json["contacts"][0]["institution"]["code"], "KN102");
}

#[tokio::test]
async fn one_bad_row_refuses_the_whole_file_with_every_line_and_writes_nothing() {
    let test = TestApp::with_demo().await;
    let admin = test.login(demo::SITE_ADMIN_KENITRA).await;
    let path = "/api/v1/sites/dp-kenitra/institutions/import";
    let file = "code;nom_ar;cycle;email\n\
        KN1;مدرسة أ;primaire;kn1@taalim.example\n\
        KN2;مدرسة ب;primaire;not-an-address\n\
        KN3;مدرسة ج;université;kn3@taalim.example\n\
        KN1;مدرسة د;primaire;kn4@taalim.example\n\
        KN5;مدرسة ه;primaire;kn5@taalim.example\n";
    let refused = post_csv(&admin, path, file)
        .await
        .expect_problem(422, "invalid");
    assert_eq!(lines_of(&refused), [3, 4, 5], "{}", refused.text);
    assert!(refused.json["errors"]["line 3"]
        .as_str()
        .is_some_and(|m| m.contains("not-an-address")));
    assert!(refused.json["errors"]["line 4"]
        .as_str()
        .is_some_and(|m| m.contains("université")));
    assert!(refused.json["errors"]["line 5"]
        .as_str()
        .is_some_and(|m| m.contains("line 2")));
    let list = admin
        .get("/api/v1/sites/dp-kenitra/institutions")
        .await
        .expect(200);
    assert_eq!(list.json["total"], 0, "nothing was written: {}", list.text);

    let no_email_column = post_csv(&admin, path, "code,nom_ar,cycle\nKN1,مدرسة,primaire\n")
        .await
        .expect_problem(422, "invalid");
    assert_eq!(lines_of(&no_email_column), [1]);

    let contacts = "nom,fonction,code_etablissement,email\n\
        Ali,directeur,ZZ999,ali@taalim.example\n\
        Sara,astronaute,,sara@taalim.example\n";
    let refused = post_csv(&admin, "/api/v1/sites/dp-kenitra/contacts/import", contacts)
        .await
        .expect_problem(422, "invalid");
    assert_eq!(lines_of(&refused), [2, 3]);

    let not_csv = admin
        .post(path, &json!({"code": "KN1"}))
        .await
        .expect_problem(415, "unsupported-media-type");
    assert!(not_csv.text.contains("text/csv"));
}

#[tokio::test]
async fn a_line_break_in_a_name_is_refused_everywhere_a_name_comes_in() {
    let test = TestApp::with_demo().await;
    let admin = test.login(demo::SITE_ADMIN_KENITRA).await;
    let injected = "nom,fonction,email\n\
        \"Ali\r\nBcc: victim@example.org\",directeur,ali@taalim.example\n";
    let refused = post_csv(&admin, "/api/v1/sites/dp-kenitra/contacts/import", injected)
        .await
        .expect_problem(422, "invalid");
    assert_eq!(lines_of(&refused), [2]);
    let refused = admin
        .post(
            "/api/v1/sites/dp-kenitra/contacts",
            &json!({"name": "Ali\nBcc: victim@example.org", "function": "teacher", "email": "ali@taalim.example"}),
        )
        .await
        .expect_problem(422, "invalid");
    assert_eq!(refused.error_fields(), ["name"]);
    let refused = admin
        .post(
            "/api/v1/sites/dp-kenitra/contacts",
            &json!({"name": "Ali", "function": "teacher", "email": "ali@taalim.example\r\nBcc: x@example.org"}),
        )
        .await
        .expect_problem(422, "invalid");
    assert_eq!(refused.error_fields(), ["email"]);
    let created = admin
        .post(
            "/api/v1/sites/dp-kenitra/contacts",
            &json!({"name": "Ali Berrada", "function": "Enseignant", "email": "Ali@Taalim.example"}),
        )
        .await
        .expect(201);
    assert_eq!(created.json["function"], "teacher");
    assert_eq!(created.json["email"], "ali@taalim.example");
    let twice = admin
        .post(
            "/api/v1/sites/dp-kenitra/contacts",
            &json!({"name": "Ali B.", "function": "teacher", "email": "ali@taalim.example"}),
        )
        .await
        .expect_problem(422, "invalid");
    assert_eq!(twice.error_fields(), ["email"], "{}", twice.text);
}

#[tokio::test]
async fn an_export_opens_in_excel_and_reads_back_the_same() {
    let test = TestApp::with_demo().await;
    let admin = test.login(demo::ADMIN).await;
    let export = admin
        .get("/api/v1/sites/dp-rabat/institutions/export")
        .await
        .expect(200);
    assert_eq!(
        export.header("content-type"),
        Some("text/csv; charset=utf-8")
    );
    assert!(export
        .header("content-disposition")
        .is_some_and(|d| d.contains("attachment") && d.contains("dp-rabat-institutions.csv")));
    assert!(export
        .text
        .starts_with("\u{FEFF}code;nom_ar;nom_fr;cycle;commune;email\r\n"));
    assert_eq!(export.text.lines().count(), 21);
    let arabic = admin
        .get("/api/v1/sites/dp-rabat/institutions/export?lang=ar&separator=comma")
        .await
        .expect(200);
    assert!(arabic.text.starts_with("\u{FEFF}الرمز,الاسم بالعربية"));
    assert!(arabic.text.contains("الثانوي التأهيلي"));
    admin
        .get("/api/v1/sites/dp-rabat/institutions/export?lang=en")
        .await
        .expect_problem(400, "invalid");

    // Read back into another directorate: the same directory.
    let done = post_csv(
        &admin,
        "/api/v1/sites/dp-sale/institutions/import",
        &arabic.text,
    )
    .await
    .expect(200);
    assert_eq!(done.json["created"], 20);
    let contacts = admin
        .get("/api/v1/sites/dp-rabat/contacts/export")
        .await
        .expect(200);
    let done = post_csv(
        &admin,
        "/api/v1/sites/dp-sale/contacts/import",
        &contacts.text,
    )
    .await
    .expect(200);
    assert_eq!(done.json["created"], 41, "{}", done.text);
    for file in ["institutions", "contacts"] {
        let rabat = admin
            .get(&format!("/api/v1/sites/dp-rabat/{file}/export?lang=ar"))
            .await
            .expect(200);
        let sale = admin
            .get(&format!("/api/v1/sites/dp-sale/{file}/export?lang=ar"))
            .await
            .expect(200);
        assert_eq!(rabat.text, sale.text, "{file}");
    }
    let again = post_csv(
        &admin,
        "/api/v1/sites/dp-sale/institutions/import",
        &export.text,
    )
    .await
    .expect(200);
    assert_eq!(again.json["unchanged"], 20, "{}", again.text);
}

#[tokio::test]
async fn audiences_reach_contacts_by_function_cycle_and_site_each_address_once() {
    let test = TestApp::with_demo().await;
    let admin = test.login(demo::ADMIN).await;
    let publisher = test.login(demo::PUBLISHER_RABAT).await;
    let principals = audience_id(&publisher, "dp-rabat", PRIMARY_PRINCIPALS).await;
    let count = publisher
        .get(&format!(
            "/api/v1/sites/dp-rabat/audiences/{principals}/recipients?count"
        ))
        .await
        .expect(200);
    assert_eq!(count.json, json!({"count": 10}));
    let everyone = publisher
        .get(&format!(
            "/api/v1/sites/dp-rabat/audiences/{principals}/recipients"
        ))
        .await
        .expect(200);
    let addresses: BTreeSet<&str> = everyone.json["recipients"]
        .as_array()
        .expect("recipients")
        .iter()
        .filter_map(|r| r["email"].as_str())
        .collect();
    assert_eq!(addresses.len(), 10);
    assert!(addresses.iter().all(|a| a.starts_with("direction.rb1")));

    // With the schools' own mailboxes: principals of colleges and lycées
    // (8) and their institutions' addresses (8).
    let secondary = audience_id(
        &publisher,
        "dp-rabat",
        "Collèges et lycées : directions et boîtes fonctionnelles",
    )
    .await;
    let count = publisher
        .get(&format!(
            "/api/v1/sites/dp-rabat/audiences/{secondary}/recipients?count"
        ))
        .await
        .expect(200);
    assert_eq!(count.json["count"], 16);

    // The academy's audience reaches the inspectors of its directorates.
    let regional = audience_id(&admin, "aref-rsk", "المفتشون التربويون بالجهة").await;
    let count = admin
        .get(&format!(
            "/api/v1/sites/aref-rsk/audiences/{regional}/recipients?count"
        ))
        .await
        .expect(200);
    assert_eq!(count.json["count"], 4);

    // A new audience, its live count before saving, a rule naming an
    // institution of another directorate refused.
    let preview = admin
        .post(
            "/api/v1/sites/dp-rabat/audiences/preview",
            &json!({"rule": {"functions": ["teacher", "counsellor"], "cycles": ["secondary"]}}),
        )
        .await
        .expect(200);
    assert_eq!(preview.json["count"], 6, "{}", preview.text);
    let created = admin
        .post(
            "/api/v1/sites/dp-rabat/audiences",
            &json!({"name": "Lycées : enseignants et orientation", "rule": {"functions": ["teacher", "counsellor"], "cycles": ["secondary"]}}),
        )
        .await
        .expect(201);
    let id = created.json["id"].as_i64().expect("id");
    let renamed = admin
        .send(
            reqwest::Method::PATCH,
            &format!("/api/v1/sites/dp-rabat/audiences/{id}"),
            Some(&json!({"name": "Lycées"})),
        )
        .await
        .expect(200);
    assert_eq!(
        renamed.json["rule"]["cycles"],
        json!(["secondary"]),
        "the rule stays"
    );
    admin
        .post(
            "/api/v1/sites/dp-rabat/audiences",
            &json!({"name": "Lycées", "rule": {}}),
        )
        .await
        .expect_problem(422, "invalid");
    admin
        .post(
            "/api/v1/sites/dp-rabat/audiences",
            &json!({"name": "x", "rule": {"function": ["teacher"]}}),
        )
        .await
        .expect_problem(422, "invalid");
    post_csv(
        &admin,
        "/api/v1/sites/dp-sale/institutions/import",
        "code,nom_ar,cycle,email\nSL1,مدرسة,primaire,sl1@taalim.example\n",
    )
    .await
    .expect(200);
    let sale = admin
        .get("/api/v1/sites/dp-sale/institutions")
        .await
        .expect(200);
    let foreign = sale.json["institutions"][0]["id"].as_i64().expect("id");
    let refused = admin
        .post(
            "/api/v1/sites/dp-rabat/audiences",
            &json!({"name": "Ailleurs", "rule": {"institutions": [foreign]}}),
        )
        .await
        .expect_problem(422, "invalid");
    assert_eq!(refused.error_fields(), ["institutions"]);
    admin
        .delete(&format!("/api/v1/sites/dp-rabat/audiences/{id}"))
        .await
        .expect(204);
}

#[tokio::test]
async fn a_notice_reaches_each_primary_principal_exactly_once_over_smtp() {
    let relay = SmtpServer::start().await;
    let port = relay.port();
    let test = TestApp::with_demo_and(|config| {
        config.mail.transport = "smtp".to_owned();
        config.mail.smtp_host = "127.0.0.1".to_owned();
        config.mail.smtp_port = port;
        config.mail.smtp_security = "none".to_owned();
    })
    .await;
    let admin = test.login(demo::ADMIN).await;
    let publisher = test.login(demo::PUBLISHER_RABAT).await;
    let principals = audience_id(&publisher, "dp-rabat", PRIMARY_PRINCIPALS).await;
    // An audience overlapping the first: every principal, any cycle.
    let all_principals = admin
        .post(
            "/api/v1/sites/dp-rabat/audiences",
            &json!({"name": "Tous les directeurs", "rule": {"functions": ["principal"]}}),
        )
        .await
        .expect(201)
        .json["id"]
        .as_i64()
        .expect("id");
    let (entry, title) = published_entry(&publisher, "dp-rabat").await;
    let path = format!("/api/v1/entries/{entry}/notices");

    let count = publisher
        .post(
            &path,
            &json!({"audience_ids": [principals, all_principals]}),
        )
        .await
        .expect(200);
    assert_eq!(
        count.json["count"], 18,
        "deduplicated by address: {}",
        count.text
    );
    assert!(
        notice_rows(&test).await.is_empty(),
        "counting sends nothing"
    );

    let count = publisher
        .post(&path, &json!({"audience_ids": [principals]}))
        .await
        .expect(200);
    assert_eq!(count.json["count"], 10);
    let sent = publisher
        .post(
            &path,
            &json!({"audience_ids": [principals], "confirm": true}),
        )
        .await
        .expect(201);
    assert_eq!(sent.json["recipients"], 10);
    assert_eq!(sent.json["created"], true);
    let twice = publisher
        .post(
            &path,
            &json!({"audience_ids": [principals], "confirm": true}),
        )
        .await
        .expect(200);
    assert_eq!(
        twice.json["created"], false,
        "a double submit is one notice"
    );
    assert_eq!(twice.json["id"], sent.json["id"]);
    assert_eq!(notice_rows(&test).await.len(), 10);

    deliver_everything(&test).await;
    let received = relay.messages();
    let mut recipients: Vec<String> = received.iter().flat_map(|m| m.to.clone()).collect();
    recipients.sort();
    let before = recipients.len();
    recipients.dedup();
    assert_eq!(before, 10, "one message per principal, none twice");
    assert_eq!(recipients.len(), 10);
    assert!(recipients.iter().all(|r| r.starts_with("direction.rb1")));
    let message = &received[0].data;
    assert!(
        message.contains("Subject: =?utf-8?"),
        "an encoded Arabic subject"
    );
    assert!(
        message.contains(&format!("X-Tawasul-Key: notice:{entry}:")),
        "{message}"
    );
    let data: serde_json::Value = serde_json::from_str(
        notice_rows(&test).await[0]
            .data
            .as_deref()
            .expect("the template's data"),
    )
    .expect("JSON");
    assert!(
        data["link"]
            .as_str()
            .is_some_and(|l| l.contains("/dp-rabat/") && l.contains(&format!("/{entry}-"))),
        "a link to the public entry: {data}"
    );
    assert_eq!(data["title"], title.as_str());
    assert!(!message.to_ascii_lowercase().contains("\nbcc:"));
    assert!(!title.is_empty());

    let notices = publisher.get(&path).await.expect(200);
    let notice = &notices.json["notices"][0];
    assert_eq!(
        notice["delivery"],
        json!({"queued": 0, "sent": 10, "failed": 0})
    );
    assert_eq!(notice["audiences"][0]["name"], PRIMARY_PRINCIPALS);
    assert_eq!(notice["sent_by"], publisher.user["name"]);
}

#[tokio::test]
async fn an_audience_that_reaches_nobody_queues_nothing_and_says_so() {
    let test = TestApp::with_demo().await;
    let admin = test.login(demo::ADMIN).await;
    let nobody = admin
        .post(
            "/api/v1/sites/dp-rabat/audiences",
            &json!({"name": "Économes du primaire", "rule": {"functions": ["bursar"], "cycles": ["primary"]}}),
        )
        .await
        .expect(201)
        .json["id"]
        .as_i64()
        .expect("id");
    let (entry, _) = published_entry(&admin, "dp-rabat").await;
    let path = format!("/api/v1/entries/{entry}/notices");
    let count = admin
        .post(&path, &json!({"audience_ids": [nobody]}))
        .await
        .expect(200);
    assert_eq!(count.json["count"], 0);
    let refused = admin
        .post(&path, &json!({"audience_ids": [nobody], "confirm": true}))
        .await
        .expect_problem(422, "invalid");
    assert_eq!(refused.error_fields(), ["recipients"]);
    assert!(refused.text.contains("nobody"));
    assert!(notice_rows(&test).await.is_empty());
    let notices = admin.get(&path).await.expect(200);
    assert_eq!(notices.json["notices"], json!([]));

    let none_chosen = admin
        .post(&path, &json!({"audience_ids": [], "confirm": true}))
        .await
        .expect_problem(422, "invalid");
    assert_eq!(none_chosen.error_fields(), ["audience_ids"]);
}

#[tokio::test]
async fn who_may_manage_the_directory_and_send_notices() {
    let test = TestApp::with_demo().await;
    let editor = test.login(demo::EDITOR_RABAT).await;
    let publisher = test.login(demo::PUBLISHER_RABAT).await;
    let kenitra_admin = test.login(demo::SITE_ADMIN_KENITRA).await;
    let regional = test.login(demo::REGIONAL).await;
    let platform = test.login(demo::ADMIN).await;

    test.anonymous()
        .get("/api/v1/sites/dp-rabat/institutions")
        .await
        .expect_problem(401, "unauthenticated");
    editor
        .get("/api/v1/sites/dp-rabat/institutions")
        .await
        .expect_problem(403, "forbidden");
    kenitra_admin
        .get("/api/v1/sites/dp-rabat/contacts")
        .await
        .expect_problem(403, "forbidden");
    publisher
        .get("/api/v1/sites/dp-rabat/contacts?function=inspector")
        .await
        .expect(200);
    let new_school = json!({"code": "RB999", "name_ar": "مدرسة", "cycle": "primary", "email": "rb999@taalim.example"});
    publisher
        .post("/api/v1/sites/dp-rabat/institutions", &new_school)
        .await
        .expect_problem(403, "forbidden");
    post_csv(
        &publisher,
        "/api/v1/sites/dp-rabat/institutions/import",
        "code,nom_ar,cycle,email\nX1,x,primary,x@t.example\n",
    )
    .await
    .expect_problem(403, "forbidden");
    let created = platform
        .post("/api/v1/sites/dp-rabat/institutions", &new_school)
        .await
        .expect(201);
    let id = created.json["id"].as_i64().expect("id");
    // Kénitra's administrator cannot reach Rabat's records by id either.
    kenitra_admin
        .send(
            reqwest::Method::PATCH,
            &format!("/api/v1/sites/dp-kenitra/institutions/{id}"),
            Some(&json!({"commune": "x"})),
        )
        .await
        .expect_problem(404, "not-found");
    let changed = platform
        .send(
            reqwest::Method::PATCH,
            &format!("/api/v1/sites/dp-rabat/institutions/{id}"),
            Some(&json!({"commune": "حسان"})),
        )
        .await
        .expect(200);
    assert_eq!(
        changed.json["code"], "RB999",
        "unsent fields keep their values"
    );
    assert_eq!(changed.json["commune"], "حسان");
    platform
        .delete(&format!("/api/v1/sites/dp-rabat/institutions/{id}"))
        .await
        .expect(204);

    // Notices: publishers of the site or above; a published entry only.
    let principals = audience_id(&publisher, "dp-rabat", PRIMARY_PRINCIPALS).await;
    let (entry, _) = published_entry(&publisher, "dp-rabat").await;
    let path = format!("/api/v1/entries/{entry}/notices");
    editor
        .post(&path, &json!({"audience_ids": [principals]}))
        .await
        .expect_problem(403, "forbidden");
    kenitra_admin
        .post(&path, &json!({"audience_ids": [principals]}))
        .await
        .expect_problem(403, "forbidden");
    regional
        .post(&path, &json!({"audience_ids": [principals]}))
        .await
        .expect(200);
    let draft = editor
        .post(
            "/api/v1/sites/dp-rabat/entries",
            &json!({"kind": "announcement", "title": "مذكرة في طور الإعداد", "body": "نص"}),
        )
        .await
        .expect(201);
    let draft = draft.json["id"].as_i64().expect("id");
    publisher
        .post(
            &format!("/api/v1/entries/{draft}/notices"),
            &json!({"audience_ids": [principals], "confirm": true}),
        )
        .await
        .expect_problem(409, "conflict");
    let other_site = audience_id(&platform, "aref-rsk", "المفتشون التربويون بالجهة").await;
    let refused = publisher
        .post(
            &path,
            &json!({"audience_ids": [other_site], "confirm": true}),
        )
        .await
        .expect_problem(422, "invalid");
    assert_eq!(refused.error_fields(), ["audience_ids"]);
}

/// A browser session on the admin pages (cookie and CSRF token).
struct Browser<'a> {
    test: &'a TestApp,
    cookie: String,
    csrf: String,
}

impl<'a> Browser<'a> {
    async fn login(test: &'a TestApp, credentials: (&str, &str)) -> Browser<'a> {
        let api = test.login(credentials).await;
        let common::Credential::Session { cookie, csrf } = api.credential else {
            panic!("a session");
        };
        Browser { test, cookie, csrf }
    }

    async fn get(&self, path: &str) -> (u16, String) {
        let response = self
            .test
            .client
            .get(self.test.url(path))
            .header("cookie", &self.cookie)
            .send()
            .await
            .expect("request");
        let status = response.status().as_u16();
        (status, response.text().await.unwrap_or_default())
    }

    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> (u16, String, String) {
        let mut form: Vec<(&str, &str)> = vec![("_csrf", &self.csrf)];
        form.extend_from_slice(fields);
        let response = self
            .test
            .client
            .post(self.test.url(path))
            .header("cookie", &self.cookie)
            .form(&form)
            .send()
            .await
            .expect("request");
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        (status, location, response.text().await.unwrap_or_default())
    }
}

fn select(body: &str, selector: &str) -> Vec<String> {
    common::select_text(&scraper::Html::parse_document(body), selector)
}

fn attr(body: &str, selector: &str, name: &str) -> Vec<String> {
    common::select_attr(&scraper::Html::parse_document(body), selector, name)
}

#[tokio::test]
async fn the_admin_imports_with_line_errors_kept_and_sends_a_notice_after_counting() {
    let test = TestApp::with_demo().await;
    let admin = Browser::login(&test, demo::SITE_ADMIN_KENITRA).await;
    let (status, page) = admin.get("/admin/sites/dp-kenitra/directory/import").await;
    assert_eq!(status, 200);
    assert!(page.contains("data-test=\"import-form\""));

    let bad =
        "code;nom_ar;cycle;email\nKN1;مدرسة;primaire;kn1@taalim.example\nKN2;مدرسة;primaire;nope\n";
    let form = reqwest::multipart::Form::new()
        .text("_csrf", admin.csrf.clone())
        .text("file", "institutions")
        .part(
            "upload",
            reqwest::multipart::Part::bytes(bad.as_bytes().to_vec())
                .file_name("etablissements.csv")
                .mime_str("text/csv")
                .expect("mime"),
        );
    let response = test
        .client
        .post(test.url("/admin/sites/dp-kenitra/directory/import?lang=fr"))
        .header("cookie", &admin.cookie)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    assert_eq!(response.status().as_u16(), 422);
    let page = response.text().await.expect("page");
    assert_eq!(
        attr(&page, "[data-test=import-problem]", "data-line"),
        ["3"]
    );
    assert!(select(&page, "[data-test=import-problem]")[0].contains("nope"));
    assert_eq!(
        select(&page, "textarea[name=text]"),
        [bad.trim()],
        "the file's text is kept to be corrected"
    );
    let fixed = bad.replace(";nope", ";kn2@taalim.example");
    let form = reqwest::multipart::Form::new()
        .text("_csrf", admin.csrf.clone())
        .text("file", "institutions")
        .text("text", fixed);
    let response = test
        .client
        .post(test.url("/admin/sites/dp-kenitra/directory/import"))
        .header("cookie", &admin.cookie)
        .multipart(form)
        .send()
        .await
        .expect("import");
    assert_eq!(response.status().as_u16(), 200);
    let page = response.text().await.expect("page");
    assert!(page.contains("data-test=\"import-done\""));
    let (_, list) = admin
        .get("/admin/sites/dp-kenitra/directory/institutions")
        .await;
    assert_eq!(attr(&list, "[data-test=institution]", "data-id").len(), 2);

    let without_token = test
        .client
        .post(test.url("/admin/sites/dp-kenitra/directory/institutions"))
        .header("cookie", &admin.cookie)
        .form(&[("code", "KN9")])
        .send()
        .await
        .expect("request");
    assert_eq!(without_token.status().as_u16(), 403);
    let (status, _, page) = admin
        .post(
            "/admin/sites/dp-kenitra/directory/institutions",
            &[
                ("code", "KN9"),
                ("name_ar", "مدرسة"),
                ("cycle", "middle"),
                ("email", "bad"),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        attr(&page, "#f-code", "value"),
        ["KN9"],
        "what was typed stays"
    );
    assert!(!select(&page, "[data-test=field-error-email]").is_empty());

    // A publisher of Rabat sends a published entry to the primary principals.
    let publisher = Browser::login(&test, demo::PUBLISHER_RABAT).await;
    let api = test.login(demo::PUBLISHER_RABAT).await;
    let (entry, _) = published_entry(&api, "dp-rabat").await;
    let principals = audience_id(&api, "dp-rabat", PRIMARY_PRINCIPALS)
        .await
        .to_string();
    let (_, editor) = publisher.get(&format!("/admin/entries/{entry}")).await;
    assert!(editor.contains("data-test=\"notice-link\""));
    let path = format!("/admin/entries/{entry}/notices");
    let (status, page) = publisher.get(&path).await;
    assert_eq!(status, 200);
    assert!(page.contains("data-test=\"notice-form\""));
    let (status, _, page) = publisher
        .post(&path, &[("do", "count"), ("audience_ids", &principals)])
        .await;
    assert_eq!(status, 200);
    assert!(select(&page, "[data-test=notice-reach]")[0].contains("10"));
    let key = attr(&page, "[data-test=notice-confirm] input[name=key]", "value")
        .pop()
        .expect("a confirmation key");
    let send = [
        ("do", "send"),
        ("key", key.as_str()),
        ("audience_ids", principals.as_str()),
    ];
    let (status, location, _) = publisher.post(&path, &send).await;
    assert_eq!((status, location.as_str()), (303, path.as_str()));
    let (status, _, _) = publisher.post(&path, &send).await;
    assert_eq!(status, 303, "a second click");
    assert_eq!(notice_rows(&test).await.len(), 10, "queued once");
    let (_, page) = publisher.get(&path).await;
    assert_eq!(attr(&page, "[data-test=notice]", "data-id").len(), 1);
    assert_eq!(select(&page, "[data-test=delivery-queued]"), ["10"]);

    let editor_session = Browser::login(&test, demo::EDITOR_RABAT).await;
    let (status, _) = editor_session.get(&path).await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn the_command_line_imports_and_exports_a_directory() {
    use std::process::Command;
    let data = tempfile::tempdir().expect("dir");
    let db_url = common::test_database_url().await;
    let run = |args: &[&str]| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_tawasul"));
        command.arg("--data").arg(data.path()).args(args);
        for (key, _) in std::env::vars() {
            if key.starts_with("TAWASUL_") {
                command.env_remove(key);
            }
        }
        if let Some(url) = &db_url {
            command.env("TAWASUL_DATABASE_URL", url);
        }
        command.env("TAWASUL_LOG", "warn").output().expect("run")
    };
    let out = run(&[
        "site",
        "add",
        "--slug",
        "dp-test",
        "--kind",
        "academy",
        "--name-ar",
        "مديرية",
        "--name-fr",
        "Direction",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let file = data.path().join("etablissements.csv");
    std::fs::write(
        &file,
        "\u{FEFF}code;nom_ar;cycle;email\r\nT1;مدرسة;primaire;t1@taalim.example\r\nT2;إعدادية;collège;t2@taalim.example\r\n",
    )
    .expect("write");
    let file_arg = file.to_str().expect("utf-8");
    let out = run(&[
        "directory",
        "import",
        "--site",
        "dp-test",
        "--institutions",
        file_arg,
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("2 created"), "{stdout}");

    std::fs::write(&file, "code;nom_ar;cycle;email\nT3;مدرسة;primaire;bad\n").expect("write");
    let out = run(&[
        "directory",
        "import",
        "--site",
        "dp-test",
        "--institutions",
        file_arg,
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains(":2:") && stderr.contains("bad"), "{stderr}");

    let out = run(&[
        "directory",
        "export",
        "--site",
        "dp-test",
        "--institutions",
        "--lang",
        "ar",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(stdout.starts_with("\u{FEFF}الرمز;"), "{stdout}");
    assert_eq!(stdout.lines().count(), 3);
    let out = run(&["directory", "export", "--site", "dp-test"]);
    assert!(!out.status.success(), "one of --institutions or --contacts");
}
