//! The render cache: public pages kept in memory, each compressed once per
//! encoding, dropped exactly when a change touches what they show
//! (`deps.rs`), bounded in bytes.

pub mod deps;

use std::collections::{HashMap, HashSet};
use std::io::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use bytes::Bytes;
use lru::LruCache;

pub use deps::Dep;

/// A page's body in one content coding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Identity,
    Gzip,
    Brotli,
}

impl Encoding {
    pub fn header_value(self) -> Option<&'static str> {
        match self {
            Encoding::Identity => None,
            Encoding::Gzip => Some("gzip"),
            Encoding::Brotli => Some("br"),
        }
    }
}

/// The longest `Accept-Encoding` value read; browsers send a few dozen bytes.
const MAX_ACCEPT_ENCODING: usize = 256;

/// The best coding a client accepts: brotli, then gzip, then none. Reads at
/// most the first 256 bytes of the header, so a huge or malformed one costs
/// nothing and falls back to the identity.
pub fn negotiate(accept_encoding: Option<&str>) -> Encoding {
    let Some(value) = accept_encoding else {
        return Encoding::Identity;
    };
    let value = match value.char_indices().nth(MAX_ACCEPT_ENCODING) {
        Some((cut, _)) => &value[..cut],
        None => value,
    };
    let mut best = Encoding::Identity;
    for item in value.split(',') {
        let mut parts = item.split(';');
        let coding = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let refused = parts.any(|p| {
            let p = p.trim();
            p.strip_prefix("q=")
                .and_then(|q| q.trim().parse::<f32>().ok())
                .is_some_and(|q| q <= 0.0)
        });
        if refused {
            continue;
        }
        match coding.as_str() {
            "br" => best = Encoding::Brotli,
            "gzip" | "x-gzip" if best == Encoding::Identity => best = Encoding::Gzip,
            _ => {}
        }
    }
    best
}

fn gzip(body: &[u8]) -> Bytes {
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(body.len() / 3),
        flate2::Compression::new(6),
    );
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(body);
    Bytes::from(encoder.finish().unwrap_or_default())
}

fn brotli(body: &[u8]) -> Bytes {
    let mut out = Vec::with_capacity(body.len() / 4);
    {
        // Quality 5: most of brotli's gain for a fraction of its time, so a
        // cache miss stays cheap.
        let mut writer = brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
        let _ = writer.write_all(body);
    }
    Bytes::from(out)
}

/// A response body with its validator, compressed on first demand per coding.
#[derive(Debug)]
pub struct CachedPage {
    pub status: u16,
    pub content_type: &'static str,
    pub etag: String,
    identity: Bytes,
    gzip: OnceLock<Bytes>,
    brotli: OnceLock<Bytes>,
}

impl CachedPage {
    pub fn new(status: u16, content_type: &'static str, body: String) -> CachedPage {
        let identity = Bytes::from(body);
        CachedPage {
            status,
            content_type,
            etag: format!("W/\"{:016x}\"", xxhash_rust::xxh3::xxh3_64(&identity)),
            identity,
            gzip: OnceLock::new(),
            brotli: OnceLock::new(),
        }
    }

    /// The body in `encoding`, falling back to the identity when compressing
    /// would not make it smaller.
    pub fn body(&self, encoding: Encoding) -> (Bytes, Encoding) {
        let compressed = match encoding {
            Encoding::Identity => return (self.identity.clone(), Encoding::Identity),
            Encoding::Gzip => self.gzip.get_or_init(|| gzip(&self.identity)),
            Encoding::Brotli => self.brotli.get_or_init(|| brotli(&self.identity)),
        };
        if compressed.len() < self.identity.len() {
            (compressed.clone(), encoding)
        } else {
            (self.identity.clone(), Encoding::Identity)
        }
    }

    /// Bytes held, counting the compressed copies a page will likely get.
    fn weight(&self, key: &str) -> usize {
        key.len() + self.etag.len() + self.identity.len() + self.identity.len() / 2 + 256
    }
}

/// Origins (scheme, host, prefix) cached at most: a client inventing Host
/// headers gets rendered pages, not a flooded cache.
const MAX_ORIGINS: usize = 64;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    pub pages: usize,
    pub bytes: usize,
    pub hits: u64,
    pub misses: u64,
    pub evictions: u64,
    pub invalidations: u64,
}

struct Slot {
    page: Arc<CachedPage>,
    deps: Vec<Dep>,
    weight: usize,
}

struct Inner {
    pages: LruCache<String, Slot>,
    by_dep: HashMap<Dep, HashSet<String>>,
    origins: HashSet<String>,
    bytes: usize,
}

impl Inner {
    fn remove(&mut self, key: &str) -> bool {
        let Some(slot) = self.pages.pop(key) else {
            return false;
        };
        self.forget(key, slot);
        true
    }

