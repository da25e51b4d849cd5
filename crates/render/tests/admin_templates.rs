//! Every admin page renders, in Arabic and in French, from a context shaped
//! as docs/admin-ui.md describes, before any handler exists. The output is
//! parsed the way a browser would and checked for what the contract and
//! accessibility need: language and direction, escaped user text, labels
//! bound to their controls, CSRF fields, the hooks browser tests use.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use scraper::{Html, Selector};
use serde_json::{json, Value};
use tawasul_domain::Locale;
use tawasul_render::{Admin, Context, Strings};

/// User text that would run if it were not escaped, in text and in attributes.
const EVIL: &str = "<script>alert('x')</script>\"><img src=x onerror=alert(1)>";

fn admin() -> Admin {
    Admin::load().expect("the admin UI loads")
}

fn sel(css: &str) -> Selector {
    Selector::parse(css).expect("valid selector")
}

/// What every page receives (docs/admin-ui.md, "Every page").
fn common(admin: &Admin, locale: Locale, title: &str) -> Value {
    let (lang, dir, other) = match locale {
        Locale::Ar => ("ar", "rtl", "fr"),
        _ => ("fr", "ltr", "ar"),
    };
    json!({
        "lang": lang,
        "dir": dir,
        "t": admin.strings(locale).as_value(),
        "csrf": "csrf-token-123",
        "me": {"id": 7, "name": format!("سعاد العلوي {EVIL}"), "email": "s.alaoui@men.gov.ma", "platform_admin": true, "audit": true},
        "nav_sites": [
            {"slug": "dp-kenitra", "name": "المديرية الإقليمية القنيطرة", "role": "publisher"},
            {"slug": "aref-rsk", "name": format!("AREF Rabat-Salé-Kénitra {EVIL}"), "role": "editor"}
        ],
        "assets": admin.asset_urls(),
        "flash": {"kind": "ok", "text": format!("تم الحفظ {EVIL}")},
        "lang_switch": format!("?lang={other}"),
        "title": format!("{title} {EVIL}"),
    })
}

fn logged_out(admin: &Admin, locale: Locale, title: &str) -> Value {
    let mut ctx = common(admin, locale, title);
    let map = ctx.as_object_mut().expect("object");
    map.remove("me");
    map.remove("nav_sites");
    map.remove("flash");
    map.insert("csrf".into(), json!(""));
    ctx
}

fn with(mut base: Value, page: Value) -> Value {
    let map = base.as_object_mut().expect("object");
    if let Value::Object(extra) = page {
        map.extend(extra);
    }
    base
}

fn card(t: &Strings, id: u32, status: &str, kind: &str, title: &str) -> Value {
    json!({
        "id": id, "title": title, "site_slug": "dp-kenitra",
        "site_name": "المديرية الإقليمية القنيطرة", "kind": kind,
        "kind_label": t.get(&format!("kind.{kind}")), "status": status,
        "status_label": t.get(&format!("status.{status}")),
        "author": "يوسف بنعلي", "updated_at": "2026-12-02 09:30",
        "updated_at_iso": "2026-12-02T09:30:00+01:00",
        "url": format!("/admin/entries/{id}"),
    })
}

fn diff() -> Value {
    json!([
        {"op": "same", "left": "انطلقت الدورة التكوينية يوم الاثنين.", "right": "انطلقت الدورة التكوينية يوم الاثنين.", "left_no": 1, "right_no": 1},
        {"op": "changed", "left": format!("بمشاركة 40 أستاذاً {EVIL}"), "right": "بمشاركة 42 أستاذاً وأستاذة", "left_no": 2, "right_no": 2},
        {"op": "removed", "left": "سطر محذوف", "right": null, "left_no": 3, "right_no": null},
        {"op": "added", "left": null, "right": format!("## التوصيات {EVIL}"), "left_no": null, "right_no": 3}
    ])
}

fn field_changes() -> Value {
    json!([
        {"field_label": "العنوان", "before": "دورة تكوينية", "after": format!("دورة تكوينية لفائدة المديرين {EVIL}")},
        {"field_label": "الوسوم", "before": "", "after": "التدبير المدرسي"}
    ])
}

fn events(t: &Strings) -> Value {
    json!([
        {"action_label": t.get("action_done.request_changes"), "actor": "نادية الإدريسي", "comment": format!("المرجو إضافة التوصيات.\nوتصحيح عدد المستفيدين. {EVIL}"), "at": "2026-12-02 10:15", "at_iso": "2026-12-02T10:15:00+01:00"},
        {"action_label": t.get("action_done.submit"), "actor": "يوسف بنعلي", "comment": null, "at": "2026-12-01 17:02"}
    ])
}

fn actions(t: &Strings) -> Value {
    let action = |name: &str, needs_comment: bool, needs_time: bool| {
        let confirm = (name == "unpublish").then(|| t.get("confirm.unpublish"));
        json!({"action": name, "label": t.get(&format!("action.{name}")), "needs_comment": needs_comment,
               "needs_time": needs_time, "confirm": confirm})
    };
    json!([
        action("approve", false, false),
        action("request_changes", true, false),
        action("publish", false, true),
        action("unpublish", false, false)
    ])
}

fn entry(kind: &str, id: Option<u32>) -> Value {
    let mut entry = json!({
        "kind": kind, "kind_label": "تقرير دورة تكوينية", "locale": "ar",
        "title": format!("دورة تكوينية لفائدة مديري المؤسسات {EVIL}"),
        "summary": format!("ملخص الدورة {EVIL}"),
        "body": format!("انطلقت الدورة يوم الاثنين.\n\n</textarea><script>alert(2)</script>\n\n{EVIL}"),
        "category": "formation", "tags": "التدبير المدرسي، مسار",
        "programmes": ["massar"], "translation_of": null, "version": 4,
        "status": "in_review", "status_label": "قيد المراجعة",
        "scheduled_at": "2026-12-05 08:00", "published_at": null,
        "public_url": null, "author": "يوسف بنعلي", "deleted": false,
        "fields": {
            "starts_on": "2026-11-30", "ends_on": "2026-12-02",
            "venue": format!("مركز التكوين بالقنيطرة {EVIL}"), "audience": "مديرو المؤسسات",
            "head_count": 42, "facilitators": "ذ. سعاد\nذ. أحمد",
            "workshops": "التخطيط\nالتقويم", "recommendations": "تعميم التجربة",
            "starts_at": "2026-12-10T09:00", "ends_at": "2026-12-10T12:00",
            "deadline": "2026-12-20", "reference": format!("مذكرة 25-123 {EVIL}")
        }
    });
    if let Some(id) = id {
        entry["id"] = json!(id);
    }
    entry
}

/// The editor's photo picker: a cover, a gallery photo, one not chosen.
fn photos() -> Value {
    let tile = |id: &str, name: String, cover: bool, gallery: bool| {
        json!({"id": id, "thumb_url": format!("/uploads/{id}-thumb.webp"), "name": name,
               "alt": format!("وصف {EVIL}"), "cover": cover, "gallery": gallery})
    };
    json!({
        "api_url": "/api/v1/sites/dp-kenitra/media", "locale": "ar", "cover": 3,
        "tiles": [tile("3", format!("غلاف {EVIL}.jpg"), true, false), tile("4", "ساحة.jpg".into(), false, true),
                  tile("5", "قاعة.jpg".into(), false, false)],
        "blank": tile("__ID__", String::new(), false, false),
        "can_describe": true
    })
}

fn editor(admin: &Admin, locale: Locale, kind: &str, variant: &str) -> Value {
    let existing = variant != "new";
    let mut page = json!({
        "site": {"slug": "dp-kenitra", "name": format!("القنيطرة {EVIL}"), "public_url": "/dp-kenitra/"},
        "entry": entry(kind, existing.then_some(12)),
        "errors": {},
        "kinds": [
            {"value": "news", "label": "خبر"}, {"value": "training_report", "label": "تقرير دورة تكوينية"},
            {"value": "announcement", "label": "إعلان"}, {"value": "event", "label": "نشاط"}, {"value": "page", "label": "صفحة"}
        ],
        "locales": [{"value": "ar", "label": "العربية"}, {"value": "fr", "label": "الفرنسية"}],
        "categories": [{"slug": "formation", "name": "التكوين"}, {"slug": "vie-scolaire", "name": format!("الحياة المدرسية {EVIL}")}],
        "programmes": [{"slug": "massar", "name": "مسار"}, {"slug": "tayssir", "name": "تيسير"}],
        "can_edit": true, "can_delete": true, "can_restore_deleted": false,
        "can_feature": true, "featured_on_parent": false,
        "actions": if existing { actions(admin.strings(locale)) } else { json!([]) },
        "events": if existing { events(admin.strings(locale)) } else { json!([]) },
        "preview_url": "/admin/sites/dp-kenitra/preview",
        "photos": photos(),
        "upload_messages": {"too_large": "الملف كبير جدا."},
    });
    if existing {
        page["history_url"] = json!("/admin/entries/12/history");
        page["review_url"] = json!("/admin/entries/12/review");
        page["autosave_url"] = json!("/admin/entries/12/autosave");
    }
    match variant {
        "errors" => {
            page["errors"] = json!({
                "title": "يرجى كتابة عنوان للمادة.",
                "f_head_count": format!("عدد غير صحيح {EVIL}"),
                "f_venue": "يرجى تحديد مكان الانعقاد.",
                "comment": "يرجى توضيح التعديلات المطلوبة."
            });
            page["form_error"] = json!(format!("لم يتم الحفظ {EVIL}"));
            page["change_request"] = json!({"comment": format!("المرجو إضافة التوصيات {EVIL}"), "actor": "نادية الإدريسي", "at": "2026-12-02 10:15"});
            page["conflict"] = json!({"current_version": 5, "by": format!("نادية {EVIL}"), "at": "2026-12-02 11:00", "diff": diff()});
            page["preview_html"] = json!(
                "<!DOCTYPE html><html><body><h1>معاينة</h1><script>alert(3)</script></body></html>"
            );
        }
        "proposing" => {
            page["entry"]["status"] = json!("published");
            page["change"] = change_view("draft", true);
            page["change"]["comment"] = json!(format!("صححوا التاريخ {EVIL}"));
            page["autosave_url"] = json!("/admin/entries/12/change");
        }
        "pending" => {
            page["entry"]["status"] = json!("published");
            page["pending_change"] = change_view("in_review", true);
        }
        "read_only" => {
            page["can_edit"] = json!(false);
            page["can_delete"] = json!(false);
            page["can_feature"] = json!(false);
            page["entry"]["deleted"] = json!(true);
            page["can_restore_deleted"] = json!(true);
            page["actions"] = json!([]);
            page.as_object_mut().expect("object").remove("autosave_url");
        }
        _ => {}
    }
    with(common(admin, locale, "المحرر"), page)
}

