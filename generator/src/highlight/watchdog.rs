//! The net under the grammar's bounds: a block gets its [`block_time`] of the grammar
//! (and [`FIRST_USE`]), on a worker thread, and whatever it has not highlighted by then
//! is shown plain.
//!
//! The line bounds in [`grammar`] model a grammar's time as the square of a line's
//! length, which holds for nearly all of them; a few backtrack far worse (Makefile's
//! grammar spends 4.5 s on one 480-byte line of punctuation, in
//! `fuzz/cases/highlight/`). Oniguruma's own match limits are not reachable
//! through syntect without `unsafe`, and a line cannot be interrupted from inside, so
//! each rendering thread hands its blocks to a worker thread of its own, which hands
//! back each line as it finishes it, and waits no longer. A worker past
//! that is abandoned: it ends when its line does, as its result finds nobody
//! listening. The lines it finished keep their highlighting, the rest of the block is
//! plain with [`Why::BlockTime`] cuts, and the next block gets a fresh worker. The
//! block is then cached as made, so `serve` pays for it once.

use std::cell::RefCell;
use std::ops::Range;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::Duration;

use syntect::parsing::SyntaxReference;
use syntect::util::LinesWithEndings;

use super::classes::Class;
use super::grammar::{self, Cut, SLOWDOWN, Why, block_time};

/// One run of a block: its class and byte range.
type Run = (Option<Class>, Range<usize>);

/// A block for the worker.
struct Job {
    syntax: &'static SyntaxReference,
    code: String,
}

/// A rendering thread's worker: where its jobs go, the runs of the lines it has done
/// so far, and where each job's result comes back.
struct Worker {
    jobs: Sender<Job>,
    done: Arc<Mutex<Vec<Run>>>,
    results: Receiver<Option<Vec<Cut>>>,
}

/// What the watchdog allows besides the block's [`block_time`]: the grammar's first use
/// (compiling its regexes), which [`grammar::highlight`] does not count, and a loaded
/// machine's scheduling, many times over.
const FIRST_USE: Duration = Duration::from_millis(250);

thread_local! {
    static WORKER: RefCell<Option<Worker>> = const { RefCell::new(None) };
}

/// [`grammar::highlight`], bounded in time: calls `emit` with each run of
/// `code` in order, covering it, and returns the lines left plain; `None` if the
/// grammar fails on the text (the caller shows it plain).
pub fn highlight(
    syntax: &'static SyntaxReference,
    code: &str,
    emit: impl FnMut(Option<Class>, Range<usize>),
) -> Option<Vec<Cut>> {
    let wait = block_time(code.len()) + FIRST_USE * SLOWDOWN;
    highlight_within(syntax, code, wait, emit)
}

/// [`highlight`], waiting `wait` for the worker.
fn highlight_within(
    syntax: &'static SyntaxReference,
    code: &str,
    wait: Duration,
    mut emit: impl FnMut(Option<Class>, Range<usize>),
) -> Option<Vec<Cut>> {
    WORKER.with_borrow_mut(|slot| {
        let worker = match slot {
            Some(worker) => worker,
            None => match spawn() {
                Some(worker) => slot.insert(worker),
                // No thread to be had: the grammar's own bounds still hold.
                None => return grammar::highlight(syntax, code, emit),
            },
        };
        let job = Job {
            syntax,
            code: code.to_owned(),
        };
        if worker.jobs.send(job).is_err() {
            *slot = None;
            return grammar::highlight(syntax, code, emit);
        }
        let result = worker.results.recv_timeout(wait);
        let runs = std::mem::take(&mut *lock(&worker.done));
        let mut done = 0;
        for (class, range) in runs {
            done = range.end;
            emit(class, range);
        }
        match result {
            Ok(result) => result,
            Err(RecvTimeoutError::Timeout) => {
                *slot = None;
                emit(None, done..code.len());
                Some(cuts_from(code, done))
            }
            // The worker panicked on this block: plain, as for a regex error.
            Err(RecvTimeoutError::Disconnected) => {
                *slot = None;
                None
            }
        }
    })
}

/// The [`Why::BlockTime`] cuts of `code`'s lines from byte `from` (a line's start) on.
fn cuts_from(code: &str, from: usize) -> Vec<Cut> {
    let first = code[..from].matches('\n').count();
    LinesWithEndings::from(&code[from..])
        .enumerate()
        .map(|(i, line)| Cut {
            line: first + i,
            len: line.trim_end_matches(['\n', '\r']).len(),
            why: Why::BlockTime,
        })
        .collect()
}

/// Starts a worker thread; `None` if the system has no thread to give.
fn spawn() -> Option<Worker> {
    let (jobs, job_rx) = mpsc::channel::<Job>();
    let (result_tx, results) = mpsc::channel();
    let done = Arc::new(Mutex::new(Vec::new()));
    let shared = Arc::clone(&done);
    thread::Builder::new()
        .name("highlight".into())
        .spawn(move || {
            for job in job_rx {
                let code = job.code.as_bytes();
                let mut line = Vec::new();
                let result = grammar::highlight(job.syntax, &job.code, |class, range| {
                    let line_end = range.end > 0 && code.get(range.end - 1) == Some(&b'\n');
                    line.push((class, range));
                    if line_end {
                        lock(&shared).append(&mut line);
                    }
                });
                lock(&shared).append(&mut line);
                // Nobody listening means the block was given up, and this worker with it.
                if result_tx.send(result).is_err() {
                    return;
                }
            }
        })
        .ok()?;
    Some(Worker {
        jobs,
        done,
        results,
    })
}

fn lock(runs: &Mutex<Vec<Run>>) -> MutexGuard<'_, Vec<Run>> {
    runs.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A line the grammar spends seconds on is abandoned in the middle: the lines the
    /// worker finished keep their runs, the rest is one plain run and BlockTime cuts,
    /// and the next block gets a new worker. (The wait is a tenth of a second, here,
    /// so no machine finishes the line within it.)
    #[test]
    fn a_worker_past_its_wait_is_abandoned_mid_line() {
        let make = grammar::find("make").expect("the Makefile grammar");
        let case = include_str!("../../../fuzz/cases/highlight/makefile-backtracking");
        let slow = case
            .strip_prefix("make\n")
            .expect("a make block")
            .trim_end();
        // The grammar compiled on this thread's worker first.
        let warm = highlight(make, "all: build\n", |_, _| {});
        assert_eq!(warm, Some(Vec::new()));

        let code = format!("all: build\n\tcargo build\n{slow}\n\techo done\n");
        let mut runs = Vec::new();
        let wait = Duration::from_millis(100) * SLOWDOWN;
        let cuts = highlight_within(make, &code, wait, |class, range| runs.push((class, range)))
            .expect("cuts");
        let lines: Vec<(usize, Why)> = cuts.iter().map(|cut| (cut.line, cut.why)).collect();
        assert_eq!(lines, [(2, Why::BlockTime), (3, Why::BlockTime)]);
        let slow_start = code.find(slow).expect("the slow line");
        assert_eq!(runs.last(), Some(&(None, slow_start..code.len())));
        assert!(runs.iter().any(|(class, _)| class.is_some()), "{runs:?}");

        let mut next = Vec::new();
        let fresh = highlight(make, "all: build\n", |class, range| {
            next.push((class, range))
        });
        assert_eq!(fresh, Some(Vec::new()), "a new worker");
        assert!(next.iter().any(|(class, _)| class.is_some()));
    }
}
