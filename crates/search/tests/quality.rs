//! Search quality on a held-out Arabic corpus: known-item queries typed
//! in variant spellings must find their article in the first ten results
//! for at least 99% of queries.
//!
//! The corpus is generated here, from its own vocabulary and seed, and is
//! used by no other test and by no tuning of the analyser: 3,000 news items
//! of education administrations, each with its own topic, institution and
//! town. A query is what someone looking for one item types on a phone:
//! a few of its title's words, each perhaps without hamza, with ه for ة,
//! ي for ى, with or without the article, glued to و/ب/ل, vowelled,
//! stretched with tatweel, in Persian letters or presentation forms.
//!
//! A second set asks for the same items in another number, gender or
//! dual than the text's (الامتحان for الامتحانات, مدارس for مدرسة,
//! التربوي for التربوية, ثانويتين for ثانوية): a reader types the form in
//! their head, not the one the item uses.
//!
//! The embedded index always runs; Meilisearch when
//! `TAWASUL_TEST_MEILI_URL` is set. `cargo test -p tawasul-search --test
//! quality -- --nocapture` prints the figures.

use std::collections::HashSet;

use tawasul_search::{Document, EmbeddedIndex, Query, SearchIndex};
use time::OffsetDateTime;

const DOCUMENTS: usize = 3_000;
const QUERIES: usize = 600;
const MORPHOLOGICAL_QUERIES: usize = 300;
const TARGET_RECALL_AT_10: f64 = 0.99;
/// The bar of the morphological set.
const TARGET_MORPHOLOGICAL_RECALL_AT_10: f64 = 0.99;

const ACTIVITIES: &[&str] = &[
    "دورة تكوينية",
    "ورشة تطبيقية",
    "لقاء تواصلي",
    "ندوة جهوية",
    "يوم دراسي",
    "حملة تحسيسية",
    "مسابقة ثقافية",
    "اجتماع تنسيقي",
    "زيارة ميدانية",
    "معرض تربوي",
];

const TOPICS: &[&str] = &[
    "التربية الدامجة",
    "الدعم الاجتماعي المباشر",
    "الذكاء الاصطناعي",
    "التعليم الأولي",
    "محاربة الهدر المدرسي",
    "الصحة المدرسية",
    "التوجيه المدرسي والمهني",
    "الرياضة المدرسية",
    "التربية على المواطنة",
    "السلامة الطرقية",
    "التنمية المستدامة",
    "القراءة والكتابة",
    "الحساب الذهني",
    "اللغة الأمازيغية",
    "المسرح المدرسي",
    "الأمن الرقمي",
    "التقويم التربوي",
    "الحياة المدرسية",
    "النوادي التربوية",
    "الامتحانات الإشهادية",
    "التربية الفنية",
    "المكتبات المدرسية",
    "الإطعام المدرسي",
    "النقل المدرسي",
    "الداخليات",
    "المنح الدراسية",
    "تكافؤ الفرص",
    "المقاربة بالكفايات",
    "التدريس وفق المستوى المناسب",
    "الأنشطة الموازية",
    "محو الأمية",
    "التربية غير النظامية",
    "التخطيط التربوي",
    "تدبير الموارد البشرية",
    "البنيات التحتية",
    "التعليم عن بعد",
    "المنصات الرقمية",
    "العنف المدرسي",
    "الوساطة التربوية",
    "الإرشاد الأسري",
    "التفتح العلمي",
    "علم الفلك",
    "الروبوتيك",
    "الطاقات المتجددة",
    "الإسعافات الأولية",
    "حقوق الطفل",
    "التربية البيئية",
    "الموسيقى الأندلسية",
    "الخط العربي",
    "ريادة الأعمال",
];

