//! Indexes N generated Arabic/French entries in the embedded backend and
//! measures indexing time, index size and query latency.
//!
//! `cargo run --release -p tawasul-search --example search_bench [N]` (default
//! 100000). The text is generated from word lists written for this bench.

use std::time::{Duration, Instant};

use tawasul_search::{Document, EmbeddedIndex, Order, Query, SearchIndex};
use time::OffsetDateTime;

const AR_WORDS: &[&str] = &[
    "المدرسة",
    "التلاميذ",
    "الأساتذة",
    "التكوين",
    "الدعم",
    "الاجتماعي",
    "المديرية",
    "الإقليمية",
    "الأكاديمية",
    "الجهوية",
    "مسار",
    "تيسير",
    "البرنامج",
    "الوطني",
    "التعليم",
    "الأولي",
    "الابتدائي",
    "الإعدادي",
    "الثانوي",
    "التأهيلي",
    "الامتحانات",
    "البكالوريا",
    "النتائج",
    "الدورة",
    "العادية",
    "الاستدراكية",
    "ورشة",
    "لقاء",
    "تواصلي",
    "جمعيات",
    "الآباء",
    "الأمهات",
    "المحفظة",
    "مليون",
    "النقل",
    "المدرسي",
    "الداخليات",
    "المطاعم",
    "الصحة",
    "المدرسية",
    "الرياضة",
    "الأنشطة",
    "الموازية",
    "الحياة",
    "الرقمنة",
    "المنصة",
    "التسجيل",
    "الدخول",
    "المدرسي",
    "الهدر",
    "الانقطاع",
    "محاربة",
    "تنظيم",
    "افتتاح",
    "اختتام",
    "زيارة",
    "ميدانية",
    "مفتش",
    "المفتشين",
    "التربوي",
    "الإداري",
    "المؤسسات",
    "التعليمية",
    "العالم",
    "القروي",
    "الحضري",
    "مشروع",
    "المؤسسة",
    "الجودة",
    "خارطة",
    "الطريق",
    "الإصلاح",
    "الرؤية",
    "الاستراتيجية",
    "وزارة",
    "التربية",
    "الوطنية",
    "مستشفى",
    "القراءة",
    "الكتابة",
    "الرياضيات",
    "العلوم",
    "اللغة",
    "العربية",
    "الأمازيغية",
    "الفرنسية",
];
const FR_WORDS: &[&str] = &[
    "formation",
    "enseignants",
    "élèves",
    "école",
    "écoles",
    "direction",
    "provinciale",
    "académie",
    "régionale",
    "éducation",
    "programme",
    "soutien",
    "social",
    "examens",
    "baccalauréat",
    "résultats",
    "session",
    "atelier",
    "rencontre",
    "parents",
    "inscription",
    "rentrée",
    "scolaire",
    "transport",
    "cantine",
    "internat",
    "santé",
    "sport",
    "activités",
    "numérique",
    "plateforme",
    "décrochage",
    "inspecteur",
    "inspectrices",
    "pédagogique",
    "administratif",
    "établissement",
    "rural",
    "urbain",
    "projet",
    "qualité",
    "feuille",
    "route",
    "réforme",
    "vision",
    "stratégique",
    "ministère",
    "lecture",
    "écriture",
    "mathématiques",
    "sciences",
    "langue",
    "arabe",
    "amazighe",
    "française",
];
const KINDS: &[&str] = &["news", "training_report", "announcement", "event", "page"];
const PROGRAMMES: &[&str] = &["massar", "tayssir", "one-million-schoolbags", "vision-2030"];
const REGIONS: usize = 12;
const DIRECTORATES_PER_REGION: usize = 7;

