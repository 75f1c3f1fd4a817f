//! Python ⇄ JSON conversion by exact type first (the common case), subclasses after.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_json::{Map, Number, Value};

/// Builds Python objects from JSON: dicts, lists, str, int, float, bool, None.
pub fn json_to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                PyFloat::new(py, n.as_f64().unwrap_or(f64::NAN)).into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(json_to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => json_object_to_py(py, map)?.into_any(),
    })
}

pub fn json_object_to_py<'py>(py: Python<'py>, map: &Map<String, Value>) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    for (k, v) in map {
        dict.set_item(PyString::new(py, k), json_to_py(py, v)?)?;
    }
    Ok(dict)
}

/// Converts plain Python data to JSON. Anything else (models, dataclasses, datetimes) is a `TypeError`,
/// which callers answer by handing the object to the Python-side serializer.
pub fn py_to_json(obj: &Bound<'_, PyAny>) -> PyResult<Value> {
    walk(
        obj,
        0,
        &mut Walk {
            strict: false,
            has_float: false,
        },
    )
}

/// Plain JSON data of exact builtin types only (str, int within 64 bits, finite float, bool, None, list, dict
/// with str keys), and whether it holds a float. `None` for anything else: tuples, subclasses, enums and
/// models are left to pydantic, whose output for them is not the same as a naive conversion.
pub fn exact_json(obj: &Bound<'_, PyAny>) -> Option<(Value, bool)> {
    let mut how = Walk {
        strict: true,
        has_float: false,
    };
    let value = walk(obj, 0, &mut how).ok()?;
    Some((value, how.has_float))
}

/// How a conversion goes: `strict` refuses everything but exact builtin types; `has_float` is what it saw.
struct Walk {
    strict: bool,
    has_float: bool,
}

const MAX_DEPTH: usize = 512;

fn walk(obj: &Bound<'_, PyAny>, depth: usize, how: &mut Walk) -> PyResult<Value> {
    if depth > MAX_DEPTH {
        return Err(PyValueError::new_err("structure nested too deeply to serialize"));
    }
    if let Ok(s) = obj.cast_exact::<PyString>() {
        return Ok(Value::String(s.to_str()?.to_owned()));
    }
    if obj.is_none() {
        return Ok(Value::Null);
    }
    // bool before int: bool is an int subclass.
    if let Ok(b) = obj.cast_exact::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if let Ok(i) = obj.cast_exact::<PyInt>() {
        return int_to_json(i);
    }
    if let Ok(f) = obj.cast_exact::<PyFloat>() {
        how.has_float = true;
        return float_to_json(f.value(), how.strict);
    }
    if let Ok(d) = obj.cast_exact::<PyDict>() {
        return dict_to_json(d, depth, how);
    }
    if let Ok(l) = obj.cast_exact::<PyList>() {
        let mut out = Vec::with_capacity(l.len());
        for item in l.iter() {
            out.push(walk(&item, depth + 1, how)?);
        }
        return Ok(Value::Array(out));
    }
    if how.strict {
        return Err(not_plain(obj));
    }
    if let Ok(t) = obj.cast_exact::<PyTuple>() {
        let mut out = Vec::with_capacity(t.len());
        for item in t.iter() {
            out.push(walk(&item, depth + 1, how)?);
        }
        return Ok(Value::Array(out));
    }
    subclass_to_json(obj, depth, how)
}

#[cold]
fn subclass_to_json(obj: &Bound<'_, PyAny>, depth: usize, how: &mut Walk) -> PyResult<Value> {
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    // str and int subclasses (str/int enums among them) serialize as their values, as json.dumps does.
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Value::String(s.to_str()?.to_owned()));
    }
    if let Ok(i) = obj.cast::<PyInt>() {
        return int_to_json(i);
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        how.has_float = true;
        return float_to_json(f.value(), false);
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        return dict_to_json(d, depth, how);
    }
    if let Ok(l) = obj.cast::<PyList>() {
        return l
            .iter()
            .map(|item| walk(&item, depth + 1, how))
            .collect::<PyResult<Vec<_>>>()
            .map(Value::Array);
    }
    if let Ok(t) = obj.cast::<PyTuple>() {
        return t
            .iter()
            .map(|item| walk(&item, depth + 1, how))
            .collect::<PyResult<Vec<_>>>()
            .map(Value::Array);
    }
    Err(not_plain(obj))
}

#[cold]
fn not_plain(obj: &Bound<'_, PyAny>) -> PyErr {
    let name = obj.get_type().name().map_or_else(|_| "?".to_owned(), |n| n.to_string());
    PyTypeError::new_err(format!("not plain JSON data: {name}"))
}

fn dict_to_json(d: &Bound<'_, PyDict>, depth: usize, how: &mut Walk) -> PyResult<Value> {
    let mut map = Map::with_capacity(d.len());
    for (k, v) in d.iter() {
        let key = if let Ok(s) = k.cast_exact::<PyString>() {
            s.to_str()?.to_owned()
        } else if how.strict {
            return Err(not_plain(&k));
        } else if let Ok(s) = k.cast::<PyString>() {
            s.to_str()?.to_owned()
        } else if k.cast::<PyBool>().is_ok() {
            // json.dumps writes True keys as "true".
            if k.is_truthy()? {
                "true".to_owned()
            } else {
                "false".to_owned()
            }
        } else if k.cast::<PyInt>().is_ok() || k.cast::<PyFloat>().is_ok() {
            k.str()?.to_str()?.to_owned()
        } else {
            return Err(PyTypeError::new_err("dict keys must be str, int, float or bool"));
        };
        map.insert(key, walk(&v, depth + 1, how)?);
    }
    Ok(Value::Object(map))
}

fn int_to_json(i: &Bound<'_, PyInt>) -> PyResult<Value> {
    if let Ok(v) = i.extract::<i64>() {
        return Ok(Value::from(v));
    }
    if let Ok(v) = i.extract::<u64>() {
        return Ok(Value::from(v));
    }
    Err(PyValueError::new_err("integer out of the range JSON numbers carry"))
}

fn float_to_json(v: f64, strict: bool) -> PyResult<Value> {
    match Number::from_f64(v) {
        Some(n) => Ok(Value::Number(n)),
        // Non-finite floats have no JSON form: pydantic writes them as null; a strict walk leaves them to it.
        None if strict => Err(PyValueError::new_err("non-finite float")),
        None => Ok(Value::Null),
    }
}
