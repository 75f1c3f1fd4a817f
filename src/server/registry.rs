//! The component tables: what the `*/list` methods show and what calls and reads find. Tool input schemas
//! are compiled once, at registration; one the validator cannot compile (a remote `$ref`, a regex it does not
//! support) is still listed verbatim, as `FastMCP` lists it, and its arguments go unchecked by the core.

use crate::server::auth::ComponentAuth;
use crate::server::uri_template::{Screening, UriTemplate};
use serde_json::value::RawValue;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// A registered tool as the core sees it. `handler` is the backend's key for the callable.
pub struct ToolEntry {
    pub name: String,
    /// The entry `tools/list` shows, kept serialized: it is sent far more often than it changes.
    pub listing: Box<RawValue>,
    validator: Option<jsonschema::Validator>,
    /// Why the input schema is not checked natively (it could not be compiled); `None` when it is.
    pub unchecked: Option<String>,
    pub handler: u64,
    pub timeout: Option<Duration>,
    /// Arguments a modern HTTP client mirrors into `Mcp-Param-{name}` headers (`x-mcp-header`, SEP-2243).
    pub param_headers: Vec<ParamHeader>,
    /// Whether the tool may run as a task (its listing's `execution.taskSupport`).
    pub task_support: TaskSupport,
    /// Who may see and call it (`auth=` on its decorator); `None`: everyone.
    pub auth: Option<ComponentAuth>,
    /// A proxied tool the core forwards to its upstream itself (no backend call).
    pub forward: Option<crate::server::upstream::Forward>,
}

/// `execution.taskSupport` of a tool (the tasks extension).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskSupport {
    Forbidden,
    Optional,
    Required,
}

impl TaskSupport {
    fn of(definition: &Value) -> Self {
        match definition
            .get("execution")
            .and_then(|e| e.get("taskSupport"))
            .and_then(Value::as_str)
        {
            Some("optional") => Self::Optional,
            Some("required") => Self::Required,
            _ => Self::Forbidden,
        }
    }
}

/// A tool property marked `"x-mcp-header": "{name}"`, reached from the schema's root through `properties`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamHeader {
    /// The header's name, `mcp-param-` and the annotation, lowercase.
    pub header: String,
    /// Property names from the root to the argument.
    pub path: Vec<String>,
}

/// Every `x-mcp-header` property reachable through `properties` chains only (where SEP-2243 allows them).
fn param_headers(schema: Option<&Value>) -> Vec<ParamHeader> {
    fn walk(schema: &Value, path: &mut Vec<String>, out: &mut Vec<ParamHeader>) {
        let Some(props) = schema.get("properties").and_then(Value::as_object) else {
            return;
        };
        for (name, prop) in props {
            path.push(name.clone());
            if let Some(header) = prop.get("x-mcp-header").and_then(Value::as_str) {
                if !header.is_empty() && header.bytes().all(is_tchar) {
                    out.push(ParamHeader {
                        header: format!("mcp-param-{}", header.to_ascii_lowercase()),
                        path: path.clone(),
                    });
                }
            }
            walk(prop, path, out);
            path.pop();
        }
    }
    let mut out = Vec::new();
    if let Some(schema) = schema {
        walk(schema, &mut Vec::new(), &mut out);
    }
    out
}

/// RFC 9110 token characters.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// The tool's input schema could not be compiled.
#[derive(Debug)]
pub struct BadSchema(pub String);

impl ToolEntry {
    /// `definition` is the full tool object (`name`, `inputSchema`, ...).
    pub fn new(definition: &Value, handler: u64, timeout: Option<Duration>) -> Result<Self, BadSchema> {
        let name = definition
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| BadSchema("a tool needs a name".into()))?
            .to_owned();
        let (validator, unchecked) = match definition.get("inputSchema").map(jsonschema::validator_for) {
            Some(Ok(validator)) => (Some(validator), None),
            Some(Err(e)) => (None, Some(format!("tool {name:?}: {e}"))),
            None => (None, None),
        };
        let listing = raw_listing(definition)?;
        Ok(Self {
            name,
            listing,
            validator,
            unchecked,
            handler,
            timeout,
            param_headers: param_headers(definition.get("inputSchema")),
            task_support: TaskSupport::of(definition),
            auth: None,
            forward: None,
        })
    }

    /// Drops the native check, for a tool whose backend validates every call itself (its verdict would go
    /// unused): [`Self::arguments_valid`] is then always true.
    #[must_use]
    pub fn without_native_check(mut self) -> Self {
        self.validator = None;
        self
    }

    /// The native check: true when the arguments (a JSON object) satisfy the input schema.
    pub fn arguments_valid(&self, arguments: &Value) -> bool {
        self.validator.as_ref().is_none_or(|v| v.is_valid(arguments))
    }
}

