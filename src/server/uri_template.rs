//! Resource URI templates (RFC 6570, the subset MCP servers use) and the screening of the values they
//! extract.
//!
//! - `{name}` matches one path segment (no `/`); `{name*}` and `{+name}` match one or more characters,
//!   slashes included.
//! - `{?a,b}` names query parameters (anywhere in the template; they take no part in path matching);
//!   `{?tags*}` collects every repetition of `tags` into a list.
//! - Literal text matches as written or percent-encoded (hex digits in either case), as clients encode it.
//! - Values are percent-decoded. Hyphens in names become underscores (Python parameter names).
//!
//! Matching compiles to a `regex` automaton, so it is linear in the URI's length whatever the template and
//! whatever the input (no backtracking).

use percent_encoding::percent_decode_str;
use regex::Regex;
use serde_json::Value;
use std::collections::HashSet;
use std::fmt::Write as _;

/// A compiled template.
#[derive(Debug)]
pub struct UriTemplate {
    source: String,
    path: Regex,
    /// Path parameter names, in template order.
    path_names: Vec<String>,
    /// Query parameter names as written in the URI, with whether each is exploded (`{?name*}`).
    query: Vec<(String, bool)>,
    /// Whether the template spells out a `#`: then the fragment takes part in matching.
    keeps_fragment: bool,
}

/// Why a template was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadTemplate(pub String);

/// Characters RFC 3986 lets a URI carry as they are (unreserved and reserved).
fn stays_literal(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&'()*+,;=".contains(c)
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A regex for literal text: each character that a client might percent-encode matches either way.
fn literal_pattern(text: &str, out: &mut String) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < text.len() {
        // An existing `%XX` triplet matches in either hex case.
        if bytes[i] == b'%' && i + 3 <= bytes.len() && bytes[i + 1..i + 3].iter().all(u8::is_ascii_hexdigit) {
            out.push_str("(?i:%");
            out.push_str(&text[i + 1..i + 3]);
            out.push(')');
            i += 3;
            continue;
        }
        let c = text[i..].chars().next().expect("i is on a char boundary");
        if stays_literal(c) {
            out.push_str(&regex::escape(c.encode_utf8(&mut [0; 4])));
        } else {
            out.push_str("(?:");
            out.push_str(&regex::escape(c.encode_utf8(&mut [0; 4])));
            out.push_str("|(?i:");
            let mut buf = [0; 4];
            for b in c.encode_utf8(&mut buf).as_bytes() {
                let _ = write!(out, "%{b:02X}");
            }
            out.push_str("))");
        }
        i += c.len_utf8();
    }
}

