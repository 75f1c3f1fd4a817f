//! Tasks (the `io.modelcontextprotocol/tasks` extension, SEP-2663) in the dispatcher. A `tools/call` of a tool
//! that supports tasks, from a request that declares the extension, starts the call; if it is still running
//! after a short grace (or asks the client something first), the request is answered with a task
//! (`resultType: "task"`) and the call goes on in the background, its end recorded in the task store. The
//! server decides: a call that finishes within the grace is answered as it is (that is how the rounds of a
//! multi-round-trip request stay synchronous before a task exists).
//!
//! A running task's requests to the client (`ctx.elicit()` and the like) become its input requests: the task
//! shows `input_required` with them until `tasks/update` answers every one, and the waiting call resumes with
//! the answers. A task that ends with an input-required result of its own is called again with the answers
//! (and its request state) once all of them arrived.

use super::{timed_out, Listeners, McpServer, Payload, ToolBackend, ToolInvocation};
use crate::protocol::modern::{missing_capability, Envelope, TASKS_EXTENSION};
use crate::protocol::{ErrorCode, RequestId, RpcError};
use crate::server::context::{InputRound, RequestContext, RequestSink, TaskInput};
use crate::server::registry::ToolEntry;
use crate::server::session::Session;
use crate::server::tasks::{new_task_id, MemoryTaskStore, Task, TaskOptions, TaskStatus, TaskStore};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{oneshot, Notify};

/// Tasks of this server: the store, and the calls still running in this process.
pub struct TaskRuntime {
    store: Arc<dyn TaskStore>,
    options: TaskOptions,
    live: Mutex<HashMap<String, Arc<LiveTask>>>,
    listeners: Arc<Listeners>,
}

/// Before a task exists its call answers the request itself; once it exists, the call's end goes to the store.
enum Phase {
    Pending(Option<oneshot::Sender<CallOutcome>>),
    Created,
}

/// How one attempt of a task's call ended.
enum CallOutcome {
    Done(Result<Value, RpcError>),
    Dropped,
    TimedOut,
}

/// A task whose call runs (or waits for answers) in this process.
struct LiveTask {
    id: String,
    phase: Mutex<Phase>,
    /// Fired when the call asks the client something before the task exists: the task is made at once.
    created: Notify,
    cancelled: Notify,
    /// The backend call running now.
    call_id: AtomicU64,
    next_key: AtomicUsize,
    /// Calls waiting for the answer to an input request, by key.
    waiters: Mutex<HashMap<String, oneshot::Sender<Value>>>,
    /// An attempt that ended input-required: the answers gathered for it so far, and its state.
    rerun: Mutex<Option<Rerun>>,
    attempt: Attempt,
}

struct Rerun {
    /// By the keys the code chose (without the attempt's prefix).
    answers: Map<String, Value>,
    state: Option<String>,
    prefix: String,
}

/// What calling the tool again needs.
#[derive(Clone)]
struct Attempt {
    tool: Arc<ToolEntry>,
    arguments: Value,
    arguments_valid: bool,
    envelope: Arc<Envelope>,
    meta: Option<Value>,
}

/// Cancels a call whose request was dropped while it was not yet a task.
struct PendingGuard<'a> {
    runtime: &'a TaskRuntime,
    live: &'a Arc<LiveTask>,
    backend: &'a dyn ToolBackend,
    armed: bool,
}

impl Drop for PendingGuard<'_> {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let pending = {
            let mut phase = self.live.phase.lock().unwrap();
            match &mut *phase {
                Phase::Pending(tx) => {
                    tx.take();
                    true
                }
                Phase::Created => false,
            }
        };
        if pending {
            self.runtime.live.lock().unwrap().remove(&self.live.id);
            self.live.waiters.lock().unwrap().clear();
            self.backend.cancel(self.live.call_id.load(Ordering::Relaxed));
        }
    }
}

/// What `RequestContext::request` reaches inside a task.
struct TaskLink {
    runtime: Arc<TaskRuntime>,
    live: Arc<LiveTask>,
}

