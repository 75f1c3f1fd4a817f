//! The order in which calls that need one shared, single-threaded resource (the Python interpreter) run.
//!
//! Pool threads that all want the interpreter convoy on the GIL: each waits its switch interval (5 ms)
//! before it may ask for it, the holder hands it to whichever waiter wakes first, and under load some calls
//! wait many rounds while others finish (the tail latency of CPU-bound tools). [`CallGate`] is the pool's
//! queue instead: jobs run in the order they came, a few at a time, judging from the threads' CPU clocks
//! whether the running ones still use the CPU; a thread that finishes a job takes the next one itself
//! (no hand-off to another thread while work is queued). Plain Rust: `python::workers` runs sync calls on it.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::thread::Thread;
use std::time::{Duration, Instant};

/// A queue of jobs that run in arrival order on the threads that ask for them, while fewer than `limit`
/// run, and beyond that only while the running ones hardly use the CPU (see [`CallGate::next`]): jobs that
/// block with the interpreter released (a socket, `time.sleep`, sqlite) use none, so I/O-bound sync tools
/// still overlap as freely as without the gate.
pub struct CallGate<J> {
    limit: usize,
    state: Mutex<GateState<J>>,
    /// Jobs queued (kept with the queue, read without the lock by threads about to sleep).
    pending: AtomicUsize,
    /// Threads that found no job and yield a few times before they sleep: a job that comes meanwhile is
    /// theirs without a wake-up (most calls, under load: the thread that ran the last one runs the next).
    spinning: AtomicUsize,
}

struct GateState<J> {
    jobs: VecDeque<J>,
    /// Threads waiting in [`CallGate::next`], oldest first; the first one watches for room while jobs wait.
    waiters: VecDeque<Thread>,
    running: Vec<Running>,
    next_slot: u64,
    closed: bool,
}

struct Running {
    slot: u64,
    clock: libc::clockid_t,
    /// Whether the call has the interpreter yet: until it has, it counts as busy (it may be waiting for
    /// the GIL, and `CPython` hands the GIL to its waiters in no particular order).
    on_cpu: bool,
    started: Instant,
    /// The thread's CPU clock when first looked at (read only when the gate is full, so an uncontended
    /// call costs no clock reads), when last looked at, and the share of a core it used before that.
    first_cpu: Option<Duration>,
    seen_at: Instant,
    seen_cpu: Duration,
    share: f64,
}

/// The CPU time after which a running call no longer keeps a later one waiting (see
/// [`CallGate::has_room`]).
const LONG_CALL: Duration = Duration::from_millis(50);

/// How long a running call's CPU use is watched before its share of a core is first taken, and then
/// between two looks.
const FIRST_LOOK: Duration = Duration::from_micros(500);
const SHARE_WINDOW: Duration = Duration::from_millis(2);

/// How many times a thread with nothing to do yields before it sleeps.
const SPINS: usize = 16;

/// A job taken from the gate; dropping it frees its place.
pub struct Admitted<'a, J> {
    gate: &'a CallGate<J>,
    slot: u64,
}

impl<J> Admitted<'_, J> {
    /// The job has taken the interpreter and starts now.
    pub fn started(&self) {
        let now = Instant::now();
        let mut state = self.gate.state.lock().unwrap();
        if let Some(r) = state.running.iter_mut().find(|r| r.slot == self.slot) {
            (r.on_cpu, r.started) = (true, now);
        }
    }
}

impl<J> Drop for Admitted<'_, J> {
    fn drop(&mut self) {
        // No one is woken: the thread that ran the job asks for the next one at once.
        self.gate.state.lock().unwrap().running.retain(|r| r.slot != self.slot);
    }
}

/// A job to run, from [`CallGate::next`].
pub struct Next<'a, J> {
    pub job: J,
    /// Its place among the running jobs, freed when dropped.
    pub admitted: Admitted<'a, J>,
    /// Jobs are left with no thread waiting for them: start one if the pool may grow.
    pub starved: bool,
}