impl UriTemplate {
    pub fn parse(template: &str) -> Result<Self, BadTemplate> {
        let mut pattern = String::from("^");
        let mut path_names = Vec::new();
        let mut query = Vec::new();
        let mut seen = HashSet::new();
        let mut rest = template;
        let add_name = |raw: &str, seen: &mut HashSet<String>| -> Result<String, BadTemplate> {
            let name = raw.trim().replace('-', "_");
            if !is_identifier(&name) {
                return Err(BadTemplate(format!(
                    "invalid parameter name {raw:?} in URI template {template:?}"
                )));
            }
            if !seen.insert(name.clone()) {
                return Err(BadTemplate(format!(
                    "parameter {name:?} appears twice in URI template {template:?}"
                )));
            }
            Ok(name)
        };
        while let Some(open) = rest.find('{') {
            literal_pattern(&rest[..open], &mut pattern);
            let Some(close) = rest[open..].find('}') else {
                return Err(BadTemplate(format!("unclosed '{{' in URI template {template:?}")));
            };
            let expr = &rest[open + 1..open + close];
            rest = &rest[open + close + 1..];
            if let Some(names) = expr.strip_prefix('?') {
                for raw in names.split(',') {
                    let raw = raw.trim();
                    let (raw, exploded) = match raw.strip_suffix('*') {
                        Some(r) => (r, true),
                        None => (raw, false),
                    };
                    add_name(raw, &mut seen)?;
                    // The URI carries the name as written (hyphens and all).
                    query.push((raw.to_owned(), exploded));
                }
                continue;
            }
            let (raw, wide) = if let Some(r) = expr.strip_suffix('*') {
                (r, true)
            } else if let Some(r) = expr.strip_prefix('+') {
                (r, true)
            } else {
                (expr, false)
            };
            let name = add_name(raw, &mut seen)?;
            let _ = write!(pattern, "(?P<{name}>{})", if wide { ".+" } else { "[^/]+" });
            path_names.push(name);
        }
        literal_pattern(rest, &mut pattern);
        pattern.push('$');
        let path = Regex::new(&pattern).map_err(|e| BadTemplate(format!("URI template {template:?}: {e}")))?;
        Ok(Self {
            source: template.to_owned(),
            path,
            path_names,
            query,
            keeps_fragment: template.contains('#'),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether the template has any parameter at all.
    pub fn has_parameters(&self) -> bool {
        !self.path_names.is_empty() || !self.query.is_empty()
    }

    /// Every parameter name (path, then query), as the function receives them.
    pub fn parameter_names(&self) -> impl Iterator<Item = String> + '_ {
        self.path_names
            .iter()
            .cloned()
            .chain(self.query.iter().map(|(n, _)| n.replace('-', "_")))
    }

    /// The parameters a URI gives this template, or `None` when it does not match. Query parameters that
    /// the URI leaves out are absent (the function's defaults apply). `list_params` names plain `{?name}`
    /// parameters that take a list: their value is split on commas.
    pub fn matches(&self, uri: &str, list_params: &HashSet<String>) -> Option<Vec<(String, Value)>> {
        let uri = if self.keeps_fragment {
            uri
        } else {
            uri.split_once('#').map_or(uri, |(u, _)| u)
        };
        let (path, query) = uri.split_once('?').unwrap_or((uri, ""));
        let caps = self.path.captures(path)?;
        let mut params: Vec<(String, Value)> = self
            .path_names
            .iter()
            .map(|n| (n.clone(), Value::String(decode(&caps[n.as_str()], false))))
            .collect();
        if query.is_empty() || self.query.is_empty() {
            return Some(params);
        }
        let pairs: Vec<(&str, &str)> = query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| p.split_once('=').unwrap_or((p, "")))
            .collect();
        for (raw_name, exploded) in &self.query {
            let key = raw_name.replace('-', "_");
            if params.iter().any(|(k, _)| *k == key) {
                continue;
            }
            let mut values = pairs
                .iter()
                .filter(|(n, _)| decode(n, true) == *raw_name)
                .map(|(_, v)| *v)
                .peekable();
            let Some(first) = values.peek().copied() else {
                continue;
            };
            let value = if *exploded {
                Value::Array(values.map(|v| Value::String(decode(v, true))).collect())
            } else if list_params.contains(&key) {
                if first.is_empty() {
                    Value::Array(Vec::new())
                } else {
                    Value::Array(first.split(',').map(|v| Value::String(decode(v, true))).collect())
                }
            } else {
                Value::String(decode(first, true))
            };
            params.push((key, value));
        }
        Some(params)
    }
}

/// Percent-decoding (invalid UTF-8 becomes U+FFFD); in a query `+` also means a space.
fn decode(raw: &str, plus_is_space: bool) -> String {
    if plus_is_space && raw.contains('+') {
        let spaced = raw.replace('+', " ");
        return percent_decode_str(&spaced).decode_utf8_lossy().into_owned();
    }
    percent_decode_str(raw).decode_utf8_lossy().into_owned()
}

/// What is screened out of template parameters before the function runs.
#[derive(Debug, Clone)]
pub struct Screening {
    pub reject_path_traversal: bool,
    pub reject_absolute_paths: bool,
    pub reject_null_bytes: bool,
    /// Parameters exempt from every check (hyphens already normalised to underscores).
    pub exempt: HashSet<String>,
}

impl Default for Screening {
    fn default() -> Self {
        Self {
            reject_path_traversal: true,
            reject_absolute_paths: true,
            reject_null_bytes: true,
            exempt: HashSet::new(),
        }
    }
}

impl Screening {
    /// The name of the first parameter whose (decoded) value fails a check.
    pub fn first_failure<'a>(&self, params: &'a [(String, Value)]) -> Option<&'a str> {
        for (name, value) in params {
            if self.exempt.contains(name) {
                continue;
            }
            let failed = match value {
                Value::String(s) => self.fails(s),
                Value::Array(items) => items.iter().filter_map(Value::as_str).any(|s| self.fails(s)),
                _ => false,
            };
            if failed {
                return Some(name);
            }
        }
        None
    }

    fn fails(&self, value: &str) -> bool {
        (self.reject_null_bytes && value.contains('\0'))
            || (self.reject_path_traversal && escapes_origin(value))
            || (self.reject_absolute_paths && is_absolute_path(value))
    }
}

/// True when the value, read as a relative path (`/` or `\` separated), climbs above where it starts.
/// A `..` inside a name (`v1..v2`) is not a traversal.
pub fn escapes_origin(value: &str) -> bool {
    let mut depth: i64 = 0;
    for part in value.split(['/', '\\']) {
        match part {
            ".." => {
                depth -= 1;
                if depth < 0 {
                    return true;
                }
            }
            "" | "." => {}
            _ => depth += 1,
        }
    }
    false
}

