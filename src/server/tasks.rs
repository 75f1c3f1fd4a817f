//! The tasks extension (`io.modelcontextprotocol/tasks`, SEP-2663): a long tool call the server turns into a
//! task the client polls (`tasks/get`), answers (`tasks/update`) and cancels (`tasks/cancel`). This is the
//! record of a task and where records are kept; the [`TaskStore`] trait lets a shared store (Redis) stand in
//! for the in-memory one.

use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskStatus {
    Working,
    InputRequired,
    Completed,
    Failed,
    Cancelled,
}

impl TaskStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Working => "working",
            TaskStatus::InputRequired => "input_required",
            TaskStatus::Completed => "completed",
            TaskStatus::Failed => "failed",
            TaskStatus::Cancelled => "cancelled",
        }
    }

    pub fn is_terminal(self) -> bool {
        matches!(self, TaskStatus::Completed | TaskStatus::Failed | TaskStatus::Cancelled)
    }
}

/// One task as `tasks/get` shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    pub id: String,
    pub status: TaskStatus,
    pub status_message: Option<String>,
    /// Milliseconds since the Unix epoch.
    pub created_ms: u64,
    pub updated_ms: u64,
    /// How long the task stays readable after it was created; `None`: as long as the server runs.
    pub ttl_ms: Option<u64>,
    pub poll_interval_ms: u64,
    /// A completed task's result (a `CallToolResult`, `isError` or not).
    pub result: Option<Value>,
    /// A failed task's JSON-RPC error object.
    pub error: Option<Value>,
    /// The input requests still waiting for an answer, by key.
    pub input_requests: Map<String, Value>,
}

pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// RFC 3339 in UTC with milliseconds (`2025-11-25T10:30:00.000Z`).
pub fn iso8601(ms: u64) -> String {
    let secs = ms / 1000;
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (h, m, s) = (rem / 3600, (rem % 3600) / 60, rem % 60);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}.{:03}Z", ms % 1000)
}

impl Task {
    pub fn new(id: String, ttl_ms: Option<u64>, poll_interval_ms: u64) -> Self {
        let now = now_ms();
        Self {
            id,
            status: TaskStatus::Working,
            status_message: None,
            created_ms: now,
            updated_ms: now,
            ttl_ms,
            poll_interval_ms,
            result: None,
            error: None,
            input_requests: Map::new(),
        }
    }

    /// The `Task` fields (`CreateTaskResult`, without the extra field of its status).
    pub fn fields(&self) -> Map<String, Value> {
        let mut out = Map::new();
        out.insert("taskId".into(), self.id.clone().into());
        out.insert("status".into(), self.status.as_str().into());
        if let Some(message) = &self.status_message {
            out.insert("statusMessage".into(), message.clone().into());
        }
        out.insert("createdAt".into(), iso8601(self.created_ms).into());
        out.insert("lastUpdatedAt".into(), iso8601(self.updated_ms).into());
        out.insert("ttlMs".into(), self.ttl_ms.map_or(Value::Null, Value::from));
        out.insert("pollIntervalMs".into(), self.poll_interval_ms.into());
        out
    }

    /// The fields and what its status adds: `result`, `error` or `inputRequests` (`tasks/get`,
    /// `notifications/tasks`).
    pub fn detailed(&self) -> Map<String, Value> {
        let mut out = self.fields();
        match self.status {
            TaskStatus::Completed => {
                out.insert("result".into(), self.result.clone().unwrap_or(Value::Null));
            }
            TaskStatus::Failed => {
                out.insert("error".into(), self.error.clone().unwrap_or(Value::Null));
            }
            TaskStatus::InputRequired => {
                out.insert("inputRequests".into(), Value::Object(self.input_requests.clone()));
            }
            TaskStatus::Working | TaskStatus::Cancelled => {}
        }
        out
    }

    fn expired(&self, now: u64) -> bool {
        self.ttl_ms.is_some_and(|ttl| now > self.created_ms.saturating_add(ttl))
    }

    pub fn touch(&mut self) {
        self.updated_ms = now_ms().max(self.updated_ms);
    }
}

/// Where task records live.
pub trait TaskStore: Send + Sync + 'static {
    /// Whether a new task can be kept (a full store never drops a task that is still running).
    fn has_room(&self) -> bool;
    fn insert(&self, task: Task);
    fn get(&self, id: &str) -> Option<Task>;
    /// Changes a task in place and returns it as changed; `None` when there is no such task.
    fn update(&self, id: &str, change: &mut dyn FnMut(&mut Task)) -> Option<Task>;
}

