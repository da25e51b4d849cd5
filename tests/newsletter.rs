//! The public newsletter, the daily digest of workflow notices and the
//! delivery log, as people meet them: a reader subscribes from a site's
//! footer, confirms from the mail, receives the weekly digest with its
//! one-click unsubscribe headers and leaves with one POST; an editor who
//! chose a daily digest gets one mail a day; a site administrator reads
//! the log and sends a failed message again. Real SMTP over TCP, real
//! server, real database (SQLite, or PostgreSQL when configured).

mod common;

#[path = "../crates/mail/tests/support/smtp_server.rs"]
mod smtp_server;

use std::sync::Arc;

use common::{demo, ApiClient, Credential, TestApp};
use serde_json::json;
use smtp_server::{Received, SmtpServer};
use tawasul_app::App;
use tawasul_store::NewMail;
use time::{Duration, OffsetDateTime};

/// The address mails link to: one-click unsubscription needs https.
const PUBLIC_URL: &str = "https://tawasul.test";
const UNSUBSCRIBE_MAILBOX: &str = "desabonnement@tawasul.test";

/// A server whose mail goes to `relay`, whose links are https, and whose
/// background jobs never make a digest by themselves during a test: the
/// tests make them, at the times they choose.
async fn server(relay: &SmtpServer) -> TestApp {
    let port = relay.port();
    TestApp::with_demo_and(|config| {
        config.mail.transport = "smtp".to_owned();
        config.mail.smtp_host = "127.0.0.1".to_owned();
        config.mail.smtp_port = port;
        config.mail.smtp_security = "none".to_owned();
        config.server.public_url = PUBLIC_URL.to_owned();
        config.mail.unsubscribe_mailbox = UNSUBSCRIBE_MAILBOX.to_owned();
        config.mail.newsletter_day = "off".to_owned();
        // Twelve hours from now: the background run of the day has passed
        // or is far ahead, never crossed while the test runs.
        let local_hour = (OffsetDateTime::now_utc()
            + Duration::minutes(i64::from(config.site.utc_offset_minutes)))
        .hour();
        config.mail.digest_hour = (local_hour + 12) % 24;
    })
    .await
}

/// A minute after the `n`th weekly newsletter time from now.
fn issue_time(app: &App, n: i64) -> OffsetDateTime {
    let first = app.next_newsletter_time(OffsetDateTime::now_utc());
    first + Duration::weeks(n - 1) + Duration::minutes(1)
}

/// Delivers everything due, until nothing waits.
async fn deliver_everything(app: &App) {
    for _ in 0..40 {
        app.store().expedite_outbox().await.expect("expedite");
        app.deliver_due().await.expect("a round");
        let waiting = app.store().outbox(Some("queued"), 1).await.expect("outbox");
        let sending = app
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

/// The messages the relay received for `to`.
fn received_by(relay: &SmtpServer, to: &str) -> Vec<Received> {
    relay
        .messages()
        .into_iter()
        .filter(|m| m.to.iter().any(|t| t == to))
        .collect()
}

/// The value of a header, unfolded.
fn header(data: &str, name: &str) -> Option<String> {
    let head = data.split("\r\n\r\n").next()?;
    let mut value: Option<String> = None;
    for line in head.split("\r\n") {
        match &mut value {
            // Unfolding removes the line break, not the space after it.
            Some(v) if line.starts_with([' ', '\t']) => v.push_str(line),
            Some(_) => break,
            None => {
                if let Some((n, v)) = line.split_once(':') {
                    if n.eq_ignore_ascii_case(name) {
                        value = Some(v.trim_start().to_owned());
                    }
                }
            }
        }
    }
    value
}

fn base64_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for byte in text.bytes() {
        let Some(value) = ALPHABET.iter().position(|&a| a == byte) else {
            continue;
        };
        buffer = (buffer << 6) | u32::try_from(value).expect("six bits");
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((buffer >> bits) & 0xff).expect("a byte"));
        }
    }
    out
}

