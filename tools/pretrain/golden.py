"""Reference activations for the TypeScript engine.

Loads each *exported* folder (F16 safetensors read back as F32, exactly what
the browser gets) into the PyTorch model and records, for a few sentences:
input ids, the full last hidden state, attention probabilities of the first
and last layer, and the top-5 LM-head predictions at every position. The
engine's tests compare against this file (tolerance ~1e-3).

  /usr/bin/python3 tools/pretrain/golden.py [weights_dir] [out.json]
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import blas_env  # noqa: E402,F401  (sets BLAS env before numpy/torch load)

import torch  # noqa: E402
REPO = os.path.dirname(os.path.dirname(HERE))

from export import load_exported  # noqa: E402
from tokenizer import WordPieceTokenizer  # noqa: E402

SENTENCES = [
    "The cat sat on the mat.",
    "Paris is the [MASK] of France.",
    "In the beginning God created the heaven and the earth, and the earth was without form.",
]
MODELS = ["bert-mini", "bert-mini-causal"]


def encode_with_specials(tok, text):
    """Like HF BertTokenizer: literal "[MASK]" in the text is kept as one token."""
    ids = [tok.cls_id]
    for i, part in enumerate(text.split("[MASK]")):
        if i:
            ids.append(tok.mask_id)
        ids.extend(tok.encode(part))
    return ids + [tok.sep_id]


def r(x, nd=6):
    return [r(v, nd) for v in x] if isinstance(x, list) else round(float(x), nd)


@torch.no_grad()
def golden_for(folder, sentences):
    model = load_exported(folder)
    tok = WordPieceTokenizer(os.path.join(folder, "vocab.txt"))
    L = model.cfg.num_hidden_layers
    cases = []
    for text in sentences:
        ids = encode_with_specials(tok, text)
        x = torch.tensor([ids])
        logits, hidden, attentions = model(x, torch.ones_like(x))
        top = logits[0].topk(5, dim=-1)
        cases.append({
            "text": text,
            "tokens": [tok.itos[i] for i in ids],
            "input_ids": ids,
            "last_hidden_state": r(hidden[0].tolist()),
            "attentions": {"0": r(attentions[0][0].tolist()),
                           str(L - 1): r(attentions[L - 1][0].tolist())},
            "top5_ids": top.indices.tolist(),
            "top5_logits": r(top.values.tolist(), 4),
        })
    return {"is_decoder": model.cfg.is_decoder,
            "attention_mask": "causal (lower-triangular)" if model.cfg.is_decoder else "bidirectional",
            "cases": cases}


def main(weights_dir, out_path, names=MODELS):
    out = {
        "description": "Reference outputs of the shipped models computed by tools/pretrain/golden.py "
                       "(PyTorch, float32 math on the F16 weights read back from model.safetensors). "
                       "attentions: {layer index: [head][query][key]} probabilities. top5_ids: LM-head "
                       "argmax ids per position (MLM fill-in for bert-mini, next token for the causal "
                       "twin). token_type_ids are all 0; attention_mask all 1.",
        "tolerance": 1e-3,
        "models": {},
    }
    for name in names:
        folder = os.path.join(weights_dir, name)
        g = golden_for(folder, SENTENCES)
        g["weights"] = os.path.relpath(folder, REPO) if folder.startswith(REPO) else folder
        out["models"][name] = g
    os.makedirs(os.path.dirname(out_path), exist_ok=True)
    with open(out_path + ".tmp", "w") as f:
        json.dump(out, f, separators=(",", ":"))
    os.replace(out_path + ".tmp", out_path)
    print("wrote", out_path, os.path.getsize(out_path), "bytes")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "public", "weights"),
         sys.argv[2] if len(sys.argv) > 2 else os.path.join(REPO, "test", "fixtures", "shipped-golden.json"))
