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

/// Origins (scheme and host) whose pages are kept at once: a client
/// inventing Host headers gets rendered pages, not a flooded cache.
const MAX_ORIGINS: usize = 64;

/// The scheme and host of an origin key (`scheme://host/prefix`): the sites
/// of a one-domain deployment are one origin, not one each.
fn scheme_and_host(origin: &str) -> &str {
    let host_start = origin.find("://").map_or(0, |i| i + 3);
    match origin[host_start..].find('/') {
        Some(i) => &origin[..host_start + i],
        None => origin,
    }
}

/// The origins whose pages are kept, each with the keys of its pages, in
/// two least-recently-used lists. An origin enters `new`; once one of its
/// pages is served from the cache it moves to `proven`. When a new origin
/// needs room, the oldest of `new` goes first, with its pages, and only
/// when `new` is empty the least recently used of `proven`. So hosts that
/// are asked for once each (invented ones) only push each other out, and a
/// real origin is never locked out: it takes the place of an old one.
struct Origins {
    new: LruCache<String, HashSet<String>>,
    proven: LruCache<String, HashSet<String>>,
}

impl Origins {
    fn new() -> Origins {
        Origins {
            new: LruCache::unbounded(),
            proven: LruCache::unbounded(),
        }
    }

    /// Makes `origin` the most recently used, adding it if need be; returns
    /// the keys of the pages of the origin that made room for it.
    fn admit(&mut self, origin: &str) -> Option<HashSet<String>> {
        if self.proven.get(origin).is_some() || self.new.get(origin).is_some() {
            return None;
        }
        let evicted = if self.len() >= MAX_ORIGINS {
            self.new
                .pop_lru()
                .or_else(|| self.proven.pop_lru())
                .map(|(_, keys)| keys)
        } else {
            None
        };
        self.new.put(origin.to_owned(), HashSet::new());
        evicted
    }

    /// One of the origin's pages was served from the cache.
    fn hit(&mut self, origin: &str) {
        if self.proven.get(origin).is_none() {
            if let Some(keys) = self.new.pop(origin) {
                self.proven.put(origin.to_owned(), keys);
            }
        }
    }

    fn keys_mut(&mut self, origin: &str) -> Option<&mut HashSet<String>> {
        match self.proven.peek_mut(origin) {
            Some(keys) => Some(keys),
            None => self.new.peek_mut(origin),
        }
    }

    fn len(&self) -> usize {
        self.new.len() + self.proven.len()
    }
}

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
    /// Its scheme and host, as `Origins` knows them.
    origin: String,
}

struct Inner {
    pages: LruCache<String, Slot>,
    by_dep: HashMap<Dep, HashSet<String>>,
    origins: Origins,
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
        if let Some(keys) = self.origins.keys_mut(&slot.origin) {
            keys.remove(key);
        }
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
                origins: Origins::new(),
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
        let mut guard = self.lock();
        let Inner { pages, origins, .. } = &mut *guard;
        let found = pages.get(key).map(|slot| {
            origins.hit(&slot.origin);
            Arc::clone(&slot.page)
        });
        drop(guard);
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

    /// Keeps `page` under `key` until a change touches one of `deps`, the
    /// byte budget needs the room, or its origin (`scheme://host/prefix`)
    /// makes room for others (see `Origins`). A page larger than a quarter
    /// of the budget is simply not kept.
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
        let origin = scheme_and_host(origin);
        if let Some(keys) = inner.origins.admit(origin) {
            for old_key in keys {
                if inner.remove(&old_key) {
                    self.evictions.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        inner.remove(&key);
        if let Some(keys) = inner.origins.keys_mut(origin) {
            keys.insert(key.clone());
        }
        for dep in &deps {
            inner
                .by_dep
                .entry(dep.clone())
                .or_default()
                .insert(key.clone());
        }
        inner.bytes += weight;
        inner.pages.put(
            key,
            Slot {
                page,
                deps,
                weight,
                origin: origin.to_owned(),
            },
        );
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
            let Origins { new, proven } = &mut inner.origins;
            for (_, keys) in new.iter_mut().chain(proven.iter_mut()) {
                keys.clear();
            }
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

    fn insert_home(cache: &PageCache, origin: &str) {
        cache.insert(
            cache.generation(),
            origin,
            format!("{origin}|/|1"),
            page("home"),
            vec![Dep::Chrome { site: 1 }],
        );
    }

    #[test]
    fn real_sites_stay_cached_whatever_the_number_of_invented_hosts() {
        let cache = PageCache::new(true, 1 << 30);
        let flood = |from: usize, count: usize| {
            for i in from..from + count {
                insert_home(&cache, &format!("http://h{i}.invalid"));
            }
        };
        // A new site, a new host or a restart after the flood: its page is
        // kept, and the second request is served from the cache.
        flood(0, 1000);
        insert_home(&cache, "https://rabat.example");
        assert!(cache.get("https://rabat.example|/|1").is_some());
        // A site that readers keep reading is never pushed out.
        for i in 0..100 {
            flood(1000 + i * 10, 10);
            assert!(
                cache.get("https://rabat.example|/|1").is_some(),
                "after {} more invented hosts",
                (i + 1) * 10
            );
        }
        assert!(cache.stats().pages <= MAX_ORIGINS, "{:?}", cache.stats());
    }

    #[test]
    fn the_sites_of_a_one_domain_deployment_are_one_origin() {
        let cache = PageCache::new(true, 1 << 30);
        for i in 0..200 {
            insert_home(&cache, &format!("https://tawasul.example/dp-{i}"));
        }
        assert_eq!(cache.stats().pages, 200);
        assert!(cache.contains("https://tawasul.example/dp-199|/|1"));
    }

    #[test]
    fn an_origin_is_its_scheme_and_host() {
        let table = [
            (
                "https://tawasul.example/dp-rabat",
                "https://tawasul.example",
            ),
            ("https://tawasul.example", "https://tawasul.example"),
            ("http://127.0.0.1:8080/dp-rabat", "http://127.0.0.1:8080"),
            ("http://[::1]:8080", "http://[::1]:8080"),
            ("o", "o"),
        ];
        for (origin, expected) in table {
            assert_eq!(scheme_and_host(origin), expected, "{origin}");
        }
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