    fn forget(&mut self, key: &str, slot: Slot) {
        self.bytes = self.bytes.saturating_sub(slot.weight);
        for dep in &slot.deps {
            if let Some(keys) = self.by_dep.get_mut(dep) {
                keys.remove(key);
                if keys.is_empty() {
                    self.by_dep.remove(dep);
                }
            }
        }
    }
}

pub struct PageCache {
    enabled: bool,
    /// Bumped by every invalidation: a page rendered across one may show
    /// what the invalidation removed, so it is served but not kept.
    generation: AtomicU64,
    max_bytes: usize,
    inner: Mutex<Inner>,
    hits: AtomicU64,
    misses: AtomicU64,
    evictions: AtomicU64,
    invalidations: AtomicU64,
}

impl std::fmt::Debug for PageCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageCache")
            .field("stats", &self.stats())
            .finish()
    }
}

impl PageCache {
    pub fn new(enabled: bool, max_bytes: usize) -> PageCache {
        PageCache {
            enabled,
            generation: AtomicU64::new(0),
            max_bytes,
            inner: Mutex::new(Inner {
                pages: LruCache::unbounded(),
                by_dep: HashMap::new(),
                origins: HashSet::new(),
                bytes: 0,
            }),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            evictions: AtomicU64::new(0),
            invalidations: AtomicU64::new(0),
        }
    }