fn quoted_printable_decode(text: &str) -> Vec<u8> {
    let text = text.replace("=\r\n", "");
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&text[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

/// The decoded text parts of a message (plain text, then HTML).
fn bodies(data: &str) -> String {
    let content_type = header(data, "Content-Type").expect("Content-Type");
    let boundary = content_type
        .split("boundary=")
        .nth(1)
        .expect("a multipart message")
        .split(';')
        .next()
        .expect("boundary")
        .trim_matches('"')
        .to_owned();
    let mut out = String::new();
    for part in data.split(&format!("--{boundary}")).skip(1) {
        let Some((head, body)) = part.trim_start_matches("\r\n").split_once("\r\n\r\n") else {
            continue;
        };
        let head = format!("{head}\r\n\r\n");
        if !header(&head, "Content-Type").is_some_and(|t| t.starts_with("text/")) {
            continue;
        }
        let decoded = match header(&head, "Content-Transfer-Encoding").as_deref() {
            Some(e) if e.eq_ignore_ascii_case("base64") => base64_decode(body),
            Some(e) if e.eq_ignore_ascii_case("quoted-printable") => quoted_printable_decode(body),
            _ => body.as_bytes().to_vec(),
        };
        out.push_str(&String::from_utf8_lossy(&decoded));
        out.push('\n');
    }
    out
}

/// The first link in `text` that starts with `prefix`.
fn link(text: &str, prefix: &str) -> String {
    let start = text
        .find(prefix)
        .unwrap_or_else(|| panic!("no link {prefix} in\n{text}"));
    text[start..]
        .split(|c: char| c.is_whitespace() || c == '"' || c == '<' || c == '>')
        .next()
        .expect("a link")
        .to_owned()
}

/// A link of a mail as the test server answers it: its path and query.
fn local(url: &str) -> String {
    url.strip_prefix(PUBLIC_URL)
        .unwrap_or_else(|| panic!("{url} is not under {PUBLIC_URL}"))
        .to_owned()
}

struct Answer {
    status: u16,
    retry_after: Option<String>,
    cache_control: Option<String>,
    body: String,
}

/// A form posted as a browser on the site's page would (same Origin).
async fn post_form(test: &TestApp, path: &str, body: &str, origin: Option<&str>) -> Answer {
    let mut request = test
        .client
        .post(test.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.to_owned());
    if let Some(origin) = origin {
        request = request.header("origin", origin);
    }
    let response = request.send().await.expect("request");
    Answer {
        status: response.status().as_u16(),
        retry_after: response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        cache_control: response
            .headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        body: response.text().await.unwrap_or_default(),
    }
}

async fn subscribe(test: &TestApp, path: &str, email: &str) -> Answer {
    let origin = test.url("");
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("email", email)
        .finish();
    post_form(test, path, &body, Some(&origin)).await
}

/// Publishes an entry on a site as its publisher; returns its id.
async fn publish(publisher: &ApiClient, site: &str, locale: &str, title: &str) -> i64 {
    let created = publisher
        .post(
            &format!("/api/v1/sites/{site}/entries"),
            &json!({"kind": "news", "locale": locale, "title": title, "body": "نص الخبر. Le texte.", "summary": "ملخص"}),
        )
        .await
        .expect(201);
    let id = created.json["id"].as_i64().expect("id");
    for action in ["submit", "approve", "publish"] {
        publisher
            .post(
                &format!("/api/v1/entries/{id}/transitions"),
                &json!({"action": action}),
            )
            .await
            .expect(200);
    }
    id
}

/// Subscribes `email` to dp-rabat in French and follows the confirmation
/// link of the mail it receives; returns that mail.
async fn subscribe_and_confirm(test: &TestApp, relay: &SmtpServer, email: &str) -> Received {
    let answer = subscribe(test, "/dp-rabat/fr/newsletter", email).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    deliver_everything(&test.app).await;
    let mails = received_by(relay, email);
    assert_eq!(mails.len(), 1, "one confirmation mail");
    let text = bodies(&mails[0].data);
    let confirm = local(&link(
        &text,
        &format!("{PUBLIC_URL}/dp-rabat/fr/newsletter/confirm?t="),
    ));
    // Opening the link shows a button; the button confirms, once.
    let page = test.get(&confirm).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("Confirmer l’abonnement"),
        "{}",
        page.body
    );
    let origin = test.url("");
    let confirmed = post_form(test, &confirm, "", Some(&origin)).await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    assert!(confirmed.body.contains("Votre abonnement est confirmé"));
    mails[0].clone()
}

#[tokio::test]
async fn a_reader_subscribes_confirms_gets_the_weekly_digest_and_leaves_with_one_click() {
    let relay = SmtpServer::start().await;
    let test = server(&relay).await;
    let reader = "parent.eleve@example.ma";
    let other = "autre.parent@example.ma";

    // Every page of a site carries the form, posting to the site's newsletter.
    let home = test.get("/dp-rabat/fr/").await;
    assert_eq!(
        common::select_attr(&home.html(), "form.newsletter-form", "action"),
        ["/dp-rabat/fr/newsletter"]
    );

    // Nothing but the confirmation is sent before the link is followed.
    let answer = subscribe(&test, "/dp-rabat/fr/newsletter", reader).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.cache_control.as_deref(), Some("no-store"));
    let publisher = test.login(demo::PUBLISHER_RABAT).await;
    publish(
        &publisher,
        "dp-rabat",
        "fr",
        "Rentrée scolaire : le calendrier",
    )
    .await;
    let next_week = issue_time(&test.app, 1);
    assert_eq!(
        test.app.send_newsletters(next_week).await.expect("issue"),
        0
    );
    deliver_everything(&test.app).await;
    let confirmation = received_by(&relay, reader);
    assert_eq!(confirmation.len(), 1, "the confirmation alone");
    let subject = header(&confirmation[0].data, "Subject").expect("subject");
    assert!(subject.contains("=?utf-8?"), "{subject}");

    // The reader (and another) confirm; the week's digest goes out once.
    let text = bodies(&confirmation[0].data);
    let confirm = local(&link(
        &text,
        &format!("{PUBLIC_URL}/dp-rabat/fr/newsletter/confirm?t="),
    ));
    let origin = test.url("");
    assert_eq!(
        post_form(&test, &confirm, "", Some(&origin)).await.status,
        200
    );
    assert_eq!(
        post_form(&test, &confirm, "", Some(&origin)).await.status,
        404,
        "a confirmation link works once"
    );
    subscribe_and_confirm(&test, &relay, other).await;
    let title = "Formation des enseignants : le programme";
    publish(&publisher, "dp-rabat", "fr", title).await;
    let week_after = issue_time(&test.app, 2);
    // Two servers at the same moment: the week's issue is made by one.
    let second_node = test.another_process().await;
    let (here, there) = tokio::join!(
        test.app.send_newsletters(week_after),
        second_node.send_newsletters(week_after)
    );
    assert_eq!(
        here.expect("issue") + there.expect("issue"),
        2,
        "two subscribers, one mail each"
    );
    assert_eq!(
        test.app.send_newsletters(week_after).await.expect("again"),
        0,
        "the week's issue is made once"
    );
    deliver_everything(&test.app).await;
    let digests = received_by(&relay, reader);
    assert_eq!(digests.len(), 2, "the confirmation, then one digest");
    let digest = &digests[1].data;
    let list_unsubscribe = header(digest, "List-Unsubscribe").expect("List-Unsubscribe");
    let unsubscribe = list_unsubscribe
        .split(',')
        .next()
        .expect("the https link")
        .trim()
        .trim_matches(['<', '>']);
    assert!(
        unsubscribe.starts_with(&format!(
            "{PUBLIC_URL}/dp-rabat/fr/newsletter/unsubscribe?t="
        )),
        "{list_unsubscribe}"
    );
    assert!(
        list_unsubscribe.contains(&format!(
            "<mailto:{UNSUBSCRIBE_MAILBOX}?subject=unsubscribe%20"
        )),
        "{list_unsubscribe}"
    );
    assert_eq!(
        header(digest, "List-Unsubscribe-Post").as_deref(),
        Some("List-Unsubscribe=One-Click")
    );
    let body = bodies(digest);
    assert!(body.contains(title), "{body}");
    assert!(
        body.contains("Rentrée scolaire : le calendrier"),
        "published before the confirmation, within the week: {body}"
    );
    assert!(
        body.contains(&format!("Se désabonner : {unsubscribe}")),
        "{body}"
    );

    // One POST, as a mail provider sends it: no sign-in, no Origin, done.
    let gone = post_form(
        &test,
        &local(unsubscribe),
        "List-Unsubscribe=One-Click",
        None,
    )
    .await;
    assert_eq!(gone.status, 200, "{}", gone.body);
    assert!(gone.body.contains("Vous êtes désabonné"));
    assert_eq!(
        post_form(
            &test,
            &local(unsubscribe),
            "List-Unsubscribe=One-Click",
            None
        )
        .await
        .status,
        200,
        "twice is fine"
    );
    let page = test.get(&local(unsubscribe)).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Vous êtes désabonné"));

    // The next week's digest reaches the one still subscribed, not the reader.
    publish(&publisher, "dp-rabat", "fr", "Examens : les résultats").await;
    let third_week = issue_time(&test.app, 3);
    assert_eq!(
        test.app.send_newsletters(third_week).await.expect("issue"),
        1
    );
    deliver_everything(&test.app).await;
    assert_eq!(
        received_by(&relay, reader).len(),
        2,
        "nothing more after leaving"
    );
    let others = received_by(&relay, other);
    assert_eq!(others.len(), 3, "confirmation and two digests");
    assert!(bodies(&others[2].data).contains("Examens : les résultats"));

    // Two days late, a week's issue is not made: its news wait for the next.
    publish(
        &publisher,
        "dp-rabat",
        "fr",
        "Orientation : les rendez-vous",
    )
    .await;
    let late = issue_time(&test.app, 4) + Duration::days(2);
    assert_eq!(test.app.send_newsletters(late).await.expect("late"), 0);
    let fifth_week = issue_time(&test.app, 5);
    assert_eq!(
        test.app.send_newsletters(fifth_week).await.expect("issue"),
        1
    );
    deliver_everything(&test.app).await;
    let others = received_by(&relay, other);
    assert!(bodies(&others[3].data).contains("Orientation : les rendez-vous"));

    // A week with nothing published sends nothing.
    let sixth_week = issue_time(&test.app, 6);
    assert_eq!(
        test.app.send_newsletters(sixth_week).await.expect("issue"),
        0
    );
}

