//! fastmcp-rs: a native core that serves MCP for Python tool functions.
//!
//! `protocol`, `server` and `transport` are plain Rust and never touch the interpreter; the pyo3 glue that
//! connects them to Python lives in `python` and is built only with the `python` feature.

pub mod protocol;
pub mod server;
pub mod transport;

#[cfg(feature = "python")]
mod python;
