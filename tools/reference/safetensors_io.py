"""Minimal safetensors reader/writer (the format is an 8-byte little-endian header
length, a JSON header {name: {dtype, shape, data_offsets}}, then raw bytes).
Written here because PyPI (and so the `safetensors` package) is out of reach."""
import json
import struct

import numpy as np

_DTYPES = {"F32": np.float32, "F16": np.float16}


def _to_bytes(array, dtype):
    if dtype == "BF16":
        # bfloat16 is the top half of a float32: round to nearest even, keep 16 bits.
        bits = np.ascontiguousarray(array, dtype=np.float32).view(np.uint32).astype(np.uint64)
        rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
        return rounded.astype(np.uint16).tobytes()
    return np.ascontiguousarray(array, dtype=_DTYPES[dtype]).tobytes()


def _from_bytes(raw, dtype, shape):
    if dtype == "BF16":
        bits = np.frombuffer(raw, dtype=np.uint16).astype(np.uint32) << 16
        return bits.view(np.float32).reshape(shape)
    return np.frombuffer(raw, dtype=_DTYPES[dtype]).astype(np.float32).reshape(shape)


def write(path, tensors, dtype="F32"):
    """tensors: dict name -> float array. Returns the arrays as stored (after rounding)."""
    header, chunks, offset, stored = {}, [], 0, {}
    for name, array in tensors.items():
        raw = _to_bytes(array, dtype)
        header[name] = {"dtype": dtype, "shape": list(array.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
        stored[name] = _from_bytes(raw, dtype, array.shape)
    header["__metadata__"] = {"format": "pt"}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in chunks:
            f.write(raw)
    return stored


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    body = data[8 + n :]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        out[name] = _from_bytes(body[start:end], info["dtype"], info["shape"])
    return out