impl TaskInput for TaskLink {
    fn ask(&self, method: &str, params: &Value) -> oneshot::Receiver<Value> {
        let key = format!("input-{}", self.live.next_key.fetch_add(1, Ordering::Relaxed));
        let (tx, rx) = oneshot::channel();
        self.live.waiters.lock().unwrap().insert(key.clone(), tx);
        let request = json!({"method": method, "params": params});
        let mut phase = self.live.phase.lock().unwrap();
        if matches!(*phase, Phase::Pending(_)) {
            // Stored before it counts as created: whoever sees `Created` finds the record.
            let mut task = self.runtime.new_record(&self.live.id);
            task.status = TaskStatus::InputRequired;
            task.input_requests.insert(key, request);
            self.runtime.store.insert(task.clone());
            *phase = Phase::Created;
            drop(phase);
            self.runtime.announce(&task);
            self.live.created.notify_one();
        } else {
            drop(phase);
            self.runtime.change(&self.live.id, |t| {
                if !t.status.is_terminal() {
                    t.status = TaskStatus::InputRequired;
                    t.input_requests.insert(key.clone(), request.clone());
                }
            });
        }
        rx
    }

    fn status(&self, message: String) {
        self.runtime.change(&self.live.id, |t| {
            if !t.status.is_terminal() {
                t.status_message = Some(message.clone());
            }
        });
    }
}

impl TaskRuntime {
    pub fn new(options: TaskOptions, listeners: Arc<Listeners>) -> Self {
        Self {
            store: Arc::new(MemoryTaskStore::new(options.max_tasks)),
            options,
            live: Mutex::new(HashMap::new()),
            listeners,
        }
    }

    /// Forgets calls whose task is gone from the store (expired) or finished.
    fn prune(&self) {
        let ids: Vec<String> = self.live.lock().unwrap().keys().cloned().collect();
        let stale: Vec<String> = ids
            .into_iter()
            .filter(|id| self.store.get(id).is_none_or(|t| t.status.is_terminal()))
            .collect();
        if stale.is_empty() {
            return;
        }
        let mut live = self.live.lock().unwrap();
        for id in stale {
            if let Some(task) = live.get(&id) {
                // Only calls that are tasks by now: a pending one is still answering its request.
                if matches!(*task.phase.lock().unwrap(), Phase::Created) {
                    task.cancelled.notify_one();
                    task.waiters.lock().unwrap().clear();
                    live.remove(&id);
                }
            }
        }
    }

    fn new_record(&self, id: &str) -> Task {
        Task::new(
            id.to_owned(),
            self.options.ttl.map(|t| t.as_millis() as u64),
            self.options.poll_interval.as_millis().max(1) as u64,
        )
    }

    /// Tells subscriptions that named the task about its new state.
    fn announce(&self, task: &Task) {
        if !self.listeners.is_empty() {
            self.listeners.task_changed(&task.id, &task.detailed());
        }
    }

    fn change(&self, id: &str, mut f: impl FnMut(&mut Task)) -> Option<Task> {
        let task = self.store.update(id, &mut |t| {
            f(t);
            t.touch();
        })?;
        self.announce(&task);
        Some(task)
    }

