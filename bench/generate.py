#!/usr/bin/env python3
"""Writes a large network's worth of entries (Markdown with TOML front
matter, docs/content-format.md) for the load benchmark: mostly Arabic news,
reports, announcements and events spread over the demo's sites, with
deterministic text so every run measures the same pages."""

import random
import sys
from pathlib import Path

AR = [
    "نظمت المديرية الإقليمية لقاء تواصليا لفائدة مديرات ومديري المؤسسات التعليمية خصص لتتبع مستجدات الدخول المدرسي.",
    "وتميز اللقاء بتقديم عرض حول مؤشرات التمدرس بالإقليم ونسب الاحتفاظ بالتلاميذ في الأسلاك الثلاثة.",
    "كما تم التأكيد على أهمية تفعيل أدوار مجالس المؤسسة وإشراك جمعيات أمهات وآباء وأولياء التلاميذ.",
    "واستفاد من الدورة التكوينية أساتذة التعليم الابتدائي الجدد في مجالات التخطيط والتدبير والتقويم.",
    "وفي ختام الأشغال صاغ المشاركون مجموعة من التوصيات الرامية إلى تحسين جودة التعلمات داخل الفصول الدراسية.",
    "وتندرج هذه المبادرة في إطار تنزيل مشاريع خارطة الطريق لإصلاح المنظومة التربوية.",
    "وأشرف على تأطير الورشات مفتشون تربويون وأطر من المركز الجهوي لمهن التربية والتكوين.",
    "ودعت المديرية جميع المعنيين إلى الالتزام بالآجال المحددة لإدخال المعطيات في منظومة مسار.",
]
FR = [
    "La direction provinciale a organisé une rencontre de suivi de la rentrée scolaire avec les chefs d'établissement.",
    "Les participants ont examiné les indicateurs de scolarisation et les actions de soutien prévues pour l'année.",
    "Une attention particulière a été portée à l'éducation inclusive et à l'accompagnement des élèves à besoins spécifiques.",
    "Les ateliers ont été animés par des inspecteurs pédagogiques et des formateurs du centre régional.",
    "Les recommandations issues des travaux seront diffusées à l'ensemble des établissements de la province.",
]
TITLES_AR = ["لقاء تواصلي حول", "دورة تكوينية في", "إعلان بخصوص", "نشاط تربوي حول", "اجتماع تنسيقي لتتبع"]
TOPICS_AR = ["الدخول المدرسي", "التعليم الأولي", "منظومة مسار", "الدعم التربوي", "التربية الدامجة", "الحياة المدرسية", "الامتحانات الإشهادية"]
TITLES_FR = ["Rencontre sur", "Formation consacrée à", "Annonce relative à", "Atelier autour de"]
TOPICS_FR = ["la rentrée scolaire", "le préscolaire", "le système Massar", "le soutien scolaire", "l'éducation inclusive"]
SITES = ["dp-rabat", "dp-sale", "dp-kenitra", "dp-skhirate-temara", "aref-rsk"]
PROGRAMMES = ["massar", "tayssir", "un-million-cartables", "ecoles-pionnieres", "prescolaire", "education-inclusive"]
TAGS_AR = ["الدخول المدرسي", "التكوين المستمر", "مسار", "الدعم التربوي", "التعليم الأولي"]


def body(rng, arabic):
    pool = AR if arabic else FR
    paragraphs = []
    for _ in range(rng.randint(6, 10)):
        paragraphs.append(" ".join(rng.choice(pool) for _ in range(rng.randint(2, 4))))
    heading = "## التفاصيل" if arabic else "## Détails"
    return "\n\n".join(paragraphs[:2] + [heading] + paragraphs[2:]) + "\n"


def entry(rng, n, site):
    arabic = rng.random() < 0.8
    kind = rng.choices(["news", "training_report", "announcement", "event"], [60, 15, 15, 10])[0]
    if arabic:
        title = f"{rng.choice(TITLES_AR)} {rng.choice(TOPICS_AR)} ({n})"
    else:
        title = f"{rng.choice(TITLES_FR)} {rng.choice(TOPICS_FR)} ({n})"
    day = rng.randint(0, 27)
    month = rng.randint(1, 12)
    year = rng.choice([2024, 2025, 2026])
    if year == 2026 and month > 10:
        month = 10
    lines = [
        "+++",
        f'kind = "{kind}"',
        f'locale = "{"ar" if arabic else "fr"}"',
        f'title = "{title}"',
        f'slug = "bench-{n:05d}"',
        'status = "published"',
        f"published_at = {year}-{month:02d}-{day + 1:02d}T09:{n % 60:02d}:00Z",
        f'programmes = ["{rng.choice(PROGRAMMES)}"]',
        "tags = [" + ", ".join(f'"{t}"' for t in rng.sample(TAGS_AR, 2)) + "]",
    ]
    if site != "aref-rsk" and rng.random() < 0.02:
        lines.append("featured_on_parent = true")
    if kind == "training_report":
        lines += [
            "[training]",
            f"starts_on = {year}-{month:02d}-{day + 1:02d}",
            f"ends_on = {year}-{month:02d}-{day + 1:02d}",
            'venue = "مركز التكوين"',
            'audience = "أساتذة التعليم الابتدائي"',
            f"head_count = {rng.randint(15, 120)}",
            'facilitators = ["ذ. سعاد", "ذ. يوسف"]',
            'workshops = ["التخطيط", "التقويم"]',
            'recommendations = ["تعميم التجربة", "تتبع الأثر"]',
        ]
    elif kind == "event":
        lines += ["[event]", f"starts_at = {year}-{month:02d}-{day + 1:02d}T09:00:00Z", 'venue = "قاعة الاجتماعات"']
    lines.append("+++")
    return "\n".join(lines) + "\n\n" + body(rng, arabic)


def main():
    out = Path(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    rng = random.Random(2026)
    for n in range(count):
        site = SITES[n % len(SITES)] if n % 7 else "dp-rabat"
        folder = out / site
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"bench-{n:05d}.md").write_text(entry(rng, n, site), encoding="utf-8")
    print(f"{count} entries written under {out}")


if __name__ == "__main__":
    main()
