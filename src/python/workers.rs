//! Where Python code runs. Sync tools: a bounded pool of threads that attach to the interpreter once and
//! release it while they wait. Async tools: the one asyncio loop Python owns, woken through a socket pair
//! so that tokio threads never take the GIL to hand it work.

use crate::server::call_gate::{own_cpu_clock, CallGate};
use crate::server::WakeQueue;
use pyo3::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Work that needs the interpreter. It is handed the thread's `Python` token.
pub type PyJob = Box<dyn for<'py> FnOnce(Python<'py>) + Send>;

struct PoolState {
    idle: AtomicUsize,
    threads: AtomicUsize,
    gate: CallGate,
}

/// Threads for `def` tools. Grows on demand up to `max_threads`; an idle thread keeps its thread state,
/// so handing it a job costs a channel wake-up and no interpreter set-up.
pub struct SyncPool {
    max_threads: usize,
    state: Arc<PoolState>,
    channel: Mutex<Option<(crossbeam_channel::Sender<PyJob>, crossbeam_channel::Receiver<PyJob>)>>,
}

/// The pool is closed (the server stopped); the job was dropped.
pub struct PoolClosed;

impl SyncPool {
    /// `max_threads` bounds the pool; `active` how many of its calls may use the CPU at once (see
    /// [`CallGate`]).
    pub fn new(max_threads: usize, active: usize) -> Self {
        Self {
            max_threads: max_threads.max(1),
            state: Arc::new(PoolState {
                idle: AtomicUsize::new(0),
                threads: AtomicUsize::new(0),
                gate: CallGate::new(active),
            }),
            channel: Mutex::new(None),
        }
    }

    /// Opens the pool for a server run.
    pub fn open(&self) {
        let mut channel = self.channel.lock().unwrap();
        if channel.is_none() {
            *channel = Some(crossbeam_channel::unbounded());
        }
    }

    /// Closes the pool and waits (interpreter released, up to `grace`) for its threads to exit: a thread
    /// that detaches from an interpreter already finalizing would abort the process.
    pub fn close(&self, py: Python<'_>, grace: Duration) {
        self.channel.lock().unwrap().take();
        let deadline = Instant::now() + grace;
        py.detach(|| {
            while self.state.threads.load(Ordering::Acquire) > 0 && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(2));
            }
        });
    }

    pub fn submit(&self, job: PyJob) -> Result<(), PoolClosed> {
        let (tx, rx) = {
            let channel = self.channel.lock().unwrap();
            match channel.as_ref() {
                Some((tx, rx)) => (tx.clone(), rx.clone()),
                None => return Err(PoolClosed),
            }
        };
        if tx.send(job).is_err() {
            return Err(PoolClosed);
        }
        if self.state.idle.load(Ordering::Acquire) == 0 {
            self.grow(rx);
        }
        Ok(())
    }

    fn grow(&self, rx: crossbeam_channel::Receiver<PyJob>) {
        let claimed = self
            .state
            .threads
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < self.max_threads).then_some(n + 1)
            });
        if claimed.is_err() {
            return;
        }
        let state = self.state.clone();
        let spawned = std::thread::Builder::new()
            .name("fastmcp-rs-sync".into())
            .spawn(move || {
                let clock = own_cpu_clock();
                Python::attach(|py| loop {
                    // The job is taken and its turn awaited without the interpreter: a thread that had to
                    // win the GIL from a running call before it could queue would queue in GIL order.
                    let next = py.detach(|| {
                        state.idle.fetch_add(1, Ordering::AcqRel);
                        let job = rx.recv();
                        state.idle.fetch_sub(1, Ordering::AcqRel);
                        job.map(|job| (job, state.gate.enter(clock)))
                    });
                    match next {
                        Ok((job, admitted)) => {
                            admitted.started();
                            job(py);
                        }
                        Err(_) => break,
                    }
                });
                state.threads.fetch_sub(1, Ordering::AcqRel);
            });
        if spawned.is_err() {
            self.state.threads.fetch_sub(1, Ordering::AcqRel);
        }
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
