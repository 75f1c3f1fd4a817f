//! The order in which calls that need one shared, single-threaded resource (the Python interpreter) start.
//!
//! Pool threads that all want the interpreter convoy on the GIL: each waits its switch interval (5 ms)
//! before it may ask for it, the holder hands it to whichever waiter wakes first, and under load some calls
//! wait many rounds while others finish (the tail latency of CPU-bound tools). [`CallGate`] lets calls
//! start in arrival order, a few at a time, judging from the threads' CPU clocks whether the running ones
//! still use the CPU. Plain Rust: the pool in `python::workers` puts every sync call through it.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::thread::Thread;
use std::time::{Duration, Instant};

/// How many calls may be running at once, in the order they arrived. The gate lets calls start in
/// arrival order while fewer than `limit` run, and beyond that only while the running calls hardly use the
/// CPU (see [`CallGate::has_room`]): calls that block with the interpreter released (a socket,
/// `time.sleep`, sqlite) use none, so I/O-bound sync tools still overlap as freely as without it.
pub struct CallGate {
    limit: usize,
    state: Mutex<GateState>,
}

#[derive(Default)]
struct GateState {
    /// Calls waiting to start (ticket and waiting thread), oldest first.
    queue: VecDeque<(u64, Thread)>,
    next_ticket: u64,
    running: Vec<Running>,
}

struct Running {
    ticket: u64,
    clock: libc::clockid_t,
    /// Whether the call has the interpreter yet: until it has, it counts as busy (it may be waiting for
    /// the GIL, and `CPython` hands the GIL to its waiters in no particular order).
    on_cpu: bool,
    started: Instant,
    cpu_at_start: Duration,
    /// The thread's CPU clock when last looked at, and the share of a core it used before that.
    seen_at: Instant,
    seen_cpu: Duration,
    share: f64,
}

/// The CPU time after which a running call no longer keeps a later one waiting (see
/// [`CallGate::has_room`]).
const LONG_CALL: Duration = Duration::from_millis(50);

/// How long a running call's CPU use is watched before its share of a core is taken again.
const SHARE_WINDOW: Duration = Duration::from_millis(2);

/// A call started through the gate; dropping it lets the next one in.
pub struct Admitted<'a> {
    gate: &'a CallGate,
    ticket: u64,
}

impl Admitted<'_> {
    /// The call has taken the interpreter and starts now.
    pub fn started(&self) {
        let now = Instant::now();
        let mut state = self.gate.state.lock().unwrap();
        if let Some(r) = state.running.iter_mut().find(|r| r.ticket == self.ticket) {
            let cpu = thread_cpu(r.clock);
            (r.on_cpu, r.started, r.cpu_at_start, r.seen_at, r.seen_cpu) = (true, now, cpu, now, cpu);
        }
    }
}