const AUDIENCES: &[&str] = &[
    "أساتذة التعليم الابتدائي",
    "أساتذة التعليم الثانوي الإعدادي",
    "مديري المؤسسات التعليمية",
    "المفتشين التربويين",
    "تلاميذ السنة السادسة",
    "أولياء الأمور",
    "المستشارين في التوجيه",
    "الأطر الإدارية",
    "مربيات التعليم الأولي",
    "الأساتذة المتدربين",
    "جمعيات آباء وأمهات التلاميذ",
    "تلميذات الداخليات",
];

const INSTITUTIONS: &[&str] = &[
    "مدرسة ابن خلدون",
    "مدرسة الأمل",
    "مدرسة المسيرة الخضراء",
    "مدرسة الفارابي",
    "مدرسة عقبة بن نافع",
    "مدرسة الزرقطوني",
    "مدرسة ابن رشد",
    "مدرسة الخوارزمي",
    "مدرسة النخيل",
    "مدرسة الياسمين",
    "مدرسة طارق بن زياد",
    "مدرسة الأندلس",
    "مدرسة أنوال",
    "مدرسة الوحدة",
    "مدرسة الإمام علي",
    "مدرسة أم البنين",
    "مدرسة الفتح",
    "مدرسة البساتين",
    "مدرسة الإدريسي",
    "مدرسة الكندي",
    "إعدادية الإمام مالك",
    "إعدادية ابن سينا",
    "إعدادية المختار السوسي",
    "إعدادية الحسن الأول",
    "إعدادية علال الفاسي",
    "إعدادية المنصور الذهبي",
    "إعدادية أبي ذر الغفاري",
    "إعدادية الشريف الإدريسي",
    "إعدادية ابن الهيثم",
    "إعدادية الجاحظ",
    "إعدادية المتنبي",
    "إعدادية ابن زيدون",
    "إعدادية الموحدين",
    "إعدادية المرابطين",
    "إعدادية أسماء بنت أبي بكر",
    "ثانوية مولاي يوسف",
    "ثانوية ابن بطوطة",
    "ثانوية عبد الكريم الخطابي",
    "ثانوية للا عائشة",
    "ثانوية أحمد الحنصالي",
    "ثانوية الرازي",
    "ثانوية يعقوب المنصور",
    "ثانوية ابن عباد",
    "ثانوية الحسن الثاني",
    "ثانوية محمد الخامس",
    "ثانوية وادي الذهب",
    "ثانوية الزهراء",
    "ثانوية عمر بن الخطاب",
    "ثانوية ابن الخطيب",
    "ثانوية الليمون",
    "مجموعة مدارس تاسيلا",
    "مجموعة مدارس إمي نتانوت",
    "مجموعة مدارس أيت باها",
    "مجموعة مدارس تافراوت",
    "مجموعة مدارس أولاد تايمة",
    "مركز التكوين المستمر",
    "المركز الجهوي لمهن التربية والتكوين",
    "دار الطالبة",
    "مركز التفتح الفني والأدبي",
    "المدرسة الجماعاتية",
];

const TOWNS: &[&str] = &[
    "أكادير",
    "تيزنيت",
    "تارودانت",
    "إنزكان",
    "آيت ملول",
    "الرباط",
    "سلا",
    "القنيطرة",
    "الخميسات",
    "تمارة",
    "الدار البيضاء",
    "المحمدية",
    "سطات",
    "برشيد",
    "الجديدة",
    "مراكش",
    "آسفي",
    "الصويرة",
    "قلعة السراغنة",
    "شيشاوة",
    "فاس",
    "مكناس",
    "إفران",
    "صفرو",
    "تازة",
    "وجدة",
    "الناظور",
    "بركان",
    "جرادة",
    "فجيج",
    "طنجة",
    "تطوان",
    "العرائش",
    "شفشاون",
    "الحسيمة",
    "الرشيدية",
    "ورزازات",
    "زاكورة",
    "تنغير",
    "ميدلت",
    "كلميم",
    "طانطان",
    "العيون",
    "الداخلة",
    "السمارة",
];

