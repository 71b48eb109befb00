"""The wire between the two grading processes: length-prefixed JSON messages; arrays as ``.npy``, never pickle.

Both sandboxes get a copy of this file (standard library and NumPy only). The submission's process uses
:func:`encode` to send what the tests ask for; the tests' process uses :func:`decode`, which accepts only plain
data and rebuilds it with exact types: ``None``, ``bool``, ``int``, ``float``, ``str``, lists, tuples and dicts
of those, NumPy arrays and scalars of booleans, numbers or text (read with ``allow_pickle=False``), and pandas
Series and DataFrames made of those. An object that is not data crosses as a *reference* (``{"$": "ref"}``): the
other side can only call it, read an attribute of it or index it, and each answer crosses the same way.
"""

from __future__ import annotations

import base64
import io
import json
import os
import select
import struct
import time

import numpy as np

#: the largest message either side accepts (a reply bigger than this is an error, not a grade)
MAX_MESSAGE = 64 * 2**20
#: dtype kinds that may cross: booleans, signed and unsigned integers, floats, complex numbers, text
ARRAY_KINDS = "biufcU"
_HEADER = struct.Struct(">I")


class WireError(Exception):
    """A message that may not cross: too large, not JSON, or holding something that is not plain data."""


class WireClosed(WireError):
    """The other process closed its end (it ended, or was stopped by a limit)."""


class WireTimeout(WireError):
    """The other process did not answer in time."""


def _wait(fd: int, writing: bool, deadline: float | None) -> None:
    timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
    ready = select.select([], [fd], [], timeout) if writing else select.select([fd], [], [], timeout)
    if not any(ready):
        raise WireTimeout("no answer in time")


def send(fd: int, message: object, deadline: float | None = None) -> None:
    """Write one message (a JSON document) to ``fd``."""
    data = json.dumps(message, separators=(",", ":")).encode("utf-8")
    if len(data) > MAX_MESSAGE:
        raise WireError(f"a message of {len(data) / 2**20:.0f} MB is larger than the {MAX_MESSAGE // 2**20} MB allowed")
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        _wait(fd, True, deadline)
        try:
            written = os.write(fd, view[: 1 << 16])
        except BrokenPipeError:
            raise WireClosed("the other process closed the connection") from None
        view = view[written:]


def _read_exactly(fd: int, size: int, deadline: float | None) -> bytes:
    chunks, missing = [], size
    while missing:
        _wait(fd, False, deadline)
        chunk = os.read(fd, min(missing, 1 << 20))
        if not chunk:
            raise WireClosed("the other process closed the connection")
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)


