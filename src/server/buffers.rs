//! Large message buffers, kept for reuse.
//!
//! A large result is written into a buffer on a pool thread and freed on a transport thread once the socket
//! has taken it. With glibc, each such free trims the pool thread's heap (or unmaps the block), so the next
//! large result faults every page of a fresh buffer in again: for a 100 KB text that was a third of the
//! server's CPU per call. The transport hands a large buffer back here instead ([`into_bytes`]), and the
//! writer of the next one takes it ([`take`]). Small buffers are left to the allocator; what is kept is
//! bounded in count and bytes.

use std::sync::Mutex;

use bytes::Bytes;

/// Buffers smaller than this are ordinary allocations.
pub const MIN_KEPT: usize = 64 * 1024;
/// A larger buffer is freed, not kept.
const MAX_EACH: usize = 8 << 20;
/// At most this many buffers, and this many bytes in all, wait for reuse.
const MAX_COUNT: usize = 8;
const MAX_TOTAL: usize = 16 << 20;

static KEPT: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());

/// An empty buffer with room for `capacity` bytes: a kept one when one is large enough (the smallest such).
pub fn take(capacity: usize) -> Vec<u8> {
    if capacity >= MIN_KEPT {
        let mut kept = KEPT.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let best = kept
            .iter()
            .enumerate()
            .filter(|(_, b)| b.capacity() >= capacity)
            .min_by_key(|(_, b)| b.capacity())
            .map(|(i, _)| i);
        if let Some(i) = best {
            return kept.swap_remove(i);
        }
    }
    Vec::with_capacity(capacity)
}

/// The message as `Bytes`; a large buffer returns to the keep when the last of its `Bytes` is dropped.
pub fn into_bytes(buffer: Vec<u8>) -> Bytes {
    if (MIN_KEPT..=MAX_EACH).contains(&buffer.capacity()) {
        Bytes::from_owner(Returned(buffer))
    } else {
        Bytes::from(buffer)
    }
}

struct Returned(Vec<u8>);

impl AsRef<[u8]> for Returned {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl Drop for Returned {
    fn drop(&mut self) {
        let mut buffer = std::mem::take(&mut self.0);
        buffer.clear();
        let mut kept = KEPT.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let total: usize = kept.iter().map(Vec::capacity).sum();
        if kept.len() < MAX_COUNT && total + buffer.capacity() <= MAX_TOTAL {
            kept.push(buffer);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // One test: the keep is process-wide.
    #[test]
    fn large_buffers_come_back_and_small_ones_do_not() {
        let mut big = take(100_000);
        big.resize(100_000, 7);
        let ptr = big.as_ptr();
        let bytes = into_bytes(big);
        let copy = bytes.clone();
        assert_eq!(&bytes[..3], &[7, 7, 7]);
        drop(bytes);
        // Still shared: not back yet.
        let other = take(100_000);
        assert_ne!(other.as_ptr(), ptr);
        drop(other);
        drop(copy);
        let again = take(90_000);
        assert_eq!(again.as_ptr(), ptr);
        assert!(again.is_empty() && again.capacity() >= 100_000);

        let small = into_bytes(vec![1; 10]);
        assert_eq!(&small[..], &[1; 10]);

        // Bounded in count.
        let many: Vec<Bytes> = (0..MAX_COUNT + 4).map(|_| into_bytes(take(MIN_KEPT))).collect();
        drop(many);
        assert!(KEPT.lock().unwrap().len() <= MAX_COUNT);
        assert!(KEPT.lock().unwrap().iter().map(Vec::capacity).sum::<usize>() <= MAX_TOTAL);
    }
}