const MONTHS: &[&str] = &[
    "يناير",
    "فبراير",
    "مارس",
    "أبريل",
    "ماي",
    "يونيو",
    "يوليوز",
    "غشت",
    "شتنبر",
    "أكتوبر",
    "نونبر",
    "دجنبر",
];

const CLOSINGS: &[&str] = &[
    "وقد عرف هذا النشاط حضورا مكثفا وتفاعلا إيجابيا من طرف المشاركين.",
    "واختتم اللقاء بتوصيات سترفع إلى المصالح المختصة قصد تتبعها.",
    "وأكد المتدخلون على أهمية تعميم هذه التجربة على باقي المؤسسات.",
    "ويندرج هذا النشاط ضمن برنامج عمل المديرية الإقليمية للموسم الدراسي الحالي.",
    "وتم توزيع شواهد المشاركة على المستفيدين في ختام الأشغال.",
    "وسيتم تنظيم دورات مماثلة خلال الأسابيع المقبلة.",
];

/// A small deterministic generator (xorshift), so every run sees the same
/// corpus and queries.
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
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len())]
    }
}

/// What a generated item is about: a reader who remembers it remembers these.
#[derive(Clone, Copy)]
struct Facts {
    activity: &'static str,
    topic: &'static str,
    audience: &'static str,
    institution: &'static str,
    town: &'static str,
}

fn corpus(rng: &mut Rng) -> Vec<(Facts, Document)> {
    corpus_of(rng, DOCUMENTS)
}

/// `size` items (at most one per topic, institution and town: 135,000).
fn corpus_of(rng: &mut Rng, size: usize) -> Vec<(Facts, Document)> {
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(size);
    while out.len() < size {
        let facts = Facts {
            activity: rng.pick(ACTIVITIES),
            topic: rng.pick(TOPICS),
            audience: rng.pick(AUDIENCES),
            institution: rng.pick(INSTITUTIONS),
            town: rng.pick(TOWNS),
        };
        // One item per topic, institution and town: each is a known item.
        if !seen.insert((facts.topic, facts.institution, facts.town)) {
            continue;
        }
        let id = out.len() as i64 + 1;
        out.push((facts, document(rng, id, facts)));
    }
    out
}

fn document(rng: &mut Rng, id: i64, f: Facts) -> Document {
    let title = match rng.below(3) {
        0 => format!(
            "{} حول {} ب{} {}",
            f.activity, f.topic, f.institution, f.town
        ),
        1 => format!(
            "{} ب{} تحتضن {} في {}",
            f.institution, f.town, f.activity, f.topic
        ),
        _ => format!(
            "{} لفائدة {} حول {} ب{}",
            f.activity, f.audience, f.topic, f.town
        ),
    };
    let day = 1 + rng.below(28);
    let month = rng.pick(MONTHS);
    // Dates as people write them: western or Arabic-Indic digits.
    let date = if rng.chance(30) {
        to_arabic_indic(&format!("{day} {month} 2026"))
    } else {
        format!("{day} {month} 2026")
    };
    // Other items' words appear in every body, as they do in real news.
    let other_topic = rng.pick(TOPICS);
    let other_town = rng.pick(TOWNS);
    let body = format!(
        "احتضنت {institution} ب{town} يوم {date} {activity} حول {topic} لفائدة {audience}. \
         وأشرف على افتتاح الأشغال المدير الإقليمي الذي ذكر بالمجهودات المبذولة في مجال {other_topic}، \
         كما استحضر تجربة مديرية {other_town}. {closing}",
        institution = f.institution,
        town = f.town,
        activity = f.activity,
        topic = f.topic,
        audience = f.audience,
        closing = rng.pick(CLOSINGS),
    );
    Document {
        id,
        site: format!("dir-{}", rng.below(12)),
        ancestors: vec!["region".to_owned()],
        kind: "news".to_owned(),
        locale: "ar".to_owned(),
        status: "published".to_owned(),
        title,
        summary: String::new(),
        body,
        category: None,
        tags: Vec::new(),
        programmes: Vec::new(),
        published_at: Some(OffsetDateTime::UNIX_EPOCH + time::Duration::days(20_000 + id)),
    }
}

