"""Uncased WordPiece tokenizer, bit-for-bit compatible with Hugging Face's
BertTokenizer (BasicTokenizer + WordpieceTokenizer), plus a small trainer.

Compatibility matters more than speed here: the playground tokenizes in
TypeScript with the HF algorithm, so the model must have been trained on
exactly the same pieces. Speed comes from caching per whitespace token.
"""
import collections
import heapq
import re
import sys
import unicodedata

SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]  # [PAD] = id 0
MAX_CHARS_PER_WORD = 100


def _is_punctuation(ch):
    cp = ord(ch)
    # HF treats every non-alphanumeric printable ASCII char as punctuation
    # (e.g. "$", "^", "`") even though Unicode does not.
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_cjk(cp):
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF
            or 0x2A700 <= cp <= 0x2B73F or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF
            or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


def _clean_char(ch):
    """HF _clean_text for one char: drop NUL, U+FFFD and control chars, map
    whitespace to a space. Returns '' to drop."""
    cp = ord(ch)
    if ch in " \t\n\r" or unicodedata.category(ch) == "Zs":
        return " "
    if cp == 0 or cp == 0xFFFD or unicodedata.category(ch).startswith("C"):
        return ""
    if _is_cjk(cp):
        return " " + ch + " "
    return ch


# Only chars outside printable ASCII can need cleaning; find them with a regex
# and fix each with the exact rule above (fast path for ordinary English).
_SUSPECT = re.compile(r"[^\x21-\x7e ]")


def _split_punct(token):
    out, cur = [], []
    for ch in token:
        if _is_punctuation(ch):
            if cur:
                out.append("".join(cur))
                cur = []
            out.append(ch)
        else:
            cur.append(ch)
    if cur:
        out.append("".join(cur))
    return out


class BasicTokenizer:
    """clean text -> split CJK -> NFC -> whitespace split -> lowercase ->
    strip accents (NFD, drop Mn) -> split on punctuation. Same order as HF
    transformers 4.x's BasicTokenizer."""

    def __init__(self):
        self._cache = {}

    def _word(self, token):
        out = self._cache.get(token)
        if out is None:
            # Lower-case one character at a time, as HF's special-token
            # pre-pass does (so a final capital sigma becomes "σ", not "ς").
            t = "".join(c.lower() for c in token)
            t = "".join(c for c in unicodedata.normalize("NFD", t)
                        if unicodedata.category(c) != "Mn")
            out = [p for part in t.split() for p in _split_punct(part)]
            if len(self._cache) < 2_000_000:
                self._cache[token] = out
        return out

    def tokenize(self, text):
        text = _SUSPECT.sub(lambda m: _clean_char(m.group(0)), text)
        text = unicodedata.normalize("NFC", text)
        out = []
        for token in text.split():
            out.extend(self._word(token))
        return out


class WordPieceTokenizer:
    def __init__(self, vocab):
        if isinstance(vocab, str):
            with open(vocab, encoding="utf-8") as f:
                vocab = [l.rstrip("\n") for l in f]
        self.itos = list(vocab)
        self.vocab = {t: i for i, t in enumerate(self.itos)}
        self.unk_id = self.vocab["[UNK]"]
        self.cls_id = self.vocab["[CLS]"]
        self.sep_id = self.vocab["[SEP]"]
        self.mask_id = self.vocab["[MASK]"]
        self.pad_id = self.vocab["[PAD]"]
        self.basic = BasicTokenizer()
        self._cache = {}

    def word_ids(self, word):
        """Greedy longest-match-first; any unmatched remainder makes the whole
        word [UNK] (as in BERT)."""
        ids = self._cache.get(word)
        if ids is not None:
            return ids
        if len(word) > MAX_CHARS_PER_WORD:
            ids = [self.unk_id]
        else:
            ids, start = [], 0
            while start < len(word):
                end = len(word)
                cur = None
                while start < end:
                    piece = word[start:end] if start == 0 else "##" + word[start:end]
                    if piece in self.vocab:
                        cur = self.vocab[piece]
                        break
                    end -= 1
                if cur is None:
                    ids = [self.unk_id]
                    break
                ids.append(cur)
                start = end
        if len(self._cache) < 2_000_000:
            self._cache[word] = ids
        return ids

    def encode_words(self, text):
        """List of (word, [piece ids]) — whole-word grouping is kept for
        evaluations that mask complete words."""
        return [(w, self.word_ids(w)) for w in self.basic.tokenize(text)]

    def encode(self, text, add_special_tokens=False):
        ids = [i for _, p in self.encode_words(text) for i in p]
        return [self.cls_id] + ids + [self.sep_id] if add_special_tokens else ids

    def decode(self, ids):
        out = []
        for i in ids:
            t = self.itos[i]
            if t.startswith("##") and out:
                out[-1] += t[2:]
            else:
                out.append(t)
        return " ".join(out)