/// A pending change as the editor and its screen get it.
fn change_view(status: &str, may_review: bool) -> Value {
    json!({
        "exists": true, "version": "3", "status": status,
        "status_label": format!("تعديل {EVIL}"), "in_review": status == "in_review",
        "author": format!("يوسف {EVIL}"), "at": "2026-12-03 10:00", "comment": "",
        "live_moved_on": true, "url": "/admin/entries/12/change",
        "may_discard": true, "may_review": may_review,
    })
}

/// Every page of the contract with a realistic context: (template, label, context).
fn pages(admin: &Admin, locale: Locale) -> Vec<(&'static str, String, Value)> {
    let t = admin.strings(locale);
    let mut out = Vec::new();
    let mut add = |template: &'static str, label: &str, ctx: Value| {
        out.push((template, label.to_owned(), ctx));
    };
    add(
        "login.html",
        "login",
        with(
            logged_out(admin, locale, "تسجيل الدخول"),
            json!({"email": format!("a@b.ma{EVIL}"), "next": "/admin/entries/12", "error": "البريد الإلكتروني أو كلمة المرور غير صحيحين."}),
        ),
    );
    add(
        "login.html",
        "login throttled",
        with(
            logged_out(admin, locale, "تسجيل الدخول"),
            json!({"email": "", "next": "", "retry_after": 42}),
        ),
    );
    add(
        "login.html",
        "login blank",
        with(logged_out(admin, locale, "تسجيل الدخول"), json!({})),
    );
    add(
        "forgot.html",
        "forgot",
        with(
            logged_out(admin, locale, "كلمة المرور"),
            json!({"sent": false, "error": "عنوان غير صحيح"}),
        ),
    );
    add(
        "forgot.html",
        "forgot sent",
        with(
            logged_out(admin, locale, "كلمة المرور"),
            json!({"sent": true}),
        ),
    );
    add(
        "reset.html",
        "reset",
        with(
            logged_out(admin, locale, "كلمة المرور"),
            json!({"token": format!("tok{EVIL}"), "errors": {"password": "قصيرة جداً"}, "invalid": false}),
        ),
    );
    add(
        "reset.html",
        "reset invalid",
        with(
            logged_out(admin, locale, "كلمة المرور"),
            json!({"token": "", "errors": {}, "invalid": true}),
        ),
    );
    add(
        "dashboard.html",
        "dashboard",
        with(
            common(admin, locale, "لوحة القيادة"),
            json!({
                "my_drafts": [card(t, 1, "draft", "news", &format!("خبر جديد {EVIL}")), card(t, 2, "draft", "training_report", "")],
                "to_review": [card(t, 3, "in_review", "announcement", "إعلان عن مباراة")],
                "changes_to_review": [card(t, 4, "in_review", "news", "تعديل على خبر")],
                "scheduled": [],
                "recently_published": [card(t, 4, "published", "event", "الملتقى الجهوي")],
                "activity": [{"entry_id": 3, "title": format!("إعلان {EVIL}"), "action_label": "أُرسل للمراجعة", "actor": "يوسف", "comment": EVIL, "at": "2026-12-02 09:30", "url": "/admin/entries/3"}],
                "sites": [{"slug": "dp-kenitra", "name": format!("القنيطرة {EVIL}"), "role_label": "مسؤول النشر", "new_url": "/admin/sites/dp-kenitra/entries/new?kind=news", "list_url": "/admin/sites/dp-kenitra/entries"}]
            }),
        ),
    );
    add(
        "dashboard.html",
        "dashboard empty",
        with(
            common(admin, locale, "لوحة القيادة"),
            json!({"my_drafts": [], "to_review": [], "scheduled": [], "recently_published": [], "activity": [], "sites": []}),
        ),
    );
    add(
        "entries.html",
        "entries",
        with(
            common(admin, locale, "المواد"),
            json!({
                "site": {"slug": "dp-kenitra", "name": format!("القنيطرة {EVIL}")},
                "entries": [card(t, 1, "draft", "news", &format!("خبر {EVIL}")), card(t, 5, "archived", "page", "من نحن")],
                "status": "draft", "kind": "",
                "statuses": [{"value": "draft", "label": "مسودة"}, {"value": "in_review", "label": "قيد المراجعة"}],
                "kinds": [{"value": "news", "label": "خبر"}, {"value": "training_report", "label": "تقرير دورة تكوينية"}],
                "page": 2, "pages": 3, "prev_url": "?page=1", "next_url": "?page=3",
                "new_url": "/admin/sites/dp-kenitra/entries/new?kind=news",
                "can_manage_members": true, "members_url": "/admin/sites/dp-kenitra/members"
            }),
        ),
    );
    add(
        "entries.html",
        "entries empty",
        with(
            common(admin, locale, "المواد"),
            json!({
                "site": {"slug": "dp-kenitra", "name": "القنيطرة"}, "entries": [],
                "status": null, "kind": null, "statuses": [], "kinds": [],
                "page": 1, "pages": 1, "prev_url": null, "next_url": null,
                "new_url": null, "can_manage_members": false, "members_url": null
            }),
        ),
    );
    for kind in ["training_report", "event", "announcement", "news"] {
        add(
            "editor.html",
            &format!("editor {kind}"),
            editor(admin, locale, kind, "edit"),
        );
    }
    add(
        "editor.html",
        "editor new",
        editor(admin, locale, "news", "new"),
    );
    add(
        "editor.html",
        "editor errors and conflict",
        editor(admin, locale, "training_report", "errors"),
    );
    add(
        "editor.html",
        "editor read-only",
        editor(admin, locale, "event", "read_only"),
    );
    add(
        "editor.html",
        "editor proposing a change",
        editor(admin, locale, "news", "proposing"),
    );
    add(
        "editor.html",
        "editor with a change waiting",
        editor(admin, locale, "news", "pending"),
    );
    let mut sent_back = change_view("draft", true);
    sent_back["comment"] = json!(format!("أضيفوا الصورة {EVIL}"));
    for (label, change) in [
        ("change in review", change_view("in_review", true)),
        ("change sent back", sent_back),
        ("change seen by its writer", change_view("in_review", false)),
    ] {
        add(
            "change.html",
            label,
            with(
                common(admin, locale, "تعديل"),
                json!({
                    "entry": {"id": 12, "title": format!("دورة {EVIL}"), "kind_label": "خبر",
                              "url": "/admin/entries/12", "public_url": "/dp-kenitra/news/x"},
                    "change": change, "diff": diff(), "field_changes": field_changes(),
                    "errors": {"comment": "قولوا ما يجب تغييره."}, "comment": EVIL,
                }),
            ),
        );
    }
    add(
        "review.html",
        "review",
        with(
            common(admin, locale, "المراجعة"),
            json!({
                "entry": entry("training_report", Some(12)), "diff": diff(),
                "field_changes": field_changes(), "submitted_by": format!("يوسف {EVIL}"),
                "submitted_at": "2026-12-01 17:02", "actions": actions(admin.strings(locale))
            }),
        ),
    );
    add(
        "history.html",
        "history",
        with(
            common(admin, locale, "سجل النسخ"),
            json!({
                "entry": {"id": 12, "title": format!("دورة {EVIL}"), "url": "/admin/entries/12"},
                "revisions": [
                    {"version": 5, "author": "نادية", "at": "2026-12-02 11:00", "is_current": true, "diff_url": "?from=4&to=5"},
                    {"version": 4, "author": format!("يوسف {EVIL}"), "at": "2026-12-01 17:00", "is_current": false, "restore_url": "/admin/entries/12/restore", "diff_url": "?from=3&to=4"}
                ],
                "from": 4, "to": "5", "diff": diff(), "field_changes": field_changes(), "events": events(admin.strings(locale))
            }),
        ),
    );
    add(
        "history.html",
        "history identical",
        with(
            common(admin, locale, "سجل النسخ"),
            json!({
                "entry": {"id": 12, "title": "دورة", "url": "/admin/entries/12"},
                "revisions": [{"version": 1, "author": "يوسف", "at": "2026-12-01 17:00", "is_current": true}],
                "from": null, "to": null, "diff": [], "field_changes": [], "events": []
            }),
        ),
    );
    add(
        "trash.html",
        "trash",
        with(
            common(admin, locale, "سلة المحذوفات"),
            json!({"site": {"slug": "dp-kenitra", "name": "القنيطرة"}, "entries": [card(t, 9, "draft", "news", &format!("محذوف {EVIL}"))]}),
        ),
    );
    add(
        "trash.html",
        "trash empty",
        with(
            common(admin, locale, "سلة المحذوفات"),
            json!({"entries": []}),
        ),
    );
    add(
        "members.html",
        "members",
        with(
            common(admin, locale, "الأعضاء"),
            json!({
                "site": {"slug": "dp-kenitra", "name": "القنيطرة"},
                "members": [
                    {"user_id": 3, "name": format!("يوسف {EVIL}"), "email": "y.benali@men.gov.ma", "role": "editor", "role_label": "محرر", "inherited_from": null, "last_login_at": "2026-12-02 09:30", "disabled": false},
                    {"user_id": 4, "name": "نادية", "email": "n.idrissi@men.gov.ma", "role": "publisher", "role_label": "مسؤول النشر", "inherited_from": format!("الأكاديمية {EVIL}"), "last_login_at": null, "disabled": true}
                ],
                "roles": [{"value": "contributor", "label": "مساهم"}, {"value": "editor", "label": "محرر"}, {"value": "publisher", "label": "مسؤول النشر"}, {"value": "site_admin", "label": "مدير الموقع"}],
                "errors": {"email": "عنوان غير صحيح"}, "invite_email": format!("x{EVIL}"), "invite_name": ""
            }),
        ),
    );
    add(
        "sites.html",
        "sites",
        with(
            common(admin, locale, "المواقع"),
            json!({
                "sites": [
                    {"slug": "aref-rsk", "name_ar": "الأكاديمية الجهوية", "name_fr": format!("AREF {EVIL}"), "kind": "academy", "parent": null, "hosts": ["aref-rsk.ma", "www.aref-rsk.ma"], "theme": "default"},
                    {"slug": "dp-kenitra", "name_ar": "القنيطرة", "name_fr": "Kénitra", "kind": "directorate", "parent": "aref-rsk", "hosts": "dp-kenitra.ma", "theme": "oasis"}
                ],
                "kinds": [{"value": "academy", "label": "أكاديمية جهوية"}, {"value": "directorate", "label": "مديرية إقليمية"}],
                "themes": ["default", {"value": "oasis", "label": "Oasis"}],
                "errors": {"slug": "معرّف مستعمل", "hosts": EVIL},
                "form": {"slug": format!("dp{EVIL}"), "kind": "directorate", "parent": "aref-rsk", "name_ar": "", "name_fr": "", "hosts": "a.ma\nb.ma", "theme": "oasis", "locale": "fr"}
            }),
        ),
    );
    add(
        "sites.html",
        "sites first",
        with(
            common(admin, locale, "المواقع"),
            json!({"sites": [], "kinds": [], "themes": ["default"], "errors": {}}),
        ),
    );
    add(
        "account.html",
        "account",
        with(
            common(admin, locale, "حسابي"),
            json!({
                "tokens": [
                    {"id": 1, "name": format!("نشر النتائج {EVIL}"), "prefix": "tw_ab12", "created_at": "2026-11-01", "expires_at": null, "last_used_at": "2026-12-01 08:00"},
                    {"id": 2, "name": "قراءة", "prefix": "tw_cd34", "created_at": "2026-11-02", "expires_at": "2027-02-01", "last_used_at": null}
                ],
                "new_token": format!("tw_secret{EVIL}"), "errors": {"current": "كلمة المرور غير صحيحة"},
                "sessions_count": 3,
                "two_factor": {"enabled": true, "required": false, "recovery_left": 9, "url": "/admin/account/two-factor"},
                "notifications": [
                    {"value": "immediate", "label": format!("فورا {EVIL}"), "checked": false},
                    {"value": "daily", "label": "ملخص يومي", "checked": true},
                    {"value": "none", "label": "لا شيء", "checked": false}
                ]
            }),
        ),
    );
    add(
        "account.html",
        "account plain",
        with(
            common(admin, locale, "حسابي"),
            json!({"tokens": [], "errors": {}, "sessions_count": 1}),
        ),
    );
    // The delivery log of a site (newsletter issue).
    add(
        "outbox.html",
        "outbox",
        with(
            common(admin, locale, "سجل الرسائل"),
            json!({
                "site": {"slug": "dp-kenitra", "name": format!("القنيطرة {EVIL}")},
                "log_base": "/admin/sites/dp-kenitra/outbox",
                "messages": [
                    {"id": 31, "to": format!("ecole{EVIL}@men.gov.ma"), "subject": format!("مذكرة {EVIL}"), "kind": "notice",
                     "kind_label": "مذكرة", "status": "failed", "status_label": "فشلت", "attempts": 8,
                     "last_error": format!("550 5.1.1 no such mailbox {EVIL}"), "created_at": "2026-12-02 09:30",
                     "sent_at": null, "next_attempt_at": null, "can_resend": true},
                    {"id": 30, "to": "parent@example.ma", "subject": "", "kind": "newsletter",
                     "kind_label": "النشرة الأسبوعية", "status": "queued", "status_label": "في الانتظار", "attempts": 1,
                     "last_error": "421 try later", "created_at": "2026-12-02 09:00",
                     "sent_at": null, "next_attempt_at": "2026-12-02 09:05", "can_resend": false},
                    {"id": 29, "to": "y.benali@men.gov.ma", "subject": "", "kind": "workflow",
                     "kind_label": "إشعار سير العمل", "status": "sent", "status_label": "أُرسلت", "attempts": 1,
                     "last_error": null, "created_at": "2026-12-01 17:00",
                     "sent_at": "2026-12-01 17:00", "next_attempt_at": null, "can_resend": false}
                ],
                "status": "", "statuses": [{"value": "failed", "label": format!("فشلت {EVIL}")}],
                "total": 53, "page": 2, "pages": 3,
                "prev_url": "/admin/sites/dp-kenitra/outbox?page=1", "next_url": "/admin/sites/dp-kenitra/outbox?page=3",
                "subscribers": {"confirmed": 120, "pending": 4}
            }),
        ),
    );
    add(
        "outbox.html",
        "outbox empty",
        with(
            common(admin, locale, "سجل الرسائل"),
            json!({
                "site": {"slug": "dp-kenitra", "name": "القنيطرة"},
                "log_base": "/admin/sites/dp-kenitra/outbox",
                "messages": [], "status": "failed", "statuses": [], "total": 0, "page": 1, "pages": 1
            }),
        ),
    );
    let mut found = card(t, 7, "draft", "training_report", "دورة في الروبوتيك");
    found["snippet"] = json!([{"text": "تعلم التلاميذ أسس ", "mark": false}, {"text": "الروبوتيك", "mark": true},
                              {"text": format!(" {EVIL}"), "mark": false}]);
    found["site_name"] = json!(format!("الرباط {EVIL}"));
    add(
        "search.html",
        "search results",
        with(
            common(admin, locale, "البحث"),
            json!({
                "q": format!("الروبوتيك {EVIL}"), "site": "dp-rabat", "kind": null, "status": "draft",
                "newest": true, "searched": true, "total": 41, "results": [found],
                "kinds": [{"value": "news", "label": "خبر"}],
                "statuses": [{"value": "draft", "label": "مسودة"}],
                "nav_sites": [{"slug": "dp-rabat", "name": "الرباط", "role": "editor"}],
                "site_facets": [{"label": format!("الرباط {EVIL}"), "count": 40, "url": "/admin/search?q=x&site=dp-rabat", "current": true},
                                {"label": "سلا", "count": 1, "url": "/admin/search?q=x&site=dp-sale", "current": false}],
                "kind_facets": [{"label": "خبر", "count": 41, "url": "/admin/search?q=x&kind=news", "current": false}],
                "page": 2, "pages": 3, "prev_url": "/admin/search?q=x", "next_url": "/admin/search?q=x&page=3",
                "clear_filters_url": "/admin/search?q=x"
            }),
        ),
    );
    add(
        "search.html",
        "search before words",
        with(
            common(admin, locale, "البحث"),
            json!({"q": "", "site": null, "kind": null, "status": null, "newest": false, "searched": false,
                   "kinds": [], "statuses": []}),
        ),
    );
    for (label, ctx) in media_pages(admin, locale) {
        let template = if label.starts_with("media item") {
            "media_item.html"
        } else {
            "media.html"
        };
        add(template, &label, ctx);
    }
    // The directory and notices (docs/admin-ui.md, "Directory").
    for (can_manage, variant) in [(true, "admin"), (false, "publisher")] {
        let dir = |heading: &str, tab: &str, page: Value| {
            let mut ctx = with(
                common(admin, locale, heading),
                json!({
                    "site": {"slug": "dp-rabat", "name": format!("الرباط {EVIL}")},
                    "tab": tab, "heading": format!("{heading} {EVIL}"), "can_manage": can_manage,
                }),
            );
            if let (Value::Object(map), Value::Object(extra)) = (&mut ctx, page) {
                map.extend(extra);
            }
            ctx
        };
        let cycles = json!([{"value": "primary", "label": "الابتدائي"}, {"value": "middle", "label": "الثانوي الإعدادي"}]);
        let functions = json!([{"value": "principal", "label": "مدير(ة) المؤسسة"}, {"value": "teacher", "label": format!("أستاذ {EVIL}")}]);
        add(
            "directory_institutions.html",
            &format!("directory institutions {variant}"),
            dir(
                "المؤسسات",
                "institutions",
                json!({
                    "institutions": [{"id": 1, "code": format!("RB101{EVIL}"), "name": format!("مدرسة الأمل {EVIL}"), "name_ar": "مدرسة الأمل", "name_fr": "École Al Amal", "cycle": "primary", "cycle_label": "الابتدائي", "commune": EVIL, "email": "rb101@taalim.example", "url": "/admin/sites/dp-rabat/directory/institutions/1", "contacts_url": "/admin/sites/dp-rabat/directory/contacts?institution=1"}],
                    "total": 41, "q": EVIL, "cycle": "primary", "cycles": cycles,
                    "export_urls": {"fr": "/admin/sites/dp-rabat/directory/export/institutions?lang=fr", "ar": "/admin/sites/dp-rabat/directory/export/institutions?lang=ar"},
                    "page": 1, "pages": 2, "next_url": "/admin/sites/dp-rabat/directory/institutions?page=2",
                }),
            ),
        );
        add(
            "directory_institutions.html",
            &format!("directory institutions empty {variant}"),
            dir(
                "المؤسسات",
                "institutions",
                json!({
                    "institutions": [], "total": 0, "q": "", "cycle": "", "cycles": cycles,
                    "export_urls": {"fr": "/x?lang=fr", "ar": "/x?lang=ar"}, "page": 1, "pages": 1,
                }),
            ),
        );
        add(
            "directory_institution.html",
            &format!("directory institution {variant}"),
            dir(
                "مؤسسة",
                "institutions",
                json!({
                    "form": {"code": "RB101", "name_ar": EVIL, "name_fr": "", "cycle": "primary", "commune": "", "email": format!("x{EVIL}")},
                    "errors": {"email": format!("عنوان غير صحيح {EVIL}")}, "cycles": cycles,
                    "action": "/admin/sites/dp-rabat/directory/institutions/1", "delete_url": "/admin/sites/dp-rabat/directory/institutions/1/delete",
                    "contacts_url": "/admin/sites/dp-rabat/directory/contacts?institution=1", "is_new": false,
                    "list_url": "/admin/sites/dp-rabat/directory/institutions",
                }),
            ),
        );
        add(
            "directory_institution.html",
            &format!("directory institution new {variant}"),
            dir(
                "مؤسسة جديدة",
                "institutions",
                json!({
                    "form": {"cycle": "primary"}, "errors": {}, "cycles": cycles,
                    "action": "/admin/sites/dp-rabat/directory/institutions", "is_new": true,
                    "list_url": "/admin/sites/dp-rabat/directory/institutions",
                }),
            ),
        );
        add(
            "directory_contacts.html",
            &format!("directory contacts {variant}"),
            dir(
                "جهات الاتصال",
                "contacts",
                json!({
                    "contacts": [
                        {"id": 3, "name": format!("نادية {EVIL}"), "function": "principal", "function_label": "مديرة", "email": "d@taalim.example", "institution": {"code": "RB101", "name": EVIL, "url": "/admin/sites/dp-rabat/directory/institutions/1"}, "url": "/admin/sites/dp-rabat/directory/contacts/3"},
                        {"id": 4, "name": "Karim", "function": "inspector", "function_label": "Inspecteur", "email": "k@taalim.example", "institution": null, "url": "/admin/sites/dp-rabat/directory/contacts/4"}
                    ],
                    "total": 2, "q": "", "function": "", "functions": functions,
                    "institution": {"id": 1, "code": "RB101", "name": format!("مدرسة {EVIL}")},
                    "export_urls": {"fr": "/x?lang=fr", "ar": "/x?lang=ar"}, "page": 2, "pages": 2, "prev_url": "/x?page=1",
                }),
            ),
        );
        add(
            "directory_contact.html",
            &format!("directory contact {variant}"),
            dir(
                "جهة اتصال",
                "contacts",
                json!({
                    "form": {"name": EVIL, "function": "teacher", "institution": "RB101", "email": "t@taalim.example"},
                    "errors": {"institution": EVIL, "function": "اختر"}, "functions": functions,
                    "action": "/admin/sites/dp-rabat/directory/contacts/3", "delete_url": "/admin/sites/dp-rabat/directory/contacts/3/delete",
                    "is_new": false, "list_url": "/admin/sites/dp-rabat/directory/contacts",
                }),
            ),
        );
        let columns = json!({
            "institutions": [{"fr": "code", "ar": "الرمز", "required": true, "header": "الرمز"}],
            "contacts": [{"fr": "nom", "ar": "الاسم", "required": true, "header": "الاسم"}],
        });
        add(
            "directory_import.html",
            &format!("directory import refused {variant}"),
            dir(
                "استيراد",
                "import",
                json!({
                    "file": "contacts", "files": [{"value": "institutions", "label": "المؤسسات"}, {"value": "contacts", "label": "جهات الاتصال"}],
                    "text": format!("nom,fonction,email\n{EVIL},x,y"), "action": "/admin/sites/dp-rabat/directory/import",
                    "problems": [{"line": 2, "column": format!("email{EVIL}"), "message": format!("«{EVIL}» ليس عنوانًا") }, {"line": 3, "column": null, "message": "x"}],
                    "columns": columns, "form_error": EVIL,
                }),
            ),
        );
        add(
            "directory_import.html",
            &format!("directory import done {variant}"),
            dir(
                "استيراد",
                "import",
                json!({
                    "file": "institutions", "files": [{"value": "institutions", "label": "المؤسسات"}, {"value": "contacts", "label": "جهات الاتصال"}],
                    "text": "", "action": "/admin/sites/dp-rabat/directory/import", "problems": [],
                    "outcome": {"created": 20, "updated": 1, "unchanged": 0, "ignored_columns": [EVIL]}, "columns": columns,
                }),
            ),
        );
        add(
            "directory_audiences.html",
            &format!("directory audiences {variant}"),
            dir(
                "الفئات المستهدفة",
                "audiences",
                json!({
                    "audiences": [
                        {"id": 1, "name": format!("مديرو الابتدائي {EVIL}"), "url": "/admin/sites/dp-rabat/directory/audiences/1", "rule": {"functions": ["مدير"], "cycles": ["الابتدائي"], "institutions": [EVIL], "include_descendants": true, "institution_emails": true}},
                        {"id": 2, "name": "Tous", "url": "/admin/sites/dp-rabat/directory/audiences/2", "rule": {"functions": [], "cycles": [], "institutions": [], "include_descendants": false, "institution_emails": false}}
                    ],
                }),
            ),
        );
        add(
            "directory_audiences.html",
            &format!("directory audiences empty {variant}"),
            dir("الفئات المستهدفة", "audiences", json!({"audiences": []})),
        );
        add(
            "directory_audience.html",
            &format!("directory audience {variant}"),
            dir(
                "فئة مستهدفة",
                "audiences",
                json!({
                    "form": {"name": EVIL, "functions": ["principal"], "cycles": ["primary"], "institutions": format!("RB101 {EVIL}"), "include_descendants": true, "institution_emails": false},
                    "errors": {"institutions": EVIL}, "functions": functions, "cycles": cycles,
                    "count": 12, "sample": [{"name": EVIL, "email": "d@taalim.example", "kind": "contact", "site": "dp-rabat"}],
                    "action": "/admin/sites/dp-rabat/directory/audiences/1", "delete_url": "/admin/sites/dp-rabat/directory/audiences/1/delete",
                    "is_new": false, "list_url": "/admin/sites/dp-rabat/directory/audiences",
                }),
            ),
        );
        add(
            "directory_audience.html",
            &format!("directory audience new {variant}"),
            dir(
                "فئة مستهدفة جديدة",
                "audiences",
                json!({
                    "form": {"functions": [], "cycles": []}, "errors": {}, "functions": functions, "cycles": cycles,
                    "action": "/admin/sites/dp-rabat/directory/audiences", "is_new": true,
                    "list_url": "/admin/sites/dp-rabat/directory/audiences",
                }),
            ),
        );
    }
    let notice_entry = json!({"id": 12, "title": format!("مذكرة {EVIL}"), "url": "/admin/entries/12", "site": {"slug": "dp-rabat", "name": EVIL}});
    add(
        "outbox.html",
        "outbox of the system",
        with(
            common(admin, locale, "رسائل المنصة"),
            json!({
                "log_base": "/admin/outbox", "status": "", "statuses": [], "total": 1, "page": 1, "pages": 1,
                "messages": [{"id": 9, "to": "x@y.ma", "subject": EVIL, "kind": "invitation", "kind_label": EVIL,
                    "status": "failed", "status_label": "failed", "attempts": 3, "last_error": EVIL,
                    "created_at": "2026-12-02 09:30", "sent_at": null, "next_attempt_at": null, "can_resend": true}],
            }),
        ),
    );
    add(
        "notices.html",
        "circular sent",
        with(
            common(admin, locale, "إرسال المذكرة"),
            json!({
                "entry": notice_entry, "can_send": true, "is_circular": true, "action": "/admin/entries/12/notices",
                "audiences": [{"id": 1, "name": EVIL, "checked": false}], "errors": {}, "notices": [],
                "circular": {
                    "reference": "12/2026", "sent_at": "2026-12-02 09:30", "acknowledge_by": "2026-12-20",
                    "reminded_at": "", "csv_url": "/api/v1/entries/12/circular.csv",
                    "totals": {"recipients": 2, "queued": 0, "delivered": 1, "failed": 1, "acknowledged": 1},
                    "institutions": [{"name": EVIL, "recipients": 2, "delivered": 1, "failed": 1, "acknowledged_at": "2026-12-03 10:00"}],
                    "recipients": [
                        {"name": EVIL, "email": "a@b.ma", "institution": EVIL, "delivery": "sent", "delivered_at": "2026-12-02 09:31", "error": null, "acknowledged_at": "2026-12-03 10:00", "reminders": 0},
                        {"name": "x", "email": "c@d.ma", "institution": EVIL, "delivery": "failed", "delivered_at": "", "error": EVIL, "acknowledged_at": "", "reminders": 1}
                    ],
                },
            }),
        ),
    );
    add(
        "notices.html",
        "notices confirm",
        with(
            common(admin, locale, "الإرسال كمذكرة"),
            json!({
                "entry": notice_entry, "can_send": true, "action": "/admin/entries/12/notices",
                "audiences_url": "/admin/sites/dp-rabat/directory/audiences",
                "audiences": [{"id": 1, "name": format!("مديرو الابتدائي {EVIL}"), "checked": true}, {"id": 2, "name": "Inspecteurs", "checked": false}],
                "preview": {"recipients": 10, "audiences": [{"id": 1, "name": EVIL, "recipients": 10}]},
                "confirm": {"key": "k-123", "audience_ids": [1]},
                "errors": {},
                "notices": [{"id": 4, "sent_by": EVIL, "sent_at": "2026-12-02 09:30", "audiences": EVIL, "recipients": 10, "delivery": {"queued": 2, "sent": 7, "failed": 1}}],
            }),
        ),
    );
    add(
        "notices.html",
        "notices nobody",
        with(
            common(admin, locale, "الإرسال كمذكرة"),
            json!({
                "entry": notice_entry, "can_send": true, "action": "/admin/entries/12/notices",
                "audiences": [{"id": 1, "name": "x", "checked": true}],
                "preview": {"recipients": 0, "audiences": [{"id": 1, "name": "x", "recipients": 0}]},
                "errors": {"recipients": format!("لا أحد {EVIL}"), "audience_ids": EVIL}, "notices": [],
            }),
        ),
    );
    add(
        "notices.html",
        "notices not public",
        with(
            common(admin, locale, "الإرسال كمذكرة"),
            json!({"entry": notice_entry, "can_send": false, "action": "/x", "audiences": [], "errors": {}, "notices": []}),
        ),
    );
    add(
        "notices.html",
        "notices no audiences",
        with(
            common(admin, locale, "الإرسال كمذكرة"),
            json!({"entry": notice_entry, "can_send": true, "action": "/x", "audiences": [], "errors": {}, "notices": []}),
        ),
    );
    for status in [403, 404, 409, 500] {
        add(
            "error.html",
            &format!("error {status}"),
            with(
                common(admin, locale, "خطأ"),
                json!({"status": status, "message": format!("رسالة {EVIL}")}),
            ),
        );
    }
    // Moving an old site in: the form with past imports, a dry run's
    // report to confirm, a running import, an interrupted one.
    let job = |state: &str, active: bool| {
        json!({"id": 4, "url": "/admin/sites/dp-kenitra/import/4", "file_name": format!("export {EVIL}.xml"),
               "size": "1.2 MB", "format_label": "WordPress", "fetch_media": true,
               "author_email": null, "state": state, "state_label": format!("{state} {EVIL}"),
               "phase_label": "entries", "done": 3, "total": 7, "percent": 42, "active": active,
               "may_confirm": state == "planned", "may_run_again": state == "interrupted",
               "error": null, "created_by": format!("Amal {EVIL}"), "created_at": "2026-12-03 10:00", "finished_at": null})
    };
    let report = |dry: bool| {
        json!({"dry_run": dry,
               "tallies": [{"kind": "post", "label": "posts", "found": 7, "created": 7, "updated": 0, "unchanged": 0}],
               "skipped": [{"what": "nav_menu_item", "count": 1, "why": format!("menus {EVIL}")}],
               "redirects": 24,
               "renumbered": [{"line": 12, "title": format!("ورشة {EVIL}"), "wanted": "atelier", "given": "atelier-2"}],
               "notes": [{"line": 105, "title": format!("photo {EVIL}"), "message": format!("no alt text {EVIL}")},
                         {"line": null, "title": "", "message": "an author without e-mail"}]})
    };
    let import_page = |state: &str, active: bool, dry: bool, refresh: bool| {
        let mut page = json!({
            "site": {"slug": "dp-kenitra", "name": format!("القنيطرة {EVIL}")},
            "job": job(state, active), "report": report(dry), "form_error": null,
            "progress_url": "/admin/sites/dp-kenitra/import/4/progress",
            "confirm_url": "/admin/sites/dp-kenitra/import/4/confirm",
            "again_url": "/admin/sites/dp-kenitra/import/4/again",
            "list_url": "/admin/sites/dp-kenitra/import"
        });
        if refresh {
            page["refresh_seconds"] = json!(3);
        }
        with(common(admin, locale, "استيراد"), page)
    };
    add(
        "import_job.html",
        "import planned",
        import_page("planned", false, true, false),
    );
    add(
        "import_job.html",
        "import running",
        import_page("running", true, true, true),
    );
    add(
        "import_job.html",
        "import interrupted",
        import_page("interrupted", false, true, false),
    );
    add(
        "import_job.html",
        "import done",
        import_page("done", false, false, false),
    );
    add(
        "import.html",
        "import form",
        with(
            common(admin, locale, "استيراد"),
            json!({
                "site": {"slug": "dp-kenitra", "name": format!("القنيطرة {EVIL}")},
                "form": {"format": "auto", "fetch_media": false, "author": "match"},
                "formats": [{"value": "auto", "label": "auto"}, {"value": "wordpress", "label": "WordPress"}],
                "authors": [{"value": "match", "label": "match"}, {"value": "me", "label": format!("me {EVIL}")}],
                "form_error": format!("refused {EVIL}"), "max_mb": 200,
                "action": "/admin/sites/dp-kenitra/import",
                "jobs": [job("done", false), job("running", true)],
                "running_url": "/admin/sites/dp-kenitra/import/4"
            }),
        ),
    );
    add(
        "import.html",
        "import none yet",
        with(
            common(admin, locale, "استيراد"),
            json!({
                "site": {"slug": "dp-kenitra", "name": "القنيطرة"},
                "form": {"format": "wordpress", "fetch_media": true, "author": "me"},
                "formats": [], "authors": [], "form_error": null, "max_mb": 200,
                "action": "/admin/sites/dp-kenitra/import", "jobs": [], "running_url": null
            }),
        ),
    );
    // The people of the platform and the audit log (accounts issue).
    let person = |id: u32, state: &str, is_me: bool| {
        json!({
            "id": id, "name": format!("يوسف بنعلي {EVIL}"), "email": format!("y{EVIL}@men.gov.ma"),
            "url": format!("/admin/people/{id}"), "platform_admin": id == 1,
            "state": state, "state_label": format!("{state} {EVIL}"),
            "last_login_at": (state == "active").then_some("2026-12-02 09:30"),
            "disabled_at": (state == "disabled").then_some("2026-12-03 10:00"),
            "created_at": "2026-09-01 08:00", "two_factor": id == 2,
            "memberships": [
                {"site_slug": "dp-kenitra", "site_name": format!("القنيطرة {EVIL}"), "role": "editor",
                 "role_label": "محرر", "members_url": "/admin/sites/dp-kenitra/members"}
            ],
            "is_me": is_me
        })
    };
    add(
        "people.html",
        "people",
        with(
            common(admin, locale, "الأشخاص"),
            json!({
                "q": format!("يوسف {EVIL}"), "state": "disabled",
                "states": [{"value": "active", "label": "نشط"}, {"value": "disabled", "label": format!("معطل {EVIL}")}],
                "people": [person(1, "active", true), person(2, "disabled", false), person(3, "invited", false)],
                "total": 60, "page": 2, "pages": 3,
                "prev_url": "/admin/people?page=1", "next_url": "/admin/people?page=3"
            }),
        ),
    );
    add(
        "people.html",
        "people none",
        with(
            common(admin, locale, "الأشخاص"),
            json!({"q": "", "state": "", "states": [], "people": [], "total": 0, "page": 1, "pages": 1,
                   "prev_url": null, "next_url": null}),
        ),
    );
    for (label, state, is_me, error) in [
        ("person active", "active", false, None),
        ("person me", "active", true, None),
        (
            "person disabled",
            "disabled",
            false,
            Some(format!("refused {EVIL}")),
        ),
        ("person invited", "invited", false, None),
    ] {
        add(
            "person.html",
            label,
            with(
                common(admin, locale, "يوسف"),
                json!({
                    "person": person(2, state, is_me), "list_url": "/admin/people",
                    "audit_url": "/admin/audit?person=y%40men.gov.ma",
                    "disable_url": "/admin/people/2/disable", "enable_url": "/admin/people/2/enable",
                    "reset_url": "/admin/people/2/reset-link",
                    "two_factor_off_url": "/admin/people/2/two-factor-off", "error": error
                }),
            ),
        );
    }
    let record = |id: u32, action: &str| {
        json!({
            "id": id, "at": "2026-12-02 09:30", "at_iso": "2026-12-02T09:30:00+01:00",
            "action": action, "action_label": format!("{action} {EVIL}"),
            "sentence": format!("منح أمينة {EVIL} دور محرر"), "actor": "amina@men.gov.ma",
            "site": format!("القنيطرة {EVIL}"), "detail": format!("editor {EVIL}")
        })
    };
    add(
        "audit.html",
        "audit",
        with(
            common(admin, locale, "سجل العمليات"),
            json!({
                "filter": {"person": format!("a{EVIL}@x.ma"), "site": "dp-kenitra", "action": "member_set",
                           "from": "2026-12-01", "to": "2026-12-31"},
                "sites": [{"value": "dp-kenitra", "label": format!("القنيطرة {EVIL}")}],
                "actions": [{"value": "member_set", "label": format!("منح دور {EVIL}")}, {"value": "login", "label": "دخول"}],
                "records": [record(9, "member_set"), record(8, "login_failed")],
                "total": 120, "unknown_person": false, "page": 1, "pages": 3,
                "prev_url": null, "next_url": "/admin/audit?page=2",
                "export_url": "/admin/audit/export?site=dp-kenitra", "clear_url": "/admin/audit"
            }),
        ),
    );
    add(
        "audit.html",
        "audit nobody",
        with(
            common(admin, locale, "سجل العمليات"),
            json!({
                "filter": {"person": "nobody@x.ma", "site": "", "action": "", "from": "", "to": ""},
                "sites": [], "actions": [], "records": [], "total": 0, "unknown_person": true,
                "page": 1, "pages": 1, "prev_url": null, "next_url": null,
                "export_url": "/admin/audit/export", "clear_url": "/admin/audit"
            }),
        ),
    );
    let recommendation_row = json!({
        "id": 3, "text": format!("تعيين مرجع مسار {EVIL}"), "status": "in_progress",
        "status_label": "قيد الإنجاز", "owner": format!("سلمى {EVIL}"), "due_on": "2026-12-01",
        "overdue": true, "in_report": false, "note": format!("ملاحظة {EVIL}"),
        "report_title": format!("تكوين مسار {EVIL}"), "report_url": "/admin/entries/7",
        "site_name": "الرباط", "url": "/admin/sites/dp-rabat/recommendations/3"
    });
    add(
        "recommendations.html",
        "recommendations",
        with(
            common(admin, locale, "تتبع التوصيات"),
            json!({
                "site_slug": "dp-rabat", "site_name": format!("الرباط {EVIL}"),
                "filter": {"status": "open", "programme": "massar", "owner": "4", "overdue": true},
                "statuses": [{"value": "open", "label": "مفتوحة"}],
                "programmes": [{"value": "massar", "label": format!("مسار {EVIL}")}],
                "owners": [{"value": "4", "label": format!("سلمى {EVIL}")}],
                "rows": [recommendation_row.clone()],
                "clear_url": "/admin/sites/dp-rabat/recommendations"
            }),
        ),
    );
    add(
        "recommendations.html",
        "recommendations none",
        with(
            common(admin, locale, "تتبع التوصيات"),
            json!({
                "site_slug": "dp-rabat", "site_name": "الرباط",
                "filter": {"status": "", "programme": "", "owner": "", "overdue": false},
                "statuses": [], "programmes": [], "owners": [], "rows": [],
                "clear_url": "/admin/sites/dp-rabat/recommendations"
            }),
        ),
    );
    for (label, may_follow_up, errors) in [
        (
            "recommendation form",
            true,
            json!({"due_on": format!("تاريخ {EVIL}"), "note": "طويلة"}),
        ),
        ("recommendation read only", false, json!({})),
    ] {
        add(
            "recommendation.html",
            label,
            with(
                common(admin, locale, "توصية"),
                json!({
                    "site_slug": "dp-rabat", "site_name": "الرباط",
                    "item": recommendation_row.clone(),
                    "history": [
                        {"at": "2026-12-01 10:00", "actor": null,
                         "changes": [{"field": "الوضعية", "before": "", "after": "مفتوحة"}]},
                        {"at": "2026-12-02 10:00", "actor": format!("سلمى {EVIL}"),
                         "changes": [{"field": "الملاحظة", "before": "", "after": format!("ملاحظة {EVIL}")}]}
                    ],
                    "may_follow_up": may_follow_up,
                    "statuses": [{"value": "open", "label": "مفتوحة"}, {"value": "in_progress", "label": "قيد الإنجاز"}],
                    "owners": [{"value": "4", "label": format!("سلمى {EVIL}")}],
                    "form": {"status": "in_progress", "owner": "4", "service": format!("مصلحة {EVIL}"),
                             "due_on": "2026-12-01", "note": format!("ملاحظة {EVIL}")},
                    "errors": errors,
                    "action": "/admin/sites/dp-rabat/recommendations/3",
                    "list_url": "/admin/sites/dp-rabat/recommendations"
                }),
            ),
        );
    }
    // Two-factor sign-in: the second step, and the account's page in each
    // of its states.
    for (label, error) in [
        ("code", None),
        ("code refused", Some(format!("خطأ {EVIL}"))),
    ] {
        add(
            "login_code.html",
            label,
            with(
                logged_out(admin, locale, "رمز التحقق"),
                json!({"next": format!("/admin/{EVIL}"), "error": error}),
            ),
        );
    }
    let two_factor = |enabled: bool, pending: bool, codes: bool, required: bool| {
        json!({
            "enabled": enabled, "enabled_at": enabled.then_some("2026-12-02 09:30"),
            "required": required, "must_set_up": required && !enabled,
            "pending": pending.then(|| json!({"secret": format!("JBSW Y3DP {EVIL}"),
                                              "uri": "otpauth://totp/Tawasul%3Aa%40b?secret=JBSWY3DP&issuer=Tawasul"})),
            "recovery_codes": codes.then(|| json!(["abcde-fghij", format!("klmno-{EVIL}")])),
            "recovery_left": 7,
            "errors": if pending { json!({"code": format!("رمز خاطئ {EVIL}")}) } else { json!({}) },
            "start_url": "/admin/account/two-factor/start", "confirm_url": "/admin/account/two-factor/confirm",
            "disable_url": "/admin/account/two-factor/disable", "renew_url": "/admin/account/two-factor/renew"
        })
    };
    for (label, enabled, pending, codes, required) in [
        ("two-factor off", false, false, false, false),
        ("two-factor required", false, false, false, true),
        ("two-factor enrolling", false, true, false, false),
        ("two-factor just on", true, false, true, false),
        ("two-factor on required", true, false, false, true),
    ] {
        add(
            "two_factor.html",
            label,
            with(
                common(admin, locale, "التحقق بخطوتين"),
                two_factor(enabled, pending, codes, required),
            ),
        );
    }
    // A site's settings: as stored, and refused with what was typed.
    let settings = |errors: Value| {
        json!({
            "site": {"slug": "dp-kenitra", "name": format!("القنيطرة {EVIL}")},
            "action": "/admin/sites/dp-kenitra/settings",
            "form": {
                "name_ar": format!("القنيطرة {EVIL}"), "name_fr": format!("Kénitra {EVIL}"),
                "tagline_ar": EVIL, "tagline_fr": "", "logo_media_id": 12, "no_logo": false,
                "contact": {"address_ar": EVIL, "address_fr": "", "phone": format!("05 {EVIL}"),
                            "email": format!("a{EVIL}@x.ma"), "map_url": format!("https://x/{EVIL}")},
                "social": [{"network": "facebook", "url": format!("https://fb/{EVIL}")},
                           {"network": "", "url": ""}],
                "footer_links": [{"label_ar": EVIL, "label_fr": EVIL, "url": format!("ftp://{EVIL}")}],
                "default_locale": "ar", "theme": "oasis"
            },
            "errors": errors,
            "no_logo": false,
            "current_logo": format!("/uploads/logo.svg?{EVIL}"),
            "logo_choices": [{"id": 12, "thumb_url": format!("/uploads/t.jpg?{EVIL}"), "name": format!("logo {EVIL}.png"), "checked": true}],
            "media_url": "/admin/sites/dp-kenitra/media",
            "networks": [{"value": "facebook", "label": "فيسبوك"}, {"value": "x", "label": format!("X {EVIL}")}],
            "locales": [{"value": "ar", "label": "العربية"}, {"value": "fr", "label": "الفرنسية"}],
            "themes": [{"value": "default", "label": "default"}, {"value": "oasis", "label": "oasis"}],
            "can_add_social": true, "can_add_footer": false
        })
    };
    add(
        "site_settings.html",
        "site settings",
        with(common(admin, locale, "إعدادات الموقع"), settings(json!({}))),
    );
    add(
        "site_settings.html",
        "site settings refused",
        with(
            common(admin, locale, "إعدادات الموقع"),
            settings(json!({
                "contact.phone": format!("رقم خاطئ {EVIL}"),
                "contact.email": format!("بريد خاطئ {EVIL}"),
                "footer_links.0.url": format!("رابط خاطئ {EVIL}"),
                "logo_media_id": format!("ليست في المكتبة {EVIL}"),
                "social": "10 روابط على الأكثر"
            })),
        ),
    );
    // A site's menu, with an item under another and a refused link.
    let menu = |errors: Value| {
        let item = |id: u32, nested: bool, hidden: bool| {
            json!({"id": id, "label": format!("صفحة {EVIL}"), "kind_label": "صفحة", "hidden": hidden,
                   "nested": nested, "can_up": id > 1, "can_down": true, "can_indent": !nested,
                   "can_outdent": nested})
        };
        json!({
            "site": {"value": "dp-kenitra", "label": format!("القنيطرة {EVIL}")},
            "locale": "ar",
            "locales": [{"value": "ar", "label": "العربية", "url": "/admin/sites/dp-kenitra/menu?locale=ar", "current": true},
                        {"value": "fr", "label": "الفرنسية", "url": "/admin/sites/dp-kenitra/menu?locale=fr", "current": false}],
            "items": [item(1, false, false), item(2, true, true), item(3, false, false)],
            "kinds": [{"value": "page", "label": "صفحة"}, {"value": "link", "label": format!("رابط {EVIL}")}],
            "pages": [{"value": "7", "label": format!("من نحن {EVIL}")}],
            "archives": [{"value": "news", "label": "أخبار"}],
            "categories": [{"value": "3", "label": format!("تصنيف {EVIL}")}],
            "add": {"kind": "link", "page": "", "archive": "", "category": "", "label": EVIL, "url": format!("ftp://{EVIL}")},
            "errors": errors,
            "action": "/admin/sites/dp-kenitra/menu",
            "settings_url": "/admin/sites/dp-kenitra/settings"
        })
    };
    add(
        "menu.html",
        "menu",
        with(common(admin, locale, "قائمة التصفح"), menu(json!({}))),
    );
    add(
        "menu.html",
        "menu refused",
        with(
            common(admin, locale, "قائمة التصفح"),
            menu(json!({"url": format!("رابط خاطئ {EVIL}"), "label": "مطلوب"})),
        ),
    );
    add(
        "error.html",
        "error logged out",
        with(
            logged_out(admin, locale, "خطأ"),
            json!({"status": 404, "message": "غير موجود"}),
        ),
    );
    out
}

