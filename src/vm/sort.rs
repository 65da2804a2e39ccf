//! One stable sort shared by the cold paths (state export, views, diffs, the network's
//! schedule): `slice::sort_by` is instantiated anew for every element type and comparator,
//! about 9 KB of wasm each, so paths that run once per export or per report sort a
//! permutation of indices through this single instantiation instead. Hot paths (`pairs`
//! order, JSON encoding) keep their own `sort_by`.

use std::cmp::Ordering;

/// Sorts `v` stably by `cmp` (same result as `v.sort_by(cmp)`).
pub fn sort_by<T>(v: &mut Vec<T>, mut cmp: impl FnMut(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    let mut order: Vec<usize> = (0..v.len()).collect();
    {
        let items: &[T] = v;
        sort_indices(&mut order, &mut |a, b| cmp(&items[a], &items[b]));
    }
    let mut slots: Vec<Option<T>> = v.drain(..).map(Some).collect();
    v.extend(
        order
            .into_iter()
            .filter_map(|i| slots.get_mut(i).and_then(Option::take)),
    );
}

/// Sorts `v` stably by the key `f` gives (same result as `v.sort_by_key(f)`).
pub fn sort_by_key<T, K: Ord>(v: &mut Vec<T>, mut f: impl FnMut(&T) -> K) {
    sort_by(v, |a, b| f(a).cmp(&f(b)));
}

#[inline(never)]
fn sort_indices(order: &mut [usize], cmp: &mut dyn FnMut(usize, usize) -> Ordering) {
    order.sort_by(|&a, &b| cmp(a, b));
}

#[cfg(test)]
mod tests {
    #[test]
    fn sorts_stably_like_the_standard_sort() {
        let mut seed = 7u64;
        for len in [0usize, 1, 2, 3, 10, 100, 1000] {
            let mut v: Vec<(u8, usize)> = (0..len)
                .map(|i| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    ((seed >> 60) as u8, i)
                })
                .collect();
            let mut expected = v.clone();
            expected.sort_by_key(|a| a.0);
            super::sort_by(&mut v, |a, b| a.0.cmp(&b.0));
            assert_eq!(v, expected);
            super::sort_by_key(&mut v, |a| std::cmp::Reverse(a.1));
            expected.sort_by_key(|a| std::cmp::Reverse(a.1));
            assert_eq!(v, expected);
        }
    }
}