    pub fn enabled(&self) -> bool {
        self.enabled
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        match self.inner.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    pub fn get(&self, key: &str) -> Option<Arc<CachedPage>> {
        if !self.enabled {
            return None;
        }
        let found = self
            .lock()
            .pages
            .get(key)
            .map(|slot| Arc::clone(&slot.page));
        let counter = if found.is_some() {
            &self.hits
        } else {
            &self.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    /// Read before rendering; hand to `insert`.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Keeps `page` under `key` until a change touches one of `deps` or the
    /// byte budget needs the room. A page larger than the budget, or from an
    /// origin past the limit, is simply not kept.
    pub fn insert(
        &self,
        rendered_at: u64,
        origin: &str,
        key: String,
        page: Arc<CachedPage>,
        deps: Vec<Dep>,
    ) {
        if !self.enabled {
            return;
        }
        let weight = page.weight(&key);
        if weight > self.max_bytes / 4 {
            return;
        }
        let mut inner = self.lock();
        // Checked under the lock, which invalidations also take.
        if self.generation.load(Ordering::Acquire) != rendered_at {
            return;
        }
        if !inner.origins.contains(origin) {
            if inner.origins.len() >= MAX_ORIGINS {
                return;
            }
            inner.origins.insert(origin.to_owned());
        }
        inner.remove(&key);
        for dep in &deps {
            inner
                .by_dep
                .entry(dep.clone())
                .or_default()
                .insert(key.clone());
        }
        inner.bytes += weight;
        inner.pages.put(key, Slot { page, deps, weight });
        while inner.bytes > self.max_bytes {
            let Some((old_key, slot)) = inner.pages.pop_lru() else {
                break;
            };
            inner.forget(&old_key, slot);
            self.evictions.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Drops every page that depends on one of `deps`; returns how many.
    pub fn invalidate(&self, deps: &[Dep]) -> usize {
        if deps.is_empty() {
            return 0;
        }
        let mut inner = self.lock();
        self.generation.fetch_add(1, Ordering::AcqRel);
        let dropped = if deps.contains(&Dep::All) {
            let count = inner.pages.len();
            inner.pages.clear();
            inner.by_dep.clear();
            inner.bytes = 0;
            count
        } else {
            let mut keys = HashSet::new();
            for dep in deps {
                if let Some(found) = inner.by_dep.get(dep) {
                    keys.extend(found.iter().cloned());
                }
            }
            keys.iter().filter(|key| inner.remove(key)).count()
        };
        self.invalidations
            .fetch_add(dropped as u64, Ordering::Relaxed);
        tracing::debug!(?deps, dropped, "pages invalidated");
        dropped
    }

    pub fn contains(&self, key: &str) -> bool {
        self.lock().pages.contains(key)
    }

    pub fn stats(&self) -> CacheStats {
        let inner = self.lock();
        CacheStats {
            pages: inner.pages.len(),
            bytes: inner.bytes,
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            evictions: self.evictions.load(Ordering::Relaxed),
            invalidations: self.invalidations.load(Ordering::Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(text: &str) -> Arc<CachedPage> {
        Arc::new(CachedPage::new(
            200,
            "text/html; charset=utf-8",
            text.repeat(50),
        ))
    }

    #[test]
    fn encodings_are_negotiated_from_the_header() {
        let table = [
            (None, Encoding::Identity),
            (Some("gzip, deflate, br, zstd"), Encoding::Brotli),
            (Some("gzip"), Encoding::Gzip),
            (Some("br;q=0, gzip"), Encoding::Gzip),
            (Some("BR"), Encoding::Brotli),
            (Some("identity"), Encoding::Identity),
            (Some("gzip;q=0"), Encoding::Identity),
            (Some(";;;,,,q=;=="), Encoding::Identity),
            (Some("x-gzip"), Encoding::Gzip),
        ];
        for (header, expected) in table {
            assert_eq!(negotiate(header), expected, "{header:?}");
        }
        let huge = format!("{}, br", "a".repeat(100_000));
        assert_eq!(
            negotiate(Some(&huge)),
            Encoding::Identity,
            "only the start of a huge header is read"
        );
    }

    #[test]
    fn bodies_are_compressed_once_and_round_trip() {
        let page = page("<p>مرحبا بالجميع</p>");
        let (gz, enc) = page.body(Encoding::Gzip);
        assert_eq!(enc, Encoding::Gzip);
        let mut text = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gz[..]), &mut text)
            .expect("gunzip");
        assert_eq!(text.as_bytes(), &page.body(Encoding::Identity).0[..]);
        let (br, enc) = page.body(Encoding::Brotli);
        assert_eq!(enc, Encoding::Brotli);
        assert!(br.len() < gz.len());
        assert_eq!(
            page.body(Encoding::Gzip).0.as_ptr(),
            gz.as_ptr(),
            "compressed once"
        );
    }

    #[test]
    fn a_change_drops_the_pages_that_depend_on_it_and_no_other() {
        let cache = PageCache::new(true, 1 << 20);
        cache.insert(
            0,
            "o",
            "home".into(),
            page("home"),
            vec![Dep::Chrome { site: 1 }, Dep::Sitemap { site: 1 }],
        );
        cache.insert(
            0,
            "o",
            "entry".into(),
            page("entry"),
            vec![Dep::Chrome { site: 1 }, Dep::Entry { id: 9 }],
        );
        cache.insert(
            0,
            "o",
            "other".into(),
            page("other"),
            vec![Dep::Chrome { site: 2 }],
        );
        assert_eq!(cache.invalidate(&[Dep::Entry { id: 9 }]), 1);
        assert!(cache.contains("home") && !cache.contains("entry") && cache.contains("other"));
        assert_eq!(cache.invalidate(&[Dep::Chrome { site: 1 }]), 1);
        assert!(!cache.contains("home") && cache.contains("other"));
        assert_eq!(cache.invalidate(&[Dep::All]), 1);
        assert_eq!(cache.stats().pages, 0);
        assert_eq!(cache.stats().bytes, 0);
    }

    #[test]
    fn the_byte_budget_evicts_the_least_recently_used() {
        let one = page("x").weight("k0");
        let cache = PageCache::new(true, one * 5);
        for i in 0..5 {
            cache.insert(
                0,
                "o",
                format!("k{i}"),
                page("x"),
                vec![Dep::Chrome { site: 1 }],
            );
        }
        cache.get("k0");
        cache.insert(
            0,
            "o",
            "k5".into(),
            page("x"),
            vec![Dep::Chrome { site: 1 }],
        );
        assert!(cache.contains("k0"), "recently read");
        assert!(!cache.contains("k1"), "least recently used goes first");
        let stats = cache.stats();
        assert!(stats.bytes <= one * 5 && stats.evictions == 1, "{stats:?}");
    }

    #[test]
    fn invented_origins_cannot_flood_the_cache() {
        let cache = PageCache::new(true, 1 << 30);
        for i in 0..1000 {
            cache.insert(
                0,
                &format!("http://h{i}"),
                format!("http://h{i}/"),
                page("x"),
                vec![Dep::Network],
            );
        }
        assert_eq!(cache.stats().pages, MAX_ORIGINS);
    }

    #[test]
    fn a_page_rendered_across_an_invalidation_is_not_kept() {
        let cache = PageCache::new(true, 1 << 20);
        let before = cache.generation();
        cache.invalidate(&[Dep::Entry { id: 1 }]);
        cache.insert(
            before,
            "o",
            "k".into(),
            page("old"),
            vec![Dep::Entry { id: 1 }],
        );
        assert!(!cache.contains("k"), "it may show what the change removed");
        cache.insert(
            cache.generation(),
            "o",
            "k".into(),
            page("new"),
            vec![Dep::Entry { id: 1 }],
        );
        assert!(cache.contains("k"));
    }

    #[test]
    fn a_disabled_cache_keeps_nothing() {
        let cache = PageCache::new(false, 1 << 20);
        cache.insert(0, "o", "k".into(), page("x"), vec![]);
        assert!(cache.get("k").is_none());
        assert_eq!(cache.stats().pages, 0);
    }
}
