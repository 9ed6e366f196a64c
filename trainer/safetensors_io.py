"""The safetensors file format, written and read with the standard library and numpy only.

Layout: 8-byte little-endian u64 N, then N bytes of JSON header
{"<name>": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, ..., "__metadata__": {...}}
(offsets relative to the start of the data section, tensors packed back to back), then the data,
little-endian. The header is padded with spaces to a multiple of 8 bytes, as the reference
implementation does, so the data section stays aligned.
"""

from __future__ import annotations

import json
import struct
from typing import Dict, Mapping, Optional, Tuple

import numpy as np

_DTYPES: Dict[str, str] = {"F32": "<f4", "F64": "<f8", "I64": "<i8", "I32": "<i4", "U8": "u1"}
_BY_NUMPY: Dict[str, str] = {np.dtype(v).str: k for k, v in _DTYPES.items()}


class SafetensorsError(ValueError):
    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path


def encode(tensors: Mapping[str, np.ndarray], metadata: Optional[Mapping[str, str]] = None) -> bytes:
    header: Dict[str, object] = {}
    chunks = []
    offset = 0
    for name in sorted(tensors):
        arr = np.asarray(tensors[name])
        little = arr.astype(arr.dtype.newbyteorder("<"), copy=False)
        code = _BY_NUMPY.get(little.dtype.str)
        if code is None:
            raise ValueError(f"tensor {name}: unsupported dtype {arr.dtype}")
        data = np.ascontiguousarray(little).tobytes()
        header[name] = {"dtype": code, "shape": list(arr.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    meta = {"format": "pt"}
    meta.update(metadata or {})
    bad = [k for k, v in meta.items() if not isinstance(v, str)]
    if bad:
        raise ValueError(f"metadata values must be strings: {bad}")
    header["__metadata__"] = meta
    raw = json.dumps(header, separators=(",", ":")).encode("utf-8")
    raw += b" " * ((8 - len(raw) % 8) % 8)
    return struct.pack("<Q", len(raw)) + raw + b"".join(chunks)


def decode(blob: bytes, path: str = "<bytes>") -> Tuple[Dict[str, np.ndarray], Dict[str, str]]:
    """Parse and validate: every tensor's byte range must match its dtype x shape, ranges must tile
    the data section exactly."""
    if len(blob) < 8:
        raise SafetensorsError(path, f"file too short ({len(blob)} bytes) for the 8-byte header length")
    (n,) = struct.unpack("<Q", blob[:8])
    if 8 + n > len(blob):
        raise SafetensorsError(path, f"header length {n} runs past the end of the file ({len(blob)} bytes)")
    try:
        header = json.loads(blob[8:8 + n].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise SafetensorsError(path, f"header is not valid JSON: {err}") from err
    meta = header.pop("__metadata__", {}) or {}
    data = memoryview(blob)[8 + n:]
    out: Dict[str, np.ndarray] = {}
    spans = []
    for name, info in header.items():
        dtype = _DTYPES.get(info.get("dtype", ""))
        if dtype is None:
            raise SafetensorsError(path, f"tensor {name}: unsupported dtype {info.get('dtype')!r}")
        shape = tuple(int(s) for s in info["shape"])
        begin, end = (int(x) for x in info["data_offsets"])
        expected = int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize
        if end - begin != expected or begin < 0 or end > len(data):
            raise SafetensorsError(path, f"tensor {name}: data_offsets [{begin}, {end}] do not fit shape "
                                         f"{list(shape)} of {info['dtype']} within {len(data)} data bytes")
        out[name] = np.frombuffer(data[begin:end], dtype=dtype).reshape(shape).copy()
        spans.append((begin, end, name))
    pos = 0
    for begin, end, name in sorted(spans):
        if begin != pos:
            raise SafetensorsError(path, f"tensor {name}: data starts at {begin}, expected {pos} (gap or overlap)")
        pos = end
    if pos != len(data):
        raise SafetensorsError(path, f"{len(data) - pos} trailing bytes after the last tensor")
    return out, dict(meta)


def save_file(path: str, tensors: Mapping[str, np.ndarray], metadata: Optional[Mapping[str, str]] = None) -> None:
    with open(path, "wb") as f:
        f.write(encode(tensors, metadata))


def load_file(path: str) -> Tuple[Dict[str, np.ndarray], Dict[str, str]]:
    with open(path, "rb") as f:
        return decode(f.read(), path)