/// The media library's pages: the grid (with upload results and a refused
/// video link, and empty), an item (with refused fields and a refused
/// deletion, and read-only).
fn media_pages(admin: &Admin, locale: Locale) -> Vec<(String, Value)> {
    let site = json!({"slug": "dp-kenitra", "name": format!("القنيطرة {EVIL}"), "entries_url": "/admin/sites/dp-kenitra/entries", "library_url": "/admin/sites/dp-kenitra/media"});
    let item = |id: u32, kind: &str, thumb: bool| {
        json!({
            "id": id, "kind": kind, "kind_label": "صورة", "type_label": "JPEG",
            "name": format!("IMG_2024 {EVIL}.jpg"),
            "thumbnail_url": if thumb { json!(format!("/uploads/{id}-thumb.jpg")) } else { Value::Null },
            "alt": format!("تلاميذ في القسم {EVIL}"), "size_label": "1.2 MB",
            "width": 1600, "height": 1200,
            "missing": ["بدون نص بديل بالفرنسية"], "depicts_minors": true,
            "url": format!("/admin/media/{id}"), "snippet": format!("![تلاميذ {EVIL}](media:{id})"),
        })
    };
    let base = json!({
        "site": site, "q": format!("ورشة {EVIL}"), "page": 2, "pages": 3, "total": 120,
        "prev_url": "/admin/sites/dp-kenitra/media?page=1", "next_url": "/admin/sites/dp-kenitra/media?page=3",
        "upload_url": "/admin/sites/dp-kenitra/media", "api_url": "/api/v1/sites/dp-kenitra/media",
        "video_url": "/admin/sites/dp-kenitra/media/video",
        "rights": [{"value": "own", "label": "التقطتها مصالحنا"}, {"value": "consent_on_file", "label": "الموافقة مسجلة"}],
        "limits": "30 / 200 MB",
        "upload_messages": {"unsupported_type": format!("نوع غير مقبول {EVIL}"), "too_large": "كبير"},
        "video_errors": {}, "video_form": {}, "results": [], "results_failed": false, "upload_error": null,
    });
    let mut grid = with(common(admin, locale, "مكتبة الوسائط"), base.clone());
    grid["items"] = json!([
        item(12, "image", true),
        item(13, "document", false),
        item(14, "video_link", false)
    ]);
    let mut refused = with(common(admin, locale, "مكتبة الوسائط"), base.clone());
    refused["items"] = json!([item(12, "image", true)]);
    refused["results"] = json!([
        {"name": format!("a {EVIL}.jpg"), "ok": true, "message": "أُضيف", "url": "/admin/media/12"},
        {"name": "b.exe", "ok": false, "message": format!("نوع غير مقبول {EVIL}")}
    ]);
    refused["results_failed"] = json!(true);
    refused["upload_error"] = json!(format!("انقطع الإرسال {EVIL}"));
    refused["video_errors"] = json!({"video_url": format!("ليس رابط فيديو {EVIL}")});
    refused["video_form"] =
        json!({"video_url": format!("https://vimeo.com/1{EVIL}"), "caption": EVIL});
    let mut empty = with(common(admin, locale, "مكتبة الوسائط"), base);
    empty["items"] = json!([]);
    empty["q"] = json!("");
    empty["pages"] = json!(1);

    let page = |can_edit: bool| {
        json!({
            "site": site, "item": item(12, "image", true),
            "details": {"original_name": format!("IMG {EVIL}.jpg"), "type_label": "JPEG", "size_label": "1.2 MB", "width": 1600, "height": 1200, "public_url": "/uploads/12-1600.jpg", "created_at": "2026-12-02", "video": null},
            "form": {"alt_ar": format!("تلاميذ {EVIL}"), "alt_fr": "", "caption": EVIL, "credit": "", "rights": "own", "depicts_minors": true, "focal_x": "0.50", "focal_y": format!("x{EVIL}")},
            "marker": {"x": 50, "y": 30},
            "preview": {"url": "/uploads/12-1024.jpg", "width": 1024, "height": 768},
            "renditions": [{"url": "/uploads/12-320.webp", "width": 320, "height": 240, "format": "WEBP", "purpose_label": "بمقاس مصغر", "size_label": "20 KB"}],
            "used_in": [{"entry_id": 3, "title": format!("الدخول المدرسي {EVIL}"), "status_label": "منشورة", "deleted": false, "url": "/admin/entries/3"}],
            "rights": [{"value": "own", "label": "التقطتها مصالحنا"}, {"value": "consent_on_file", "label": "الموافقة مسجلة"}],
            "errors": if can_edit { json!({"focal_y": format!("عدد بين 0 و1 {EVIL}")}) } else { json!({}) },
            "delete_error": if can_edit { json!(format!("لم يُحذف {EVIL}")) } else { Value::Null },
            "can_edit": can_edit, "can_delete": can_edit,
            "save_url": "/admin/media/12", "delete_url": "/admin/media/12/delete",
        })
    };
    vec![
        ("media grid".to_owned(), grid),
        ("media grid refused".to_owned(), refused),
        ("media grid empty".to_owned(), empty),
        (
            "media item".to_owned(),
            with(common(admin, locale, "IMG"), page(true)),
        ),
        (
            "media item read-only".to_owned(),
            with(common(admin, locale, "IMG"), page(false)),
        ),
    ]
}