/// What [`CallGate::submit`] tells the caller.
#[derive(Debug, PartialEq, Eq)]
pub enum Submitted {
    /// A waiting thread will take it (or one running now, when it is done).
    Queued,
    /// No thread is waiting: start one if the pool may grow.
    NoIdleThread,
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
pub fn own_cpu_clock() -> libc::clockid_t {
    let mut clock: libc::clockid_t = libc::CLOCK_THREAD_CPUTIME_ID;
    // SAFETY: `pthread_self` is the calling thread; `clock` is a valid out-pointer.
    unsafe {
        libc::pthread_getcpuclockid(libc::pthread_self(), &raw mut clock);
    }
    clock
}

impl<J> CallGate<J> {
    /// A gate that lets `limit` jobs (at least one) run at once before it looks at their CPU use.
    pub fn new(limit: usize) -> Self {
        Self {
            limit: limit.max(1),
            state: Mutex::new(GateState {
                jobs: VecDeque::new(),
                waiters: VecDeque::new(),
                running: Vec::new(),
                next_slot: 0,
                closed: false,
            }),
            pending: AtomicUsize::new(0),
            spinning: AtomicUsize::new(0),
        }
    }

    /// Opens the gate (again) for jobs.
    pub fn open(&self) {
        self.state.lock().unwrap().closed = false;
    }

    /// Closes it: queued jobs still run, then every thread's [`CallGate::next`] returns `None`.
    pub fn close(&self) {
        let waiters: Vec<Thread> = {
            let mut state = self.state.lock().unwrap();
            state.closed = true;
            state.waiters.iter().cloned().collect()
        };
        for waiter in waiters {
            waiter.unpark();
        }
    }

    /// Queues a job, or gives it back when the gate is closed.
    pub fn submit(&self, job: J) -> Result<Submitted, J> {
        let mut state = self.state.lock().unwrap();
        if state.closed {
            return Err(job);
        }
        let was_empty = state.jobs.is_empty();
        state.jobs.push_back(job);
        self.pending.store(state.jobs.len(), Ordering::Release);
        if self.spinning.load(Ordering::Acquire) > 0 {
            // A thread about to sleep sees it (it looks again under the lock before it does).
            return Ok(Submitted::Queued);
        }
        let Some(waiter) = state.waiters.front().cloned() else {
            return Ok(Submitted::NoIdleThread);
        };
        // A waiter is woken when it can start the job now, or to watch for room when no one watches yet;
        // otherwise a running job's thread takes it when it is done, with no hand-off to another thread.
        let wake = state.running.len() < self.limit || was_empty;
        drop(state);
        if wake {
            waiter.unpark();
        }
        Ok(Submitted::Queued)
    }

    /// The next job to run on this thread (`clock` is its CPU clock), waiting for one and for room;
    /// `None` once the gate is closed and empty. Call it with the interpreter released.
    pub fn next(&self, clock: libc::clockid_t) -> Option<Next<'_, J>> {
        let me = std::thread::current();
        let mut spun = false;
        let mut state = self.state.lock().unwrap();
        loop {
            let now = Instant::now();
            if !state.jobs.is_empty() && self.has_room(&mut state, now) {
                let job = state.jobs.pop_front().expect("not empty");
                self.pending.store(state.jobs.len(), Ordering::Release);
                let slot = state.next_slot;
                state.next_slot += 1;
                state.running.push(Running {
                    slot,
                    clock,
                    on_cpu: false,
                    started: now,
                    first_cpu: None,
                    seen_at: now,
                    seen_cpu: Duration::ZERO,
                    share: 1.0,
                });
                state.waiters.retain(|t| t.id() != me.id());
                // Jobs left: the first waiter takes over the watch for room; with no waiter left (and none
                // about to look), the caller must start a thread, or the jobs would wait for this one.
                let next = (!state.jobs.is_empty())
                    .then(|| state.waiters.front().cloned())
                    .flatten();
                let starved =
                    !state.jobs.is_empty() && state.waiters.is_empty() && self.spinning.load(Ordering::Acquire) == 0;
                drop(state);
                if let Some(waiter) = next {
                    waiter.unpark();
                }
                return Some(Next {
                    job,
                    admitted: Admitted { gate: self, slot },
                    starved,
                });
            }
            if state.closed && state.jobs.is_empty() {
                state.waiters.retain(|t| t.id() != me.id());
                // The others may be asleep until a job comes: none will, so they must see the gate closed.
                let others: Vec<Thread> = state.waiters.iter().cloned().collect();
                drop(state);
                for other in others {
                    other.unpark();
                }
                return None;
            }
            if state.jobs.is_empty() && !spun {
                // Nothing to do: yield the core a few times (to the thread that reads the next request)
                // before sleeping, looking for a job between.
                spun = true;
                self.spinning.fetch_add(1, Ordering::AcqRel);
                drop(state);
                for _ in 0..SPINS {
                    std::thread::yield_now();
                    if self.pending.load(Ordering::Acquire) > 0 {
                        break;
                    }
                }
                self.spinning.fetch_sub(1, Ordering::AcqRel);
                state = self.state.lock().unwrap();
                continue;
            }
            spun = false;
            if !state.waiters.iter().any(|t| t.id() == me.id()) {
                state.waiters.push_back(me.clone());
            }
            // Only the first waiter polls, and only while jobs wait for room (a running job that blocks
            // frees room without telling anyone); the others sleep until a job comes or they are first.
            let first = state.waiters.front().map(Thread::id) == Some(me.id());
            let watch = !state.jobs.is_empty() && first;
            // Jobs wait for room and someone else is first: it must be awake to watch.
            let wake_first = (!state.jobs.is_empty() && !first)
                .then(|| state.waiters.front().cloned())
                .flatten();
            drop(state);
            if let Some(first) = wake_first {
                first.unpark();
            }
            if watch {
                std::thread::park_timeout(Duration::from_micros(500));
            } else {
                std::thread::park();
            }
            state = self.state.lock().unwrap();
        }
    }

