"""An independent BERT forward pass in NumPy (float64), written from the BERT paper
and Hugging Face's modeling_bert, used to make golden outputs for the TypeScript
engine. It reads weights by their Hugging Face names and shares no code with it."""
import math

import numpy as np


def layer_norm(x, weight, bias, eps):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def gelu(x):
    # The exact (erf) GELU that BERT uses, not the tanh approximation.
    erf = np.vectorize(math.erf)
    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))


def linear(x, weights, name):
    return x @ weights[name + ".weight"].T + weights[name + ".bias"]


def forward(weights, config, input_ids, token_type_ids=None, causal=False, prefix="bert."):
    """One sequence (no batch). Returns hidden_states [L+1][T][H], attentions [L][heads][T][T],
    pooled [H] (or None), the MLM/LM logits [T][V] (or None), and value norms [L][heads][T]."""
    w = {k: v.astype(np.float64) for k, v in weights.items()}
    p = prefix
    eps = config.get("layer_norm_eps", 1e-12)
    T = len(input_ids)
    types = token_type_ids if token_type_ids is not None else [0] * T
    x = (
        w[p + "embeddings.word_embeddings.weight"][input_ids]
        + w[p + "embeddings.position_embeddings.weight"][np.arange(T)]
        + w[p + "embeddings.token_type_embeddings.weight"][types]
    )
    x = layer_norm(x, w[p + "embeddings.LayerNorm.weight"], w[p + "embeddings.LayerNorm.bias"], eps)
    hidden_states, attentions, value_norms = [x], [], []
    heads = config["num_attention_heads"]
    d = config["hidden_size"] // heads
    mask = np.zeros((T, T))
    if causal:
        mask[np.triu_indices(T, 1)] = -np.inf
    for i in range(config["num_hidden_layers"]):
        q = f"{p}encoder.layer.{i}."
        split = lambda t: t.reshape(T, heads, d).transpose(1, 0, 2)  # (heads, T, d)
        Q = split(linear(x, w, q + "attention.self.query"))
        K = split(linear(x, w, q + "attention.self.key"))
        V = split(linear(x, w, q + "attention.self.value"))
        scores = Q @ K.transpose(0, 2, 1) / math.sqrt(d) + mask
        scores -= scores.max(-1, keepdims=True)
        probs = np.exp(scores)
        probs /= probs.sum(-1, keepdims=True)
        attentions.append(probs)
        # ||f_h(x_j)||: token j's value through head h's columns of the output projection (Kobayashi et al. 2020).
        W_o = w[q + "attention.output.dense.weight"]  # [H_out, H_in]
        value_norms.append(np.stack([np.linalg.norm(V[h] @ W_o[:, h * d : (h + 1) * d].T, axis=-1) for h in range(heads)]))
        context = (probs @ V).transpose(1, 0, 2).reshape(T, heads * d)
        a = linear(context, w, q + "attention.output.dense")
        x = layer_norm(a + x, w[q + "attention.output.LayerNorm.weight"], w[q + "attention.output.LayerNorm.bias"], eps)
        h = gelu(linear(x, w, q + "intermediate.dense"))
        h = linear(h, w, q + "output.dense")
        x = layer_norm(h + x, w[q + "output.LayerNorm.weight"], w[q + "output.LayerNorm.bias"], eps)
        hidden_states.append(x)
    pooled = None
    if p + "pooler.dense.weight" in w:
        pooled = np.tanh(linear(x[0], w, p + "pooler.dense"))
    logits = None
    if "cls.predictions.transform.dense.weight" in w:
        t = gelu(linear(x, w, "cls.predictions.transform.dense"))
        t = layer_norm(t, w["cls.predictions.transform.LayerNorm.weight"], w["cls.predictions.transform.LayerNorm.bias"], eps)
        decoder = w.get("cls.predictions.decoder.weight", w[p + "embeddings.word_embeddings.weight"])
        logits = t @ decoder.T + w["cls.predictions.bias"]
    return hidden_states, attentions, pooled, logits, value_norms
