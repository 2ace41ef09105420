#!/usr/bin/python3
"""Export the encoder of a Hugging Face BERT folder as an ONNX graph.

  /usr/bin/python3 tools/export_onnx/export_onnx.py MODEL_DIR OUT.onnx [--opset 17]

MODEL_DIR holds config.json and model.safetensors (or shards listed in
model.safetensors.index.json), tensors in F32, F16 or BF16, named with or
without the `bert.` prefix (BertModel, BertForMaskedLM, BertLMHeadModel,
BertForSequenceClassification). Heads (MLM, classifier, pooler) are ignored.

Graph contract (bench/ort.ts and test/export_onnx.test.ts rely on it):
  inputs   input_ids, attention_mask, token_type_ids   int64 [batch, sequence]
  outputs  last_hidden_state  float32 [batch, sequence, hidden]
           attentions         float32 [layers, batch, heads, sequence, sequence]
                              (every layer, after the softmax)
Post-LN BERT, erf GELU, the config's layer_norm_eps, padding (and, for a
decoder, future positions) masked with an additive torch.finfo(float32).min as
Hugging Face does. Weights are stored as F32 initializers.

Why torch.onnx.export rather than onnx.helper: tools/pretrain/model.py already
is a PyTorch BERT whose parameter names equal Hugging Face's (and that the
shipped models were trained with), so the graph comes from the same code that
is tested against the reference, and PyTorch 1.13 emits opset 17 (with
LayerNormalization) directly. Only the top-level forward is written here: it
needs int64 inputs for all three ids, the stacked attentions as one output, and
no pooler.
"""
import argparse
import importlib.util
import json
import os
import struct
import sys
import warnings

import numpy as np
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
PRETRAIN = os.path.join(HERE, "..", "pretrain")


