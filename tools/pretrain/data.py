"""Turn the text corpus into training batches.

1. tokenize_corpus: WordPiece ids per sentence, stored once as flat numpy
   arrays (ids, sentence offsets, document offsets).
2. pack_sequences: contiguous sentences from one document are packed into
   sequences of at most max_len - 2 pieces, then wrapped as [CLS] ... [SEP]
   (BERT's "document sentences" format without the NSP pair). 10% of sequences
   get a shorter random target length, as in BERT, so short inputs like a
   single playground sentence are not out of distribution.
3. mask_tokens: BERT's dynamic masking — a fresh 15% of positions per step,
   80% -> [MASK], 10% -> random token, 10% unchanged.
"""
import numpy as np
import torch

import corpus
from tokenizer import WordPieceTokenizer


def tokenize_corpus(text_path, vocab_path, out_path):
    tok = WordPieceTokenizer(vocab_path)
    docs = corpus.read_documents(text_path)
    ids, sent_off, doc_off = [], [0], [0]
    for d in docs:
        for s in d:
            piece_ids = tok.encode(s)
            if not piece_ids:
                continue
            ids.extend(piece_ids)
            sent_off.append(len(ids))
        doc_off.append(len(sent_off) - 1)
    np.savez(out_path + ".tmp.npz", ids=np.array(ids, dtype=np.int32),
             sent_off=np.array(sent_off, dtype=np.int64), doc_off=np.array(doc_off, dtype=np.int64))
    import os
    os.replace(out_path + ".tmp.npz", out_path)
    return len(ids)


class PackedData:
    def __init__(self, npz_path, max_len, seed, short_seq_prob=0.1):
        d = np.load(npz_path)
        self.ids, self.sent_off, self.doc_off = d["ids"], d["sent_off"], d["doc_off"]
        self.max_len, self.seed, self.short_seq_prob = max_len, seed, short_seq_prob
        self._packed = {}  # epoch -> spans (at most two epochs kept)
        self._lengths = {}  # epoch -> number of sequences

    def pack_sequences(self, epoch):
        """Deterministic list of (start, end) spans into self.ids for an epoch."""
        rng = np.random.default_rng([self.seed, epoch])
        budget_max = self.max_len - 2
        spans = []
        for di in rng.permutation(len(self.doc_off) - 1):
            s0, s1 = self.doc_off[di], self.doc_off[di + 1]
            target = budget_max
            start = None
            for si in range(s0, s1):
                a, b = int(self.sent_off[si]), int(self.sent_off[si + 1])
                if start is None:
                    start = a
                    if rng.random() < self.short_seq_prob:
                        target = int(rng.integers(8, budget_max + 1))
                    else:
                        target = budget_max
                if b - start > target and a > start:  # sentence does not fit: emit
                    spans.append((start, a))
                    start = a
                    target = budget_max
                while b - start > budget_max:  # a very long sentence: chop it
                    spans.append((start, start + budget_max))
                    start += budget_max
            if start is not None and start < int(self.sent_off[s1]):
                spans.append((start, int(self.sent_off[s1])))
        order = rng.permutation(len(spans))
        return [spans[i] for i in order]

    def epoch_spans(self, epoch):
        if epoch not in self._packed:
            if len(self._packed) >= 2:
                self._packed.pop(min(self._packed))
            self._packed[epoch] = self.pack_sequences(epoch)
            self._lengths[epoch] = len(self._packed[epoch])
        return self._packed[epoch]

    def epoch_length(self, epoch):
        # Lengths are kept for every epoch (spans for two only): locating a
        # late step must not re-pack all the epochs before it.
        if epoch not in self._lengths:
            self.epoch_spans(epoch)
        return self._lengths[epoch]

    def batch(self, step, batch_size, cls_id, sep_id, pad_id):
        """Batch number `step` of the endless stream of epochs (resumable)."""
        first = step * batch_size
        out = []
        epoch = 0
        while len(out) < batch_size:
            n = self.epoch_length(epoch)
            if first >= n:
                first -= n
                epoch += 1
                continue
            seqs = self.epoch_spans(epoch)
            take = seqs[first:first + batch_size - len(out)]
            out.extend(take)
            first = 0
            epoch += 1
        T = max(b - a for a, b in out) + 2
        # Filled in NumPy, one slice copy per row: ~10x faster than building
        # each row as a Python list, which mattered once a GPU waited on it.
        input_ids = np.full((batch_size, T), pad_id, dtype=np.int64)
        attention_mask = np.zeros((batch_size, T), dtype=np.int64)
        for i, (a, b) in enumerate(out):
            n = b - a
            input_ids[i, 0] = cls_id
            input_ids[i, 1:n + 1] = self.ids[a:b]
            input_ids[i, n + 1] = sep_id
            attention_mask[i, :n + 2] = 1
        input_ids, attention_mask = torch.from_numpy(input_ids), torch.from_numpy(attention_mask)
        return input_ids, attention_mask

    def epoch_of_step(self, step, batch_size):
        return step * batch_size / self.epoch_length(0)


def mask_tokens(input_ids, attention_mask, vocab_size, mask_id, n_special, generator,
                mask_prob=0.15):
    """BERT masking. Returns (corrupted ids, positions [N, 2], labels [N]).
    Special tokens ([CLS], [SEP], [PAD]) are never selected; random
    replacements are drawn from ordinary (non-special) pieces."""
    special = attention_mask == 0
    special |= input_ids < n_special
    probs = torch.full(input_ids.shape, mask_prob)
    probs[special] = 0.0
    selected = torch.bernoulli(probs, generator=generator).bool()
    # Make sure every sequence contributes at least one prediction.
    labels = input_ids[selected]
    corrupted = input_ids.clone()
    r = torch.rand(input_ids.shape, generator=generator)
    to_mask = selected & (r < 0.8)
    to_random = selected & (r >= 0.8) & (r < 0.9)
    corrupted[to_mask] = mask_id
    random_ids = torch.randint(n_special, vocab_size, input_ids.shape, generator=generator)
    corrupted[to_random] = random_ids[to_random]
    positions = selected.nonzero()
    return corrupted, positions, labels


def next_token_targets(input_ids, attention_mask):
    """Causal LM: the hidden state at position t predicts token t+1."""
    valid = attention_mask[:, 1:].bool()
    positions = valid.nonzero()  # (b, t) with t = the predicting position
    labels = input_ids[:, 1:][valid]
    return positions, labels