#[tokio::test]
async fn the_form_tells_no_one_who_is_subscribed_and_limits_requests() {
    let relay = SmtpServer::start().await;
    let test = server(&relay).await;
    let confirmed = "abonne@example.ma";
    subscribe_and_confirm(&test, &relay, confirmed).await;

    // A new address, a pending one, a subscribed one: the same answer.
    let new = subscribe(&test, "/dp-rabat/fr/newsletter", "nouveau@example.ma").await;
    let pending = subscribe(&test, "/dp-rabat/fr/newsletter", "nouveau@example.ma").await;
    let subscribed = subscribe(&test, "/dp-rabat/fr/newsletter", confirmed).await;
    for answer in [&pending, &subscribed] {
        assert_eq!(answer.status, new.status);
        assert_eq!(answer.body, new.body);
    }
    assert!(new
        .body
        .contains("Si cette adresse n’est pas encore abonnée"));
    deliver_everything(&test.app).await;
    assert_eq!(
        received_by(&relay, "nouveau@example.ma").len(),
        1,
        "asking again at once sends no second link"
    );
    assert_eq!(
        received_by(&relay, confirmed).len(),
        1,
        "a subscriber is not mailed again"
    );

    // Bad input: the form again with what was typed; a post from elsewhere refused.
    let bad = subscribe(&test, "/dp-rabat/newsletter", "pas-une-adresse").await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.body.contains("value=\"pas-une-adresse\""),
        "{}",
        bad.body
    );
    let forged = post_form(
        &test,
        "/dp-rabat/newsletter",
        "email=victime%40example.ma",
        Some("https://evil.example"),
    )
    .await;
    assert_eq!(forged.status, 403);
    assert!(test
        .app
        .store()
        .subscriber(
            test.app
                .network()
                .site_by_slug("dp-rabat")
                .expect("site")
                .id,
            "victime@example.ma"
        )
        .await
        .expect("store")
        .is_none());

    // Five requests an hour for one address, whatever the site.
    for site in ["dp-rabat", "dp-sale", "dp-rabat", "dp-sale", "dp-rabat"] {
        let answer = subscribe(&test, &format!("/{site}/newsletter"), "insiste@example.ma").await;
        assert_eq!(answer.status, 200);
    }
    let sixth = subscribe(&test, "/dp-sale/newsletter", "insiste@example.ma").await;
    assert_eq!(sixth.status, 429, "{}", sixth.body);
    let wait: u64 = sixth
        .retry_after
        .expect("Retry-After")
        .parse()
        .expect("seconds");
    assert!(wait > 0 && wait <= 3600, "{wait}");
    assert!(
        sixth.body.contains("دقيقة"),
        "the Arabic page says how long"
    );

    // Unknown links answer plainly.
    assert_eq!(
        test.get("/dp-rabat/newsletter/confirm?t=nothing")
            .await
            .status,
        404
    );
    assert_eq!(
        post_form(
            &test,
            "/dp-rabat/newsletter/unsubscribe?t=nothing",
            "",
            None
        )
        .await
        .status,
        404
    );
}

