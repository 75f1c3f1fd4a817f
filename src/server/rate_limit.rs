//! Rate limits checked in the core before a request is served: `FastMCP` 4's `RateLimitingMiddleware`
//! (a token bucket) and `SlidingWindowRateLimitingMiddleware`, with their refusal texts, for the limits that
//! need no Python (one limit for the whole server, as those middlewares apply without `get_client_id`).
//! Every request counts, `initialize` and `ping` included, as `on_request` counts them there; notifications
//! do not.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One limit, in the order the server's middleware lists them (the first is checked first).
#[derive(Debug)]
pub enum RateLimit {
    /// `capacity` tokens, refilled at `per_second`; `global` words the refusal as `global_limit=True` does.
    TokenBucket {
        capacity: f64,
        per_second: f64,
        global: bool,
        state: Mutex<(f64, Instant)>,
    },
    /// At most `max_requests` in any `window`.
    SlidingWindow {
        max_requests: usize,
        window: Duration,
        seen: Mutex<VecDeque<Instant>>,
    },
}

impl RateLimit {
    pub fn token_bucket(per_second: f64, capacity: f64, global: bool) -> Self {
        Self::TokenBucket {
            capacity,
            per_second,
            global,
            state: Mutex::new((capacity, Instant::now())),
        }
    }

    pub fn sliding_window(max_requests: usize, window: Duration) -> Self {
        Self::SlidingWindow {
            max_requests,
            window,
            seen: Mutex::new(VecDeque::new()),
        }
    }

    /// Takes one request's share, or says why it is refused (`FastMCP`'s words).
    pub fn admit(&self, now: Instant) -> Result<(), String> {
        match self {
            Self::TokenBucket {
                capacity,
                per_second,
                global,
                state,
            } => {
                let mut state = state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                let (tokens, last) = &mut *state;
                let elapsed = now.saturating_duration_since(*last).as_secs_f64();
                *tokens = (*tokens + elapsed * per_second).min(*capacity);
                *last = now;
                if *tokens >= 1.0 {
                    *tokens -= 1.0;
                    Ok(())
                } else if *global {
                    Err("Global rate limit exceeded".to_owned())
                } else {
                    Err("Rate limit exceeded for client: global".to_owned())
                }
            }
            Self::SlidingWindow {
                max_requests,
                window,
                seen,
            } => {
                let mut seen = seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                while seen
                    .front()
                    .is_some_and(|t| now.saturating_duration_since(*t) >= *window)
                {
                    seen.pop_front();
                }
                if seen.len() < *max_requests {
                    seen.push_back(now);
                    Ok(())
                } else {
                    Err(format!(
                        "Rate limit exceeded: {max_requests} requests per {} minutes for client: global",
                        window.as_secs() / 60
                    ))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_admits_its_burst_then_its_rate() {
        let limit = RateLimit::token_bucket(10.0, 2.0, false);
        let t0 = Instant::now();
        assert!(limit.admit(t0).is_ok());
        assert!(limit.admit(t0).is_ok());
        assert_eq!(limit.admit(t0).unwrap_err(), "Rate limit exceeded for client: global");
        // 100 ms at 10/s is one token.
        assert!(limit.admit(t0 + Duration::from_millis(100)).is_ok());
        assert!(limit.admit(t0 + Duration::from_millis(100)).is_err());
        // Never more than the capacity, however long it waits.
        let later = t0 + Duration::from_secs(60);
        assert!(limit.admit(later).is_ok() && limit.admit(later).is_ok() && limit.admit(later).is_err());
        let global = RateLimit::token_bucket(1.0, 1.0, true);
        assert!(global.admit(t0).is_ok());
        assert_eq!(global.admit(t0).unwrap_err(), "Global rate limit exceeded");
    }

    #[test]
    fn a_window_admits_its_count_per_window() {
        let limit = RateLimit::sliding_window(2, Duration::from_secs(60));
        let t0 = Instant::now();
        assert!(limit.admit(t0).is_ok());
        assert!(limit.admit(t0 + Duration::from_secs(30)).is_ok());
        assert_eq!(
            limit.admit(t0 + Duration::from_secs(59)).unwrap_err(),
            "Rate limit exceeded: 2 requests per 1 minutes for client: global"
        );
        assert!(limit.admit(t0 + Duration::from_secs(60)).is_ok());
    }
}
