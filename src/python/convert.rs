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
    py_to_json_depth(obj, 0)
}

const MAX_DEPTH: usize = 512;

fn py_to_json_depth(obj: &Bound<'_, PyAny>, depth: usize) -> PyResult<Value> {
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
        return Ok(float_to_json(f.value()));
    }
    if let Ok(d) = obj.cast_exact::<PyDict>() {
        return dict_to_json(d, depth);
    }
    if let Ok(l) = obj.cast_exact::<PyList>() {
        let mut out = Vec::with_capacity(l.len());
        for item in l.iter() {
            out.push(py_to_json_depth(&item, depth + 1)?);
        }
        return Ok(Value::Array(out));
    }
    if let Ok(t) = obj.cast_exact::<PyTuple>() {
        let mut out = Vec::with_capacity(t.len());
        for item in t.iter() {
            out.push(py_to_json_depth(&item, depth + 1)?);
        }
        return Ok(Value::Array(out));
    }
    py_subclass_to_json(obj, depth)
}

#[cold]
fn py_subclass_to_json(obj: &Bound<'_, PyAny>, depth: usize) -> PyResult<Value> {
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
        return Ok(float_to_json(f.value()));
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        return dict_to_json(d, depth);
    }
    if let Ok(l) = obj.cast::<PyList>() {
        return l
            .iter()
            .map(|item| py_to_json_depth(&item, depth + 1))
            .collect::<PyResult<Vec<_>>>()
            .map(Value::Array);
    }
    if let Ok(t) = obj.cast::<PyTuple>() {
        return t
            .iter()
            .map(|item| py_to_json_depth(&item, depth + 1))
            .collect::<PyResult<Vec<_>>>()
            .map(Value::Array);
    }
    Err(PyTypeError::new_err(format!(
        "not plain JSON data: {}",
        obj.get_type().name()?
    )))
}

/// Plain JSON data of exact builtin types only (str, int within 64 bits, finite float, bool, None, list, dict
/// with str keys), and whether it holds a float. `None` for anything else: tuples, subclasses, enums and
/// models are left to pydantic, whose output for them is not the same as a naive conversion.
pub fn exact_json(obj: &Bound<'_, PyAny>) -> Option<(Value, bool)> {
    let mut has_float = false;
    let value = exact_json_depth(obj, 0, &mut has_float)?;
    Some((value, has_float))
}

fn exact_json_depth(obj: &Bound<'_, PyAny>, depth: usize, has_float: &mut bool) -> Option<Value> {
    if depth > MAX_DEPTH {
        return None;
    }
    if let Ok(s) = obj.cast_exact::<PyString>() {
        return Some(Value::String(s.to_str().ok()?.to_owned()));
    }
    if obj.is_none() {
        return Some(Value::Null);
    }
    if let Ok(b) = obj.cast_exact::<PyBool>() {
        return Some(Value::Bool(b.is_true()));
    }
    if let Ok(i) = obj.cast_exact::<PyInt>() {
        return int_to_json(i).ok();
    }
    if let Ok(f) = obj.cast_exact::<PyFloat>() {
        *has_float = true;
        return Number::from_f64(f.value()).map(Value::Number);
    }
    if let Ok(d) = obj.cast_exact::<PyDict>() {
        let mut map = Map::with_capacity(d.len());
        for (k, v) in d.iter() {
            let key = k.cast_exact::<PyString>().ok()?.to_str().ok()?.to_owned();
            map.insert(key, exact_json_depth(&v, depth + 1, has_float)?);
        }
        return Some(Value::Object(map));
    }
    if let Ok(l) = obj.cast_exact::<PyList>() {
        let mut out = Vec::with_capacity(l.len());
        for item in l.iter() {
            out.push(exact_json_depth(&item, depth + 1, has_float)?);
        }
        return Some(Value::Array(out));
    }
    None
}

fn dict_to_json(d: &Bound<'_, PyDict>, depth: usize) -> PyResult<Value> {
    let mut map = Map::with_capacity(d.len());
    for (k, v) in d.iter() {
        let key = if let Ok(s) = k.cast::<PyString>() {
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
        map.insert(key, py_to_json_depth(&v, depth + 1)?);
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

fn float_to_json(v: f64) -> Value {
    // Non-finite floats have no JSON form; pydantic writes them as null.
    Number::from_f64(v).map_or(Value::Null, Value::Number)
}