fn render(admin: &Admin, template: &str, label: &str, ctx: &Value) -> String {
    let context = Context::from_value(ctx.clone()).expect("an object");
    admin
        .render(template, &context)
        .unwrap_or_else(|e| panic!("{label} ({template}): {e}"))
}

/// The checks that hold for every page.
fn check_page(label: &str, html: &str, locale: Locale) {
    let doc = Html::parse_document(html);
    let root = doc.select(&sel("html")).next().expect("an html element");
    let (lang, dir) = match locale {
        Locale::Ar => ("ar", "rtl"),
        _ => ("fr", "ltr"),
    };
    assert_eq!(root.value().attr("lang"), Some(lang), "{label}");
    assert_eq!(root.value().attr("dir"), Some(dir), "{label}");

    // User text never becomes markup: the only script is the admin's own,
    // no element was injected, no event handler attribute exists.
    let scripts: Vec<_> = doc.select(&sel("script")).collect();
    assert_eq!(scripts.len(), 1, "{label}: one script, admin.js");
    assert!(
        scripts[0]
            .value()
            .attr("src")
            .is_some_and(|s| s.starts_with("/admin/_static/admin.")),
        "{label}"
    );
    // The only images are the media library's own files, never user text
    // (a `<template>` the script fills in is not shown).
    let in_template = |img: &scraper::ElementRef<'_>| {
        img.ancestors().any(|a| {
            a.value()
                .as_element()
                .is_some_and(|e| e.name() == "template")
        })
    };
    for img in doc.select(&sel("img")).filter(|img| !in_template(img)) {
        let src = img.value().attr("src").unwrap_or_default();
        assert!(src.starts_with("/uploads/"), "{label}: injected img {src}");
    }
    assert!(!html.contains("<script>alert"), "{label}: raw script");
    for el in doc.select(&sel("*")) {
        for (name, _) in el.value().attrs() {
            assert!(!name.starts_with("on"), "{label}: handler attribute {name}");
        }
    }

    assert_eq!(
        doc.select(&sel("a.skip-link[href='#main']")).count(),
        1,
        "{label}"
    );
    assert_eq!(doc.select(&sel("main#main")).count(), 1, "{label}");
    assert_eq!(doc.select(&sel("h1")).count(), 1, "{label}: one h1");

    // Ids are unique, labels point at existing controls, and every visible
    // control has a name a screen reader can read.
    let mut ids = HashSet::new();
    for el in doc.select(&sel("[id]")) {
        let id = el.value().attr("id").unwrap_or_default();
        assert!(ids.insert(id.to_owned()), "{label}: duplicate id {id}");
    }
    let mut labelled = HashSet::new();
    for l in doc.select(&sel("label[for]")) {
        let target = l.value().attr("for").unwrap_or_default();
        assert!(ids.contains(target), "{label}: label for missing #{target}");
        labelled.insert(target.to_owned());
    }
    for control in doc.select(&sel("input, select, textarea")) {
        let v = control.value();
        if matches!(v.attr("type"), Some("hidden")) {
            continue;
        }
        let named = v.attr("id").is_some_and(|id| labelled.contains(id))
            || v.attr("aria-label").is_some()
            || v.attr("aria-labelledby").is_some();
        assert!(named, "{label}: a control without a label: {:?}", v);
    }
    for described in doc.select(&sel("[aria-describedby]")) {
        for id in described
            .value()
            .attr("aria-describedby")
            .unwrap_or_default()
            .split_whitespace()
        {
            assert!(
                ids.contains(id),
                "{label}: aria-describedby to missing #{id}"
            );
        }
    }

    // Every form that posts carries the CSRF token, except the login form.
    for form in doc.select(&sel("form")) {
        let method = form.value().attr("method").unwrap_or("get");
        let action = form.value().attr("action").unwrap_or_default();
        // The two steps of signing in have no session yet: they check the
        // request's origin instead.
        if method == "post" && action != "/admin/login" && action != "/admin/login/code" {
            assert!(
                form.select(&sel("input[type=hidden][name=_csrf]"))
                    .next()
                    .is_some(),
                "{label}: {action} without _csrf"
            );
        }
        for button in form.select(&sel("button")) {
            assert!(
                button.value().attr("type").is_some(),
                "{label}: a button without a type in {action}"
            );
        }
    }
}

