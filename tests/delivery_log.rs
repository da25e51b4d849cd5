//! Failures in sight: the platform's log of its own mails (invitations,
//! password resets, digests: about no site) for platform admins, and a
//! site's log showing, besides the site's mails, the system's mails to its
//! own members, and nobody else's.

mod common;

use common::{demo, TestApp};
use tawasul_store::NewMail;

fn system_mail(to: &str, key: &str) -> NewMail {
    NewMail {
        kind: "password_reset".to_owned(),
        site_id: None,
        to: to.to_owned(),
        subject: "استرجاع كلمة المرور".to_owned(),
        body_text: "رابط".to_owned(),
        body_html: None,
        idempotency_key: key.to_owned(),
        template: None,
        data: None,
        lang: None,
    }
}

async fn page(client: &common::ApiClient, path: &str) -> (u16, String) {
    let response = client
        .request_without_csrf(reqwest::Method::GET, path)
        .send()
        .await
        .expect("a page");
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

#[tokio::test]
async fn system_mails_are_in_the_platforms_log_and_a_members_in_their_sites_log() {
    let test = TestApp::with_demo().await;
    let member = demo::SITE_ADMIN_KENITRA.0;
    let stranger = "personne@ailleurs.example";
    for (to, key) in [
        (member, "test:reset:member"),
        (stranger, "test:reset:stranger"),
    ] {
        assert!(test
            .app
            .store()
            .queue_mail(system_mail(to, key))
            .await
            .expect("queue"));
    }

    let admin = test.login(demo::ADMIN).await;
    let (status, body) = page(&admin, "/admin/outbox").await;
    assert_eq!(status, 200);
    assert!(body.contains(member) && body.contains(stranger), "{body}");

    let site_admin = test.login(demo::SITE_ADMIN_KENITRA).await;
    let (status, _) = page(&site_admin, "/admin/outbox").await;
    assert_eq!(status, 403, "the platform's log is for platform admins");
    let (status, body) = page(&site_admin, "/admin/sites/dp-kenitra/outbox").await;
    assert_eq!(status, 200);
    assert!(
        body.contains(member),
        "a member's reset is in their site's log"
    );
    assert!(!body.contains(stranger), "nobody else's is");
}
