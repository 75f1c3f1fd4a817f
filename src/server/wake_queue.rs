//! A queue whose consumer is a loop the core does not own (Python's asyncio loop), woken through a file
//! descriptor it watches. Producers never block and never touch the consumer's runtime: they push, and the
//! first push after a drain writes one byte to a socket pair.

use std::io::{ErrorKind, Read, Write};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

pub struct WakeQueue<T> {
    queue: Mutex<Vec<T>>,
    /// Set by the push that wrote the pending wake-up byte; cleared by the consumer before it takes the queue.
    signalled: AtomicBool,
    writer: UnixStream,
    reader: UnixStream,
}

impl<T> WakeQueue<T> {
    pub fn new() -> std::io::Result<Self> {
        let (reader, writer) = UnixStream::pair()?;
        reader.set_nonblocking(true)?;
        writer.set_nonblocking(true)?;
        Ok(Self {
            queue: Mutex::new(Vec::new()),
            signalled: AtomicBool::new(false),
            writer,
            reader,
        })
    }

    /// The descriptor that becomes readable when there is work (for `loop.add_reader`).
    pub fn fileno(&self) -> RawFd {
        self.reader.as_raw_fd()
    }

    /// Queues an item; writes a wake-up byte only if none is pending.
    pub fn push(&self, item: T) {
        self.queue.lock().unwrap().push(item);
        if !self.signalled.swap(true, Ordering::AcqRel) {
            // A full socket buffer already means a pending wake-up, so WouldBlock is fine to ignore.
            let _ = (&self.writer).write(&[1]);
        }
    }

    /// Takes everything queued. Call it when the descriptor is readable.
    pub fn take(&self) -> Vec<T> {
        // Consume the wake-up bytes first, then re-arm, then take the queue. Re-arming before reading would let a
        // byte written in between be swallowed while `signalled` stays set, and no later push would wake the
        // consumer again.
        let mut sink = [0u8; 256];
        loop {
            match (&self.reader).read(&mut sink) {
                Ok(n) if n == sink.len() => {}
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Ok(_) | Err(_) => break,
            }
        }
        // A swap, not a store: it synchronises with the push whose swap saw `true`, so that push's item is
        // visible to the take below.
        self.signalled.swap(false, Ordering::AcqRel);
        std::mem::take(&mut *self.queue.lock().unwrap())
    }
}

#[cfg(test)]
mod tests {
    use super::WakeQueue;
    use std::os::fd::{AsRawFd, RawFd};
    use std::sync::Arc;
    use std::time::Duration;
    use tokio::io::unix::AsyncFd;

    struct Fd(RawFd);
    impl AsRawFd for Fd {
        fn as_raw_fd(&self) -> RawFd {
            self.0
        }
    }

    /// Producers push as fast as they can while the consumer only takes when the descriptor says so, the way
    /// asyncio's `add_reader` drives it. A lost wake-up stalls the consumer and the timeout fails the test.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn no_wake_up_is_lost_under_contention() {
        const PRODUCERS: usize = 4;
        const EACH: usize = 200_000;
        let queue = Arc::new(WakeQueue::<usize>::new().unwrap());
        let producers: Vec<_> = (0..PRODUCERS)
            .map(|p| {
                let queue = queue.clone();
                std::thread::spawn(move || {
                    for i in 0..EACH {
                        queue.push(p * EACH + i);
                        if i % 64 == 0 {
                            std::thread::yield_now();
                        }
                    }
                })
            })
            .collect();
        // SAFETY: the descriptor stays open while `queue` lives, which outlasts `fd`; nothing else replaces it.
        let fd = unsafe { AsyncFd::register(Fd(queue.fileno())) }.unwrap();
        let consume = async {
            let mut seen = 0usize;
            while seen < PRODUCERS * EACH {
                let mut ready = fd.readable().await.unwrap();
                seen += queue.take().len();
                ready.clear_ready();
            }
            seen
        };
        let seen = tokio::time::timeout(Duration::from_secs(30), consume)
            .await
            .expect("a wake-up was lost");
        for p in producers {
            p.join().unwrap();
        }
        assert_eq!(seen, PRODUCERS * EACH);
    }
}
