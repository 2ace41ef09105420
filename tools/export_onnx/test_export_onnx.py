#!/usr/bin/python3
"""Fast test of tools/export_onnx (a few seconds; exit code 0 = pass):

  /usr/bin/python3 tools/export_onnx/test_export_onnx.py

Exports every test fixture (F32, legacy F16 with gamma/beta names, sharded BF16,
a decoder, a classifier) and checks
  - the graph contract (onnx.checker, input/output names, types, ranks) and that
    every encoder weight is stored, unchanged, as an F32 initializer;
  - the ONNX graph's outputs — evaluated by the small NumPy interpreter below,
    since onnx 1.12 has no ReferenceEvaluator — and the PyTorch encoder's against
    the golden outputs of the independent NumPy reference
    (test/fixtures/golden/*.json, tools/reference/), padded batch included;
  - the error messages for a missing file, an unsupported dtype and missing tensors.
onnxruntime-web runs the same exports in test/export_onnx.test.ts.
"""
import json
import math
import os
import shutil
import struct
import sys
import tempfile
import unittest

import numpy as np
import onnx
from onnx import numpy_helper
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
import export_onnx  # noqa: E402

torch.set_num_threads(1)
FIXTURES = os.path.join(ROOT, "test", "fixtures", "checkpoints")
GOLDEN = os.path.join(ROOT, "test", "fixtures", "golden")
NAMES = ["tiny-mlm-f32", "tiny-mlm-f16-legacy", "tiny-base-bf16-sharded", "tiny-decoder", "tiny-cls"]


# ---------------------------------------------------------------------------
# A minimal ONNX interpreter for the operators torch.onnx.export writes for BERT.

def _attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _reshape(x, shape):
    shape = [x.shape[i] if d == 0 else int(d) for i, d in enumerate(shape)]
    return x.reshape(shape)


def _layer_norm(x, scale, bias, axis=-1, epsilon=1e-5, **_):
    axes = tuple(range(axis % x.ndim, x.ndim))
    mean = x.mean(axis=axes, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=axes, keepdims=True)
    return (x - mean) / np.sqrt(var + epsilon) * scale + bias


def _softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


_erf = np.vectorize(math.erf)
_OPS = {
    "Add": lambda a, x, y: x + y,
    "Sub": lambda a, x, y: x - y,
    "Mul": lambda a, x, y: x * y,
    "Div": lambda a, x, y: x / y,
    "MatMul": lambda a, x, y: x @ y,
    "Erf": lambda a, x: _erf(x),
    "Equal": lambda a, x, y: x == y,
    "LessOrEqual": lambda a, x, y: x <= y,
    "And": lambda a, x, y: x & y,
    "Not": lambda a, x: ~x,
    "Cast": lambda a, x: x.astype(onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[a["to"]]),
    "Shape": lambda a, x: np.array(x.shape, dtype=np.int64),
    "Range": lambda a, s, e, d: np.arange(s, e, d, dtype=np.asarray(s).dtype),
    "Gather": lambda a, x, i: np.take(x, i, axis=a.get("axis", 0)),
    "Unsqueeze": lambda a, x, axes: np.expand_dims(x, tuple(int(v) % (x.ndim + len(axes)) for v in axes)),
    "Concat": lambda a, *xs: np.concatenate(xs, axis=a["axis"]),
    "Reshape": lambda a, x, s: _reshape(x, s),
    "Transpose": lambda a, x: np.transpose(x, a.get("perm")),
    "Softmax": lambda a, x: _softmax(x, a.get("axis", -1)),
    "LayerNormalization": lambda a, x, s, b: _layer_norm(x, s, b, **a),
    "Constant": lambda a: numpy_helper.to_array(a["value"]),
}


def run_onnx(path, feeds):
    """Evaluates the graph in float64 (initializers stay exactly what was stored)."""
    m = onnx.load(path)
    env = {i.name: numpy_helper.to_array(i) for i in m.graph.initializer}
    env = {k: v.astype(np.float64) if v.dtype == np.float32 else v for k, v in env.items()}
    env.update(feeds)
    for node in m.graph.node:
        if node.op_type not in _OPS:
            raise NotImplementedError(f"the test's ONNX interpreter lacks {node.op_type}: add it to _OPS")
        a = _attrs(node)
        if node.op_type == "Cast" and a["to"] == onnx.TensorProto.FLOAT:
            a["to"] = onnx.TensorProto.DOUBLE  # keep the whole evaluation in float64
        out = _OPS[node.op_type](a, *[env[i] for i in node.input])
        env[node.output[0]] = np.asarray(out)
    return [env[o.name] for o in m.graph.output]


# ---------------------------------------------------------------------------

def golden(name):
    with open(os.path.join(GOLDEN, name + ".json"), encoding="utf-8") as f:
        return json.load(f)


def padded_batch(cases):
    T = max(len(c["input_ids"]) for c in cases) + 2  # force real padding
    ids = np.zeros((len(cases), T), np.int64)
    types = np.zeros_like(ids)
    mask = np.zeros_like(ids)
    for b, c in enumerate(cases):
        n = len(c["input_ids"])
        ids[b, :n], types[b, :n], mask[b, :n] = c["input_ids"], c["token_type_ids"], 1
    return ids, mask, types


def max_diff_to_golden(hidden, attn, cases):
    """hidden [B, T, H], attn [L, B, A, T, T] against each case's golden rows (real tokens only)."""
    worst_h = worst_a = 0.0
    for b, c in enumerate(cases):
        n = len(c["input_ids"])
        worst_h = max(worst_h, np.abs(hidden[b, :n] - np.array(c["hidden_states"][-1])).max())
        worst_a = max(worst_a, np.abs(attn[:, b, :, :n, :n] - np.array(c["attentions"])).max())
        # Padding keys get no attention at all.
        worst_a = max(worst_a, np.abs(attn[:, b, :, :n, n:]).max(initial=0.0))
    return worst_h, worst_a


class ExportTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="export_onnx_test_")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def export(self, name):
        out = os.path.join(self.tmp, name + ".onnx")
        if not os.path.exists(out):
            self.assertEqual(export_onnx.main([os.path.join(FIXTURES, name), out]), 0)
        return out

    def test_fixtures_match_the_reference(self):
        for name in NAMES:
            with self.subTest(name):
                g = golden(name)
                path = self.export(name)
                ids, mask, types = padded_batch(g["cases"])
                # The ONNX graph, through the interpreter above.
                hidden, attn = run_onnx(path, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})
                cfg = export_onnx.read_config(os.path.join(FIXTURES, name))[0]
                self.assertEqual(cfg.is_decoder, g["causal"])
                self.assertEqual(hidden.shape, (*ids.shape, cfg.hidden_size))
                self.assertEqual(attn.shape, (cfg.num_hidden_layers, ids.shape[0], cfg.num_attention_heads,
                                              ids.shape[1], ids.shape[1]))
                dh, da = max_diff_to_golden(hidden, attn, g["cases"])
                # float64 evaluation of float32 weights against a float64 reference: nearly exact.
                self.assertLess(dh, 1e-6, f"{name}: ONNX last_hidden_state off by {dh}")
                self.assertLess(da, 1e-6, f"{name}: ONNX attentions off by {da}")
                # The PyTorch module it was traced from, in float32.
                model, _ = export_onnx.build_encoder(os.path.join(FIXTURES, name))
                with torch.no_grad():
                    th, ta = model(torch.from_numpy(ids), torch.from_numpy(mask), torch.from_numpy(types))
                dh, da = max_diff_to_golden(th.numpy(), ta.numpy(), g["cases"])
                self.assertLess(dh, 1e-4, f"{name}: PyTorch last_hidden_state off by {dh}")
                self.assertLess(da, 1e-5, f"{name}: PyTorch attentions off by {da}")

    def test_weights_are_stored_f32_and_unchanged(self):
        name = "tiny-base-bf16-sharded"
        path = self.export(name)
        stored = [numpy_helper.to_array(i) for i in onnx.load(path).graph.initializer]
        floats = [a for a in stored if a.dtype == np.float32]
        self.assertEqual(len(floats), len([a for a in stored if a.dtype != np.int64]), "non-F32 weights")
        model, _ = export_onnx.build_encoder(os.path.join(FIXTURES, name))
        for key, value in model.state_dict().items():
            w = value.numpy()
            found = any(a.shape == w.shape and np.array_equal(a, w) for a in floats) or \
                any(a.shape == w.T.shape and np.array_equal(a, w.T) for a in floats)
            self.assertTrue(found, f"{key} is not stored unchanged")

    def test_dynamic_axes(self):
        path = self.export("tiny-mlm-f32")
        m = onnx.load(path)
        dims = {v.name: [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]
                for v in list(m.graph.input) + list(m.graph.output)}
        self.assertEqual(dims["input_ids"], ["batch", "sequence"])
        self.assertEqual(dims["last_hidden_state"], ["batch", "sequence", 32])
        self.assertEqual(dims["attentions"], [2, "batch", 4, "sequence", "sequence"])
        # A length the trace never saw.
        ids = np.array([[2, 7, 9, 11, 13, 17, 19, 23, 29, 31, 37, 3]], np.int64)
        hidden, attn = run_onnx(path, {"input_ids": ids, "attention_mask": np.ones_like(ids),
                                       "token_type_ids": np.zeros_like(ids)})
        self.assertEqual(hidden.shape, (1, 12, 32))
        np.testing.assert_allclose(attn.sum(-1), 1.0, atol=1e-9)

    def test_clear_errors(self):
        def err(model_dir):
            with self.assertRaises(export_onnx.ExportError) as cm:
                export_onnx.export(model_dir, os.path.join(self.tmp, "bad.onnx"))
            return str(cm.exception)

        self.assertIn("no such folder", err(os.path.join(self.tmp, "nowhere")))
        broken = os.path.join(self.tmp, "broken")
        shutil.copytree(os.path.join(FIXTURES, "tiny-mlm-f32"), broken)
        os.remove(os.path.join(broken, "config.json"))
        self.assertIn("config.json is missing", err(broken))
        shutil.copy(os.path.join(FIXTURES, "tiny-mlm-f32", "config.json"), broken)
        weights = os.path.join(broken, "model.safetensors")
        tensors = export_onnx.read_safetensors(weights)
        # Drop one tensor: the message names it.
        self.write(weights, {k: ("F32", v) for k, v in tensors.items() if not k.endswith("layer.1.output.dense.bias")})
        self.assertIn("encoder.layer.1.output.dense.bias", err(broken))
        # An F64 tensor: the dtype is named.
        self.write(weights, {k: ("F64", v.astype(np.float64)) if k.endswith("word_embeddings.weight")
                             else ("F32", v) for k, v in tensors.items()})
        self.assertIn("F64", err(broken))
        os.remove(weights)
        self.assertIn("expected model.safetensors", err(broken))

    @staticmethod
    def write(path, tensors):
        header, blobs, offset = {}, [], 0
        for name, (dtype, arr) in tensors.items():
            data = np.ascontiguousarray(arr).tobytes()
            header[name] = {"dtype": dtype, "shape": list(arr.shape), "data_offsets": [offset, offset + len(data)]}
            blobs.append(data)
            offset += len(data)
        h = json.dumps(header).encode()
        h += b" " * (-len(h) % 8)
        with open(path, "wb") as f:
            f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)
