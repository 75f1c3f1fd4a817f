//! pyo3 glue.