/// POSIX absolute (`/x`), Windows root-relative or UNC (`\x`), or a drive form (`C:`, `C:\x`, `C:x`).
pub fn is_absolute_path(value: &str) -> bool {
    let b = value.as_bytes();
    match b {
        [b'/' | b'\\', ..] => true,
        [d, b':', ..] => d.is_ascii_alphabetic(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::time::Instant;

    fn m(t: &str, uri: &str) -> Option<Value> {
        let t = UriTemplate::parse(t).unwrap();
        t.matches(uri, &HashSet::new())
            .map(|p| Value::Object(p.into_iter().collect()))
    }

    #[test]
    fn simple_and_wide_parameters() {
        assert_eq!(
            m("users://{user_id}/profile", "users://101/profile"),
            Some(json!({"user_id": "101"}))
        );
        assert_eq!(m("users://{user_id}/profile", "users://a/b/profile"), None);
        assert_eq!(m("users://{user_id}/profile", "users:///profile"), None);
        assert_eq!(
            m("files://{path*}", "files://a/b/c.txt"),
            Some(json!({"path": "a/b/c.txt"}))
        );
        assert_eq!(m("docs://{+path}", "docs://x/y"), Some(json!({"path": "x/y"})));
        assert_eq!(m("users://{user-id}", "users://a%20b"), Some(json!({"user_id": "a b"})));
        assert_eq!(m("data://config", "data://config"), Some(json!({})));
        assert_eq!(m("data://config", "data://configx"), None);
    }

    #[test]
    fn query_parameters() {
        let t = "search://items{?q,limit}";
        assert_eq!(m(t, "search://items"), Some(json!({})));
        assert_eq!(
            m(t, "search://items?q=red+shoes&limit=5&other=1"),
            Some(json!({"q": "red shoes", "limit": "5"}))
        );
        assert_eq!(m(t, "search://items?q=&q=2"), Some(json!({"q": ""})));
        assert_eq!(
            m("t://x{?tags*}", "t://x?tags=a&tags=b"),
            Some(json!({"tags": ["a", "b"]}))
        );
        let tpl = UriTemplate::parse("t://x{?ids}").unwrap();
        let lists: HashSet<String> = ["ids".to_owned()].into();
        let got = tpl.matches("t://x?ids=1,2%2C3", &lists).unwrap();
        assert_eq!(got, vec![("ids".to_owned(), json!(["1", "2,3"]))]);
    }

    #[test]
    fn literals_match_encoded_and_fragments_drop() {
        assert_eq!(
            m("file:///docs/café/{name}", "file:///docs/caf%c3%a9/x"),
            Some(json!({"name": "x"}))
        );
        assert_eq!(
            m("file:///docs/café/{name}", "file:///docs/café/x"),
            Some(json!({"name": "x"}))
        );
        assert_eq!(m("a://{x}", "a://y#frag"), Some(json!({"x": "y"})));
    }

    #[test]
    fn bad_templates_are_refused() {
        assert!(UriTemplate::parse("a://{x}/{x}").is_err());
        assert!(UriTemplate::parse("a://{1x}").is_err());
        assert!(UriTemplate::parse("a://{x").is_err());
    }

    #[test]
    fn screening() {
        let s = Screening::default();
        let p = |v: &str| vec![("p".to_owned(), Value::String(v.to_owned()))];
        for bad in [
            "..",
            "../etc",
            "a/../../b",
            "/etc/passwd",
            "\\\\srv\\x",
            "C:\\Windows",
            "a\0b",
            "..\\x",
        ] {
            assert_eq!(s.first_failure(&p(bad)), Some("p"), "{bad:?}");
        }
        for ok in ["a/b", "a/../b", "1.0..2.0", "HEAD~3..HEAD", "file.tar.gz", ""] {
            assert_eq!(s.first_failure(&p(ok)), None, "{ok:?}");
        }
        let list = vec![("p".to_owned(), json!(["ok", "../x"]))];
        assert_eq!(s.first_failure(&list), Some("p"));
        let exempt = Screening {
            exempt: ["p".to_owned()].into(),
            ..Screening::default()
        };
        assert_eq!(exempt.first_failure(&p("..")), None);
    }

    #[test]
    fn matching_stays_linear_on_hostile_input() {
        // Backtracking engines take exponential time here; an automaton does not.
        let t = UriTemplate::parse("x://{a*}{b*}{c*}{d*}{e*}/end").unwrap();
        let uri = format!("x://{}", "a".repeat(20_000));
        let start = Instant::now();
        assert!(t.matches(&uri, &HashSet::new()).is_none());
        assert!(start.elapsed().as_secs() < 5);
    }
}