fn to_arabic_indic(text: &str) -> String {
    text.chars()
        .map(|c| match c.to_digit(10) {
            Some(d) => char::from_u32(0x0660 + d).unwrap_or(c),
            None => c,
        })
        .collect()
}

/// One word as a careless or creative typist writes it. Every change here
/// is one that Arabic readers take for the same word.
fn variant(rng: &mut Rng, word: &str) -> String {
    let mut w = word.to_owned();
    match rng.below(10) {
        // Hamza left off (the most common), or put on a bare alif.
        0 => w = w.replace(['أ', 'إ', 'آ'], "ا"),
        1 => {
            if let Some(rest) = w.strip_prefix('ا') {
                w = format!("أ{rest}");
            } else {
                w = w.replace(['أ', 'إ', 'آ'], "ا");
            }
        }
        // Final ta marbuta as ha, final alif maqsura as ya (and back).
        2 => {
            if w.ends_with('ة') {
                w = format!("{}ه", w.trim_end_matches('ة'));
            } else if w.ends_with('ى') {
                w = format!("{}ي", w.trim_end_matches('ى'));
            } else if w.ends_with('ي') {
                w = format!("{}ى", w.trim_end_matches('ي'));
            } else {
                w = vowelled(rng, &w);
            }
        }
        // The article dropped, or a conjunction or preposition glued on.
        3 => {
            if let Some(rest) = w.strip_prefix("ال").filter(|r| r.chars().count() >= 3) {
                w = rest.to_owned();
            } else {
                w = glued(rng, &w);
            }
        }
        4 | 5 => w = glued(rng, &w),
        // Full or partial vowelling.
        6 => w = vowelled(rng, &w),
        // Stretched with tatweel, as in headlines.
        7 => w = stretched(&w),
        // Persian keyboard letters.
        8 => w = w.replace('ي', "ی").replace('ك', "ک"),
        // A presentation-form ligature pasted from a PDF.
        _ => {
            if w.contains("لا") {
                w = w.replace("لا", "\u{FEFB}");
            } else {
                w = stretched(&w);
            }
        }
    }
    w
}

/// A conjunction or preposition glued on, as Arabic writes them: و, ب, or
/// ل (which with the article makes لل). Never a second one.
fn glued(rng: &mut Rng, word: &str) -> String {
    if word.starts_with(['و', 'ب', 'ل']) {
        return vowelled(rng, word);
    }
    match rng.below(3) {
        0 => format!("و{word}"),
        1 => format!("ب{word}"),
        _ => match word.strip_prefix("ال") {
            Some(rest) => format!("لل{rest}"),
            None => format!("ل{word}"),
        },
    }
}

fn vowelled(rng: &mut Rng, word: &str) -> String {
    const MARKS: &[char] = &['\u{064E}', '\u{064F}', '\u{0650}', '\u{0651}', '\u{0652}'];
    let mut out = String::new();
    for c in word.chars() {
        out.push(c);
        if rng.chance(60) {
            out.push(MARKS[rng.below(MARKS.len())]);
        }
    }
    out
}

fn stretched(word: &str) -> String {
    let chars: Vec<char> = word.chars().collect();
    let mut out = String::new();
    for (i, c) in chars.iter().enumerate() {
        out.push(*c);
        // Tatweel only joins letters that connect to the next one.
        if i + 1 < chars.len() && !"اأإآدذرزوةى".contains(*c) {
            out.push('\u{0640}');
        }
    }
    out
}

