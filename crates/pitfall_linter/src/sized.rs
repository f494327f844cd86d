//! Vectors that live as long as the run, kept at the size of their items.
//! (`shrink_to_fit` frees less: mimalloc keeps a block that shrinks by less
//! than half in place. It is still the cheaper choice where a little slack
//! is fine, as it copies nothing then.)

/// `items` in an allocation of their size.
pub fn exact<T>(items: Vec<T>) -> Vec<T> {
    if items.len() == items.capacity() {
        return items;
    }
    let mut exact = Vec::with_capacity(items.len());
    exact.extend(items);
    exact
}

/// The items of a reused buffer, moved into an allocation of their size
/// (the buffer keeps its capacity for the next use).
pub fn take_exact<T>(buffer: &mut Vec<T>) -> Vec<T> {
    let mut exact = Vec::with_capacity(buffer.len());
    exact.append(buffer);
    exact
}

/// The items of a (filtered) iterator in a vector of exactly their number:
/// a collected `filter_map` would grow, and copy, its way there.
pub fn exactly<T>(items: impl Iterator<Item = T> + Clone) -> Vec<T> {
    let mut out = Vec::with_capacity(items.clone().count());
    out.extend(items);
    out
}
