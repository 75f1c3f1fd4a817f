//! How messages reach the server: stdio and Streamable HTTP.

pub mod headers;
pub mod http;
pub mod sse;
pub mod stdio;

use tokio::sync::watch;

/// A shutdown signal shared by every task of one server run.
#[derive(Clone)]
pub struct Shutdown(watch::Receiver<bool>);

/// The side that triggers [`Shutdown`].
pub struct ShutdownTrigger(watch::Sender<bool>);

impl ShutdownTrigger {
    pub fn trigger(&self) {
        let _ = self.0.send(true);
    }
}

impl Shutdown {
    pub fn new() -> (ShutdownTrigger, Shutdown) {
        let (tx, rx) = watch::channel(false);
        (ShutdownTrigger(tx), Shutdown(rx))
    }

    pub fn is_triggered(&self) -> bool {
        *self.0.borrow()
    }

    /// Resolves once shutdown is triggered (or its trigger is gone).
    pub async fn wait(&mut self) {
        let _ = self.0.wait_for(|v| *v).await;
    }
}
