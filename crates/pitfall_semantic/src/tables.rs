//! The index's two lookup tables, open addressing over flat arrays: every
//! read and binding of the file goes through them once, and every name
//! lookup of the rules and summaries once per scope it climbs.
//!
//! - [`NameTable`]: a name's text → its [`NameId`]. Most identifiers are at
//!   most 16 bytes: two overlapping 8-byte words and the length identify
//!   them, so a probe compares three integers (longer names compare their
//!   text too).
//! - [`SymbolTable`]: `(scope, name)` → the scope's symbol of that name.
//!
//! Both compare as their contents in insertion order (the slot layout
//! depends on the capacity, which equal indexes need not share).

use ruff_python_ast::name::Name;

use crate::index::{NameId, ScopeId, SymbolId};

/// A name's text folded into integers: equal keys of names of at most 16
/// bytes mean equal text.
#[derive(Copy, Clone, Debug)]
struct Key {
    first: u64,
    last: u64,
    /// The length, and the hash's upper half above it.
    len_and_tag: u64,
}

impl Key {
    /// All three words at once, without a branch per field.
    #[inline]
    fn same(&self, other: &Key) -> bool {
        ((self.first ^ other.first)
            | (self.last ^ other.last)
            | (self.len_and_tag ^ other.len_and_tag))
            == 0
    }
}

const INLINE: usize = 16;

/// Multiplies and folds the 128-bit product (as in wyhash): one `mul`.
#[inline]
fn fold(a: u64, b: u64) -> u64 {
    let product = u128::from(a) * u128::from(b);
    (product as u64) ^ ((product >> 64) as u64)
}

#[inline]
fn key_of(text: &str) -> (Key, u64) {
    let bytes = text.as_bytes();
    let len = bytes.len();
    let (first, last, middle) = if let (Some(first), Some(last)) =
        (bytes.first_chunk::<8>(), bytes.last_chunk::<8>())
    {
        let middle = if len > INLINE {
            bytes[len / 2 - 4..]
                .first_chunk::<8>()
                .map_or(0, |middle| u64::from_le_bytes(*middle))
        } else {
            0
        };
        (
            u64::from_le_bytes(*first),
            u64::from_le_bytes(*last),
            middle,
        )
    } else if let (Some(first), Some(last)) = (bytes.first_chunk::<4>(), bytes.last_chunk::<4>()) {
        (
            u64::from(u32::from_le_bytes(*first)),
            u64::from(u32::from_le_bytes(*last)),
            0,
        )
    } else if len > 0 {
        let packed =
            u64::from(bytes[0]) | u64::from(bytes[len / 2]) << 8 | u64::from(bytes[len - 1]) << 16;
        (packed, 0, 0)
    } else {
        (0, 0, 0)
    };
    let hash = fold(
        first ^ 0x243f_6a88_85a3_08d3,
        last ^ middle.rotate_left(29) ^ (len as u64) ^ 0x1319_8a2e_0370_7344,
    );
    let key = Key {
        first,
        last,
        len_and_tag: (hash & !0xffff_ffff) | len as u32 as u64,
    };
    (key, hash)
}

/// Whether two texts of the same length (their keys matched) are equal.
/// Long names that the parser shares point at the same bytes, and a
/// lookup's name is most often one of the index's own.
#[inline]
fn same_long_text(stored: &str, text: &str) -> bool {
    std::ptr::eq(stored.as_ptr(), text.as_ptr()) || stored == text
}

/// Power-of-two slot counts at least twice `entries`.
fn slots_for(entries: usize) -> usize {
    (entries.max(4) * 2).next_power_of_two()
}

/// Every distinct name of a file, each with its [`NameId`] (dense, in
/// order of first occurrence).
#[derive(Clone, Debug, Default)]
pub(crate) struct NameTable {
    names: Vec<Name>,
    entries: Vec<Entry>,
    /// `id + 1` of the name in each slot, 0 for an empty slot.
    slots: Vec<u32>,
}

/// A name's key and, while the index is built, the scope and symbol the
/// name was last resolved to: the probe that finds the key finds the
/// cache in the same cache line.
#[derive(Copy, Clone, Debug)]
struct Entry {
    key: Key,
    recent: Recent,
}

/// The builder's cache of one name: `(scope, symbol)` of its last read or
/// binding, [`Recent::NONE`] before its first.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) struct Recent {
    pub(crate) scope: ScopeId,
    pub(crate) symbol: SymbolId,
}

