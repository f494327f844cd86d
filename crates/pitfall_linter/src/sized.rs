//! Vectors that live as long as the run, kept at the size of their items.

/// `items` in an allocation of their size. (`shrink_to_fit` would not do:
/// mimalloc keeps a block that shrinks by less than half in place.)
pub fn exact<T>(items: Vec<T>) -> Vec<T> {
    if items.len() == items.capacity() {
        return items;
    }
    let mut exact = Vec::with_capacity(items.len());
    exact.extend(items);
    exact
}
