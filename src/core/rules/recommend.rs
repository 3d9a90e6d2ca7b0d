//! "Customers also bought", k-anonymously: for every pair of products, the number of distinct customers
//! who bought both; pairs shared by fewer than k customers are never published (one or two buyers of a
//! pair would tell who bought what).

use crate::core::rules::decision::{Facts, profiling_stopped};

/// Pair keys buffered before they are sorted into the counts: 8 MiB keys, 64 MiB. Bounds what the
/// refresh holds beyond the counts themselves.
const BUFFER: usize = 1 << 23;

/// Counts pairs customer by customer. Holds the counts as two sorted arrays (12 bytes per distinct pair,
/// against 20 to 40 in a hash map that also doubles while it grows), a bounded buffer of new pair keys and
/// one customer's products.
#[derive(Debug, Default)]
pub struct PairCounter {
    keys: Vec<u64>,
    counts: Vec<u32>,
    pending: Vec<u64>,
    current: Vec<u32>,
    pub customers: u64,
}

fn key(a: u32, b: u32) -> u64 {
    (u64::from(a) << 32) | u64::from(b)
}

impl PairCounter {
    /// A product the current customer bought (any order, any quantity).
    pub fn bought(&mut self, product: u32) {
        self.current.push(product);
    }

    /// Ends the current customer: each pair of their distinct products counts once.
    pub fn next_customer(&mut self) {
        if self.current.is_empty() {
            return;
        }
        let mut products = std::mem::take(&mut self.current);
        products.sort_unstable();
        products.dedup();
        self.customers += 1;
        for (i, &a) in products.iter().enumerate() {
            for &b in &products[i + 1..] {
                if self.pending.len() >= BUFFER {
                    self.flush();
                }
                self.pending.push(key(a, b));
            }
        }
        products.clear();
        self.current = products;
    }

    /// Forgets the current customer's products (an excluded customer).
    pub fn skip_customer(&mut self) {
        self.current.clear();
    }

    /// Sorts the buffered keys, counts their runs and merges them into the counts in place.
    fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        self.pending.sort_unstable();
        // Runs of equal keys, compacted at the front of `pending`.
        let mut run_counts: Vec<u32> = Vec::new();
        let mut runs = 0;
        for i in 0..self.pending.len() {
            if runs > 0 && self.pending[runs - 1] == self.pending[i] {
                run_counts[runs - 1] += 1;
            } else {
                self.pending[runs] = self.pending[i];
                run_counts.push(1);
                runs += 1;
            }
        }
        self.pending.truncate(runs);
        if self.keys.is_empty() {
            std::mem::swap(&mut self.keys, &mut self.pending);
            self.counts = run_counts;
            return;
        }
        // Merge from the back into the grown arrays: the write position never passes unread counts.
        let (old, new) = (self.keys.len(), runs);
        let shared = {
            let (mut i, mut j, mut n) = (0, 0, 0);
            while i < old && j < new {
                match self.keys[i].cmp(&self.pending[j]) {
                    std::cmp::Ordering::Less => i += 1,
                    std::cmp::Ordering::Greater => j += 1,
                    std::cmp::Ordering::Equal => {
                        n += 1;
                        i += 1;
                        j += 1;
                    }
                }
            }
            n
        };
        let total = old + new - shared;
        self.keys.resize(total, 0);
        self.counts.resize(total, 0);
        let (mut i, mut j, mut w) = (old, new, total);
        while j > 0 {
            w -= 1;
            if i > 0 && self.keys[i - 1] > self.pending[j - 1] {
                i -= 1;
                self.keys[w] = self.keys[i];
                self.counts[w] = self.counts[i];
            } else if i > 0 && self.keys[i - 1] == self.pending[j - 1] {
                i -= 1;
                j -= 1;
                self.keys[w] = self.keys[i];
                self.counts[w] = self.counts[i].saturating_add(run_counts[j]);
            } else {
                j -= 1;
                self.keys[w] = self.pending[j];
                self.counts[w] = run_counts[j];
            }
        }
        self.pending.clear();
    }

    /// The pairs shared by at least `min` customers (a < b), and how many pairs were dropped.
    pub fn finish(mut self, min: u32) -> (Vec<(u32, u32, u32)>, u64) {
        self.next_customer();
        self.flush();
        let total = self.keys.len() as u64;
        let kept: Vec<(u32, u32, u32)> = self
            .keys
            .iter()
            .zip(&self.counts)
            .filter(|&(_, &n)| n >= min)
            .map(|(&k, &n)| ((k >> 32) as u32, k as u32, n))
            .collect();
        let dropped = total - kept.len() as u64;
        (kept, dropped)
    }
}

/// Whether a customer's purchases are left out of the counts: the decision's own objection rule for
/// the type `personalisation` (suppressed, objected to all mail or to personalisation, with no newer
/// consent in force that lifts the objection), or restricted (Art. 18 GDPR).
pub fn left_out(facts: &Facts) -> bool {
    profiling_stopped(facts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_distinct_customers_per_pair() {
        let mut c = PairCounter::default();
        for products in [&[1, 2, 3, 2][..], &[2, 1], &[3], &[1, 2]] {
            for &p in products {
                c.bought(p);
            }
            c.next_customer();
        }
        c.bought(9);
        c.bought(1);
        c.skip_customer();
        let (mut kept, dropped) = c.finish(2);
        kept.sort();
        assert_eq!(kept, vec![(1, 2, 3)]);
        assert_eq!(dropped, 2, "(1,3) and (2,3) have one customer each");
    }

    /// Counts merged over many flushes equal a plain count.
    #[test]
    fn flushes_merge_like_one_count() {
        let mut c = PairCounter::default();
        let mut plain: std::collections::HashMap<(u32, u32), u32> =
            std::collections::HashMap::new();
        let mut seed = 7u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as u32
        };
        for customer in 0..3000 {
            let mut products: Vec<u32> = (0..1 + next() % 6).map(|_| 1 + next() % 40).collect();
            for &p in &products {
                c.bought(p);
            }
            c.next_customer();
            products.sort_unstable();
            products.dedup();
            for (i, &a) in products.iter().enumerate() {
                for &b in &products[i + 1..] {
                    *plain.entry((a, b)).or_insert(0) += 1;
                }
            }
            if customer % 97 == 0 {
                c.flush(); // merges into counts already there
            }
        }
        let (mut kept, dropped) = c.finish(1);
        kept.sort_unstable();
        let mut expected: Vec<(u32, u32, u32)> =
            plain.into_iter().map(|((a, b), n)| (a, b, n)).collect();
        expected.sort_unstable();
        assert_eq!(kept, expected);
        assert_eq!(dropped, 0);
    }
}