    /// Records how an attempt ended, once the task exists.
    fn settle(self: &Arc<Self>, live: &Arc<LiveTask>, backend: &Arc<dyn ToolBackend>, outcome: CallOutcome) {
        let tool_name = live.attempt.tool.name.clone();
        match outcome {
            CallOutcome::Done(Err(error)) if error.code.code() == -32042 => {
                let asked = super::modern::url_elicitations_as_input(&error);
                self.settle(live, backend, CallOutcome::Done(Ok(asked)));
            }
            CallOutcome::Done(Ok(result))
                if result.get("resultType").and_then(Value::as_str) == Some("input_required") =>
            {
                // Keys stay unique for the task's life: each attempt's get a prefix of their own.
                let prefix = format!("r{}.", live.next_key.fetch_add(1, Ordering::Relaxed));
                let mut requests = Map::new();
                let mut missing = Map::new();
                let asked = result.get("inputRequests").and_then(Value::as_object);
                for (key, request) in asked.into_iter().flatten() {
                    match super::modern::required_capability(&live.attempt.envelope, request) {
                        None => {
                            requests.insert(format!("{prefix}{key}"), request.clone());
                        }
                        Some((name, needs)) => {
                            missing.insert(name.to_owned(), needs);
                        }
                    }
                }
                if requests.is_empty() && !missing.is_empty() {
                    let names: Vec<&str> = missing.keys().map(String::as_str).collect();
                    let error = missing_capability(Value::Object(missing.clone()), &names.join(", "));
                    self.finish(live, TaskStatus::Failed, None, Some(error.to_value()));
                    return;
                }
                let state = result.get("requestState").and_then(Value::as_str).map(str::to_owned);
                *live.rerun.lock().unwrap() = Some(Rerun {
                    answers: Map::new(),
                    state,
                    prefix,
                });
                if requests.is_empty() {
                    // State only: call again at once.
                    self.rerun(live, backend);
                    return;
                }
                self.change(&live.id, |t| {
                    if !t.status.is_terminal() {
                        t.status = TaskStatus::InputRequired;
                        t.input_requests.clone_from(&requests);
                    }
                });
            }
            CallOutcome::Done(Ok(result)) => {
                self.finish(live, TaskStatus::Completed, Some(result), None);
            }
            CallOutcome::Done(Err(error)) => {
                self.finish(live, TaskStatus::Failed, None, Some(error.to_value()));
            }
            CallOutcome::TimedOut => {
                let result = timed_out(&tool_name, live.attempt.tool.timeout);
                self.finish(live, TaskStatus::Completed, Some(result), None);
            }
            CallOutcome::Dropped => {
                let error = RpcError::new(ErrorCode::InternalError, "the tool ended without a result");
                self.finish(live, TaskStatus::Failed, None, Some(error.to_value()));
            }
        }
    }

    fn finish(&self, live: &LiveTask, status: TaskStatus, result: Option<Value>, error: Option<Value>) {
        self.change(&live.id, |t| {
            if !t.status.is_terminal() {
                t.status = status;
                t.result.clone_from(&result);
                t.error.clone_from(&error);
                t.input_requests.clear();
            }
        });
        self.live.lock().unwrap().remove(&live.id);
    }

    /// Calls the tool again with the answers its last attempt asked for.
    fn rerun(self: &Arc<Self>, live: &Arc<LiveTask>, backend: &Arc<dyn ToolBackend>) {
        let Some(rerun) = live.rerun.lock().unwrap().take() else {
            return;
        };
        self.change(&live.id, |t| {
            if !t.status.is_terminal() {
                t.status = TaskStatus::Working;
                t.input_requests.clear();
            }
        });
        let round = InputRound {
            responses: Some(Value::Object(rerun.answers)),
            state: rerun.state,
        };
        start_attempt(self.clone(), live.clone(), backend.clone(), Some(Arc::new(round)));
    }
}

/// Starts one attempt of a task's call on the backend, and settles it (or hands it to the waiting request)
/// when it ends.
fn start_attempt(
    runtime: Arc<TaskRuntime>,
    live: Arc<LiveTask>,
    backend: Arc<dyn ToolBackend>,
    round: Option<Arc<InputRound>>,
) -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1 << 48);
    let call_id = NEXT.fetch_add(1, Ordering::Relaxed);
    live.call_id.store(call_id, Ordering::Relaxed);
    let attempt = live.attempt.clone();
    let session = Arc::new(Session::for_envelope(attempt.envelope.clone(), None));
    let mut context = RequestContext::new(
        RequestId::from_value(&json!(format!("task-{}", live.id))).expect("a string is an id"),
        session,
        attempt.meta.clone(),
        RequestSink::none(),
    );
    context.round = round;
    context.task = Some(Arc::new(TaskLink {
        runtime: runtime.clone(),
        live: live.clone(),
    }));
    let (done_tx, done_rx) = oneshot::channel();
    backend.invoke(
        ToolInvocation {
            call_id,
            tool: attempt.tool.clone(),
            arguments: attempt.arguments.clone(),
            arguments_valid: attempt.arguments_valid,
            context,
        },
        done_tx,
    );
    let timeout = attempt.tool.timeout;
    tokio::spawn(async move {
        let deadline = async {
            match timeout {
                Some(t) => tokio::time::sleep(t).await,
                None => std::future::pending().await,
            }
        };
        let outcome = tokio::select! {
            answer = done_rx => match answer {
                Ok(result) => CallOutcome::Done(result.and_then(Payload::into_value)),
                Err(_) => CallOutcome::Dropped,
            },
            () = live.cancelled.notified() => {
                backend.cancel(call_id);
                return;
            }
            () = deadline => {
                backend.cancel(call_id);
                CallOutcome::TimedOut
            }
        };
        let unclaimed = {
            let mut phase = live.phase.lock().unwrap();
            match &mut *phase {
                // The request is still waiting (no task yet): it answers with the outcome.
                Phase::Pending(tx) => match tx.take() {
                    Some(tx) => {
                        let _ = tx.send(outcome);
                        None
                    }
                    None => Some(outcome),
                },
                Phase::Created => Some(outcome),
            }
        };
        if let Some(outcome) = unclaimed {
            runtime.settle(&live, &backend, outcome);
        }
    });
    call_id
}

