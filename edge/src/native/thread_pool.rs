//! A small pool of threads for blocking work, so that it never runs on the event loop that
//! also serves pages and live reload: password hashing (argon2, tens of milliseconds of CPU
//! each) and the store's writes (redb's commits wait for the disk's fsync).
//!
//! Executor-agnostic: a job's result comes back through a one-shot slot whose future wakes
//! the task that awaits it, so it works on any async runtime (and with none). The threads
//! stop when the pool is dropped.

use std::future::Future;
use std::pin::Pin;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};

type Job = Box<dyn FnOnce() + Send>;

/// Threads that run jobs in the order they were given.
#[derive(Debug)]
pub struct ThreadPool {
    jobs: Mutex<Sender<Job>>,
    threads: usize,
}

impl ThreadPool {
    /// The pool for password hashing: one thread fewer than the machine has cores (at
    /// least one). A burst of sign-ups queues here instead of taking every core from the
    /// event loop, and each hash's 19 MiB is allocated by at most that many threads at once.
    pub fn for_hashing() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Self::new("edge-hash", cores.saturating_sub(1).max(1))
    }

    /// `threads` threads (at least one) named `name-N`, started now. A thread that cannot be
    /// started is left out; with none, every job fails (see [`ThreadPool::run`]).
    pub fn new(name: &str, threads: usize) -> Self {
        let (sender, receiver) = mpsc::channel::<Job>();
        let receiver = Arc::new(Mutex::new(receiver));
        let started = (0..threads.max(1))
            .filter(|i| {
                let receiver = receiver.clone();
                std::thread::Builder::new()
                    .name(format!("{name}-{i}"))
                    .spawn(move || work(&receiver))
                    .is_ok()
            })
            .count();
        Self {
            jobs: Mutex::new(sender),
            threads: started,
        }
    }

    /// How many threads run jobs.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Runs `job` on one of the pool's threads; `None` when it did not finish (no thread
    /// started, or the job panicked).
    pub fn run<T, F>(&self, job: F) -> impl Future<Output = Option<T>> + Send + use<T, F>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let slot = Arc::new(Mutex::new(Slot::<T>::default()));
        let filler = Filler(slot.clone());
        let sent = self
            .jobs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .send(Box::new(move || filler.fill(job())));
        // A job that was not sent is dropped here with its filler, which closes the slot.
        drop(sent);
        Done(slot)
    }
}

fn work(jobs: &Mutex<Receiver<Job>>) {
    loop {
        // The lock is held only while waiting for the next job, never while running one.
        let job = jobs.lock().unwrap_or_else(PoisonError::into_inner).recv();
        match job {
            // A panicking job closes its own slot (its caller gets `None`); the thread
            // goes on with the next one.
            Ok(job) => drop(std::panic::catch_unwind(std::panic::AssertUnwindSafe(job))),
            Err(_) => return, // the pool is gone
        }
    }
}

struct Slot<T> {
    value: Option<T>,
    /// The job will never fill the slot (it was dropped unrun, or panicked).
    closed: bool,
    waker: Option<Waker>,
}

impl<T> Default for Slot<T> {
    fn default() -> Self {
        Self {
            value: None,
            closed: false,
            waker: None,
        }
    }
}

/// The job's end of the slot. Dropping it without filling closes the slot.
struct Filler<T>(Arc<Mutex<Slot<T>>>);

impl<T> Filler<T> {
    fn fill(self, value: T) {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).value = Some(value);
        // `drop` wakes the waiting task.
    }
}

impl<T> Drop for Filler<T> {
    fn drop(&mut self) {
        let waker = {
            let mut slot = self.0.lock().unwrap_or_else(PoisonError::into_inner);
            slot.closed = true;
            slot.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

/// The awaiting end: ready with the value, or `None` once the slot is closed empty.
struct Done<T>(Arc<Mutex<Slot<T>>>);

impl<T> Future for Done<T> {
    type Output = Option<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let mut slot = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(value) = slot.value.take() {
            return Poll::Ready(Some(value));
        }
        if slot.closed {
            return Poll::Ready(None);
        }
        slot.waker = Some(cx.waker().clone());
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc as StdArc;
    use std::task::Wake;
    use std::thread::{self, Thread};

    struct Unpark(Thread);

    impl Wake for Unpark {
        fn wake(self: StdArc<Self>) {
            self.0.unpark();
        }
    }

    fn block_on<F: Future>(future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        let waker = Waker::from(StdArc::new(Unpark(thread::current())));
        let mut cx = Context::from_waker(&waker);
        loop {
            if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
                return output;
            }
            thread::park();
        }
    }

    #[test]
    fn jobs_run_on_the_pool_not_on_the_caller() {
        let pool = ThreadPool::new("test", 2);
        assert_eq!(pool.threads(), 2);
        let caller = thread::current().id();
        let ran_on = block_on(pool.run(|| thread::current().id()));
        assert!(ran_on.is_some_and(|id| id != caller));
    }

    #[test]
    fn results_come_back_to_each_caller() {
        let pool = ThreadPool::new("test", 1);
        let futures: Vec<_> = (0..5u32).map(|i| pool.run(move || i * 10)).collect();
        let results: Vec<_> = futures.into_iter().map(block_on).collect();
        assert_eq!(
            results,
            vec![Some(0), Some(10), Some(20), Some(30), Some(40)]
        );
    }

    #[test]
    fn a_panicking_job_is_none_and_the_pool_goes_on() {
        let pool = ThreadPool::new("test", 1);
        let panicked = block_on(pool.run(|| -> u8 { panic!("job failed") }));
        assert_eq!(panicked, None);
        assert_eq!(block_on(pool.run(|| 7)), Some(7));
    }
}
