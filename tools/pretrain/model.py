"""BERT (Devlin et al. 2018) in plain PyTorch, with module and parameter names
chosen so that state_dict keys map 1:1 onto Hugging Face's BertForMaskedLM /
BertLMHeadModel names (see export.py).

Post-LN Transformer encoder, erf GELU, LayerNorm eps 1e-12, learned absolute
position embeddings, token-type (segment) embeddings, pooler (dense + tanh).
The only difference between the two shipped models is `is_decoder`: a
lower-triangular attention mask so position i sees positions <= i.
"""
import math
from dataclasses import dataclass, asdict

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class BertConfig:
    vocab_size: int = 8192
    hidden_size: int = 256
    num_hidden_layers: int = 4
    num_attention_heads: int = 4
    intermediate_size: int = 1024
    max_position_embeddings: int = 128
    type_vocab_size: int = 2
    hidden_dropout_prob: float = 0.0
    attention_probs_dropout_prob: float = 0.0
    layer_norm_eps: float = 1e-12
    initializer_range: float = 0.02
    is_decoder: bool = False

    def to_dict(self):
        return asdict(self)


def gelu(x):
    # The original BERT GELU uses erf, not the tanh approximation.
    return F.gelu(x)


class Embeddings(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.word_embeddings = nn.Embedding(cfg.vocab_size, cfg.hidden_size)
        self.position_embeddings = nn.Embedding(cfg.max_position_embeddings, cfg.hidden_size)
        self.token_type_embeddings = nn.Embedding(cfg.type_vocab_size, cfg.hidden_size)
        self.LayerNorm = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_eps)
        self.dropout = nn.Dropout(cfg.hidden_dropout_prob)

    def forward(self, input_ids, token_type_ids):
        pos = torch.arange(input_ids.shape[1], device=input_ids.device)
        x = (self.word_embeddings(input_ids) + self.position_embeddings(pos)[None]
             + self.token_type_embeddings(token_type_ids))
        return self.dropout(self.LayerNorm(x))


class SelfAttention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.n_head = cfg.num_attention_heads
        self.head_dim = cfg.hidden_size // cfg.num_attention_heads
        self.query = nn.Linear(cfg.hidden_size, cfg.hidden_size)
        self.key = nn.Linear(cfg.hidden_size, cfg.hidden_size)
        self.value = nn.Linear(cfg.hidden_size, cfg.hidden_size)
        self.dropout = nn.Dropout(cfg.attention_probs_dropout_prob)

    def forward(self, x, additive_mask):
        B, T, C = x.shape

        def heads(t):
            return t.view(B, T, self.n_head, self.head_dim).transpose(1, 2)

        q, k, v = heads(self.query(x)), heads(self.key(x)), heads(self.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(self.head_dim) + additive_mask
        probs = scores.softmax(-1)
        out = self.dropout(probs) @ v
        return out.transpose(1, 2).reshape(B, T, C), probs


class SelfOutput(nn.Module):
    """Projection + residual + LayerNorm (post-LN, as in the original BERT)."""

    def __init__(self, cfg, d_in):
        super().__init__()
        self.dense = nn.Linear(d_in, cfg.hidden_size)
        self.LayerNorm = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_eps)
        self.dropout = nn.Dropout(cfg.hidden_dropout_prob)

    def forward(self, h, residual):
        return self.LayerNorm(self.dropout(self.dense(h)) + residual)


class Attention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.self = SelfAttention(cfg)
        self.output = SelfOutput(cfg, cfg.hidden_size)

    def forward(self, x, mask):
        h, probs = self.self(x, mask)
        return self.output(h, x), probs