impl Recent {
    pub(crate) const NONE: Recent = Recent {
        scope: ScopeId(u32::MAX),
        symbol: SymbolId(u32::MAX),
    };
}

impl NameTable {
    pub(crate) fn with_capacity(names: usize) -> NameTable {
        NameTable {
            names: Vec::with_capacity(names),
            entries: Vec::with_capacity(names),
            slots: vec![0; slots_for(names)],
        }
    }

    #[inline]
    pub(crate) fn get(&self, text: &str) -> Option<NameId> {
        if self.slots.is_empty() {
            return None;
        }
        let (key, hash) = key_of(text);
        let mask = self.slots.len() - 1;
        let mut at = hash as usize & mask;
        loop {
            let slot = self.slots[at];
            if slot == 0 {
                return None;
            }
            let id = slot as usize - 1;
            if self.entries[id].key.same(&key)
                && (text.len() <= INLINE || same_long_text(self.names[id].as_str(), text))
            {
                return Some(NameId(slot - 1));
            }
            at = (at + 1) & mask;
        }
    }

    /// The name's id and its builder cache ([`Recent::NONE`] for a new name).
    #[inline]
    pub(crate) fn intern(&mut self, name: &Name) -> (NameId, &mut Recent) {
        let text = name.as_str();
        let (key, hash) = key_of(text);
        let mut mask = self.slots.len().wrapping_sub(1);
        let mut at = hash as usize & mask;
        // An empty table has no slot to probe: straight to growing.
        while let Some(&slot) = self.slots.get(at) {
            if slot == 0 {
                break;
            }
            let id = slot as usize - 1;
            // Long names: the parser shares one allocation between equal
            // names, which `Name`'s equality compares first.
            if self.entries[id].key.same(&key) && (text.len() <= INLINE || self.names[id] == *name)
            {
                return (NameId(slot - 1), &mut self.entries[id].recent);
            }
            at = (at + 1) & mask;
        }
        // A new name: the table grows (only) before an insertion.
        if self.slots.len() < (self.names.len() + 1) * 2 {
            self.grow();
            mask = self.slots.len() - 1;
            at = hash as usize & mask;
            while self.slots[at] != 0 {
                at = (at + 1) & mask;
            }
        }
        let id = self.names.len() as u32;
        self.slots[at] = id + 1;
        self.names.push(name.clone());
        self.entries.push(Entry {
            key,
            recent: Recent::NONE,
        });
        (NameId(id), &mut self.entries[id as usize].recent)
    }

    #[cold]
    fn grow(&mut self) {
        let mut slots = vec![0u32; slots_for(self.names.len() + 1)];
        let mask = slots.len() - 1;
        for (id, entry) in self.entries.iter().enumerate() {
            let (_, hash) = key_of(self.names[id].as_str());
            debug_assert_eq!(hash >> 32, entry.key.len_and_tag >> 32);
            let mut at = hash as usize & mask;
            while slots[at] != 0 {
                at = (at + 1) & mask;
            }
            slots[at] = id as u32 + 1;
        }
        self.slots = slots;
    }
}

impl PartialEq for NameTable {
    fn eq(&self, other: &Self) -> bool {
        self.names == other.names
    }
}

impl Eq for NameTable {}

/// `(scope, name)` → symbol. A pure function of the index's symbols (each
/// has one scope and one name), so it compares equal whenever they do.
#[derive(Clone, Debug, Default)]
pub(crate) struct SymbolTable {
    /// Per symbol, in id order: its `(scope, name)` as one integer.
    keys: Vec<u64>,
    /// `symbol + 1` in each slot, 0 for an empty slot: four bytes a slot,
    /// since the table is cleared for every file.
    slots: Vec<u32>,
}

#[inline]
fn symbol_key(scope: ScopeId, name: NameId) -> u64 {
    u64::from(scope.0) << 32 | u64::from(name.0)
}

#[inline]
fn symbol_hash(key: u64) -> usize {
    fold(key ^ 0xa409_3822_299f_31d0, 0x082e_fa98_ec4e_6c89) as usize
}

impl SymbolTable {
    pub(crate) fn with_capacity(symbols: usize) -> SymbolTable {
        SymbolTable {
            keys: Vec::with_capacity(symbols),
            slots: vec![0; slots_for(symbols)],
        }
    }