/// What every registry entry has: the key it is found by and its serialized listing.
pub trait Listed: Send + Sync + 'static {
    fn key(&self) -> &str;
    fn listing(&self) -> &RawValue;
    /// Who may see and use the component; `None`: everyone.
    fn auth(&self) -> Option<&ComponentAuth>;
}

impl Listed for ToolEntry {
    fn key(&self) -> &str {
        &self.name
    }
    fn listing(&self) -> &RawValue {
        &self.listing
    }
    fn auth(&self) -> Option<&ComponentAuth> {
        self.auth.as_ref()
    }
}

struct Table<E> {
    order: Vec<Arc<E>>,
    by_key: HashMap<String, usize>,
}

impl<E> Default for Table<E> {
    fn default() -> Self {
        Self {
            order: Vec::new(),
            by_key: HashMap::new(),
        }
    }
}

/// Entries in registration order. Readers take a snapshot (an `Arc` clone); writers replace it.
///
/// A hidden entry may be *parked* instead of removed: it is then neither listed nor found, except by a
/// client whose own [`KeyView`] names it (per-session visibility, `ctx.enable_components`).
pub struct Registry<E> {
    table: RwLock<Arc<Table<E>>>,
    parked: RwLock<HashMap<String, Arc<E>>>,
}

impl<E> Default for Registry<E> {
    fn default() -> Self {
        Self {
            table: RwLock::new(Arc::new(Table::default())),
            parked: RwLock::new(HashMap::new()),
        }
    }
}

/// What one client sees of one registry, in place of what every client sees: the keys it may list and use,
/// in listing order. Keys may name live or parked entries; keys that name neither are skipped.
#[derive(Debug, Default)]
pub struct KeyView {
    order: Vec<String>,
    keys: HashSet<String>,
}

impl KeyView {
    pub fn new(order: Vec<String>) -> Self {
        let keys = order.iter().cloned().collect();
        Self { order, keys }
    }

    pub fn contains(&self, key: &str) -> bool {
        self.keys.contains(key)
    }
}

pub type ToolRegistry = Registry<ToolEntry>;

impl<E: Listed> Registry<E> {
    /// Adds an entry, replacing one with the same key in place (so listing order stays stable). Returns the
    /// replaced entry.
    pub fn insert(&self, entry: E) -> Option<Arc<E>> {
        let mut guard = self.table.write().unwrap();
        let mut order = guard.order.clone();
        let entry = Arc::new(entry);
        let parked = self.parked.write().unwrap().remove(entry.key());
        let replaced = if let Some(&i) = guard.by_key.get(entry.key()) {
            Some(std::mem::replace(&mut order[i], entry))
        } else {
            order.push(entry);
            parked
        };
        *guard = Arc::new(Self::index(order));
        replaced
    }

    pub fn remove(&self, key: &str) -> Option<Arc<E>> {
        let parked = self.parked.write().unwrap().remove(key);
        let mut guard = self.table.write().unwrap();
        let Some(&i) = guard.by_key.get(key) else {
            return parked;
        };
        let mut order = guard.order.clone();
        let removed = order.remove(i);
        *guard = Arc::new(Self::index(order));
        Some(removed)
    }

    /// Takes a live entry out of every listing and lookup, keeping it for the clients whose view names it.
    /// Returns whether there was such an entry.
    pub fn park(&self, key: &str) -> bool {
        let mut guard = self.table.write().unwrap();
        let Some(&i) = guard.by_key.get(key) else {
            return false;
        };
        let mut order = guard.order.clone();
        let entry = order.remove(i);
        *guard = Arc::new(Self::index(order));
        self.parked.write().unwrap().insert(key.to_owned(), entry);
        true
    }

    /// The entry under `key` as a client with `view` sees it (`None`: the view every client has).
    pub fn get_in(&self, view: Option<&KeyView>, key: &str) -> Option<Arc<E>> {
        match view {
            None => self.get(key),
            Some(v) if v.contains(key) => self.get(key).or_else(|| self.parked.read().unwrap().get(key).cloned()),
            Some(_) => None,
        }
    }

