//! `subscriptions/listen` (2026-07-28): a request whose answer is a stream of the notifications it asked for
//! (list changes, updates of named resources), each tagged with the listen request's id. It lasts until the
//! client cancels it (closes the HTTP response, or sends `notifications/cancelled` over stdio) or the server
//! shuts down, which answers it with a graceful-close result.

use super::{ListKind, McpServer};
use crate::protocol::modern::{missing_capability, Envelope, META_SUBSCRIPTION_ID, TASKS_EXTENSION};
use crate::protocol::{Outgoing, RequestId, RpcError};
use crate::server::context::RequestSink;
use crate::server::session::Session;
use serde_json::{json, Map, Value};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use tokio::sync::watch;

/// What one subscription asked for and the server honours.
#[derive(Debug, Default, Clone, PartialEq)]
struct Filter {
    tools: bool,
    prompts: bool,
    resources: bool,
    uris: HashSet<String>,
    task_ids: HashSet<String>,
}

struct Listener {
    id: RequestId,
    filter: Filter,
    sink: RequestSink,
    session: Arc<Session>,
}

impl Listener {
    fn send(&self, method: &str, mut params: Map<String, Value>) -> bool {
        params.insert("_meta".into(), json!({ META_SUBSCRIPTION_ID: self.id.to_value() }));
        self.sink
            .send(&self.session, Outgoing::notification(method, &Value::Object(params)))
    }
}

/// The open subscriptions, and the switch that ends them all at shutdown.
pub struct Listeners {
    open: Mutex<Vec<Arc<Listener>>>,
    closing: watch::Sender<bool>,
}

impl Default for Listeners {
    fn default() -> Self {
        Self {
            open: Mutex::new(Vec::new()),
            closing: watch::Sender::new(false),
        }
    }
}

impl Listeners {
    fn snapshot(&self) -> Vec<Arc<Listener>> {
        self.open.lock().unwrap().clone()
    }

    pub fn len(&self) -> usize {
        self.open.lock().unwrap().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Sends a list change to the subscriptions that asked for it; returns how many.
    pub fn list_changed(&self, kind: ListKind) -> usize {
        let method = match kind {
            ListKind::Tools => "notifications/tools/list_changed",
            ListKind::Resources => "notifications/resources/list_changed",
            ListKind::Prompts => "notifications/prompts/list_changed",
        };
        self.snapshot()
            .iter()
            .filter(|l| match kind {
                ListKind::Tools => l.filter.tools,
                ListKind::Resources => l.filter.resources,
                ListKind::Prompts => l.filter.prompts,
            })
            .filter(|l| l.send(method, Map::new()))
            .count()
    }

    /// Sends `notifications/resources/updated` to the subscriptions that named `uri`.
    pub fn resource_updated(&self, uri: &str) -> usize {
        self.snapshot()
            .iter()
            .filter(|l| l.filter.uris.contains(uri))
            .filter(|l| {
                let mut params = Map::new();
                params.insert("uri".into(), uri.into());
                l.send("notifications/resources/updated", params)
            })
            .count()
    }

    /// Sends `notifications/tasks` (the task's current state) to the subscriptions that named the task.
    pub fn task_changed(&self, task_id: &str, task: &Map<String, Value>) -> usize {
        self.snapshot()
            .iter()
            .filter(|l| l.filter.task_ids.contains(task_id))
            .filter(|l| l.send("notifications/tasks", task.clone()))
            .count()
    }

    /// Ends every subscription with its graceful-close result (at shutdown).
    pub fn close_all(&self) {
        self.closing.send_replace(true);
    }
}

/// Takes the listener out of the open list however its request ends.
struct Registered<'a> {
    listeners: &'a Listeners,
    listener: Arc<Listener>,
}

impl Drop for Registered<'_> {
    fn drop(&mut self) {
        self.listeners
            .open
            .lock()
            .unwrap()
            .retain(|l| !Arc::ptr_eq(l, &self.listener));
    }
}

impl McpServer {
    /// What makes a `subscriptions/listen` unservable before its stream opens: no filter object, or task ids
    /// from a request without the tasks extension.
    pub fn check_listen(&self, envelope: &Envelope, params: Option<&Map<String, Value>>) -> Result<(), RpcError> {
        let Some(asked) = params.and_then(|p| p.get("notifications")).and_then(Value::as_object) else {
            return Err(RpcError::invalid_params(
                "Invalid params: subscriptions/listen needs a notifications filter (an object)",
            ));
        };
        if asked.contains_key("taskIds") && !envelope.declares_extension(TASKS_EXTENSION) {
            return Err(missing_capability(
                json!({"extensions": {TASKS_EXTENSION: {}}}),
                TASKS_EXTENSION,
            ));
        }
        Ok(())
    }

    /// Serves `subscriptions/listen`: acknowledges what it will deliver, then delivers until the request
    /// ends.
    pub(super) async fn listen(
        &self,
        id: &RequestId,
        envelope: &Envelope,
        params: Option<&Map<String, Value>>,
        sink: RequestSink,
    ) -> Option<Result<Vec<u8>, RpcError>> {
        if let Err(error) = self.check_listen(envelope, params) {
            return Some(Err(error));
        }
        let asked = params.and_then(|p| p.get("notifications")).and_then(Value::as_object)?;
        let on = |key: &str| asked.get(key).and_then(Value::as_bool).unwrap_or(false);
        let strings = |key: &str| -> Option<HashSet<String>> {
            asked
                .get(key)
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        };
        let task_ids = strings("taskIds");
        let filter = Filter {
            tools: on("toolsListChanged"),
            prompts: on("promptsListChanged"),
            resources: on("resourcesListChanged"),
            uris: strings("resourceSubscriptions").unwrap_or_default(),
            task_ids: task_ids.filter(|_| self.tasks_enabled()).unwrap_or_default(),
        };
        // The acknowledgement echoes what will be delivered, and only that.
        let mut honoured = Map::new();
        for (key, yes) in [
            ("toolsListChanged", filter.tools),
            ("promptsListChanged", filter.prompts),
            ("resourcesListChanged", filter.resources),
        ] {
            if yes {
                honoured.insert(key.into(), true.into());
            }
        }
        if asked.contains_key("resourceSubscriptions") {
            honoured.insert(
                "resourceSubscriptions".into(),
                json!(filter.uris.iter().collect::<Vec<_>>()),
            );
        }
        if !filter.task_ids.is_empty() {
            honoured.insert("taskIds".into(), json!(filter.task_ids.iter().collect::<Vec<_>>()));
        }
        let session = Arc::new(Session::new(None));
        let listener = Arc::new(Listener {
            id: id.clone(),
            filter,
            sink,
            session,
        });
        let mut closing = self.listeners.closing.subscribe();
        if *closing.borrow() {
            return Some(Ok(self.listen_closed(id)));
        }
        let mut ack = Map::new();
        ack.insert("notifications".into(), Value::Object(honoured));
        listener.send("notifications/subscriptions/acknowledged", ack);
        self.listeners.open.lock().unwrap().push(listener.clone());
        let _registered = Registered {
            listeners: &self.listeners,
            listener,
        };
        let _ = closing.wait_for(|c| *c).await;
        Some(Ok(self.listen_closed(id)))
    }

    /// The result that ends a subscription the server closes.
    fn listen_closed(&self, id: &RequestId) -> Vec<u8> {
        let mut meta = Map::new();
        meta.insert(META_SUBSCRIPTION_ID.into(), id.to_value());
        self.complete_value(id, json!({"_meta": meta}), None)
    }
}