impl McpServer {
    /// `tools/call` of a task-capable tool from a request that declared the extension.
    pub(super) async fn call_as_task(
        &self,
        envelope: &Arc<Envelope>,
        tool: Arc<ToolEntry>,
        mut params: Map<String, Value>,
    ) -> Result<Value, RpcError> {
        let arguments = match params.remove("arguments") {
            None | Some(Value::Null) => Value::Object(Map::new()),
            Some(v @ Value::Object(_)) => v,
            Some(_) => return Err(RpcError::invalid_params("arguments must be an object")),
        };
        let round = InputRound::take(&mut params);
        let (pending_tx, pending_rx) = oneshot::channel();
        let live = Arc::new(LiveTask {
            id: new_task_id(),
            phase: Mutex::new(Phase::Pending(Some(pending_tx))),
            created: Notify::new(),
            cancelled: Notify::new(),
            call_id: AtomicU64::new(0),
            next_key: AtomicUsize::new(0),
            waiters: Mutex::new(HashMap::new()),
            rerun: Mutex::new(None),
            attempt: Attempt {
                arguments_valid: tool.arguments_valid(&arguments),
                tool,
                arguments,
                envelope: envelope.clone(),
                meta: params.remove("_meta"),
            },
        });
        let runtime = self.tasks.clone();
        if !runtime.store.has_room() {
            runtime.prune();
            if !runtime.store.has_room() {
                return Err(RpcError::new(
                    ErrorCode::InternalError,
                    "Server busy: too many tasks are running; try again later",
                ));
            }
        }
        {
            let mut running = runtime.live.lock().unwrap();
            if running.len() >= runtime.options.max_tasks {
                drop(running);
                runtime.prune();
                running = runtime.live.lock().unwrap();
            }
            running.insert(live.id.clone(), live.clone());
        }
        start_attempt(runtime.clone(), live.clone(), self.backend.clone(), round);
        // If this request goes away before the call became a task, the call goes with it.
        let mut guard = PendingGuard {
            runtime: &runtime,
            live: &live,
            backend: &*self.backend,
            armed: true,
        };
        let grace = tokio::time::sleep(runtime.options.grace);
        tokio::pin!(grace);
        let mut pending_rx = pending_rx;
        let early = tokio::select! {
            outcome = &mut pending_rx => outcome.ok(),
            () = live.created.notified() => None,
            () = &mut grace => None,
        };
        let early = early.or_else(|| {
            // Make the task, unless the call ended just now.
            let mut phase = live.phase.lock().unwrap();
            if let Phase::Pending(tx) = &mut *phase {
                if tx.is_some() {
                    runtime.store.insert(runtime.new_record(&live.id));
                    *phase = Phase::Created;
                    return None;
                }
            }
            drop(phase);
            pending_rx.try_recv().ok()
        });
        guard.armed = false;
        if let Some(outcome) = early {
            runtime.live.lock().unwrap().remove(&live.id);
            return match outcome {
                CallOutcome::Done(result) => result,
                CallOutcome::TimedOut => Ok(timed_out(&live.attempt.tool.name, live.attempt.tool.timeout)),
                CallOutcome::Dropped => Err(RpcError::new(
                    ErrorCode::InternalError,
                    "the tool ended without a result",
                )),
            };
        }
        let task = runtime
            .store
            .get(&live.id)
            .ok_or_else(|| RpcError::new(ErrorCode::InternalError, "the task was not stored"))?;
        let mut created = Map::new();
        created.insert("resultType".into(), "task".into());
        created.extend(task.fields());
        Ok(Value::Object(created))
    }

