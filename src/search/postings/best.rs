//! Which postings a common term keeps: its best documents, and the best of each group and
//! domain ([`keep_best`]), cut as postings come ([`Candidates`]) without losing what one cut
//! of all of them keeps.

use super::{Document, MAX_POSTINGS, MAX_POSTINGS_PER_FILTER};

/// The best [`MAX_POSTINGS`] of `scored`, plus the best [`MAX_POSTINGS_PER_FILTER`] of each
/// group and each domain; in document order. Best: higher value first (the flag counts, as
/// it does in ranking), ties by document. Cutting a part of the postings first changes
/// nothing: the best of all are among the best of any part holding them.
pub(super) fn keep_best(mut scored: Vec<(u32, u32)>, cut: &Cut) -> Vec<(u32, u32)> {
    if scored.len() <= MAX_POSTINGS {
        scored.sort_unstable_by_key(|p| p.0);
        return scored;
    }
    // higher value first, then lower document, as one number
    scored.sort_unstable_by_key(|&(id, value)| u64::from(!value) << 32 | u64::from(id));
    let mut kept = Vec::with_capacity(MAX_POSTINGS * 2);
    match cut.masks.as_deref() {
        // postings seen of each group and domain, by bit
        Some(masks) => {
            let mut seen = [0usize; 64];
            for (rank, posting) in scored.into_iter().enumerate() {
                let mut wanted = rank < MAX_POSTINGS;
                let mut mask = masks[posting.0 as usize];
                while mask != 0 {
                    let bit = mask.trailing_zeros() as usize;
                    if seen[bit] < MAX_POSTINGS_PER_FILTER {
                        seen[bit] += 1;
                        wanted = true;
                    }
                    mask &= mask - 1;
                }
                if wanted {
                    kept.push(posting);
                }
            }
        }
        None => {
            // postings seen of each group and each domain
            let (mut per_group, mut per_domain) = (Vec::<usize>::new(), Vec::<usize>::new());
            for (rank, posting) in scored.into_iter().enumerate() {
                let doc = &cut.docs[posting.0 as usize];
                let mut wanted = rank < MAX_POSTINGS;
                for (filters, counts) in [(&doc.groups, &mut per_group), (&doc.domains, &mut per_domain)] {
                    for &filter in filters {
                        if filter >= counts.len() {
                            counts.resize(filter + 1, 0);
                        }
                        let seen = &mut counts[filter];
                        if *seen < MAX_POSTINGS_PER_FILTER {
                            *seen += 1;
                            wanted = true;
                        }
                    }
                }
                if wanted {
                    kept.push(posting);
                }
            }
        }
    }
    kept.sort_unstable_by_key(|p| p.0);
    kept
}

/// What a common term's cut needs: the documents (their groups and domains), how many a
/// cut keeps at most, and each document's groups and domains as bits (group `i`: bit `i`,
/// domain `j`: bit `groups + j`; `None` when there are more than 64, or when a document
/// names one twice, which counts twice in [`keep_best`]).
pub(super) struct Cut<'a> {
    pub(super) docs: &'a [Document],
    pub(super) most: usize,
    pub(super) masks: Option<Vec<u64>>,
}

/// A common term's best postings so far in one run of documents: every posting until there
/// are twice as many as a cut keeps, then the cut ([`keep_best`]). After a cut, a posting
/// that ranks below everything kept is dropped at once when each group and domain of its
/// document has [`MAX_POSTINGS_PER_FILTER`] kept: it can enter no list, now or later (the
/// best [`MAX_POSTINGS`] are kept and rank above it, and so do its filters' best), and
/// nothing ranking below it needs it gone.
#[derive(Clone, Default)]
pub(super) struct Candidates {
    pub(super) postings: Vec<(u32, u32)>,
    /// The worst posting kept by the last cut, `(value, document)`.
    bar: Option<(u32, u32)>,
    /// The groups and domains (bits of [`Cut::masks`]) with their best all kept.
    full: u64,
}

