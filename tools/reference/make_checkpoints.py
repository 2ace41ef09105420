"""Write small random BERT checkpoints in Hugging Face layout, in every variant the
engine must read, plus golden outputs from bert_numpy.py. Run once; the results are
committed under test/fixtures/ (regenerate with: /usr/bin/python3 tools/reference/make_checkpoints.py)."""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
import bert_numpy  # noqa: E402
import safetensors_io  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures")
VOCAB = (
    "[PAD] [UNK] [CLS] [SEP] [MASK] the a cat dog sat ran on under mat rug . , ! ? "
    "is was happy sad good bad movie film book very not and it this i love hate "
    "##s ##ed ##ing ##ly un ##happy play ##er bird tree house red blue green big small "
    "she he they we you what where when why"
).split()

CONFIG = {
    "model_type": "bert",
    "vocab_size": len(VOCAB),
    "hidden_size": 32,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "intermediate_size": 64,
    "hidden_act": "gelu",
    "hidden_dropout_prob": 0.1,
    "attention_probs_dropout_prob": 0.1,
    "max_position_embeddings": 24,
    "type_vocab_size": 2,
    "layer_norm_eps": 1e-12,
    "pad_token_id": 0,
}

# Inputs for the golden outputs: ids, token types. Ids index VOCAB above.
INPUTS = [
    {"input_ids": [2, 5, 7, 9, 11, 5, 13, 15, 3], "token_type_ids": [0] * 9},
    {"input_ids": [2, 32, 4, 24, 15, 3, 30, 20, 3], "token_type_ids": [0] * 6 + [1] * 3},
]


def random_weights(rng, config, *, mlm, pooler, classifier=0, explicit_decoder=False):
    H, I, V = config["hidden_size"], config["intermediate_size"], config["vocab_size"]
    n = lambda *shape: (rng.standard_normal(shape) * 0.2).astype(np.float32)
    ln = lambda: (1.0 + rng.standard_normal(H) * 0.1).astype(np.float32)
    w = {
        "bert.embeddings.word_embeddings.weight": n(V, H),
        "bert.embeddings.position_embeddings.weight": n(config["max_position_embeddings"], H),
        "bert.embeddings.token_type_embeddings.weight": n(config["type_vocab_size"], H),
        "bert.embeddings.LayerNorm.weight": ln(),
        "bert.embeddings.LayerNorm.bias": n(H),
    }
    for i in range(config["num_hidden_layers"]):
        p = f"bert.encoder.layer.{i}."
        for part in ("query", "key", "value"):
            w[p + f"attention.self.{part}.weight"] = n(H, H)
            w[p + f"attention.self.{part}.bias"] = n(H)
        w[p + "attention.output.dense.weight"] = n(H, H)
        w[p + "attention.output.dense.bias"] = n(H)
        w[p + "attention.output.LayerNorm.weight"] = ln()
        w[p + "attention.output.LayerNorm.bias"] = n(H)
        w[p + "intermediate.dense.weight"] = n(I, H)
        w[p + "intermediate.dense.bias"] = n(I)
        w[p + "output.dense.weight"] = n(H, I)
        w[p + "output.dense.bias"] = n(H)
        w[p + "output.LayerNorm.weight"] = ln()
        w[p + "output.LayerNorm.bias"] = n(H)
    if pooler:
        w["bert.pooler.dense.weight"] = n(H, H)
        w["bert.pooler.dense.bias"] = n(H)
    if mlm:
        w["cls.predictions.transform.dense.weight"] = n(H, H)
        w["cls.predictions.transform.dense.bias"] = n(H)
        w["cls.predictions.transform.LayerNorm.weight"] = ln()
        w["cls.predictions.transform.LayerNorm.bias"] = n(H)
        w["cls.predictions.bias"] = n(V)
        if explicit_decoder:
            w["cls.predictions.decoder.weight"] = n(V, H)
    if classifier:
        w["classifier.weight"] = n(classifier, H)
        w["classifier.bias"] = n(classifier)
    return w


