//! Password hashing for every route that hashes (registration, sign-in,
//! password change, reset links, account deletion), bounded: at most one
//! hash per core runs at once, each in one of a fixed set of reused 19 MiB
//! buffers, and only a short line may wait. Beyond that the answer is
//! [`Busy`], which handlers turn into a polite 503 with the form kept.
//! Measured from outside before this: 80 parallel registrations took the
//! server from 57 MB to 1.58 GB.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::Semaphore;

use crate::domain::password_hash::{self, Memory};

/// Too many passwords are being checked right now; nothing was done.
#[derive(Debug, thiserror::Error)]
#[error("password hashing is busy")]
pub struct Busy;

/// Why a hash could not be made.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error(transparent)]
    Busy(#[from] Busy),
    #[error("password hashing failed: {0}")]
    Failed(String),
}

pub struct Hashing {
    slots: Arc<Semaphore>,
    /// Buffers not in use; at most one per slot is ever made.
    memories: Arc<Mutex<Vec<Memory>>>,
    waiting: Arc<AtomicUsize>,
    queue: usize,
}

/// Counts a request in the waiting line while it waits (also when the
/// request is dropped before its turn).
struct InLine(Arc<AtomicUsize>);

impl Drop for InLine {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Hashing {
    /// `slots` hashes at once, and at most `queue` more waiting.
    pub fn new(slots: usize, queue: usize) -> Hashing {
        Hashing {
            slots: Arc::new(Semaphore::new(slots.max(1))),
            memories: Arc::new(Mutex::new(Vec::new())),
            waiting: Arc::new(AtomicUsize::new(0)),
            queue,
        }
    }

    /// One slot per core, and a line twice as long.
    pub fn for_this_machine() -> Hashing {
        let cores = std::thread::available_parallelism().map(std::num::NonZero::get).unwrap_or(2);
        Hashing::new(cores, 2 * cores)
    }

    /// Runs `job` on a blocking thread with a slot and a buffer. The slot
    /// is held until the job ends, even when the request is gone by then.
    async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Memory) -> T + Send + 'static,
    ) -> Result<T, Busy> {
        let permit = match self.slots.clone().try_acquire_owned() {
            Ok(p) => p,
            Err(_) => {
                if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.queue {
                    self.waiting.fetch_sub(1, Ordering::SeqCst);
                    return Err(Busy);
                }
                let _in_line = InLine(self.waiting.clone());
                self.slots.clone().acquire_owned().await.map_err(|_| Busy)?
            }
        };
        let memories = self.memories.clone();
        let task = tokio::task::spawn_blocking(move || {
            let take = || memories.lock().unwrap_or_else(std::sync::PoisonError::into_inner).pop();
            let mut memory = take().unwrap_or_default();
            let out = job(&mut memory);
            memories.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(memory);
            drop(permit);
            out
        });
        task.await.map_err(|_| Busy)
    }

    pub async fn hash(&self, password: String) -> Result<String, HashError> {
        self.run(move |m| password_hash::hash_in(&password, m)).await?.map_err(HashError::Failed)
    }

    /// Checks a password; with no stored hash (an unknown account) it takes
    /// as long and says no.
    pub async fn verify(&self, password: String, stored: Option<String>) -> Result<bool, Busy> {
        self.run(move |m| match stored {
            Some(h) => password_hash::verify_in(&password, &h, m),
            None => {
                password_hash::dummy_verify_in(&password, m);
                false
            }
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn beyond_the_slots_and_the_line_the_answer_is_busy() {
        let hashing = Arc::new(Hashing::new(1, 2));
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let h = hashing.clone();
                tokio::spawn(async move { h.hash("a password".into()).await })
            })
            .collect();
        let mut done = 0;
        let mut busy = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(_) => done += 1,
                Err(HashError::Busy(_)) => busy += 1,
                Err(e) => panic!("{e}"),
            }
        }
        assert!(done >= 3, "one running and two waiting get through ({done})");
        assert_eq!(done + busy, 8);
        assert!(busy >= 1, "the rest are told to come back ({busy})");
        assert!(hashing.memories.lock().unwrap().len() <= 1, "one buffer per slot, reused");
        assert_eq!(hashing.waiting.load(Ordering::SeqCst), 0);
        let stored = hashing.hash("again".into()).await.unwrap();
        assert!(hashing.verify("again".into(), Some(stored)).await.unwrap());
        assert!(!hashing.verify("again".into(), None).await.unwrap());
    }
}