fn has(doc: &Html, hook: &str) -> bool {
    doc.select(&sel(&format!("[data-test='{hook}']")))
        .next()
        .is_some()
}

/// With `TAWASUL_ADMIN_DUMP=/some/dir`, the pages are also written there
/// (with the static files under `admin/_static/`) to look at in a browser
/// served from that folder.
fn dump(admin: &Admin, name: &str, html: &str) {
    let Some(dir) = std::env::var_os("TAWASUL_ADMIN_DUMP").map(PathBuf::from) else {
        return;
    };
    let statics = dir.join("admin/_static");
    std::fs::create_dir_all(&statics).expect("dump folder");
    for url in admin.asset_urls().values() {
        let file = url.rsplit('/').next().expect("file name");
        let found = admin.static_file(file).expect("static file");
        std::fs::write(statics.join(file), &found.bytes).expect("write static");
    }
    std::fs::write(dir.join(format!("{name}.html")), html).expect("write page");
}

#[test]
fn every_page_renders_in_both_languages_with_escaped_user_text() {
    let admin = admin();
    for locale in [Locale::Ar, Locale::Fr] {
        for (template, label, ctx) in pages(&admin, locale) {
            let html = render(&admin, template, &label, &ctx);
            check_page(&format!("{label} [{locale}]"), &html, locale);
            dump(
                &admin,
                &format!("{locale}-{}", label.replace(' ', "-")),
                &html,
            );
        }
    }
}