/// A small deterministic generator (xorshift), so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, words: &[&'a str]) -> &'a str {
        words[self.below(words.len())]
    }
    fn sentence(&mut self, words: &[&str], n: usize) -> String {
        (0..n)
            .map(|_| self.pick(words))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn document(rng: &mut Rng, id: i64) -> Document {
    let region = rng.below(REGIONS);
    let directorate = rng.below(DIRECTORATES_PER_REGION + 1);
    let region_slug = format!("region-{region}");
    let (site, ancestors) = if directorate == DIRECTORATES_PER_REGION {
        (region_slug, vec!["ministere".to_owned()])
    } else {
        (
            format!("dir-{region}-{directorate}"),
            vec![region_slug, "ministere".to_owned()],
        )
    };
    let arabic = rng.below(4) != 0;
    let words = if arabic { AR_WORDS } else { FR_WORDS };
    let title_len = 4 + rng.below(6);
    let summary_len = 15 + rng.below(20);
    let body_len = 120 + rng.below(400);
    let paragraphs: Vec<String> = (0..body_len / 40)
        .map(|_| rng.sentence(words, 40) + ".")
        .collect();
    Document {
        id,
        site,
        ancestors,
        kind: KINDS[rng.below(KINDS.len())].to_owned(),
        locale: if arabic { "ar" } else { "fr" }.to_owned(),
        status: if rng.below(10) == 0 {
            "draft"
        } else {
            "published"
        }
        .to_owned(),
        title: rng.sentence(words, title_len),
        summary: rng.sentence(words, summary_len),
        body: paragraphs.join("\n\n"),
        category: Some(format!("cat-{}", rng.below(8))),
        tags: vec![rng.pick(words).to_owned()],
        programmes: vec![PROGRAMMES[rng.below(PROGRAMMES.len())].to_owned()],
        published_at: Some(
            OffsetDateTime::UNIX_EPOCH
                + time::Duration::days(19_000)
                + time::Duration::minutes(rng.below(5 * 365 * 24 * 60) as i64),
        ),
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: i64 = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(100_000);
    let dir = tempfile::tempdir()?;
    let index = EmbeddedIndex::open(dir.path())?;
    let mut rng = Rng(0x5eed_cafe_f00d_d00d);

    let started = Instant::now();
    let mut batch = Vec::with_capacity(5_000);
    for id in 1..=n {
        batch.push(document(&mut rng, id));
        if batch.len() == 5_000 {
            index.upsert(std::mem::take(&mut batch)).await?;
        }
    }
    index.upsert(batch).await?;
    let indexing = started.elapsed();
    let count = index.count().await?;
    println!(
        "indexed {count} entries in {:.1} s ({:.0} entries/s); index size {:.1} MiB",
        indexing.as_secs_f64(),
        count as f64 / indexing.as_secs_f64(),
        index.size_on_disk() as f64 / 1024.0 / 1024.0
    );

    let mut mixes: Vec<(&str, Vec<Query>)> = Vec::new();
    let one_word: Vec<Query> = (0..200)
        .map(|_| {
            let words = if rng.below(4) == 0 {
                FR_WORDS
            } else {
                AR_WORDS
            };
            Query::public(rng.pick(words))
        })
        .collect();
    mixes.push(("one word", one_word));
    let multi: Vec<Query> = (0..200)
        .map(|_| {
            let n = 2 + rng.below(3);
            Query::public(rng.sentence(AR_WORDS, n))
        })
        .collect();
    mixes.push(("multi-word", multi));
    let filtered: Vec<Query> = (0..200)
        .map(|_| {
            let mut q = Query::public(rng.pick(AR_WORDS));
            q.kinds = vec![KINDS[rng.below(KINDS.len())].to_owned()];
            q.programmes = vec![PROGRAMMES[rng.below(PROGRAMMES.len())].to_owned()];
            q.order = Order::Newest;
            q
        })
        .collect();
    mixes.push(("filtered, newest", filtered));
    let regional: Vec<Query> = (0..200)
        .map(|_| {
            let mut q = Query::public(rng.sentence(AR_WORDS, 2));
            q.sites = vec![format!("region-{}", rng.below(REGIONS))];
            q
        })
        .collect();
    mixes.push(("regional", regional));
    let typo: Vec<Query> = (0..100)
        .map(|_| {
            let w: String = rng.pick(AR_WORDS).chars().rev().collect();
            Query::public(w)
        })
        .collect();
    mixes.push(("no match (typo passes)", typo));

    for (name, queries) in &mixes {
        // Warm up once, then measure.
        for q in queries.iter().take(20) {
            index.search(q).await?;
        }
        let mut times = Vec::with_capacity(queries.len());
        let mut total_hits = 0;
        for q in queries {
            let t = Instant::now();
            let hits = index.search(q).await?;
            times.push(t.elapsed());
            total_hits += hits.total;
        }
        times.sort();
        println!(
            "{name:<24} {:>4} queries  p50 {:>7.2} ms  p99 {:>7.2} ms  (mean hits {})",
            times.len(),
            percentile(&times, 0.50).as_secs_f64() * 1000.0,
            percentile(&times, 0.99).as_secs_f64() * 1000.0,
            total_hits / times.len() as u64,
        );
    }
    Ok(())
}