class Intermediate(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.dense = nn.Linear(cfg.hidden_size, cfg.intermediate_size)

    def forward(self, x):
        return gelu(self.dense(x))


class Layer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.attention = Attention(cfg)
        self.intermediate = Intermediate(cfg)
        self.output = SelfOutput(cfg, cfg.intermediate_size)

    def forward(self, x, mask):
        a, probs = self.attention(x, mask)
        return self.output(self.intermediate(a), a), probs


class Encoder(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.layer = nn.ModuleList([Layer(cfg) for _ in range(cfg.num_hidden_layers)])


class Pooler(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.dense = nn.Linear(cfg.hidden_size, cfg.hidden_size)

    def forward(self, x):
        return torch.tanh(self.dense(x[:, 0]))


class BertModel(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.embeddings = Embeddings(cfg)
        self.encoder = Encoder(cfg)
        self.pooler = Pooler(cfg)

    def forward(self, input_ids, attention_mask=None, token_type_ids=None):
        """Returns (last_hidden_state, pooled, per-layer attention probs).
        attention_mask: [B, T] with 1 for real tokens, 0 for padding."""
        B, T = input_ids.shape
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids)
        if token_type_ids is None:
            token_type_ids = torch.zeros_like(input_ids)
        keep = attention_mask[:, None, None, :].bool()  # [B, 1, 1, T] keys
        if self.cfg.is_decoder:
            causal = torch.ones(T, T, dtype=torch.bool, device=input_ids.device).tril()
            keep = keep & causal[None, None]
        # Large negative (not -inf) so a fully masked row stays finite, like HF.
        mask = (~keep).float() * torch.finfo(torch.float32).min
        x = self.embeddings(input_ids, token_type_ids)
        attentions = []
        for layer in self.encoder.layer:
            x, probs = layer(x, mask)
            attentions.append(probs)
        return x, self.pooler(x), attentions


class PredictionHeadTransform(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.dense = nn.Linear(cfg.hidden_size, cfg.hidden_size)
        self.LayerNorm = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_eps)

    def forward(self, x):
        return self.LayerNorm(gelu(self.dense(x)))


class LMPredictionHead(nn.Module):
    """dense + GELU + LayerNorm, then a decoder whose weight is tied to the
    word embeddings (saves vocab x hidden parameters) plus its own bias."""

    def __init__(self, cfg, word_embeddings):
        super().__init__()
        self.transform = PredictionHeadTransform(cfg)
        self.word_embeddings = [word_embeddings]  # list: not a separate parameter
        self.bias = nn.Parameter(torch.zeros(cfg.vocab_size))

    def forward(self, x):
        return self.transform(x) @ self.word_embeddings[0].weight.t() + self.bias


class OnlyMLMHead(nn.Module):
    def __init__(self, cfg, word_embeddings):
        super().__init__()
        self.predictions = LMPredictionHead(cfg, word_embeddings)


class BertForPretraining(nn.Module):
    """BertForMaskedLM when cfg.is_decoder is False, BertLMHeadModel when True:
    same parameters, same head; only the attention mask and targets differ."""

    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.bert = BertModel(cfg)
        self.cls = OnlyMLMHead(cfg, self.bert.embeddings.word_embeddings)
        self.apply(self._init_weights)

    def _init_weights(self, m):
        # BERT's initialisation: N(0, 0.02) weights, zero biases, unit LayerNorm.
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, std=self.cfg.initializer_range)
        if isinstance(m, nn.Linear) and m.bias is not None:
            nn.init.zeros_(m.bias)
        if isinstance(m, nn.LayerNorm):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)

    def forward(self, input_ids, attention_mask=None, token_type_ids=None, positions=None):
        """positions: optional [N, 2] (batch, time) index of the only positions
        whose logits are needed — computing the vocab softmax only there is the
        main saving of masked-LM training."""
        hidden, pooled, attentions = self.bert(input_ids, attention_mask, token_type_ids)
        h = hidden[positions[:, 0], positions[:, 1]] if positions is not None else hidden
        return self.cls.predictions(h), hidden, attentions


def count_parameters(model):
    return sum(p.numel() for p in model.parameters())