# ------------------------------------------------------------------ training

def train_wordpiece(word_counts, vocab_size, min_char_count=5):
    """Learn a WordPiece vocabulary the way HF `tokenizers` does: BPE merges
    over words split into a first char plus '##'-prefixed continuation chars,
    most frequent pair first. The resulting pieces are then used with greedy
    longest-match at tokenisation time.

    word_counts: {word: count} of basic-tokenised (lowercased) words.
    """
    char_counts = collections.Counter()
    for w, c in word_counts.items():
        for i, ch in enumerate(w):
            char_counts[ch if i == 0 else "##" + ch] += c
    # Every printable ASCII char (and its continuation form) is always present
    # so that ordinary input never needs [UNK]; other chars only if not rare.
    alphabet = set()
    for cp in range(33, 127):
        alphabet.add(chr(cp))
        alphabet.add("##" + chr(cp))
    alphabet |= {s for s, c in char_counts.items() if c >= min_char_count}
    # Deterministic order: by frequency, then codepoint.
    alphabet = sorted(alphabet, key=lambda s: (-char_counts.get(s, 0), s))
    vocab = list(SPECIAL_TOKENS) + alphabet
    known = set(vocab)

    words, counts = [], []
    for w, c in word_counts.items():
        if len(w) > MAX_CHARS_PER_WORD:
            continue
        syms = [w[0]] + ["##" + ch for ch in w[1:]]
        if all(s in known for s in syms) and len(syms) > 1:
            words.append(syms)
            counts.append(c)

    def merged(a, b):
        return a + (b[2:] if b.startswith("##") else b)

    pair_counts = collections.defaultdict(int)
    where = collections.defaultdict(set)
    for wi, syms in enumerate(words):
        for a, b in zip(syms, syms[1:]):
            pair_counts[(a, b)] += counts[wi]
            where[(a, b)].add(wi)
    heap = [(-c, p) for p, c in pair_counts.items()]
    heapq.heapify(heap)

    while len(vocab) < vocab_size and heap:
        negc, pair = heapq.heappop(heap)
        if pair_counts.get(pair, 0) != -negc or negc == 0:
            continue  # stale heap entry
        new = merged(*pair)
        if new not in known:
            vocab.append(new)
            known.add(new)
        touched = {}
        for wi in where.pop(pair, ()):
            syms = words[wi]
            c = counts[wi]
            for a, b in zip(syms, syms[1:]):
                pair_counts[(a, b)] -= c
                touched[(a, b)] = True
            out, i = [], 0
            while i < len(syms):
                if i + 1 < len(syms) and syms[i] == pair[0] and syms[i + 1] == pair[1]:
                    out.append(new)
                    i += 2
                else:
                    out.append(syms[i])
                    i += 1
            words[wi] = out
            for a, b in zip(out, out[1:]):
                pair_counts[(a, b)] += c
                where[(a, b)].add(wi)
                touched[(a, b)] = True
        pair_counts.pop(pair, None)
        for p in touched:
            c = pair_counts.get(p, 0)
            if c > 0:
                heapq.heappush(heap, (-c, p))
            else:
                pair_counts.pop(p, None)
    return vocab


def count_words(sentences, basic=None):
    basic = basic or BasicTokenizer()
    counts = collections.Counter()
    for s in sentences:
        counts.update(basic.tokenize(s))
    return counts