/// What someone looking for this item types: a few of its words, at least
/// one in a variant spelling.
fn known_item_query(rng: &mut Rng, f: &Facts) -> String {
    let mut words: Vec<&str> = Vec::new();
    match rng.below(3) {
        0 => {
            words.extend(f.topic.split_whitespace());
            words.extend(f.institution.split_whitespace());
            words.extend(f.town.split_whitespace());
        }
        1 => {
            words.extend(f.institution.split_whitespace());
            words.extend(f.topic.split_whitespace());
        }
        _ => {
            words.extend(f.topic.split_whitespace());
            words.extend(f.town.split_whitespace());
            words.extend(f.institution.split_whitespace().skip(1));
        }
    }
    let changed = rng.below(words.len());
    words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            if i == changed || rng.chance(50) {
                variant(rng, w)
            } else {
                (*w).to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Broken plurals of the corpus's words, both ways (the sound ones follow
/// from the endings in [`inflected`]).
const BROKEN: &[(&str, &str)] = &[
    ("مدرسة", "مدارس"),
    ("مدارس", "مدرسة"),
    ("تلاميذ", "تلميذ"),
    ("أساتذة", "أستاذ"),
    ("المكتبات", "المكتبة"),
    ("النوادي", "النادي"),
    ("المنح", "المنحة"),
    ("الأنشطة", "النشاط"),
    ("المؤسسات", "المؤسسة"),
    ("مجموعة", "مجموعات"),
];

/// The word in another number, gender or dual, by its ending; `None` for
/// words with no such form (verbs, particles, names) or too short to tell.
fn inflected(rng: &mut Rng, word: &str) -> Option<String> {
    if let Some((_, other)) = BROKEN.iter().find(|(w, _)| *w == word) {
        return Some((*other).to_owned());
    }
    if word.chars().count() < 5 {
        return None;
    }
    let forms: Vec<String> = if let Some(stem) = word.strip_suffix("ية") {
        // Adjective, feminine: masculine, feminine plural, dual.
        vec![
            format!("{stem}ي"),
            format!("{stem}يات"),
            format!("{stem}يتين"),
        ]
    } else if let Some(stem) = word.strip_suffix('ي') {
        // Adjective, masculine: feminine, masculine plural.
        vec![
            format!("{stem}ية"),
            format!("{stem}يون"),
            format!("{stem}يين"),
        ]
    } else if let Some(stem) = word.strip_suffix("ات") {
        // Feminine plural: singular.
        vec![format!("{stem}ة")]
    } else if let Some(stem) = word.strip_suffix('ة') {
        // Feminine noun: plural, dual.
        vec![
            format!("{stem}ات"),
            format!("{stem}تان"),
            format!("{stem}تين"),
        ]
    } else if let Some(stem) = word.strip_suffix("ين") {
        vec![stem.to_owned()]
    } else {
        return None;
    };
    Some(forms[rng.below(forms.len())].clone())
}

/// A known-item query with at least one word in another form than the
/// item's: the topic's words and the kind of institution (مدرسة, ثانوية…)
/// may change; names of people and towns never do.
fn morphological_query(rng: &mut Rng, f: &Facts) -> Option<String> {
    let mut words: Vec<(String, bool)> = Vec::new();
    for w in f.topic.split_whitespace() {
        words.push((w.to_owned(), true));
    }
    for (i, w) in f.institution.split_whitespace().enumerate() {
        words.push((w.to_owned(), i == 0));
    }
    if rng.chance(50) {
        for w in f.town.split_whitespace() {
            words.push((w.to_owned(), false));
        }
    }
    let open: Vec<usize> = (0..words.len())
        .filter(|&i| words[i].1 && inflected(&mut Rng(1), &words[i].0).is_some())
        .collect();
    if open.is_empty() {
        return None;
    }
    let changed = open[rng.below(open.len())];
    let text: Vec<String> = words
        .iter()
        .enumerate()
        .map(|(i, (w, may))| {
            if *may && (i == changed || rng.chance(30)) {
                inflected(rng, w).unwrap_or_else(|| w.clone())
            } else {
                w.clone()
            }
        })
        .collect();
    Some(text.join(" "))
}

struct Figures {
    queries: usize,
    at_1: usize,
    at_10: usize,
    reciprocal_rank: f64,
    misses: Vec<String>,
    /// Time of each search call, in microseconds.
    micros: Vec<u128>,
}

/// Which queries a run asks.
#[derive(Clone, Copy, PartialEq)]
enum Set {
    /// Spelling variants: [`known_item_query`].
    Spelling,
    /// Number, gender and dual: [`morphological_query`].
    Morphological,
}

async fn measure(index: &dyn SearchIndex) -> (Figures, Figures) {
    let mut rng = Rng(0x7a5e_11a0_2026_1202);
    let items = corpus(&mut rng);
    for chunk in items.chunks(500) {
        index
            .upsert(chunk.iter().map(|(_, d)| d.clone()).collect())
            .await
            .expect("index the corpus");
    }
    assert_eq!(index.count().await.expect("count"), DOCUMENTS as u64);
    let spelling = run_set(index, &items, &mut rng, Set::Spelling).await;
    let mut rng = Rng(0x0d0a_1e5e_2026_0516);
    let morphological = run_set(index, &items, &mut rng, Set::Morphological).await;
    (spelling, morphological)
}

async fn run_set(
    index: &dyn SearchIndex,
    items: &[(Facts, Document)],
    rng: &mut Rng,
    set: Set,
) -> Figures {
    let mut figures = Figures {
        queries: 0,
        at_1: 0,
        at_10: 0,
        reciprocal_rank: 0.0,
        misses: Vec::new(),
        micros: Vec::new(),
    };
    let wanted = match set {
        Set::Spelling => QUERIES,
        Set::Morphological => MORPHOLOGICAL_QUERIES,
    };
    while figures.queries < wanted {
        let (facts, target) = &items[rng.below(items.len())];
        let text = match set {
            Set::Spelling => known_item_query(rng, facts),
            Set::Morphological => match morphological_query(rng, facts) {
                Some(text) => text,
                None => continue,
            },
        };
        let query = Query {
            text: text.clone(),
            per_page: 10,
            ..Query::public("")
        };
        let started = std::time::Instant::now();
        let hits = index.search(&query).await.expect("search");
        figures.micros.push(started.elapsed().as_micros());
        figures.queries += 1;
        match hits.hits.iter().position(|h| h.id == target.id) {
            Some(rank) => {
                figures.at_10 += 1;
                figures.at_1 += usize::from(rank == 0);
                figures.reciprocal_rank += 1.0 / (rank as f64 + 1.0);
            }
            None => figures.misses.push(format!("{text}  →  {}", target.title)),
        }
    }
    figures
}

fn report(backend: &str, f: &Figures) -> f64 {
    let recall = f.at_10 as f64 / f.queries as f64;
    println!(
        "{backend}: {} queries over {DOCUMENTS} articles: {}; \
         top-10 {:.1}%, top-1 {:.1}%, mean reciprocal rank {:.3}",
        f.queries,
        latency(&f.micros),
        100.0 * recall,
        100.0 * f.at_1 as f64 / f.queries as f64,
        f.reciprocal_rank / f.queries as f64,
    );
    for miss in &f.misses {
        println!("  missed: {miss}");
    }
    recall
}

/// `p50 … ms, p99 … ms` of these call times.
fn latency(micros: &[u128]) -> String {
    let mut sorted = micros.to_vec();
    sorted.sort_unstable();
    let at = |q: f64| {
        let i = ((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len().max(1)) - 1;
        sorted.get(i).copied().unwrap_or_default() as f64 / 1000.0
    };
    format!("p50 {:.1} ms, p99 {:.1} ms", at(0.50), at(0.99))
}

/// Latency at scale: `TAWASUL_SCALE_DOCUMENTS` items (100,000 by default)
/// of the same generator, 600 spelling-variant queries, on the embedded
/// index and (with `TAWASUL_TEST_MEILI_URL`) on Meilisearch. Slow to
/// index: run on demand, `cargo test -p tawasul-search --release --test
/// quality -- --ignored --nocapture`.
#[tokio::test]
#[ignore = "minutes of indexing; run on demand"]
async fn latency_at_scale() {
    let size = std::env::var("TAWASUL_SCALE_DOCUMENTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let mut rng = Rng(0x5ca1_e000_2026_1203);
    let items = corpus_of(&mut rng, size);
    let dir = tempfile::tempdir().expect("tempdir");
    let embedded = EmbeddedIndex::open(dir.path()).expect("open");
    let mut backends: Vec<(&str, Box<dyn SearchIndex>)> = vec![("embedded", Box::new(embedded))];
    #[cfg(feature = "meilisearch")]
    if let Ok(url) = std::env::var("TAWASUL_TEST_MEILI_URL") {
        let config = tawasul_search::MeiliConfig {
            url,
            api_key: std::env::var("TAWASUL_TEST_MEILI_KEY").ok(),
            index: format!("tawasul_scale_{}", std::process::id()),
        };
        let meili = tawasul_search::MeiliIndex::connect(config)
            .await
            .expect("connect");
        backends.push(("meilisearch", Box::new(meili)));
    }
    for (name, index) in &backends {
        let started = std::time::Instant::now();
        for chunk in items.chunks(5_000) {
            index
                .upsert(chunk.iter().map(|(_, d)| d.clone()).collect())
                .await
                .expect("index");
        }
        let indexing = started.elapsed();
        let mut rng = Rng(0x7a5e_11a0_2026_1202);
        let figures = run_set(index.as_ref(), &items[..], &mut rng, Set::Spelling).await;
        println!(
            "{name} at {size} items (indexed in {:.0} s): {} queries, {}, top-10 {:.1}%, top-1 {:.1}%",
            indexing.as_secs_f64(),
            figures.queries,
            latency(&figures.micros),
            100.0 * figures.at_10 as f64 / figures.queries as f64,
            100.0 * figures.at_1 as f64 / figures.queries as f64,
        );
        if *name == "meilisearch" {
            let _ = index.clear().await;
        }
    }
}

#[tokio::test]
async fn known_items_are_found_in_variant_spellings_and_forms_on_the_embedded_index() {
    let dir = tempfile::tempdir().expect("tempdir");
    let index = EmbeddedIndex::open(dir.path()).expect("open");
    check("embedded", measure(&index).await);
}

fn check(backend: &str, (spelling, morphological): (Figures, Figures)) {
    let recall = report(&format!("{backend}, spelling variants"), &spelling);
    let morph = report(
        &format!("{backend}, number/gender/dual variants"),
        &morphological,
    );
    assert!(
        recall >= TARGET_RECALL_AT_10,
        "{backend}: top-10 recall {recall:.3} on spelling variants is below {TARGET_RECALL_AT_10}"
    );
    assert!(
        morph >= TARGET_MORPHOLOGICAL_RECALL_AT_10,
        "{backend}: top-10 recall {morph:.3} on number/gender/dual variants is below {TARGET_MORPHOLOGICAL_RECALL_AT_10}"
    );
}

#[cfg(feature = "meilisearch")]
#[tokio::test]
async fn known_items_are_found_in_variant_spellings_and_forms_on_meilisearch() {
    let Ok(url) = std::env::var("TAWASUL_TEST_MEILI_URL") else {
        eprintln!("TAWASUL_TEST_MEILI_URL is not set: the Meilisearch quality run is skipped");
        return;
    };
    let config = tawasul_search::MeiliConfig {
        url,
        api_key: std::env::var("TAWASUL_TEST_MEILI_KEY").ok(),
        index: format!("tawasul_quality_{}", std::process::id()),
    };
    let index = tawasul_search::MeiliIndex::connect(config)
        .await
        .expect("connect");
    let figures = measure(&index).await;
    let _ = index.clear().await;
    check("meilisearch", figures);
}