impl Drop for Admitted<'_> {
    fn drop(&mut self) {
        let next = {
            let mut state = self.gate.state.lock().unwrap();
            state.running.retain(|r| r.ticket != self.ticket);
            state.queue.front().map(|(_, waiter)| waiter.clone())
        };
        // Only the next in line is woken: the others could not go in anyway.
        if let Some(waiter) = next {
            waiter.unpark();
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
pub fn own_cpu_clock() -> libc::clockid_t {
    let mut clock: libc::clockid_t = libc::CLOCK_THREAD_CPUTIME_ID;
    // SAFETY: `pthread_self` is the calling thread; `clock` is a valid out-pointer.
    unsafe {
        libc::pthread_getcpuclockid(libc::pthread_self(), &raw mut clock);
    }
    clock
}

impl CallGate {
    /// A gate that lets `limit` calls (at least one) run at once before it looks at their CPU use.
    pub fn new(limit: usize) -> Self {
        Self {
            limit: limit.max(1),
            state: Mutex::new(GateState::default()),
        }
    }

    /// Whether the running calls leave the interpreter room for one more: fewer than `limit` run, or
    /// the ones that run hardly use it. The running calls' CPU use since the last look (a whole core for
    /// a call in its first [`SHARE_WINDOW`]) is summed: under half a core means they are blocked with the GIL
    /// released (a socket, `time.sleep`, sqlite). A call merely waiting for the GIL uses no CPU either,
    /// but then the call holding it does, so CPU-bound calls together still read as a busy core and no
    /// more are let in. Calls that have used [`LONG_CALL`] of CPU are left out of the sum, so a few long
    /// calls never hold up short ones for much longer than that.
    fn has_room(&self, state: &mut GateState, now: Instant) -> bool {
        if state.running.len() < self.limit {
            return true;
        }
        let mut busy = 0.0;
        for r in &mut state.running {
            let cpu = thread_cpu(r.clock);
            let since = now.saturating_duration_since(r.seen_at);
            // Judged over a few milliseconds, so a call the scheduler set aside for a moment is not taken
            // for a blocked one.
            if since >= SHARE_WINDOW {
                r.share = (cpu.saturating_sub(r.seen_cpu).as_secs_f64() / since.as_secs_f64()).min(1.0);
                r.seen_at = now;
                r.seen_cpu = cpu;
            }
            if !r.on_cpu || now.saturating_duration_since(r.started) < SHARE_WINDOW {
                busy += 1.0;
            } else if cpu.saturating_sub(r.cpu_at_start) < LONG_CALL {
                busy += r.share;
            }
        }
        busy < 0.5
    }

    /// Waits (interpreter released by the caller) until this call may start: its turn has come and fewer
    /// than `limit` running calls use the CPU. Re-checks every half millisecond while it waits, since a
    /// running call that blocks frees its place without telling anyone.
    pub fn enter(&self, clock: libc::clockid_t) -> Admitted<'_> {
        let mut state = self.state.lock().unwrap();
        let ticket = state.next_ticket;
        state.next_ticket += 1;
        state.queue.push_back((ticket, std::thread::current()));
        loop {
            let now = Instant::now();
            let first = state.queue.front().map(|(t, _)| *t) == Some(ticket);
            if first && self.has_room(&mut state, now) {
                state.queue.pop_front();
                let cpu = thread_cpu(clock);
                state.running.push(Running {
                    ticket,
                    clock,
                    on_cpu: false,
                    started: now,
                    cpu_at_start: cpu,
                    seen_at: now,
                    seen_cpu: cpu,
                    share: 1.0,
                });
                let next = state.queue.front().map(|(_, waiter)| waiter.clone());
                drop(state);
                // The new first in line takes over the watch.
                if let Some(waiter) = next {
                    waiter.unpark();
                }
                return Admitted { gate: self, ticket };
            }
            drop(state);
            // Only the first in line polls (a running call that blocks frees room silently); the others
            // sleep until they are first.
            if first {
                std::thread::park_timeout(Duration::from_micros(500));
            } else {
                std::thread::park();
            }
            state = self.state.lock().unwrap();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn spin(d: Duration) {
        let clock = own_cpu_clock();
        let start = thread_cpu(clock);
        while thread_cpu(clock).saturating_sub(start) < d {}
    }

    #[test]
    fn cpu_bound_calls_start_in_arrival_order_within_the_limit() {
        let gate = Arc::new(CallGate::new(1));
        let order = Arc::new(Mutex::new(Vec::new()));
        let first = {
            let (gate, order) = (gate.clone(), order.clone());
            std::thread::spawn(move || {
                let admitted = gate.enter(own_cpu_clock());
                admitted.started();
                order.lock().unwrap().push(0);
                spin(Duration::from_millis(60));
            })
        };
        std::thread::sleep(Duration::from_millis(5));
        let later: Vec<_> = (1..4)
            .map(|i| {
                let (gate, order) = (gate.clone(), order.clone());
                let t = std::thread::spawn(move || {
                    let admitted = gate.enter(own_cpu_clock());
                    admitted.started();
                    order.lock().unwrap().push(i);
                    spin(Duration::from_millis(2));
                });
                std::thread::sleep(Duration::from_millis(10));
                t
            })
            .collect();
        first.join().unwrap();
        for t in later {
            t.join().unwrap();
        }
        assert_eq!(*order.lock().unwrap(), vec![0, 1, 2, 3]);
    }

    #[test]
    fn a_blocked_call_frees_its_place() {
        let gate = Arc::new(CallGate::new(1));
        let sleeper = {
            let gate = gate.clone();
            std::thread::spawn(move || {
                let admitted = gate.enter(own_cpu_clock());
                admitted.started();
                std::thread::sleep(Duration::from_millis(500));
            })
        };
        std::thread::sleep(Duration::from_millis(5));
        let waited = Instant::now();
        drop(gate.enter(own_cpu_clock()));
        // In within a few polls of the sleeper's first window, not after its half second.
        assert!(waited.elapsed() < Duration::from_millis(200), "{:?}", waited.elapsed());
        sleeper.join().unwrap();
    }

    #[test]
    fn a_call_not_yet_on_the_cpu_holds_its_place() {
        let gate = Arc::new(CallGate::new(1));
        let first = gate.enter(own_cpu_clock());
        // Admitted but not started (waiting for the interpreter): a later call must wait, however long.
        let second = {
            let gate = gate.clone();
            std::thread::spawn(move || {
                let started = Instant::now();
                drop(gate.enter(own_cpu_clock()));
                started.elapsed()
            })
        };
        std::thread::sleep(Duration::from_millis(60));
        drop(first);
        assert!(second.join().unwrap() >= Duration::from_millis(50));
    }

    #[test]
    fn a_long_call_stops_holding_up_short_ones() {
        let gate = Arc::new(CallGate::new(1));
        let long = {
            let gate = gate.clone();
            std::thread::spawn(move || {
                let admitted = gate.enter(own_cpu_clock());
                admitted.started();
                spin(LONG_CALL * 10);
            })
        };
        std::thread::sleep(Duration::from_millis(5));
        let waited = Instant::now();
        drop(gate.enter(own_cpu_clock()));
        let waited = waited.elapsed();
        // In once the long call has used LONG_CALL of CPU, well before it ends.
        assert!(waited < LONG_CALL * 7, "{waited:?}");
        long.join().unwrap();
    }
}
