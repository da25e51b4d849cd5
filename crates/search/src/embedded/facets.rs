//! Counts by kind and by site over every hit, read from fast columns.

use super::*;

/// Counts hits per kind and per site, from the fast fields.
pub(super) struct FacetCounter;

pub(super) struct SegmentFacets {
    kinds: Option<(StrColumn, Vec<u64>)>,
    sites: Option<(StrColumn, Vec<u64>)>,
}

pub(super) fn counter(
    reader: &SegmentReader,
    name: &str,
) -> tantivy::Result<Option<(StrColumn, Vec<u64>)>> {
    Ok(reader.fast_fields().str(name)?.map(|column| {
        let terms = column.dictionary().num_terms();
        (column, vec![0; terms])
    }))
}

impl Collector for FacetCounter {
    type Fruit = Facets;
    type Child = SegmentFacets;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentFacets> {
        Ok(SegmentFacets {
            kinds: counter(reader, "kind")?,
            sites: counter(reader, "site")?,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Facets>) -> tantivy::Result<Facets> {
        let mut all = Facets::default();
        for fruit in fruits {
            for (k, n) in fruit.kinds {
                *all.kinds.entry(k).or_default() += n;
            }
            for (s, n) in fruit.sites {
                *all.sites.entry(s).or_default() += n;
            }
        }
        Ok(all)
    }
}

pub(super) fn count_into(counts: &mut Option<(StrColumn, Vec<u64>)>, doc: DocId) {
    if let Some((column, counts)) = counts {
        for ord in column.term_ords(doc) {
            if let Some(n) = usize::try_from(ord).ok().and_then(|o| counts.get_mut(o)) {
                *n += 1;
            }
        }
    }
}

pub(super) fn harvest(counts: Option<(StrColumn, Vec<u64>)>) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    if let Some((column, counts)) = counts {
        for (ord, n) in counts.into_iter().enumerate().filter(|(_, n)| *n > 0) {
            let mut name = String::new();
            if matches!(column.ord_to_str(ord as u64, &mut name), Ok(true)) {
                out.insert(name, n);
            }
        }
    }
    out
}

impl SegmentCollector for SegmentFacets {
    type Fruit = Facets;

    fn collect(&mut self, doc: DocId, _: Score) {
        count_into(&mut self.kinds, doc);
        count_into(&mut self.sites, doc);
    }

    fn harvest(self) -> Facets {
        Facets {
            kinds: harvest(self.kinds),
            sites: harvest(self.sites),
        }
    }
}