    /// Every entry a client with `view` sees, in its order.
    pub fn all_in(&self, view: Option<&KeyView>) -> Vec<Arc<E>> {
        let Some(view) = view else { return self.all() };
        let table = self.table.read().unwrap().clone();
        let parked = self.parked.read().unwrap();
        view.order
            .iter()
            .filter_map(|k| {
                table
                    .by_key
                    .get(k)
                    .map(|&i| table.order[i].clone())
                    .or_else(|| parked.get(k).cloned())
            })
            .collect()
    }

    fn index(order: Vec<Arc<E>>) -> Table<E> {
        let by_key = order.iter().enumerate().map(|(i, e)| (e.key().to_owned(), i)).collect();
        Table { order, by_key }
    }

    pub fn get(&self, key: &str) -> Option<Arc<E>> {
        let table = self.table.read().unwrap();
        table.by_key.get(key).map(|&i| table.order[i].clone())
    }

    /// Every entry, in order (a snapshot).
    pub fn all(&self) -> Vec<Arc<E>> {
        self.table.read().unwrap().order.clone()
    }

    pub fn len(&self) -> usize {
        self.table.read().unwrap().order.len()
    }

    /// Whether any entry has an `auth=` (listings are then filtered per caller).
    pub fn any_gated(&self) -> bool {
        self.table.read().unwrap().order.iter().any(|e| e.auth().is_some())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// One page of entries from `offset`, at most `page_size` (all when `None`), and the next offset if more
    /// remain.
    pub fn page(&self, offset: usize, page_size: Option<usize>) -> (Vec<Arc<E>>, Option<usize>) {
        let table = self.table.read().unwrap().clone();
        let end = page_size.map_or(table.order.len(), |n| {
            offset.saturating_add(n.max(1)).min(table.order.len())
        });
        let start = offset.min(end);
        let next = (end < table.order.len()).then_some(end);
        (table.order[start..end].to_vec(), next)
    }
}

/// A static resource: read by its exact URI.
pub struct ResourceEntry {
    pub uri: String,
    pub listing: Box<RawValue>,
    pub handler: u64,
    pub auth: Option<ComponentAuth>,
}

impl Listed for ResourceEntry {
    fn key(&self) -> &str {
        &self.uri
    }
    fn listing(&self) -> &RawValue {
        &self.listing
    }
    fn auth(&self) -> Option<&ComponentAuth> {
        self.auth.as_ref()
    }
}

/// A resource template: read by any URI it matches, with the parameters it extracts.
pub struct TemplateEntry {
    pub template: UriTemplate,
    pub listing: Box<RawValue>,
    pub handler: u64,
    /// Plain `{?name}` parameters that take a list (split on commas).
    pub list_params: HashSet<String>,
    /// `None` turns screening off for this template.
    pub screening: Option<Screening>,
    pub auth: Option<ComponentAuth>,
}

impl Listed for TemplateEntry {
    fn key(&self) -> &str {
        self.template.as_str()
    }
    fn listing(&self) -> &RawValue {
        &self.listing
    }
    fn auth(&self) -> Option<&ComponentAuth> {
        self.auth.as_ref()
    }
}

/// A prompt, with the arguments it cannot do without.
pub struct PromptEntry {
    pub name: String,
    pub listing: Box<RawValue>,
    pub handler: u64,
    pub required: Vec<String>,
    pub auth: Option<ComponentAuth>,
}

impl Listed for PromptEntry {
    fn key(&self) -> &str {
        &self.name
    }
    fn listing(&self) -> &RawValue {
        &self.listing
    }
    fn auth(&self) -> Option<&ComponentAuth> {
        self.auth.as_ref()
    }
}

/// Serializes a listing entry once, at registration.
pub fn raw_listing(definition: &Value) -> Result<Box<RawValue>, BadSchema> {
    serde_json::value::to_raw_value(definition).map_err(|e| BadSchema(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tool(name: &str) -> ToolEntry {
        let def = json!({"name": name, "inputSchema": {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]}});
        ToolEntry::new(&def, 0, None).unwrap()
    }

    #[test]
    fn param_headers_found_through_properties_only() {
        let def = json!({"name": "t", "inputSchema": {"type": "object", "properties": {
            "region": {"type": "string", "x-mcp-header": "Region"},
            "nested": {"type": "object", "properties": {"id": {"type": "integer", "x-mcp-header": "Id"}}},
            "bad": {"type": "string", "x-mcp-header": "has space"},
            "list": {"type": "array", "items": {"type": "string", "x-mcp-header": "Item"}}
        }}});
        let t = ToolEntry::new(&def, 0, None).unwrap();
        let found: Vec<(&str, Vec<&str>)> = t
            .param_headers
            .iter()
            .map(|p| (p.header.as_str(), p.path.iter().map(String::as_str).collect()))
            .collect();
        assert_eq!(
            found,
            [
                ("mcp-param-region", vec!["region"]),
                ("mcp-param-id", vec!["nested", "id"])
            ]
        );
    }

    #[test]
    fn parked_entries_are_seen_only_through_a_view_that_names_them() {
        let registry = ToolRegistry::default();
        for name in ["a", "b", "c"] {
            registry.insert(tool(name));
        }
        assert!(registry.park("b"));
        assert!(!registry.park("b"));
        let keys = |v: Vec<Arc<ToolEntry>>| v.iter().map(|e| e.name.clone()).collect::<Vec<_>>();
        assert_eq!(keys(registry.all()), ["a", "c"]);
        assert!(registry.get("b").is_none());
        // A view lists in its own order, live and parked alike, and skips keys that name nothing.
        let view = KeyView::new(vec!["b".into(), "a".into(), "gone".into()]);
        assert_eq!(keys(registry.all_in(Some(&view))), ["b", "a"]);
        assert!(registry.get_in(Some(&view), "b").is_some());
        assert!(registry.get_in(Some(&view), "c").is_none());
        assert!(registry.get_in(None, "b").is_none());
        // Registering it again makes it live (at the end); removing it removes the parked copy too.
        registry.park("a");
        assert!(registry.insert(tool("a")).is_some());
        assert_eq!(keys(registry.all()), ["c", "a"]);
        assert!(registry.remove("b").is_some());
        assert!(registry.get_in(Some(&view), "b").is_none());
    }

    #[test]
    fn validates_arguments() {
        let t = tool("add");
        assert!(t.arguments_valid(&json!({"a": 1})));
        assert!(!t.arguments_valid(&json!({"a": "1"})));
        assert!(!t.arguments_valid(&json!({})));
    }

    #[test]
    fn schema_the_validator_cannot_compile_is_listed_and_unchecked() {
        for schema in [
            json!({"type": 12}),
            json!({"type": "object", "properties": {"a": {"$ref": "https://example.com/a.json"}}}),
        ] {
            let def = json!({"name": "x", "inputSchema": schema});
            let entry = ToolEntry::new(&def, 0, None).unwrap();
            assert!(entry
                .unchecked
                .as_deref()
                .is_some_and(|why| why.starts_with("tool \"x\": ")));
            assert!(entry.arguments_valid(&json!({"a": "anything"})));
            let listed: Value = serde_json::from_str(entry.listing.get()).unwrap();
            assert_eq!(listed["inputSchema"], schema);
        }
        assert!(tool("ok").unchecked.is_none());
    }

    #[test]
    fn order_replace_remove_and_pages() {
        let reg = ToolRegistry::default();
        for n in ["a", "b", "c", "d", "e"] {
            reg.insert(tool(n));
        }
        reg.insert(tool("b"));
        let names = |v: Vec<Arc<ToolEntry>>| v.iter().map(|t| t.name.clone()).collect::<Vec<_>>();
        let (all, next) = reg.page(0, None);
        assert_eq!(names(all), ["a", "b", "c", "d", "e"]);
        assert_eq!(next, None);
        let (p1, next) = reg.page(0, Some(2));
        assert_eq!(names(p1), ["a", "b"]);
        assert_eq!(next, Some(2));
        let (p3, next) = reg.page(4, Some(2));
        assert_eq!(names(p3), ["e"]);
        assert_eq!(next, None);
        assert!(reg.remove("c").is_some());
        assert!(reg.get("c").is_none());
        assert_eq!(reg.get("d").unwrap().name, "d");
        assert_eq!(reg.len(), 4);
        let (past, next) = reg.page(99, Some(2));
        assert!(past.is_empty() && next.is_none());
    }
}