impl Candidates {
    pub(super) fn add(&mut self, id: u32, value: u32, cut: &Cut) {
        if let (Some((bar, bar_id)), Some(masks)) = (self.bar, cut.masks.as_deref()) {
            let below = value < bar || (value == bar && id > bar_id);
            if below && masks[id as usize] & !self.full == 0 {
                return;
            }
        }
        self.postings.push((id, value));
        // (more than MAX_POSTINGS cut: those kept include the best MAX_POSTINGS)
        if self.postings.len() >= 2 * cut.most.max(MAX_POSTINGS) {
            self.postings = keep_best(std::mem::take(&mut self.postings), cut);
            let Some(masks) = cut.masks.as_deref() else { return };
            let mut kept = [0usize; 64];
            for &(id, _) in &self.postings {
                let mut mask = masks[id as usize];
                while mask != 0 {
                    kept[mask.trailing_zeros() as usize] += 1;
                    mask &= mask - 1;
                }
            }
            self.full =
                (0..64).filter(|&bit| kept[bit] >= MAX_POSTINGS_PER_FILTER).fold(0, |full, bit| full | 1 << bit);
            // the worst: the lowest value, then the last document
            self.bar =
                self.postings.iter().map(|&(id, value)| (value, id)).min_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn doc(groups: Vec<usize>, domains: Vec<usize>) -> Document {
        Document {
            key: 0,
            title: String::new(),
            path: String::new(),
            crumb: String::new(),
            summary: String::new(),
            headings: String::new(),
            body: String::new(),
            groups,
            domains,
        }
    }

    proptest! {
        /// A common term's postings cut as they come, in runs, keep what one cut of all of
        /// them keeps, and so does one list cut again with each run's: the same documents with the same values (ties included: values are
        /// drawn from a small range; most domains are rare, so that their best rank low).
        #[test]
        fn cutting_as_postings_come_keeps_what_one_cut_keeps(
            filters in prop::collection::vec((prop::collection::vec(0usize..3, 0..3), prop::collection::vec(prop_oneof![9 => 0usize..4, 1 => 4usize..20], 0..2)), 300..800),
            values in prop::collection::vec(1u32..30, 3200),
            runs in 1usize..4,
            real_most in any::<bool>(),
        ) {
            // with a build's cut, four times the documents, so that runs are cut several times
            let copies = if real_most { 4 } else { 1 };
            let docs: Vec<Document> = (0..copies).flat_map(|_| filters.iter()).map(|(g, d)| doc(g.clone(), d.clone())).collect();
            let all: Vec<(u32, u32)> = (0..docs.len() as u32).map(|id| (id, values[id as usize])).collect();
            let bits = |ids: &[usize], from: usize| ids.iter().fold(0u64, |m, &i| m | 1 << (from + i));
            let masks: Vec<u64> = docs.iter().map(|d| bits(&d.groups, 0) | bits(&d.domains, 3)).collect();
            // either what a build gives (a cut every 660 postings, 330 kept at most) or a cut
            // every 200 postings, far fewer than the 330 a cut may keep here
            let most = match real_most {
                true => MAX_POSTINGS + MAX_POSTINGS_PER_FILTER * (3 + 20),
                false => MAX_POSTINGS,
            };
            let cut = Cut { docs: &docs, most, masks: Some(masks) };
            let size = docs.len().div_ceil(runs);
            let mut found = Vec::new();
            for part in all.chunks(size) {
                let mut candidates = Candidates::default();
                for &(id, value) in part {
                    candidates.add(id, value, &cut);
                }
                found.extend(keep_best(candidates.postings, &cut));
            }
            prop_assert_eq!(keep_best(found, &cut), keep_best(all.clone(), &cut));
            // and so do the runs' candidates cut into one list as each run ends, whatever
            // order the runs end in (as `RunScores::finish` does)
            let mut kept = Vec::new();
            for part in all.chunks(size).rev() {
                let mut candidates = Candidates::default();
                for &(id, value) in part {
                    candidates.add(id, value, &cut);
                }
                kept.extend(candidates.postings);
                kept = keep_best(kept, &cut);
            }
            prop_assert_eq!(kept, keep_best(all.clone(), &cut));
            // the groups and domains read as bits keep what they keep read from the documents
            let by_documents = Cut { docs: &docs, most, masks: None };
            prop_assert_eq!(keep_best(all.clone(), &by_documents), keep_best(all, &cut));
        }
    }
}