#[test]
fn every_template_of_the_contract_is_exercised() {
    let admin = admin();
    let rendered: BTreeSet<&str> = pages(&admin, Locale::Ar)
        .into_iter()
        .map(|(template, _, _)| template)
        .collect();
    for name in admin.template_names() {
        if name == "base.html" || name == "macros.html" || name.starts_with("partials/") {
            continue;
        }
        assert!(rendered.contains(name), "{name} is not rendered by a test");
    }
}

#[test]
fn the_editor_carries_its_hooks_fields_and_actions() {
    let admin = admin();
    let ctx = editor(&admin, Locale::Ar, "training_report", "edit");
    let doc = Html::parse_document(&render(&admin, "editor.html", "editor", &ctx));
    for hook in [
        "entry-form",
        "save",
        "status",
        "flash",
        "action-approve",
        "action-request_changes",
        "action-publish",
        "action-unpublish",
        "preview-frame",
        "autosave-status",
        "history-link",
        "review-link",
        "delete",
        "feature",
        "events",
        "fields-training_report",
    ] {
        assert!(has(&doc, hook), "editor lacks data-test={hook}");
    }
    let form = doc
        .select(&sel("form[data-test=entry-form]"))
        .next()
        .expect("the form");
    assert_eq!(form.value().attr("action"), Some("/admin/entries/12"));
    assert_eq!(
        form.value().attr("data-preview-url"),
        Some("/admin/sites/dp-kenitra/preview")
    );
    assert_eq!(
        form.value().attr("data-autosave-url"),
        Some("/admin/entries/12/autosave")
    );
    for name in [
        "_csrf",
        "version",
        "kind",
        "locale",
        "title",
        "summary",
        "body",
        "category",
        "tags",
        "programmes",
        "translation_of",
        "f_starts_on",
        "f_ends_on",
        "f_venue",
        "f_audience",
        "f_head_count",
        "f_facilitators",
        "f_workshops",
        "f_recommendations",
    ] {
        assert!(
            form.select(&sel(&format!("[name='{name}']")))
                .next()
                .is_some(),
            "the editor form lacks {name}"
        );
    }
    assert!(form.select(&sel("[name='f_starts_at']")).next().is_none());
    let checked: Vec<_> = form
        .select(&sel("input[name=programmes][checked]"))
        .map(|i| i.value().attr("value").unwrap_or_default().to_owned())
        .collect();
    assert_eq!(checked, ["massar"]);
    assert!(form
        .select(&sel("option[value=formation][selected]"))
        .next()
        .is_some());

    // The body keeps the author's text, escaped: a closing tag in it does
    // not end the textarea.
    let body = form
        .select(&sel("textarea[name=body]"))
        .next()
        .expect("body");
    let text: String = body.text().collect();
    assert!(
        text.contains("</textarea><script>alert(2)</script>"),
        "{text}"
    );

    // Each action is its own form posting to the transition route.
    let forms: Vec<_> = doc
        .select(&sel("form[action='/admin/entries/12/transition']"))
        .collect();
    assert_eq!(forms.len(), 4);
    let changes = doc
        .select(&sel("[data-test=action-form-request_changes]"))
        .next()
        .expect("request changes");
    assert!(changes
        .select(&sel("textarea[name=comment][required]"))
        .next()
        .is_some());
    let publish = doc
        .select(&sel("[data-test=action-form-publish]"))
        .next()
        .expect("publish");
    assert!(publish
        .select(&sel("input[name=at][type=datetime-local]"))
        .next()
        .is_some());
    assert!(publish
        .select(&sel("input[name=version][value='4']"))
        .next()
        .is_some());
    assert!(doc
        .select(&sel("[data-test=action-unpublish][data-confirm]"))
        .next()
        .is_some());
}

