//! The lookup tables of the postings' passes, each made for one lookup per word: read with
//! about one cache miss or none, where a general `HashMap` reads its control bytes, then the
//! entry (and compares strings).

use super::{Forms, HashMap};

/// A well-mixed hash of a number, for the open-addressing tables here (the high bits of a
/// multiplication by the golden ratio, which every bit of the key changes).
pub(super) fn spread(key: u64) -> usize {
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 24) as usize
}

/// Not a key: an empty slot of [`PairTable`] (a pair's first number is never [`super::NONE`]).
pub(super) const EMPTY: u64 = u64::MAX;

/// Pairs of numbers (`first << 32 | second`) → a number, open addressing: a lookup reads one
/// slot, key and value side by side, where a `HashMap<u64, u32>` reads its control bytes,
/// then the entry (two cache misses in a table of a million pairs, the most frequent lookup
/// of both passes).
#[derive(Default)]
pub(super) struct PairTable {
    /// `(key, value)`, `key` [`EMPTY`] when the slot is empty; a power of two long, at
    /// most half full.
    slots: Vec<(u64, u32)>,
    len: usize,
}

impl PairTable {
    /// The slot of `key`, or the empty slot where it goes.
    pub(super) fn slot(&self, key: u64) -> usize {
        let mask = self.slots.len() - 1;
        let mut slot = spread(key) & mask;
        while self.slots[slot].0 != key && self.slots[slot].0 != EMPTY {
            slot = (slot + 1) & mask;
        }
        slot
    }

    pub(super) fn get(&self, key: u64) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        let (found, value) = self.slots[self.slot(key)];
        (found == key).then_some(value)
    }

    /// Adds `key`, which is not in the table yet.
    pub(super) fn insert(&mut self, key: u64, value: u32) {
        if 2 * (self.len + 1) > self.slots.len() {
            let size = (self.slots.len() * 2).max(1024);
            let old = std::mem::replace(&mut self.slots, vec![(EMPTY, 0); size]);
            for (key, value) in old.into_iter().filter(|slot| slot.0 != EMPTY) {
                let slot = self.slot(key);
                self.slots[slot] = (key, value);
            }
        }
        let slot = self.slot(key);
        self.slots[slot] = (key, value);
        self.len += 1;
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = (u64, u32)> + '_ {
        self.slots.iter().copied().filter(|slot| slot.0 != EMPTY)
    }
}

/// The two numbers of a pair as one key.
pub(super) fn pair_key(first: u32, second: u32) -> u64 {
    u64::from(first) << 32 | u64::from(second)
}

/// Words as written → their forms' numbers. Words of at most 16 bytes (nearly all: a
/// Vietnamese syllable is a few letters) are keyed by their bytes as one number, so a
/// lookup neither follows a pointer nor compares strings; words hold no NUL (not a word
/// character), so the zeros that pad a short word tell it from no other.
#[derive(Default)]
pub(super) struct Written {
    short: HashMap<u128, Forms>,
    long: HashMap<Box<str>, Forms>,
}

impl Written {
    pub(super) fn key(written: &str) -> Option<u128> {
        let bytes = written.as_bytes();
        (bytes.len() <= 16).then(|| {
            let mut key = [0u8; 16];
            key[..bytes.len()].copy_from_slice(bytes);
            u128::from_le_bytes(key)
        })
    }

    pub(super) fn get(&self, written: &str) -> Option<Forms> {
        match Self::key(written) {
            Some(key) => self.short.get(&key).copied(),
            None => self.long.get(written).copied(),
        }
    }

    pub(super) fn insert(&mut self, written: &str, forms: Forms) {
        match Self::key(written) {
            Some(key) => self.short.insert(key, forms),
            None => self.long.insert(written.into(), forms),
        };
    }

    /// Every word's forms, to renumber them.
    pub(super) fn forms_mut(&mut self) -> impl Iterator<Item = &mut Forms> {
        self.short.values_mut().chain(self.long.values_mut())
    }
}
