//! The memory images take while they are processed, shared by the whole
//! pool: a 7000×7000 16-bit PNG of 0.4 MB decodes to 300 MB, so bounding
//! the number of images at once (by the cores) does not bound memory.
//! Each image reserves what it will take, as estimated from its header,
//! before any pixel is decoded, waits while the budget is taken by others,
//! and gives it back when done; an image that alone needs more than the
//! whole budget is refused.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};

/// Bytes of pixel memory shared by the images processed at once.
///
/// Clones share the same budget. Waiting is first come, first served: a
/// large image is not starved by a stream of small ones.
#[derive(Clone)]
pub struct MemoryBudget {
    shared: Arc<Shared>,
}

struct Shared {
    total: u64,
    state: Mutex<State>,
    freed: Condvar,
}

#[derive(Default)]
struct State {
    in_use: u64,
    /// The next ticket to hand out, and the ticket whose turn it is.
    next_ticket: u64,
    serving: u64,
    holders: usize,
    peak: u64,
    peak_holders: usize,
}

impl std::fmt::Debug for MemoryBudget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.lock();
        f.debug_struct("MemoryBudget")
            .field("total", &self.shared.total)
            .field("in_use", &state.in_use)
            .field("peak", &state.peak)
            .finish()
    }
}

impl MemoryBudget {
    /// A budget of `total` bytes.
    pub fn new(total: u64) -> Self {
        Self {
            shared: Arc::new(Shared {
                total,
                state: Mutex::new(State::default()),
                freed: Condvar::new(),
            }),
        }
    }

    /// The whole budget, in bytes.
    pub fn total(&self) -> u64 {
        self.shared.total
    }

    /// Bytes reserved now.
    pub fn in_use(&self) -> u64 {
        self.lock().in_use
    }

    /// The most bytes ever reserved at once.
    pub fn peak(&self) -> u64 {
        self.lock().peak
    }

    /// The most images ever holding a reservation at once.
    pub fn peak_images(&self) -> usize {
        self.lock().peak_holders
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The state stays consistent whatever panicked while holding it
        // (every change is a single assignment), so a poisoned lock is
        // used as it is.
        self.shared
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Reserves `bytes`, blocking the calling thread until they are free;
    /// `None` when they are more than the whole budget. The reservation is
    /// given back when the returned guard is dropped.
    pub(crate) fn reserve(&self, bytes: u64) -> Option<Reservation> {
        if bytes > self.shared.total {
            return None;
        }
        let mut state = self.lock();
        let ticket = state.next_ticket;
        state.next_ticket += 1;
        while state.serving != ticket || self.shared.total - state.in_use < bytes {
            state = self
                .shared
                .freed
                .wait(state)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        state.serving += 1;
        state.in_use += bytes;
        state.holders += 1;
        state.peak = state.peak.max(state.in_use);
        state.peak_holders = state.peak_holders.max(state.holders);
        drop(state);
        // The next in line may fit in what is left.
        self.shared.freed.notify_all();
        Some(Reservation {
            budget: self.clone(),
            bytes,
        })
    }
}

/// Bytes held from a [`MemoryBudget`] until dropped.
pub(crate) struct Reservation {
    budget: MemoryBudget,
    bytes: u64,
}

impl Drop for Reservation {
    fn drop(&mut self) {
        let mut state = self.budget.lock();
        state.in_use -= self.bytes;
        state.holders -= 1;
        drop(state);
        self.budget.shared.freed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn reservations_wait_in_turn_for_the_memory_they_need() {
        let budget = MemoryBudget::new(100);
        assert!(budget.reserve(101).is_none(), "more than the whole budget");
        let first = budget.reserve(70).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let waiting = {
            let budget = budget.clone();
            let tx = tx.clone();
            std::thread::spawn(move || {
                let r = budget.reserve(60).unwrap();
                tx.send("large").unwrap();
                drop(r);
            })
        };
        // The large one is in line: a small one that would fit waits behind it.
        std::thread::sleep(Duration::from_millis(50));
        let behind = {
            let budget = budget.clone();
            std::thread::spawn(move || {
                let r = budget.reserve(10).unwrap();
                tx.send("small").unwrap();
                drop(r);
            })
        };
        std::thread::sleep(Duration::from_millis(50));
        assert!(rx.try_recv().is_err(), "both wait while 70 are held");
        assert_eq!(budget.in_use(), 70);
        drop(first);
        let mut served = [rx.recv().unwrap(), rx.recv().unwrap()];
        served.sort_unstable();
        assert_eq!(served, ["large", "small"]);
        waiting.join().unwrap();
        behind.join().unwrap();
        assert_eq!(budget.in_use(), 0);
        assert!(budget.peak() <= 100);
    }
}