#[test]
fn each_kind_shows_only_its_own_fields() {
    let admin = admin();
    for (kind, present, absent) in [
        (
            "event",
            ["f_starts_at", "f_ends_at", "f_venue"],
            "f_head_count",
        ),
        (
            "announcement",
            ["f_deadline", "f_reference", "title"],
            "f_venue",
        ),
        ("news", ["title", "body", "summary"], "f_venue"),
    ] {
        let ctx = editor(&admin, Locale::Fr, kind, "edit");
        let doc = Html::parse_document(&render(&admin, "editor.html", kind, &ctx));
        for name in present {
            assert!(
                doc.select(&sel(&format!("[name='{name}']")))
                    .next()
                    .is_some(),
                "{kind} lacks {name}"
            );
        }
        assert!(
            doc.select(&sel(&format!("[name='{absent}']")))
                .next()
                .is_none(),
            "{kind} shows {absent}"
        );
    }
}

#[test]
fn a_new_entry_posts_to_the_site_and_offers_the_kinds() {
    let admin = admin();
    let ctx = editor(&admin, Locale::Ar, "news", "new");
    let doc = Html::parse_document(&render(&admin, "editor.html", "new", &ctx));
    let form = doc
        .select(&sel("form[data-test=entry-form]"))
        .next()
        .expect("form");
    assert_eq!(
        form.value().attr("action"),
        Some("/admin/sites/dp-kenitra/entries")
    );
    assert!(form.value().attr("data-autosave-url").is_none());
    assert!(form.select(&sel("[name=version]")).next().is_none());
    assert!(form
        .select(&sel("input[type=hidden][name=kind][value=news]"))
        .next()
        .is_some());
    assert!(doc
        .select(&sel(
            "a[href='/admin/sites/dp-kenitra/entries/new?kind=training_report']"
        ))
        .next()
        .is_some());
    assert!(!has(&doc, "action-submit"));
}