/// Tasks in this process's memory, at most `max` of them; expired ones are dropped as new ones come.
pub struct MemoryTaskStore {
    tasks: Mutex<HashMap<String, Task>>,
    max: usize,
}

impl MemoryTaskStore {
    pub fn new(max: usize) -> Self {
        Self {
            tasks: Mutex::new(HashMap::new()),
            max: max.max(1),
        }
    }
}

impl MemoryTaskStore {
    /// Makes room for one more: expired tasks go, then the oldest finished one. Running tasks stay.
    fn make_room(tasks: &mut HashMap<String, Task>, max: usize) {
        if tasks.len() < max {
            return;
        }
        let now = now_ms();
        tasks.retain(|_, t| !t.expired(now));
        if tasks.len() >= max {
            let oldest = tasks
                .values()
                .filter(|t| t.status.is_terminal())
                .min_by_key(|t| t.updated_ms)
                .map(|t| t.id.clone());
            if let Some(id) = oldest {
                tasks.remove(&id);
            }
        }
    }
}

impl TaskStore for MemoryTaskStore {
    fn has_room(&self) -> bool {
        let mut tasks = self.tasks.lock().unwrap();
        Self::make_room(&mut tasks, self.max);
        tasks.len() < self.max
    }

    fn insert(&self, task: Task) {
        let mut tasks = self.tasks.lock().unwrap();
        Self::make_room(&mut tasks, self.max);
        tasks.insert(task.id.clone(), task);
    }

    fn get(&self, id: &str) -> Option<Task> {
        let tasks = self.tasks.lock().unwrap();
        tasks.get(id).filter(|t| !t.expired(now_ms())).cloned()
    }

    fn update(&self, id: &str, change: &mut dyn FnMut(&mut Task)) -> Option<Task> {
        let mut tasks = self.tasks.lock().unwrap();
        let task = tasks.get_mut(id)?;
        change(task);
        Some(task.clone())
    }
}

/// A task id: 128 random bits as a UUID (version 4).
pub fn new_task_id() -> String {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).expect("the OS has a random source");
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().fold(String::with_capacity(32), |mut s, x| {
        use std::fmt::Write as _;
        let _ = write!(s, "{x:02x}");
        s
    });
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// How tasks are made: their lifetime and the polling interval they suggest.
#[derive(Debug, Clone)]
pub struct TaskOptions {
    pub ttl: Option<Duration>,
    pub poll_interval: Duration,
    /// How long a call may run before it becomes a task: one that finishes sooner is answered at once.
    pub grace: Duration,
    pub max_tasks: usize,
}

impl Default for TaskOptions {
    fn default() -> Self {
        Self {
            ttl: Some(Duration::from_secs(3600)),
            poll_interval: Duration::from_secs(1),
            grace: Duration::from_millis(50),
            max_tasks: 10_000,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601(1_764_066_600_123), "2025-11-25T10:30:00.123Z");
        assert_eq!(iso8601(951_782_400_000), "2000-02-29T00:00:00.000Z");
    }

    #[test]
    fn store_and_wire() {
        let store = MemoryTaskStore::new(2);
        let id = new_task_id();
        assert_eq!(id.len(), 36);
        store.insert(Task::new(id.clone(), Some(60_000), 500));
        let t = store
            .update(&id, &mut |t| {
                t.status = TaskStatus::Completed;
                t.result = Some(serde_json::json!({"content": []}));
            })
            .unwrap();
        let wire = t.detailed();
        assert_eq!(wire["status"], "completed");
        assert_eq!(wire["ttlMs"], 60_000);
        assert!(wire.contains_key("result") && !wire.contains_key("ttl"));
        store.insert(Task::new("b".into(), None, 1));
        assert!(store.has_room(), "the finished task makes room");
        assert!(store.get(&id).is_none());
        store.insert(Task::new("c".into(), None, 1));
        assert!(store.get("b").is_some() && store.get("c").is_some());
        // Full of running tasks: none of them is dropped, and there is no room for more.
        assert!(!store.has_room());
        assert!(store.get("b").is_some() && store.get("c").is_some());
    }
}
