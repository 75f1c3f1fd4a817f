//! Where Python code runs. Sync tools: a bounded pool of threads that attach to the interpreter once and
//! release it while they wait. Async tools: the one asyncio loop Python owns, woken through a socket pair
//! so that tokio threads never take the GIL to hand it work.

use crate::server::WakeQueue;
use pyo3::prelude::*;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// Work that needs the interpreter. It is handed the thread's `Python` token.
pub type PyJob = Box<dyn for<'py> FnOnce(Python<'py>) + Send>;

struct PoolState {
    idle: AtomicUsize,
    threads: AtomicUsize,
    gate: InterpreterGate,
}

/// How many sync calls may be *running Python* at once, in the order they arrived.
///
/// Pool threads that all want the interpreter convoy on the GIL: each waits its switch interval (5 ms)
/// before it may ask for it, the holder hands it to whichever waiter wakes first, and under load some calls
/// wait many rounds while others finish (the tail latency of CPU-bound tools). The gate lets calls start in
/// arrival order while fewer than `limit` running calls are *using the CPU*. A call that blocks with the
/// interpreter released (a socket, `time.sleep`, sqlite) stops counting once its thread's CPU time falls
/// below a quarter of its wall time, so I/O-bound sync tools still overlap as freely as without the gate.
struct InterpreterGate {
    limit: usize,
    state: Mutex<GateState>,
    changed: Condvar,
}

#[derive(Default)]
struct GateState {
    /// Tickets of calls waiting to start, oldest first.
    queue: VecDeque<u64>,
    next_ticket: u64,
    running: Vec<Running>,
}

struct Running {
    ticket: u64,
    clock: libc::clockid_t,
    started: Instant,
    cpu_at_start: Duration,
}

/// How long a running call can keep a later one waiting (see [`InterpreterGate::busy`]).
const LONG_CALL: Duration = Duration::from_millis(50);

/// A call started through the gate; dropping it lets the next one in.
struct Admitted<'a> {
    gate: &'a InterpreterGate,
    ticket: u64,
}

impl Drop for Admitted<'_> {
    fn drop(&mut self) {
        let waiting = {
            let mut state = self.gate.state.lock().unwrap();
            state.running.retain(|r| r.ticket != self.ticket);
            !state.queue.is_empty()
        };
        if waiting {
            self.gate.changed.notify_all();
        }
    }
}

/// A thread's CPU clock, read from any thread.
fn thread_cpu(clock: libc::clockid_t) -> Duration {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid out-pointer; a clock of an exited thread makes the call fail, which reads as zero.
    if unsafe { libc::clock_gettime(clock, &raw mut ts) } != 0 {
        return Duration::ZERO;
    }
    Duration::new(
        u64::try_from(ts.tv_sec).unwrap_or(0),
        u32::try_from(ts.tv_nsec).unwrap_or(0),
    )
}

/// The calling thread's CPU clock id.
fn own_cpu_clock() -> libc::clockid_t {
    let mut clock: libc::clockid_t = libc::CLOCK_THREAD_CPUTIME_ID;
    // SAFETY: `pthread_self` is the calling thread; `clock` is a valid out-pointer.
    unsafe {
        libc::pthread_getcpuclockid(libc::pthread_self(), &raw mut clock);
    }
    clock
}

impl InterpreterGate {
    /// A running call counts as using the CPU for its first millisecond, then while its thread's CPU time
    /// is at least a quarter of its wall time, for at most [`LONG_CALL`]: a call that has run that long
    /// shares the interpreter as it would without the gate, so a few long calls never hold up short ones
    /// for more than that.
    fn busy(state: &GateState, now: Instant) -> usize {
        state
            .running
            .iter()
            .filter(|r| {
                let wall = now.saturating_duration_since(r.started);
                wall < Duration::from_millis(1)
                    || (wall < LONG_CALL && thread_cpu(r.clock).saturating_sub(r.cpu_at_start) * 4 >= wall)
            })
            .count()
    }

    /// Waits (interpreter released by the caller) until this call may start: its turn has come and fewer
    /// than `limit` running calls use the CPU. Re-checks every half millisecond while it waits, since a
    /// running call that blocks frees its place without telling anyone.
    fn enter(&self, clock: libc::clockid_t) -> Admitted<'_> {
        let mut state = self.state.lock().unwrap();
        let ticket = state.next_ticket;
        state.next_ticket += 1;
        state.queue.push_back(ticket);
        loop {
            let now = Instant::now();
            if state.queue.front() == Some(&ticket)
                && (state.running.len() < self.limit || Self::busy(&state, now) < self.limit)
            {
                state.queue.pop_front();
                state.running.push(Running {
                    ticket,
                    clock,
                    started: now,
                    cpu_at_start: thread_cpu(clock),
                });
                let more = !state.queue.is_empty();
                drop(state);
                if more {
                    self.changed.notify_all();
                }
                return Admitted { gate: self, ticket };
            }
            state = self.changed.wait_timeout(state, Duration::from_micros(500)).unwrap().0;
        }
    }
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
    /// [`InterpreterGate`]).
    pub fn new(max_threads: usize, active: usize) -> Self {
        Self {
            max_threads: max_threads.max(1),
            state: Arc::new(PoolState {
                idle: AtomicUsize::new(0),
                threads: AtomicUsize::new(0),
                gate: InterpreterGate {
                    limit: active.max(1),
                    state: Mutex::new(GateState::default()),
                    changed: Condvar::new(),
                },
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
                    state.idle.fetch_add(1, Ordering::AcqRel);
                    let job = py.detach(|| rx.recv());
                    state.idle.fetch_sub(1, Ordering::AcqRel);
                    match job {
                        Ok(job) => {
                            let _admitted = py.detach(|| state.gate.enter(clock));
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
