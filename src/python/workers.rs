//! Where Python code runs. Sync tools: a bounded pool of threads that attach to the interpreter once and
//! release it while they wait. Async tools: the one asyncio loop Python owns, woken through a socket pair
//! so that tokio threads never take the GIL to hand it work.

use crate::server::call_gate::{own_cpu_clock, CallGate, Next, Submitted};
use crate::server::WakeQueue;
use pyo3::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Work that needs the interpreter. It is handed the thread's `Python` token.
pub type PyJob = Box<dyn for<'py> FnOnce(Python<'py>) + Send>;

struct PoolState {
    max_threads: usize,
    threads: AtomicUsize,
    /// The pool's queue: jobs run in arrival order, a few at a time (see [`CallGate`]).
    gate: CallGate<PyJob>,
}

/// Threads for `def` tools. Grows on demand up to `max_threads`; an idle thread keeps its thread state,
/// so handing it a job costs a wake-up and no interpreter set-up, and a thread that finishes a job takes
/// the next queued one itself.
pub struct SyncPool {
    state: Arc<PoolState>,
}

/// The pool is closed (the server stopped); the job was dropped.
pub struct PoolClosed;

impl SyncPool {
    /// `max_threads` bounds the pool; `active` how many of its calls may use the CPU at once (see
    /// [`CallGate`]).
    pub fn new(max_threads: usize, active: usize) -> Self {
        let gate = CallGate::new(active);
        gate.close();
        Self {
            state: Arc::new(PoolState {
                max_threads: max_threads.max(1),
                threads: AtomicUsize::new(0),
                gate,
            }),
        }
    }

    /// Opens the pool for a server run.
    pub fn open(&self) {
        self.state.gate.open();
    }

    /// Closes the pool (queued calls still run) and waits (interpreter released, up to `grace`) for its
    /// threads to exit: a thread that detaches from an interpreter already finalizing would abort the process.
    pub fn close(&self, py: Python<'_>, grace: Duration) {
        self.state.gate.close();
        let deadline = Instant::now() + grace;
        py.detach(|| {
            while self.state.threads.load(Ordering::Acquire) > 0 && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(2));
            }
        });
    }

    pub fn submit(&self, job: PyJob) -> Result<(), PoolClosed> {
        match self.state.gate.submit(job) {
            Err(_job) => Err(PoolClosed),
            Ok(Submitted::Queued) => Ok(()),
            Ok(Submitted::NoIdleThread) => {
                grow(&self.state);
                Ok(())
            }
        }
    }
}

/// Starts one more pool thread, unless the pool is at its bound.
fn grow(pool: &Arc<PoolState>) {
    let claimed = pool.threads.fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
        (n < pool.max_threads).then_some(n + 1)
    });
    if claimed.is_err() {
        return;
    }
    let state = pool.clone();
    let spawned = std::thread::Builder::new()
        .name("fastmcp-rs-sync".into())
        .spawn(move || {
            let clock = own_cpu_clock();
            Python::attach(|py| {
                // Jobs are taken, and their turn awaited, without the interpreter: a thread that had to
                // win the GIL from a running call before it could queue would queue in GIL order.
                while let Some(Next { job, admitted, starved }) = py.detach(|| state.gate.next(clock)) {
                    if starved {
                        // Calls left behind this one (which may block for long): a thread to take them.
                        grow(&state);
                    }
                    admitted.started();
                    job(py);
                }
            });
            state.threads.fetch_sub(1, Ordering::AcqRel);
        });
    if spawned.is_err() {
        pool.threads.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Jobs for the asyncio loop thread: the loop watches [`LoopBridge::fileno`] and calls [`LoopBridge::drain`].
pub struct LoopBridge(WakeQueue<PyJob>);

impl LoopBridge {
    pub fn new() -> std::io::Result<Self> {
        WakeQueue::new().map(Self)
    }

    pub fn fileno(&self) -> i32 {
        self.0.fileno()
    }

    pub fn submit(&self, job: PyJob) {
        self.0.push(job);
    }

    /// Runs every queued job. Called on the loop thread when the descriptor is readable.
    pub fn drain(&self, py: Python<'_>) {
        for job in self.0.take() {
            job(py);
        }
    }
}