    /// `tasks/get`, `tasks/update`, `tasks/cancel` (and the removed `tasks/result`, `tasks/list`).
    pub(super) fn task_method(
        &self,
        envelope: &Envelope,
        method: &str,
        params: Option<&Map<String, Value>>,
    ) -> Result<Value, RpcError> {
        if !matches!(method, "tasks/get" | "tasks/update" | "tasks/cancel") {
            return Err(super::method_not_found(method));
        }
        if !envelope.declares_extension(TASKS_EXTENSION) {
            return Err(missing_capability(
                json!({"extensions": {TASKS_EXTENSION: {}}}),
                TASKS_EXTENSION,
            ));
        }
        let id = params
            .and_then(|p| p.get("taskId"))
            .and_then(Value::as_str)
            .ok_or_else(|| RpcError::invalid_params("Invalid params: the request needs a taskId"))?;
        let unknown = || RpcError {
            code: ErrorCode::InvalidParams,
            message: format!("Unknown task: '{id}'"),
            data: Some(json!({"taskId": id})),
        };
        let runtime = &self.tasks;
        let task = runtime.store.get(id).ok_or_else(unknown)?;
        match method {
            "tasks/get" => Ok(Value::Object(task.detailed())),
            "tasks/cancel" => {
                if !task.status.is_terminal() {
                    runtime.change(id, |t| {
                        if !t.status.is_terminal() {
                            t.status = TaskStatus::Cancelled;
                            t.input_requests.clear();
                        }
                    });
                    let live = runtime.live.lock().unwrap().remove(id);
                    if let Some(live) = live {
                        live.cancelled.notify_one();
                        live.waiters.lock().unwrap().clear();
                        self.backend.cancel(live.call_id.load(Ordering::Relaxed));
                    }
                }
                Ok(json!({}))
            }
            _ => {
                let answers = match params.and_then(|p| p.get("inputResponses")) {
                    Some(Value::Object(m)) => m.clone(),
                    None | Some(Value::Null) => Map::new(),
                    Some(_) => {
                        return Err(RpcError::invalid_params(
                            "Invalid params: inputResponses must be an object",
                        ))
                    }
                };
                self.update_task(id, &task, answers);
                Ok(json!({}))
            }
        }
    }

    /// Hands answers to the task's waiting requests; keys it is not waiting for are ignored.
    fn update_task(&self, id: &str, task: &Task, answers: Map<String, Value>) {
        let runtime = &self.tasks;
        let live = runtime.live.lock().unwrap().get(id).cloned();
        let Some(live) = live else { return };
        let mut answered = Vec::new();
        for (key, answer) in answers {
            if !task.input_requests.contains_key(&key) || !answer.is_object() {
                continue;
            }
            let waiter = live.waiters.lock().unwrap().remove(&key);
            match waiter {
                Some(tx) => {
                    let _ = tx.send(answer);
                }
                None => {
                    if let Some(rerun) = live.rerun.lock().unwrap().as_mut() {
                        let own = key.strip_prefix(&rerun.prefix).unwrap_or(&key).to_owned();
                        rerun.answers.insert(own, answer);
                    }
                }
            }
            answered.push(key);
        }
        if answered.is_empty() {
            return;
        }
        let changed = runtime.change(id, |t| {
            for key in &answered {
                t.input_requests.remove(key);
            }
            if t.status == TaskStatus::InputRequired && t.input_requests.is_empty() {
                t.status = TaskStatus::Working;
            }
        });
        let all_answered = changed.is_some_and(|t| t.input_requests.is_empty() && !t.status.is_terminal());
        if all_answered && live.rerun.lock().unwrap().is_some() {
            runtime.rerun(&live, &self.backend);
        }
    }
}