/// Posts an admin form with the session's cookie and CSRF token.
async fn admin_post(
    test: &TestApp,
    who: &ApiClient,
    path: &str,
    fields: &[(&str, &str)],
    lang: &str,
) -> (u16, String) {
    let Credential::Session { cookie, csrf } = &who.credential else {
        panic!("a session");
    };
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    form.append_pair("_csrf", csrf);
    for (k, v) in fields {
        form.append_pair(k, v);
    }
    let response = test
        .client
        .post(test.url(path))
        .header("cookie", format!("{cookie}; tawasul_lang={lang}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form.finish())
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

async fn admin_get(who: &ApiClient, path: &str) -> (u16, String) {
    let response = who
        .request_without_csrf(reqwest::Method::GET, path)
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

#[tokio::test]
async fn a_daily_digest_gathers_workflow_notices_into_one_mail() {
    let relay = SmtpServer::start().await;
    let test = server(&relay).await;
    let editor = test.login(demo::EDITOR_RABAT).await;
    let publisher = test.login(demo::PUBLISHER_RABAT).await;

    // The publisher chooses a daily digest, on the French page.
    let (status, _) = admin_post(
        &test,
        &publisher,
        "/admin/account/notifications",
        &[("notify", "daily")],
        "fr",
    )
    .await;
    assert_eq!(status, 303);
    let (_, page) = admin_get(&publisher, "/admin/account").await;
    assert!(
        page.contains("value=\"daily\" checked"),
        "the account page shows the choice"
    );
    let (status, _) = admin_post(
        &test,
        &publisher,
        "/admin/account/notifications",
        &[("notify", "sometimes")],
        "fr",
    )
    .await;
    assert_eq!(status, 422, "an unknown choice is refused");

    // Two submissions: the supervisor hears at once, the publisher waits.
    for title in ["خبر أول للمراجعة", "Deuxième article à relire"] {
        let created = editor
            .post(
                "/api/v1/sites/dp-rabat/entries",
                &json!({"kind": "news", "title": title, "body": "نص"}),
            )
            .await
            .expect(201);
        let id = created.json["id"].as_i64().expect("id");
        editor
            .post(
                &format!("/api/v1/entries/{id}/transitions"),
                &json!({"action": "submit"}),
            )
            .await
            .expect(200);
    }
    let queued = test.app.store().outbox(None, 50).await.expect("outbox");
    assert!(queued
        .iter()
        .all(|m| m.to_address != demo::PUBLISHER_RABAT.0));
    assert_eq!(
        queued
            .iter()
            .filter(|m| m.to_address == demo::REGIONAL.0)
            .count(),
        2
    );
    assert_eq!(
        test.app
            .store()
            .digest_items_waiting(demo::PUBLISHER_RABAT.0)
            .await
            .expect("items")
            .len(),
        2
    );

    // Tomorrow's run: one digest, made once whatever the number of servers.
    let tomorrow = OffsetDateTime::now_utc() + Duration::days(1);
    let second_node = test.another_process().await;
    let (here, there) = tokio::join!(
        test.app.send_workflow_digests(tomorrow),
        second_node.send_workflow_digests(tomorrow)
    );
    assert_eq!(here.expect("run") + there.expect("run"), 1);
    assert_eq!(
        test.app
            .send_workflow_digests(tomorrow)
            .await
            .expect("again"),
        0
    );
    deliver_everything(&test.app).await;
    let mails = received_by(&relay, demo::PUBLISHER_RABAT.0);
    assert_eq!(mails.len(), 1, "one mail for both notices");
    let subject = header(&mails[0].data, "Subject").expect("subject");
    assert!(subject.starts_with("=?utf-8?"), "{subject}");
    let body = bodies(&mails[0].data);
    assert!(body.contains("Résumé du jour"), "in French: {body}");
    assert!(body.contains("خبر أول للمراجعة") && body.contains("Deuxième article à relire"));
    assert!(body.contains(&format!("{PUBLIC_URL}/admin/account")));
    assert!(test
        .app
        .store()
        .digest_items_waiting(demo::PUBLISHER_RABAT.0)
        .await
        .expect("items")
        .is_empty());
}

fn notice(site_id: i32, n: usize) -> NewMail {
    NewMail {
        kind: "notice".to_owned(),
        site_id: Some(site_id),
        to: format!("ecole{n}@kenitra.example.ma"),
        subject: "مذكرة حول الامتحانات".to_owned(),
        body_text: "يرجى الاطلاع على المذكرة.".to_owned(),
        body_html: None,
        idempotency_key: format!("notice:log-test:{n}"),
        template: None,
        data: None,
        lang: None,
    }
}

#[tokio::test]
async fn a_site_admin_reads_the_delivery_log_and_sends_a_failed_message_again() {
    let relay = SmtpServer::start().await;
    relay.set_rcpt_reply(Some("550 5.1.1 no such mailbox"));
    let test = server(&relay).await;
    let app: &Arc<App> = &test.app;
    let kenitra = app.network().site_by_slug("dp-kenitra").expect("site").id;
    for n in 0..30 {
        app.store()
            .queue_mail(notice(kenitra, n))
            .await
            .expect("queue");
    }
    deliver_everything(app).await;
    assert_eq!(
        app.store()
            .outbox(Some("failed"), 100)
            .await
            .expect("outbox")
            .len(),
        30
    );

    let admin = test.login(demo::SITE_ADMIN_KENITRA).await;
    let (status, page) = admin_get(&admin, "/admin/sites/dp-kenitra/outbox?status=failed").await;
    assert_eq!(status, 200, "{page}");
    let html = scraper::Html::parse_document(&page);
    let rows = common::select_attr(&html, "tr[data-test=message]", "data-status");
    assert_eq!(rows.len(), 25, "25 a page");
    assert!(rows.iter().all(|s| s == "failed"));
    let errors = common::select_text(&html, "[data-test=last-error]");
    assert_eq!(errors.len(), 25);
    assert!(
        errors
            .iter()
            .all(|e| e.contains("550") && e.contains("no such mailbox")),
        "{errors:?}"
    );
    let next = common::select_attr(&html, "a[data-test=page-next]", "href");
    assert_eq!(
        next,
        ["/admin/sites/dp-kenitra/outbox?page=2&status=failed"]
    );
    let (_, second) = admin_get(&admin, &next[0]).await;
    let html = scraper::Html::parse_document(&second);
    assert_eq!(
        common::select_attr(&html, "tr[data-test=message]", "data-status").len(),
        5
    );
    let (_, sent_only) = admin_get(&admin, "/admin/sites/dp-kenitra/outbox?status=sent").await;
    assert!(sent_only.contains("data-test=\"outbox-empty\""));

    // Others may not read it.
    let (status, _) = admin_get(&admin, "/admin/sites/dp-rabat/outbox").await;
    assert_eq!(status, 403, "another site's log");
    let editor = test.login(demo::EDITOR_RABAT).await;
    let (status, _) = admin_get(&editor, "/admin/sites/dp-rabat/outbox").await;
    assert_eq!(status, 403, "an editor");

    // The mailbox exists now: send one again.
    relay.set_rcpt_reply(None);
    let failed = app
        .store()
        .outbox(Some("failed"), 1)
        .await
        .expect("outbox")
        .remove(0);
    let resend = format!("/admin/sites/dp-kenitra/outbox/{}/resend", failed.id);
    let without_csrf = admin
        .request_without_csrf(reqwest::Method::POST, &resend)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("")
        .send()
        .await
        .expect("request");
    assert_eq!(without_csrf.status().as_u16(), 403);
    let (status, _) = admin_post(&test, &admin, &resend, &[], "ar").await;
    assert_eq!(status, 303);
    let (status, _) = admin_post(&test, &admin, &resend, &[], "ar").await;
    assert_eq!(status, 409, "only a failed message is sent again");
    deliver_everything(app).await;
    assert_eq!(received_by(&relay, &failed.to_address).len(), 1);
    let row = app
        .store()
        .outbox_row(failed.id)
        .await
        .expect("row")
        .expect("exists");
    assert_eq!(row.status, "sent");
    let (_, page) = admin_get(&admin, "/admin/sites/dp-kenitra/outbox?status=sent").await;
    assert!(page.contains(&format!("data-message-id=\"{}\"", failed.id)));
}