def receive(fd: int, deadline: float | None = None) -> object:
    """Read one message from ``fd``; :class:`WireTimeout` after ``deadline`` (``time.monotonic()``)."""
    (size,) = _HEADER.unpack(_read_exactly(fd, _HEADER.size, deadline))
    if size > MAX_MESSAGE:
        raise WireError(f"a message of {size / 2**20:.0f} MB is larger than the {MAX_MESSAGE // 2**20} MB allowed")
    try:
        return json.loads(_read_exactly(fd, size, deadline).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise WireError(f"a message that is not valid JSON ({type(error).__name__})") from None


# --- encoding ---------------------------------------------------------------------------------------------------


def _npy(array: np.ndarray) -> str:
    if array.dtype.kind not in ARRAY_KINDS or array.dtype.names is not None:
        raise WireError(f"an array of dtype {array.dtype} cannot cross; only booleans, numbers and text can")
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _plain(value: object) -> object:
    """The plain value inside a subclass of a built-in type or of ndarray, read without calling its overrides."""
    for base, read in ((bool, bool), (int, int.__int__), (float, float.__float__), (complex, complex.__complex__),
                       (str, str.__str__)):
        if isinstance(value, base):
            return read(value)
    if isinstance(value, np.ndarray):
        return np.array(np.ndarray.view(value, np.ndarray), copy=True, subok=False)
    if isinstance(value, list):
        return list(list.__iter__(value))
    if isinstance(value, tuple):
        return tuple(tuple.__iter__(value))
    if isinstance(value, dict):
        return dict(dict.items(value))
    return value


def encode(value: object, refer=None, depth: int = 0) -> object:
    """``value`` as JSON-ready data; ``refer(value)`` makes a reference of anything else (or raises WireError)."""
    if depth > 100:
        raise WireError("data nested more than 100 levels deep cannot cross")
    kind = type(value)
    if value is None or kind in (bool, int, str):
        return value
    if kind is float:
        return value if value == value and abs(value) != float("inf") else {"$": "float", "repr": repr(value)}
    if kind is list:
        return [encode(item, refer, depth + 1) for item in value]
    if kind is tuple:
        return {"$": "tuple", "items": [encode(item, refer, depth + 1) for item in value]}
    if kind is dict:
        return {"$": "dict", "items": [[encode(k, refer, depth + 1), encode(v, refer, depth + 1)]
                                       for k, v in value.items()]}
    if kind is complex:
        return {"$": "scalar", "npy": _npy(np.asarray(value))}
    if kind is np.ndarray:
        return {"$": "ndarray", "npy": _npy(value)}
    if isinstance(value, np.generic) and kind.__module__ == "numpy":
        return {"$": "scalar", "npy": _npy(np.asarray(value))}
    module = getattr(kind, "__module__", "") or ""
    if module.split(".")[0] == "pandas" and kind.__name__ in ("Series", "DataFrame"):
        return _encode_pandas(value, refer, depth)
    plain = _plain(value)
    if plain is not value:
        return encode(plain, refer, depth + 1)
    if refer is None:
        raise WireError(f"a {kind.__name__} is not plain data and cannot cross")
    return refer(value)


def _column(values) -> str:
    array = np.asarray(values)
    if array.dtype.kind == "O":  # text columns: pandas keeps Python strings in object arrays
        if not all(type(item) is str for item in array.ravel().tolist()):
            raise WireError("a pandas column of Python objects cannot cross; only booleans, numbers and text can")
        array = array.astype(str)
    return _npy(array)


def _encode_pandas(value, refer, depth: int) -> dict:
    index = _column(value.index.to_numpy())
    if type(value).__name__ == "Series":
        return {"$": "series", "values": _column(value.to_numpy()), "index": index,
                "name": encode(value.name, None, depth + 1)}
    return {"$": "frame", "columns": [encode(column, None, depth + 1) for column in value.columns],
            "data": [_column(value[column].to_numpy()) for column in value.columns], "index": index}


# --- decoding ---------------------------------------------------------------------------------------------------


def load_npy(text: object) -> np.ndarray:
    """An array from its base64 ``.npy`` text: exactly an ndarray of an allowed dtype, or WireError."""
    if type(text) is not str:
        raise WireError("an array must arrive as text")
    try:
        array = np.load(io.BytesIO(base64.b64decode(text, validate=True)), allow_pickle=False)
    except (ValueError, OSError, EOFError, MemoryError) as error:
        raise WireError(f"an array that could not be read ({type(error).__name__}: {error})") from None
    if type(array) is not np.ndarray or array.dtype.kind not in ARRAY_KINDS or array.dtype.names is not None:
        raise WireError(f"an array of dtype {array.dtype} cannot cross; only booleans, numbers and text can")
    return array


def decode(data: object, resolve=None, depth: int = 0) -> object:
    """Plain data from a message, rebuilt with exact types; ``resolve(tag)`` turns references into objects."""
    if depth > 100:
        raise WireError("data nested more than 100 levels deep")
    kind = type(data)
    if data is None or kind in (bool, int, float, str):
        return data
    if kind is list:
        return [decode(item, resolve, depth + 1) for item in data]
    if kind is not dict or type(data.get("$")) is not str:
        raise WireError(f"a message holding a {kind.__name__} that is not plain data")
    tag = data["$"]
    if tag == "float" and data.get("repr") in ("nan", "inf", "-inf"):
        return float(data["repr"])
    if tag == "tuple" and type(data.get("items")) is list:
        return tuple(decode(item, resolve, depth + 1) for item in data["items"])
    if tag == "dict" and type(data.get("items")) is list:
        result = {}
        for pair in data["items"]:
            if type(pair) is not list or len(pair) != 2:
                raise WireError("a dict must arrive as key-value pairs")
            key = decode(pair[0], resolve, depth + 1)
            try:
                result[key] = decode(pair[1], resolve, depth + 1)
            except TypeError:
                raise WireError(f"a dict key of type {type(key).__name__} is not allowed") from None
        return result
    if tag == "ndarray":
        return load_npy(data.get("npy"))
    if tag == "scalar":
        array = load_npy(data.get("npy"))
        if array.shape != ():
            raise WireError("a NumPy scalar must have shape ()")
        return array[()]
    if tag in ("series", "frame"):
        return _decode_pandas(data, depth)
    if tag in ("ref", "module", "callback") and resolve is not None:
        return resolve(data)
    raise WireError(f"{tag!r} data cannot cross here")


def _decode_pandas(data: dict, depth: int):
    import pandas as pd

    index = load_npy(data.get("index"))
    if data["$"] == "series":
        name = decode(data.get("name"), None, depth + 1)
        return pd.Series(load_npy(data.get("values")), index=index, name=name)
    columns = [decode(column, None, depth + 1) for column in data.get("columns") or []]
    arrays = [load_npy(values) for values in data.get("data") or []]
    if len(columns) != len(arrays):
        raise WireError("a DataFrame needs one array per column")
    return pd.DataFrame(dict(zip(columns, arrays, strict=True)), index=index)