    /// Whether the running calls leave the interpreter room for one more: fewer than `limit` run, or
    /// the ones that run hardly use it. The running calls' CPU use between two looks (a whole core for
    /// a call in its first [`FIRST_LOOK`] on the interpreter, or not yet looked at) is summed: under half
    /// a core means they are blocked with the GIL released (a socket, `time.sleep`, sqlite). A call merely waiting for the GIL uses no CPU either,
    /// but then the call holding it does, so CPU-bound calls together still read as a busy core and no
    /// more are let in. Calls that have used [`LONG_CALL`] of CPU since first looked at are left out of the
    /// sum, so a few long calls never hold up short ones for much longer than that.
    fn has_room(&self, state: &mut GateState<J>, now: Instant) -> bool {
        if state.running.len() < self.limit {
            return true;
        }
        let mut busy = 0.0;
        for r in &mut state.running {
            if !r.on_cpu || now.saturating_duration_since(r.started) < FIRST_LOOK {
                busy += 1.0;
                continue;
            }
            let cpu = thread_cpu(r.clock);
            let Some(first) = r.first_cpu else {
                // First look: where its clock stands; busy until the next one says otherwise.
                (r.first_cpu, r.seen_at, r.seen_cpu) = (Some(cpu), now, cpu);
                busy += 1.0;
                continue;
            };
            // Judged after half a millisecond (so blocked calls free their place quickly), then over
            // windows of a few milliseconds (so a call the scheduler set aside for a moment is not taken
            // for a blocked one).
            let since = now.saturating_duration_since(r.seen_at);
            let window = if r.seen_cpu == first { FIRST_LOOK } else { SHARE_WINDOW };
            if since >= window {
                r.share = (cpu.saturating_sub(r.seen_cpu).as_secs_f64() / since.as_secs_f64()).min(1.0);
                r.seen_at = now;
                r.seen_cpu = cpu;
            }
            if cpu.saturating_sub(first) < LONG_CALL {
                busy += r.share;
            }
        }
        busy < 0.5
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    type Job = Box<dyn FnOnce() + Send>;

    fn spin(d: Duration) {
        let clock = own_cpu_clock();
        let start = thread_cpu(clock);
        while thread_cpu(clock).saturating_sub(start) < d {}
    }

    /// `n` threads that run the gate's jobs until it closes.
    fn workers(gate: &Arc<CallGate<Job>>, n: usize) -> Vec<std::thread::JoinHandle<()>> {
        (0..n)
            .map(|_| {
                let gate = gate.clone();
                std::thread::spawn(move || {
                    let clock = own_cpu_clock();
                    while let Some(Next { job, admitted, .. }) = gate.next(clock) {
                        admitted.started();
                        job();
                    }
                })
            })
            .collect()
    }

    fn finish(gate: &Arc<CallGate<Job>>, threads: Vec<std::thread::JoinHandle<()>>) {
        gate.close();
        for t in threads {
            t.join().unwrap();
        }
    }

    #[test]
    fn cpu_bound_jobs_run_in_arrival_order_within_the_limit() {
        let gate: Arc<CallGate<Job>> = Arc::new(CallGate::new(1));
        let threads = workers(&gate, 4);
        let order = Arc::new(Mutex::new(Vec::new()));
        for i in 0..6 {
            let order = order.clone();
            let _ = gate.submit(Box::new(move || {
                order.lock().unwrap().push((i, Instant::now()));
                spin(Duration::from_millis(if i == 0 { 40 } else { 5 }));
            }));
        }
        finish(&gate, threads);
        let order = order.lock().unwrap();
        assert_eq!(
            order.iter().map(|(i, _)| *i).collect::<Vec<_>>(),
            vec![0, 1, 2, 3, 4, 5]
        );
    }

    #[test]
    fn a_blocked_job_frees_its_place() {
        let gate: Arc<CallGate<Job>> = Arc::new(CallGate::new(1));
        let threads = workers(&gate, 2);
        let _ = gate.submit(Box::new(|| std::thread::sleep(Duration::from_millis(500))));
        std::thread::sleep(Duration::from_millis(5));
        let (tx, rx) = std::sync::mpsc::channel();
        let queued = Instant::now();
        let _ = gate.submit(Box::new(move || tx.send(queued.elapsed()).unwrap()));
        // In within a few polls of the sleeper's first window, not after its half second.
        let waited = rx.recv().unwrap();
        assert!(waited < Duration::from_millis(200), "{waited:?}");
        finish(&gate, threads);
    }

    #[test]
    fn a_job_not_yet_on_the_cpu_holds_its_place() {
        let gate: CallGate<u32> = CallGate::new(1);
        assert_eq!(gate.submit(1), Ok(Submitted::NoIdleThread));
        assert_eq!(gate.submit(2), Ok(Submitted::NoIdleThread));
        let Next {
            job: first,
            admitted,
            starved,
        } = gate.next(own_cpu_clock()).unwrap();
        assert_eq!(first, 1);
        assert!(starved, "job 2 has no thread waiting for it");
        // Taken but not started (waiting for the interpreter): however long, the second must wait.
        std::thread::scope(|s| {
            let second = s.spawn(|| {
                let started = Instant::now();
                let next = gate.next(own_cpu_clock()).unwrap();
                (next.job, started.elapsed())
            });
            std::thread::sleep(Duration::from_millis(60));
            drop(admitted);
            let (job, waited) = second.join().unwrap();
            assert_eq!(job, 2);
            assert!(waited >= Duration::from_millis(50), "{waited:?}");
        });
    }

    #[test]
    fn a_long_job_stops_holding_up_short_ones() {
        let gate: Arc<CallGate<Job>> = Arc::new(CallGate::new(1));
        let threads = workers(&gate, 2);
        let _ = gate.submit(Box::new(|| spin(LONG_CALL * 10)));
        std::thread::sleep(Duration::from_millis(5));
        let (tx, rx) = std::sync::mpsc::channel();
        let queued = Instant::now();
        let _ = gate.submit(Box::new(move || tx.send(queued.elapsed()).unwrap()));
        // In once the long job has used LONG_CALL of CPU, well before it ends.
        let waited = rx.recv().unwrap();
        assert!(waited < LONG_CALL * 7, "{waited:?}");
        finish(&gate, threads);
    }

    #[test]
    fn a_closed_gate_runs_what_it_holds_then_lets_threads_go() {
        let gate: Arc<CallGate<Job>> = Arc::new(CallGate::new(2));
        let ran = Arc::new(Mutex::new(0));
        for _ in 0..5 {
            let ran = ran.clone();
            let _ = gate.submit(Box::new(move || *ran.lock().unwrap() += 1));
        }
        gate.close();
        assert!(gate.submit(Box::new(|| {})).is_err());
        let threads = workers(&gate, 2);
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(*ran.lock().unwrap(), 5);
    }
}
