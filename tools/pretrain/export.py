"""Export a training checkpoint as a Hugging Face-style model folder:
config.json, vocab.txt, tokenizer_config.json, special_tokens_map.json and
model.safetensors (F16). Our parameter names already equal HF's, so export is
a dtype cast; the tied MLM decoder weight is omitted exactly as HF omits it
(it is the word-embedding matrix)."""
import json
import os
import shutil

import numpy as np
import torch

import safetensors_io
from model import BertConfig, BertForPretraining


def hf_config(cfg):
    return {
        "architectures": ["BertLMHeadModel" if cfg.is_decoder else "BertForMaskedLM"],
        "model_type": "bert",
        "vocab_size": cfg.vocab_size,
        "hidden_size": cfg.hidden_size,
        "num_hidden_layers": cfg.num_hidden_layers,
        "num_attention_heads": cfg.num_attention_heads,
        "intermediate_size": cfg.intermediate_size,
        "hidden_act": "gelu",
        "hidden_dropout_prob": cfg.hidden_dropout_prob,
        "attention_probs_dropout_prob": cfg.attention_probs_dropout_prob,
        "max_position_embeddings": cfg.max_position_embeddings,
        "type_vocab_size": cfg.type_vocab_size,
        "initializer_range": cfg.initializer_range,
        "layer_norm_eps": cfg.layer_norm_eps,
        "pad_token_id": 0,
        "position_embedding_type": "absolute",
        "is_decoder": cfg.is_decoder,
        "add_cross_attention": False,
        "use_cache": False,
        "torch_dtype": "float16",
    }


def export_model(model, vocab_path, dest):
    os.makedirs(dest, exist_ok=True)
    cfg = model.cfg
    tensors = {k: v.detach().float().numpy().astype(np.float16)
               for k, v in model.state_dict().items()}
    tmp = os.path.join(dest, "model.safetensors.tmp")
    safetensors_io.save_file(tensors, tmp, {"format": "pt"})
    os.replace(tmp, os.path.join(dest, "model.safetensors"))
    with open(os.path.join(dest, "config.json"), "w") as f:
        json.dump(hf_config(cfg), f, indent=2)
        f.write("\n")
    shutil.copy(vocab_path, os.path.join(dest, "vocab.txt"))
    with open(os.path.join(dest, "tokenizer_config.json"), "w") as f:
        json.dump({"do_lower_case": True, "strip_accents": None, "tokenize_chinese_chars": True,
                   "tokenizer_class": "BertTokenizer", "model_max_length": cfg.max_position_embeddings,
                   "unk_token": "[UNK]", "sep_token": "[SEP]", "pad_token": "[PAD]",
                   "cls_token": "[CLS]", "mask_token": "[MASK]"}, f, indent=2)
        f.write("\n")
    with open(os.path.join(dest, "special_tokens_map.json"), "w") as f:
        json.dump({"unk_token": "[UNK]", "sep_token": "[SEP]", "pad_token": "[PAD]",
                   "cls_token": "[CLS]", "mask_token": "[MASK]"}, f, indent=2)
        f.write("\n")


def export_checkpoint(ckpt_path, vocab_path, dest):
    from train import load_checkpoint
    ck = load_checkpoint(ckpt_path)
    model = BertForPretraining(BertConfig(**ck["config"]))
    model.load_state_dict(ck["model"])
    export_model(model, vocab_path, dest)
    return ck


def load_exported(folder):
    """Read an exported folder back into our PyTorch model (F16 -> F32)."""
    with open(os.path.join(folder, "config.json")) as f:
        c = json.load(f)
    fields = BertConfig.__dataclass_fields__
    cfg = BertConfig(**{k: v for k, v in c.items() if k in fields})
    model = BertForPretraining(cfg)
    tensors, _ = safetensors_io.load_file(os.path.join(folder, "model.safetensors"))
    state = {k: torch.from_numpy(v.astype(np.float32)) for k, v in tensors.items()}
    missing, unexpected = model.load_state_dict(state, strict=True), None
    model.eval()
    return model
