//! Mail as the network relies on it: workflow notices reach the right
//! people, and every queued message is delivered exactly once even when
//! the relay is down for a while. Real SMTP over TCP, real database.

mod common;

#[path = "../crates/mail/tests/support/smtp_server.rs"]
mod smtp_server;

use common::{demo, TestApp};
use serde_json::json;
use smtp_server::SmtpServer;
use tawasul_store::NewMail;

fn notice(n: usize) -> NewMail {
    NewMail {
        kind: "notice".to_owned(),
        site_id: None,
        to: format!("ecole{n}@tawasul.example"),
        subject: "مذكرة حول الدخول المدرسي".to_owned(),
        body_text: "يرجى الاطلاع على المذكرة.".to_owned(),
        body_html: None,
        idempotency_key: format!("notice:test:{n}"),
        template: None,
        data: None,
        lang: None,
    }
}

async fn deliver_everything(test: &TestApp) {
    for _ in 0..20 {
        test.app.store().expedite_outbox().await.expect("expedite");
        test.app.deliver_due().await.expect("a round");
        let waiting = test
            .app
            .store()
            .outbox(Some("queued"), 1)
            .await
            .expect("outbox");
        let sending = test
            .app
            .store()
            .outbox(Some("sending"), 1)
            .await
            .expect("outbox");
        if waiting.is_empty() && sending.is_empty() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the outbox did not empty");
}

#[tokio::test]
async fn a_relay_down_for_a_while_still_gets_every_message_exactly_once() {
    let relay = SmtpServer::start().await;
    let port = relay.port();
    let test = TestApp::with_demo_and(|config| {
        config.mail.transport = "smtp".to_owned();
        config.mail.smtp_host = "127.0.0.1".to_owned();
        config.mail.smtp_port = port;
        config.mail.smtp_security = "none".to_owned();
    })
    .await;
    relay.stop().await;
    for n in 0..500 {
        assert!(test.app.store().queue_mail(notice(n)).await.expect("queue"));
    }
    assert!(
        !test.app.store().queue_mail(notice(7)).await.expect("queue"),
        "the same key is queued once"
    );
    test.app
        .deliver_due()
        .await
        .expect("a round while the relay is down");
    let waiting = test
        .app
        .store()
        .outbox(Some("queued"), 1000)
        .await
        .expect("outbox");
    let tried: Vec<_> = waiting.iter().filter(|m| m.attempts > 0).collect();
    assert!(!tried.is_empty(), "temporary failures wait and retry");
    assert!(tried.iter().all(|m| m.last_error.is_some()));
    assert!(test
        .app
        .store()
        .outbox(Some("failed"), 10)
        .await
        .expect("outbox")
        .is_empty());

    relay.restart().await;
    deliver_everything(&test).await;
    let received = relay.messages();
    let mut recipients: Vec<String> = received.iter().flat_map(|m| m.to.clone()).collect();
    recipients.sort();
    let before = recipients.len();
    recipients.dedup();
    assert_eq!(before, 500, "one message per recipient, none twice");
    assert_eq!(recipients.len(), 500);
    assert_eq!(
        test.app
            .store()
            .outbox(Some("sent"), 1000)
            .await
            .expect("outbox")
            .len(),
        500
    );
}

#[tokio::test]
async fn a_refused_recipient_is_failed_for_good_and_not_retried() {
    let relay = SmtpServer::start().await;
    relay.set_rcpt_reply(Some("550 5.1.1 no such mailbox"));
    let port = relay.port();
    let test = TestApp::with_demo_and(|config| {
        config.mail.transport = "smtp".to_owned();
        config.mail.smtp_host = "127.0.0.1".to_owned();
        config.mail.smtp_port = port;
        config.mail.smtp_security = "none".to_owned();
    })
    .await;
    test.app.store().queue_mail(notice(1)).await.expect("queue");
    deliver_everything(&test).await;
    let failed = test
        .app
        .store()
        .outbox(Some("failed"), 10)
        .await
        .expect("outbox");
    assert_eq!(failed.len(), 1);
    assert!(failed[0]
        .last_error
        .as_deref()
        .unwrap_or("")
        .contains("550"));
    assert_eq!(failed[0].attempts, 1);
}

#[tokio::test]
async fn a_submission_tells_the_reviewers_and_a_request_for_changes_tells_the_author() {
    let test = TestApp::with_demo().await;
    let editor = test.login(demo::EDITOR_RABAT).await;
    let publisher = test.login(demo::PUBLISHER_RABAT).await;
    let created = editor
        .post(
            "/api/v1/sites/dp-rabat/entries",
            &json!({"kind": "news", "title": "خبر للمراجعة", "body": "نص"}),
        )
        .await
        .expect(201);
    let id = created.json["id"].as_i64().expect("id");
    let path = format!("/api/v1/entries/{id}/transitions");
    editor
        .post(&path, &json!({"action": "submit"}))
        .await
        .expect(200);
    let queued = test.app.store().outbox(None, 50).await.expect("outbox");
    let mut to: Vec<&str> = queued.iter().map(|m| m.to_address.as_str()).collect();
    to.sort_unstable();
    assert_eq!(
        to,
        [demo::PUBLISHER_RABAT.0, demo::REGIONAL.0],
        "the site's publisher and the region's supervisor, not the author"
    );
    publisher
        .post(
            &path,
            &json!({"action": "request_changes", "comment": "أضف صورة"}),
        )
        .await
        .expect(200);
    let queued = test.app.store().outbox(None, 50).await.expect("outbox");
    assert_eq!(queued[0].to_address, demo::EDITOR_RABAT.0);

    // With no relay configured, messages become .eml files in the data folder.
    deliver_everything(&test).await;
    let folder = test.data.path().join("mail");
    let files: Vec<String> = std::fs::read_dir(&folder)
        .expect("the mail folder")
        .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
        .collect();
    assert_eq!(files.len(), 3);
    assert!(files
        .iter()
        .all(|f| f.contains("Content-Type: text/html") && f.contains("Subject: =?utf-8?")));
}

#[tokio::test]
async fn links_in_mails_lead_to_where_the_server_listens_when_no_public_address_is_set() {
    let test = TestApp::with_demo().await;
    test.anonymous()
        .post(
            "/api/v1/auth/password/forgot",
            &serde_json::json!({"email": common::demo::EDITOR_RABAT.0}),
        )
        .await
        .expect(202);
    let mails = test.app.store().outbox(None, 20).await.expect("outbox");
    let reset = mails
        .iter()
        .find(|m| m.to_address == common::demo::EDITOR_RABAT.0)
        .expect("a reset mail");
    let here = format!("http://{}/admin/password/reset?token=", test.addr);
    assert!(reset.body_text.contains(&here), "{}", reset.body_text);
}