    #[inline]
    pub(crate) fn get(&self, scope: ScopeId, name: NameId) -> Option<SymbolId> {
        if self.slots.is_empty() {
            return None;
        }
        let key = symbol_key(scope, name);
        let mask = self.slots.len() - 1;
        let mut at = symbol_hash(key) & mask;
        loop {
            match self.slots[at] {
                0 => return None,
                slot if self.keys[slot as usize - 1] == key => return Some(SymbolId(slot - 1)),
                _ => at = (at + 1) & mask,
            }
        }
    }

    /// The name of a symbol (the low half of its key).
    #[inline]
    pub(crate) fn name_of(&self, symbol: SymbolId) -> NameId {
        NameId(self.keys[symbol.index()] as u32)
    }

    /// The symbol of `(scope, name)`, or a new one (the next id) when
    /// there is none, and whether it is new.
    #[inline]
    pub(crate) fn get_or_insert(&mut self, scope: ScopeId, name: NameId) -> (SymbolId, bool) {
        let key = symbol_key(scope, name);
        let mut mask = self.slots.len().wrapping_sub(1);
        let mut at = symbol_hash(key) & mask;
        while let Some(&slot) = self.slots.get(at) {
            if slot == 0 {
                break;
            }
            if self.keys[slot as usize - 1] == key {
                return (SymbolId(slot - 1), false);
            }
            at = (at + 1) & mask;
        }
        // Growing only before an insertion.
        if self.slots.len() < (self.keys.len() + 1) * 2 {
            self.grow();
            mask = self.slots.len() - 1;
            at = symbol_hash(key) & mask;
            while self.slots[at] != 0 {
                at = (at + 1) & mask;
            }
        }
        let id = self.keys.len() as u32;
        self.slots[at] = id + 1;
        self.keys.push(key);
        (SymbolId(id), true)
    }

    #[cold]
    fn grow(&mut self) {
        let mut slots = vec![0u32; slots_for(self.keys.len() + 1)];
        let mask = slots.len() - 1;
        for (id, &key) in self.keys.iter().enumerate() {
            let mut at = symbol_hash(key) & mask;
            while slots[at] != 0 {
                at = (at + 1) & mask;
            }
            slots[at] = id as u32 + 1;
        }
        self.slots = slots;
    }
}

impl PartialEq for SymbolTable {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for SymbolTable {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_every_length_and_collisions_of_long_ones() {
        let mut table = NameTable::with_capacity(0);
        let mut texts: Vec<String> = (0..40).map(|n| "x".repeat(n)).collect();
        texts.extend((0..200).map(|n| format!("name_{n}")));
        // Same first and last eight bytes and length, different middles.
        texts.extend((0..50).map(|n| format!("prefix__{n:04}__suffix")));
        texts.push("é".into());
        texts.push("名前".into());
        for (i, text) in texts.iter().enumerate() {
            let (id, recent) = table.intern(&Name::new(text));
            assert_eq!((id, *recent), (NameId(i as u32), Recent::NONE), "{text:?}");
            recent.scope = ScopeId(i as u32);
        }
        for (i, text) in texts.iter().enumerate() {
            assert_eq!(table.get(text), Some(NameId(i as u32)), "{text:?}");
            let (id, recent) = table.intern(&Name::new(text));
            assert_eq!((id, recent.scope), (NameId(i as u32), ScopeId(i as u32)));
        }
        for absent in ["name_200", "prefix__0050__suffix", "xy", "x ", "é "] {
            assert_eq!(table.get(absent), None, "{absent:?}");
        }
    }

    #[test]
    fn symbols_by_scope_and_name() {
        let mut table = SymbolTable::with_capacity(0);
        let mut next = 0;
        for scope in 0..50 {
            for name in 0..30 {
                let new = (SymbolId(next), true);
                assert_eq!(table.get_or_insert(ScopeId(scope), NameId(name)), new);
                next += 1;
            }
        }
        let mut expected = 0;
        for scope in 0..50 {
            for name in 0..30 {
                let id = SymbolId(expected);
                assert_eq!(table.get(ScopeId(scope), NameId(name)), Some(id));
                assert_eq!(
                    table.get_or_insert(ScopeId(scope), NameId(name)),
                    (id, false)
                );
                expected += 1;
            }
        }
        assert_eq!(table.get(ScopeId(50), NameId(0)), None);
        assert_eq!(table.get(ScopeId(0), NameId(30)), None);
    }
}