#[test]
fn errors_sit_beside_their_fields_and_a_conflict_keeps_the_text() {
    let admin = admin();
    let ctx = editor(&admin, Locale::Ar, "training_report", "errors");
    let html = render(&admin, "editor.html", "errors", &ctx);
    let doc = Html::parse_document(&html);
    for (field, control) in [
        ("title", "#f-title"),
        ("f_head_count", "#f-f_head_count"),
        ("f_venue", "#f-f_venue"),
        ("comment", "#f-comment"),
    ] {
        let error = doc
            .select(&sel(&format!("[data-test='field-error-{field}']")))
            .next()
            .unwrap_or_else(|| panic!("no error for {field}"));
        let id = error.value().attr("id").expect("error id");
        let input = doc.select(&sel(control)).next().expect("control");
        assert_eq!(input.value().attr("aria-invalid"), Some("true"), "{field}");
        assert!(
            input
                .value()
                .attr("aria-describedby")
                .is_some_and(|d| d.split_whitespace().any(|x| x == id)),
            "{field}"
        );
    }
    assert!(has(&doc, "error-summary"));
    assert!(has(&doc, "form-error"));
    assert!(has(&doc, "change-request"));
    assert!(has(&doc, "conflict"));
    assert!(doc.select(&sel(".conflict table.diff")).next().is_some());

    // After a conflict the form carries the version that is now current, so
    // saving again replaces it knowingly; the typed title is still there.
    let form = doc
        .select(&sel("form[data-test=entry-form]"))
        .next()
        .expect("form");
    assert!(form
        .select(&sel("input[name=version][value='5']"))
        .next()
        .is_some());
    let title = form.select(&sel("#f-title")).next().expect("title");
    assert!(title
        .value()
        .attr("value")
        .is_some_and(|v| v.contains(EVIL)));

    // The preview page goes in srcdoc as an attribute, escaped once.
    let frame = doc
        .select(&sel("iframe[data-preview-frame]"))
        .next()
        .expect("frame");
    let srcdoc = frame.value().attr("srcdoc").expect("srcdoc");
    assert!(srcdoc.starts_with("<!DOCTYPE html>"), "{srcdoc}");
    assert!(frame.value().attr("sandbox").is_some());
    assert!(html.contains("srcdoc=\"&lt;!DOCTYPE html&gt;"));
}

#[test]
fn a_read_only_editor_cannot_be_saved() {
    let admin = admin();
    let ctx = editor(&admin, Locale::Fr, "event", "read_only");
    let doc = Html::parse_document(&render(&admin, "editor.html", "ro", &ctx));
    assert!(!has(&doc, "save"));
    assert!(has(&doc, "read-only"));
    assert!(has(&doc, "undelete"));
    assert!(!has(&doc, "delete"));
    for control in doc.select(&sel(
        "form[data-test=entry-form] input:not([type=hidden]), form[data-test=entry-form] textarea",
    )) {
        let v = control.value();
        assert!(
            v.attr("readonly").is_some() || v.attr("disabled").is_some(),
            "{:?} is editable",
            v
        );
    }
    for control in doc.select(&sel("form[data-test=entry-form] select")) {
        assert!(control.value().attr("disabled").is_some());
    }
}

#[test]
fn the_login_page_fills_in_the_wait_and_has_no_csrf_field() {
    let admin = admin();
    for locale in [Locale::Ar, Locale::Fr] {
        let (_, _, ctx) = pages(&admin, locale)
            .into_iter()
            .find(|(_, label, _)| label == "login throttled")
            .expect("throttled page");
        let html = render(&admin, "login.html", "throttled", &ctx);
        let doc = Html::parse_document(&html);
        let error: String = doc
            .select(&sel("[data-test=login-error]"))
            .next()
            .expect("error")
            .text()
            .collect();
        assert!(error.contains("42"), "{error}");
        assert!(!error.contains("{seconds}"), "{error}");
        assert!(has(&doc, "login-form"));
        assert!(doc.select(&sel("input[name=_csrf]")).next().is_none());
        assert!(doc.select(&sel("input[name=next]")).next().is_some());
        assert!(doc.select(&sel(".topnav")).next().is_none(), "logged out");
    }
}

#[test]
fn the_diff_marks_each_row_with_its_operation() {
    let admin = admin();
    let ctx = with(
        common(&admin, Locale::Ar, "سجل"),
        json!({
            "entry": {"id": 12, "title": "دورة", "url": "/admin/entries/12"},
            "revisions": [{"version": 2, "author": "a", "at": "x", "is_current": true}],
            "from": 1, "to": 2, "diff": diff(), "field_changes": [], "events": []
        }),
    );
    let doc = Html::parse_document(&render(&admin, "history.html", "diff", &ctx));
    let ops: Vec<_> = doc
        .select(&sel("table.diff tbody tr"))
        .map(|tr| tr.value().attr("class").unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        ops,
        [
            "diff-row diff-row--same",
            "diff-row diff-row--changed",
            "diff-row diff-row--removed",
            "diff-row diff-row--added"
        ]
    );
    // An added line has no old side (so a phone hides that cell).
    let added = doc
        .select(&sel("tr.diff-row--added td.diff-old"))
        .next()
        .expect("cell");
    assert_eq!(added.inner_html(), "");
    assert_eq!(doc.select(&sel("tr.diff-row--added ins")).count(), 1);
    assert_eq!(doc.select(&sel("tr.diff-row--removed del")).count(), 1);
}

/// The `t.a.b` keys the templates use, found in their sources.
fn keys_used() -> BTreeSet<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../admin/templates");
    let mut keys = BTreeSet::new();
    let mut stack = vec![dir];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("templates folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let source = std::fs::read_to_string(&path).expect("template");
            let bytes = source.as_bytes();
            for (at, _) in source.match_indices("t.") {
                let before = at.checked_sub(1).map(|i| bytes[i]);
                if before.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.') {
                    continue;
                }
                let key: String = source[at + 2..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.')
                    .collect();
                let key = key.trim_end_matches('.');
                // A table looked up with `get` (t.role | get(...)) is a key too.
                if !key.is_empty() {
                    keys.insert(key.to_owned());
                }
            }
        }
    }
    keys
}

#[test]
fn every_string_the_templates_use_exists_in_both_languages() {
    let admin = admin();
    let used = keys_used();
    assert!(used.len() > 100, "found only {} keys", used.len());
    for locale in [Locale::Ar, Locale::Fr] {
        let t = admin.strings(locale).as_value();
        for key in &used {
            let mut node = t;
            for part in key.split('.') {
                node = node
                    .get(part)
                    .unwrap_or_else(|| panic!("{locale}: t.{key} does not exist"));
            }
        }
    }
}

#[test]
fn no_template_marks_anything_safe() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../admin/templates");
    let mut stack = vec![dir];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("templates folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let source = std::fs::read_to_string(&path).expect("template");
                let compact: String = source.split_whitespace().collect();
                assert!(
                    !compact.contains("|safe") && !compact.contains("autoescape"),
                    "{} turns escaping off",
                    path.display()
                );
            }
        }
    }
}

#[test]
fn the_editor_accepts_a_context_without_the_optional_parts() {
    let admin = admin();
    let mut ctx = common(&admin, Locale::Fr, "Nouvel article");
    ctx.as_object_mut().expect("object").remove("flash");
    let ctx = with(
        ctx,
        json!({
            "site": {"slug": "dp-rabat", "name": "Rabat"},
            "entry": {"kind": "training_report", "kind_label": "Rapport de formation", "locale": "fr",
                      "title": "", "summary": null, "body": "", "programmes": []},
            "kinds": [], "locales": [{"value": "fr", "label": "Français"}],
            "categories": [], "programmes": [],
            "can_edit": true, "actions": [], "events": [],
            "preview_url": "/admin/sites/dp-rabat/preview",
            "photos": {"api_url": "/api/v1/sites/dp-rabat/media", "locale": "fr", "cover": null, "tiles": [],
                       "blank": {"id": "__ID__", "thumb_url": "", "name": "", "alt": "", "cover": false, "gallery": false},
                       "can_describe": false},
            "upload_messages": {}
        }),
    );
    let html = render(&admin, "editor.html", "minimal", &ctx);
    check_page("minimal editor", &html, Locale::Fr);
    let doc = Html::parse_document(&html);
    assert!(has(&doc, "fields-training_report"));
    assert!(has(&doc, "save"));
    assert!(!has(&doc, "error-summary"));
}