def _load_pretrain_model():
    # Loaded under its own name: tools/pretrain is not a package and "model" is a common name.
    spec = importlib.util.spec_from_file_location("bert_pretrain_model", os.path.join(PRETRAIN, "model.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


pretrain_model = _load_pretrain_model()

ARCHITECTURES = ("BertModel", "BertForMaskedLM", "BertLMHeadModel", "BertForSequenceClassification")


class ExportError(Exception):
    """A problem with the input folder, reported as one line without a traceback."""


# ---------------------------------------------------------------------------
# Reading the folder

def read_config(model_dir):
    path = os.path.join(model_dir, "config.json")
    if not os.path.isfile(path):
        raise ExportError(f"{path} is missing (the model hyper-parameters)")
    try:
        with open(path, encoding="utf-8") as f:
            c = json.load(f)
    except json.JSONDecodeError as e:
        raise ExportError(f"{path} is not valid JSON ({e})") from None
    if not isinstance(c, dict):
        raise ExportError(f"{path}: expected a JSON object")
    if c.get("model_type", "bert") != "bert":
        raise ExportError(f"{path}: model_type {c['model_type']!r} is not supported (only 'bert')")
    arch = (c.get("architectures") or ["BertModel"])[0]
    if arch not in ARCHITECTURES:
        raise ExportError(f"{path}: architecture {arch!r} is not supported (supported: {', '.join(ARCHITECTURES)})")
    if c.get("hidden_act", "gelu") != "gelu":
        raise ExportError(f"{path}: hidden_act {c['hidden_act']!r} is not supported (BERT uses 'gelu', erf form)")
    if c.get("position_embedding_type", "absolute") != "absolute":
        raise ExportError(f"{path}: position_embedding_type {c['position_embedding_type']!r} is not supported")
    for key in ("vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size"):
        if not isinstance(c.get(key), int) or c[key] <= 0:
            raise ExportError(f"{path}: {key!r} must be a positive integer (got {c.get(key)!r})")
    if c["hidden_size"] % c["num_attention_heads"]:
        raise ExportError(f"{path}: hidden_size {c['hidden_size']} is not divisible by "
                          f"num_attention_heads {c['num_attention_heads']}")
    cfg = pretrain_model.BertConfig(
        vocab_size=c["vocab_size"],
        hidden_size=c["hidden_size"],
        num_hidden_layers=c["num_hidden_layers"],
        num_attention_heads=c["num_attention_heads"],
        intermediate_size=c["intermediate_size"],
        max_position_embeddings=c.get("max_position_embeddings", 512),
        type_vocab_size=c.get("type_vocab_size", 2),
        hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0,
        layer_norm_eps=float(c.get("layer_norm_eps", 1e-12)),
        # As the engine reads it (src/engine/checkpoint/config.ts): a BertLMHeadModel is a decoder.
        is_decoder=c.get("is_decoder") is True or arch == "BertLMHeadModel",
    )
    return cfg, arch


def _bf16_to_f32(raw):
    # NumPy has no bfloat16: it is the top half of a float32.
    return (raw.astype(np.uint32) << 16).view(np.float32)


_DTYPES = {
    "F32": lambda b: np.frombuffer(b, dtype="<f4"),
    "F16": lambda b: np.frombuffer(b, dtype="<f2").astype(np.float32),
    "BF16": lambda b: _bf16_to_f32(np.frombuffer(b, dtype="<u2")),
}


def read_safetensors(path):
    """{name: float32 array}. Own reader (tools/pretrain/safetensors_io.py has no BF16)."""
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        raise ExportError(f"{path}: too short to be a safetensors file")
    (n,) = struct.unpack("<Q", raw[:8])
    try:
        header = json.loads(raw[8:8 + n].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ExportError(f"{path}: not a safetensors file (bad header)") from None
    header.pop("__metadata__", None)
    base = 8 + n
    out = {}
    for name, info in header.items():
        dtype = info.get("dtype")
        if dtype not in _DTYPES:
            raise ExportError(f"{path}: tensor {name!r} has dtype {dtype}, not supported "
                              f"(supported: {', '.join(_DTYPES)})")
        a, b = info["data_offsets"]
        if base + b > len(raw):
            raise ExportError(f"{path}: tensor {name!r} runs past the end of the file (truncated download?)")
        out[name] = _DTYPES[dtype](raw[base + a:base + b]).reshape(info["shape"])
    return out


def read_weights(model_dir):
    single = os.path.join(model_dir, "model.safetensors")
    index = os.path.join(model_dir, "model.safetensors.index.json")
    if os.path.isfile(single):
        return read_safetensors(single)
    if not os.path.isfile(index):
        raise ExportError(f"{model_dir}: no weights found — expected model.safetensors or "
                          "model.safetensors.index.json (PyTorch .bin and TensorFlow .h5 are not supported; "
                          "convert them to safetensors)")
    with open(index, encoding="utf-8") as f:
        weight_map = json.load(f).get("weight_map")
    if not isinstance(weight_map, dict):
        raise ExportError(f"{index} has no 'weight_map'")
    tensors = {}
    for shard in sorted(set(weight_map.values())):
        path = os.path.join(model_dir, shard)
        if not os.path.isfile(path):
            raise ExportError(f"{path} is missing (listed in model.safetensors.index.json)")
        tensors.update(read_safetensors(path))
    return tensors


def normalise_name(name):
    """As src/engine/checkpoint/checkpoint.ts: no `bert.` prefix, LayerNorm weight/bias rather than TF's gamma/beta."""
    if name.startswith("bert."):
        name = name[len("bert."):]
    if name.endswith("LayerNorm.gamma"):
        name = name[:-len("gamma")] + "weight"
    elif name.endswith("LayerNorm.beta"):
        name = name[:-len("beta")] + "bias"
    return name


# ---------------------------------------------------------------------------
# The encoder

class BertEncoderForExport(nn.Module):
    """Embeddings + encoder layers of tools/pretrain/model.py (no pooler, no heads); state_dict
    keys are Hugging Face's BertModel names (embeddings.*, encoder.layer.N.*)."""

    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.embeddings = pretrain_model.Embeddings(cfg)
        self.encoder = pretrain_model.Encoder(cfg)

    def forward(self, input_ids, attention_mask, token_type_ids):
        T = input_ids.shape[1]
        keep = attention_mask[:, None, None, :] != 0  # [B, 1, 1, T] over keys
        if self.cfg.is_decoder:
            # Lower-triangular from two aranges (Range + LessOrEqual) rather than tril: every runtime has these.
            pos = torch.arange(T, device=input_ids.device)
            keep = keep & (pos[None, :] <= pos[:, None])[None, None]
        # Hugging Face's extended mask: 0 where attended, finfo(float32).min elsewhere (finite, not -inf).
        mask = (1.0 - keep.to(torch.float32)) * torch.finfo(torch.float32).min
        x = self.embeddings(input_ids, token_type_ids)
        attentions = []
        for layer in self.encoder.layer:
            x, probs = layer(x, mask)
            attentions.append(probs)
        return x, torch.stack(attentions, 0)


def build_encoder(model_dir):
    """The PyTorch encoder with the folder's weights (float32), and its config."""
    if not os.path.isdir(model_dir):
        raise ExportError(f"{model_dir}: no such folder")
    cfg, _ = read_config(model_dir)
    tensors = {normalise_name(k): v for k, v in read_weights(model_dir).items()}
    model = BertEncoderForExport(cfg).eval()
    wanted = model.state_dict()
    missing = [k for k in wanted if k not in tensors]
    if missing:
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        raise ExportError(f"{model_dir}: the weights lack {len(missing)} tensor(s) the encoder needs: {shown} "
                          "(names are read with or without the 'bert.' prefix)")
    state = {}
    for k, target in wanted.items():
        value = tensors[k]
        if tuple(value.shape) != tuple(target.shape):
            raise ExportError(f"{model_dir}: tensor {k!r} has shape {list(value.shape)}, "
                              f"but config.json implies {list(target.shape)}")
        state[k] = torch.from_numpy(np.array(value, dtype=np.float32))  # a writable copy
    model.load_state_dict(state)
    return model, cfg


INPUTS = ["input_ids", "attention_mask", "token_type_ids"]
OUTPUTS = ["last_hidden_state", "attentions"]


def export(model_dir, out_path, opset=17):
    if not 14 <= opset <= 17:
        raise ExportError(f"--opset {opset}: choose 14 to 17 (PyTorch 1.13 writes at most 17)")
    model, cfg = build_encoder(model_dir)
    T = min(8, cfg.max_position_embeddings)
    example = (torch.ones(2, T, dtype=torch.int64),) * 3
    dynamic = {"input_ids": {0: "batch", 1: "sequence"},
               "attention_mask": {0: "batch", 1: "sequence"},
               "token_type_ids": {0: "batch", 1: "sequence"},
               "last_hidden_state": {0: "batch", 1: "sequence"},
               "attentions": {1: "batch", 3: "sequence", 4: "sequence"}}
    out_dir = os.path.dirname(os.path.abspath(out_path))
    os.makedirs(out_dir, exist_ok=True)
    tmp = out_path + ".tmp"
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # tracer warnings about shape arithmetic: the axes are declared dynamic
        torch.onnx.export(model, example, tmp, input_names=INPUTS, output_names=OUTPUTS,
                          dynamic_axes=dynamic, opset_version=opset, do_constant_folding=True)
    check(tmp, cfg)
    os.replace(tmp, out_path)
    return cfg


def check(path, cfg):
    """onnx.checker, plus the names, types and ranks of the contract."""
    import onnx

    onnx.checker.check_model(path)
    m = onnx.load(path)
    f32, i64 = onnx.TensorProto.FLOAT, onnx.TensorProto.INT64
    want_in = {n: (i64, 2) for n in INPUTS}
    want_out = {"last_hidden_state": (f32, 3), "attentions": (f32, 5)}
    for values, want in ((m.graph.input, want_in), (m.graph.output, want_out)):
        got = {v.name: (v.type.tensor_type.elem_type, len(v.type.tensor_type.shape.dim)) for v in values}
        if got != want:
            raise ExportError(f"the exported graph breaks the contract: {got} != {want}")
    for init in m.graph.initializer:
        if init.data_type not in (f32, i64):
            raise ExportError(f"initializer {init.name} is stored as type {init.data_type}, not float32")


def main(argv=None):
    p = argparse.ArgumentParser(description="Export a Hugging Face BERT folder's encoder as ONNX "
                                "(outputs last_hidden_state and attentions).")
    p.add_argument("model_dir", help="Hugging Face BERT folder: config.json + model.safetensors")
    p.add_argument("out", help="the .onnx file to write")
    p.add_argument("--opset", type=int, default=17, help="ONNX opset (14 to 17; default 17)")
    args = p.parse_args(argv)
    try:
        cfg = export(args.model_dir, args.out, args.opset)
    except ExportError as e:
        print(f"export_onnx: {e}", file=sys.stderr)
        return 1
    print(f"{args.out}: {cfg.num_hidden_layers} layers, hidden {cfg.hidden_size}, {cfg.num_attention_heads} heads, "
          f"{'causal' if cfg.is_decoder else 'bidirectional'} attention, opset {args.opset}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