def golden(weights, config, causal):
    out = []
    for item in INPUTS:
        hs, att, pooled, logits, norms = bert_numpy.forward(weights, config, item["input_ids"], item["token_type_ids"], causal)
        record = {
            **item,
            "hidden_states": [h.tolist() for h in hs],
            "attentions": [a.tolist() for a in att],
            "value_norms": [v.tolist() for v in norms],
            "pooled": None if pooled is None else pooled.tolist(),
            "logits": None if logits is None else logits.tolist(),
        }
        if "classifier.weight" in weights:
            c = pooled @ weights["classifier.weight"].astype(np.float64).T + weights["classifier.bias"]
            record["classifier_logits"] = c.tolist()
        out.append(record)
    return out


def write_folder(name, config, weights, *, dtype="F32", rename=lambda k: k, shards=1, causal=False, tokenizer=None):
    folder = os.path.join(ROOT, "checkpoints", name)
    os.makedirs(folder, exist_ok=True)
    for old in os.listdir(folder):
        os.remove(os.path.join(folder, old))
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    with open(os.path.join(folder, "vocab.txt"), "w") as f:
        f.write("\n".join(VOCAB) + "\n")
    if tokenizer is not None:
        with open(os.path.join(folder, "tokenizer_config.json"), "w") as f:
            json.dump(tokenizer, f, indent=2)
    names = list(weights)
    stored = {}
    if shards == 1:
        stored = safetensors_io.write(os.path.join(folder, "model.safetensors"), {rename(k): weights[k] for k in names}, dtype)
    else:
        index = {"metadata": {}, "weight_map": {}}
        per = (len(names) + shards - 1) // shards
        for s in range(shards):
            file = f"model-{s + 1:05d}-of-{shards:05d}.safetensors"
            part = {rename(k): weights[k] for k in names[s * per : (s + 1) * per]}
            stored.update(safetensors_io.write(os.path.join(folder, file), part, dtype))
            index["weight_map"].update({k: file for k in part})
        with open(os.path.join(folder, "model.safetensors.index.json"), "w") as f:
            json.dump(index, f, indent=2)
    # Golden outputs come from the weights exactly as stored (after F16/BF16 rounding).
    inverse = {rename(k): k for k in names}
    as_stored = {inverse[k]: v for k, v in stored.items()}
    os.makedirs(os.path.join(ROOT, "golden"), exist_ok=True)
    with open(os.path.join(ROOT, "golden", name + ".json"), "w") as f:
        json.dump({"checkpoint": name, "causal": causal, "cases": golden(as_stored, config, causal)}, f)


def legacy_names(k):
    # Old TF-converted checkpoints call LayerNorm's scale and shift gamma and beta.
    if "LayerNorm" in k:
        return k.replace(".weight", ".gamma").replace(".bias", ".beta")
    return k


def main():
    rng = np.random.default_rng(1234)
    mlm = {**CONFIG, "architectures": ["BertForMaskedLM"]}
    write_folder("tiny-mlm-f32", mlm, random_weights(rng, mlm, mlm=True, pooler=True),
                 tokenizer={"do_lower_case": True, "tokenizer_class": "BertTokenizer"})
    write_folder("tiny-mlm-f16-legacy", mlm, random_weights(rng, mlm, mlm=True, pooler=False, explicit_decoder=True),
                 dtype="F16", rename=legacy_names)
    base = {**CONFIG, "architectures": ["BertModel"]}
    write_folder("tiny-base-bf16-sharded", base, random_weights(rng, base, mlm=False, pooler=True), dtype="BF16",
                 rename=lambda k: k[len("bert."):], shards=2)
    dec = {**CONFIG, "architectures": ["BertLMHeadModel"], "is_decoder": True}
    write_folder("tiny-decoder", dec, random_weights(rng, dec, mlm=True, pooler=False), causal=True)
    cls = {**CONFIG, "architectures": ["BertForSequenceClassification"], "num_labels": 2,
           "id2label": {"0": "negative", "1": "positive"}, "label2id": {"negative": 0, "positive": 1}}
    write_folder("tiny-cls", cls, random_weights(rng, cls, mlm=False, pooler=True, classifier=2))


if __name__ == "__main__":
    main()
