"""Evaluate the exported models (the F16 weights that actually ship).

1. Masked-LM on held-out documents (BERT-mini): 15% of non-special positions
   chosen with a fixed seed and replaced by [MASK]; top-1 / top-5 accuracy and
   perplexity (exp of mean cross-entropy over those positions). The 80/10/10
   corruption used in training is reported too, for comparison with HF-style
   numbers.
2. Next-token prediction of the causal twin at the same positions (predicting
   token t from tokens < t of the uncorrupted sequence).
3. Bidirectional advantage: one whole single-piece, non-punctuation word per
   held-out sentence; BERT-mini fills it in seeing both sides, the twin
   predicts it from the left context only.
4. Few-shot sentiment (npm `sentiment` fixtures; evaluation only, never
   pretraining data): logistic regression on frozen sentence features (mean
   of the last layer, and the [CLS] vector) vs bag-of-words, with k = 16, 32,
   64, 128 balanced training examples, 10 random draws, tested on the rest.

  /usr/bin/python3 tools/pretrain/evaluate.py [--out RUN_DIR] [--dest WEIGHTS_DIR]
"""
import argparse
import json
import math
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import blas_env  # noqa: E402,F401  (sets BLAS env before numpy/torch load)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
REPO = os.path.dirname(os.path.dirname(HERE))

import corpus  # noqa: E402
from export import load_exported  # noqa: E402
from tokenizer import SPECIAL_TOKENS, WordPieceTokenizer, _is_punctuation  # noqa: E402

SEED = 20261127
N_SPECIAL = len(SPECIAL_TOKENS)
NPM_DIR = os.path.join(HERE, ".cache", "npm")


def heldout_sequences(tok, heldout_path, max_len, limit):
    """Pack held-out documents exactly like training (without shuffling or
    short sequences): consecutive sentences up to max_len - 2 pieces."""
    seqs = []
    for doc in corpus.read_documents(heldout_path):
        cur = []
        for s in doc:
            ids = tok.encode(s)[: max_len - 2]
            if cur and len(cur) + len(ids) > max_len - 2:
                seqs.append(cur)
                cur = []
            cur = cur + ids
        if cur:
            seqs.append(cur)
    rng = np.random.default_rng(SEED)
    order = rng.permutation(len(seqs))[:limit]
    return [[tok.cls_id] + seqs[i] + [tok.sep_id] for i in sorted(order)]


def batches(seqs, size):
    for i in range(0, len(seqs), size):
        chunk = seqs[i:i + size]
        T = max(len(s) for s in chunk)
        ids = torch.zeros(len(chunk), T, dtype=torch.long)
        att = torch.zeros(len(chunk), T, dtype=torch.long)
        for j, s in enumerate(chunk):
            ids[j, :len(s)] = torch.tensor(s)
            att[j, :len(s)] = 1
        yield ids, att


@torch.no_grad()
def masked_lm_eval(mlm, causal, seqs, vocab_size, mask_id, batch_size=32):
    g = torch.Generator().manual_seed(SEED)
    stats = {k: 0.0 for k in ["n", "top1", "top5", "nll", "top1_801010", "causal_top1",
                              "causal_top5", "causal_nll"]}
    for ids, att in batches(seqs, batch_size):
        selectable = (att == 1) & (ids >= N_SPECIAL)
        sel = (torch.rand(ids.shape, generator=g) < 0.15) & selectable
        r = torch.rand(ids.shape, generator=g)
        rand_ids = torch.randint(N_SPECIAL, vocab_size, ids.shape, generator=g)
        pos = sel.nonzero()
        labels = ids[sel]
        # (a) every selected position -> [MASK]
        x = ids.clone()
        x[sel] = mask_id
        logits, _, _ = mlm(x, att, positions=pos)
        stats["n"] += len(labels)
        stats["top1"] += (logits.argmax(-1) == labels).sum().item()
        stats["top5"] += (logits.topk(5, -1).indices == labels[:, None]).any(-1).sum().item()
        stats["nll"] += F.cross_entropy(logits, labels, reduction="sum").item()
        # (b) training-style 80/10/10 corruption
        x = ids.clone()
        x[sel & (r < 0.8)] = mask_id
        m = sel & (r >= 0.8) & (r < 0.9)
        x[m] = rand_ids[m]
        logits, _, _ = mlm(x, att, positions=pos)
        stats["top1_801010"] += (logits.argmax(-1) == labels).sum().item()
        # (c) the twin predicts each selected token from the tokens before it
        prev = pos.clone()
        prev[:, 1] -= 1  # position 0 is [CLS], never selected, so t-1 >= 0
        logits, _, _ = causal(ids, att, positions=prev)
        stats["causal_top1"] += (logits.argmax(-1) == labels).sum().item()
        stats["causal_top5"] += (logits.topk(5, -1).indices == labels[:, None]).any(-1).sum().item()
        stats["causal_nll"] += F.cross_entropy(logits, labels, reduction="sum").item()
    n = stats["n"]
    return {
        "masked_positions": int(n),
        "bert_mini": {"top1": stats["top1"] / n, "top5": stats["top5"] / n,
                      "perplexity": math.exp(stats["nll"] / n),
                      "top1_with_80_10_10_corruption": stats["top1_801010"] / n},
        "causal_twin_next_token_at_same_positions": {
            "top1": stats["causal_top1"] / n, "top5": stats["causal_top5"] / n,
            "perplexity": math.exp(stats["causal_nll"] / n)},
    }


@torch.no_grad()
def whole_word_eval(mlm, causal, tok, heldout_path, limit=2000):
    """One single-piece, non-punctuation word per sentence, chosen with a seed."""
    rng = np.random.default_rng(SEED + 1)
    items = []
    for doc in corpus.read_documents(heldout_path):
        for s in doc:
            words = tok.encode_words(s)
            ids = [i for _, p in words for i in p]
            if len(ids) < 4 or len(ids) > 126:
                continue
            cands, off = [], 1
            for w, p in words:
                if len(p) == 1 and p[0] != tok.unk_id and not all(_is_punctuation(c) for c in w):
                    cands.append(off)
                off += len(p)
            if cands:
                items.append(([tok.cls_id] + ids + [tok.sep_id], int(rng.choice(cands))))
    order = rng.permutation(len(items))[:limit]
    items = [items[i] for i in sorted(order)]
    hits_b = hits_c = 0
    for i in range(0, len(items), 64):
        chunk = items[i:i + 64]
        seqs = [s for s, _ in chunk]
        ids, att = next(batches(seqs, len(seqs)))
        where = torch.tensor([p for _, p in chunk])
        b = torch.arange(len(chunk))
        labels = ids[b, where]
        x = ids.clone()
        x[b, where] = tok.mask_id
        lb, _, _ = mlm(x, att, positions=torch.stack([b, where], 1))
        lc, _, _ = causal(ids, att, positions=torch.stack([b, where - 1], 1))
        hits_b += (lb.argmax(-1) == labels).sum().item()
        hits_c += (lc.argmax(-1) == labels).sum().item()
    n = len(items)
    return {"sentences": n, "bert_mini_top1": hits_b / n, "causal_twin_top1": hits_c / n,
            "advantage_points": 100 * (hits_b - hits_c) / n}


# ------------------------------------------------------------ few-shot

def load_sentiment():
    path = os.path.join(NPM_DIR, "node_modules", "sentiment", "test", "fixtures")
    if not os.path.exists(path):
        subprocess.run(["npm", "install", "--no-save", "--prefix", NPM_DIR, "sentiment"], check=True)
    with open(os.path.join(NPM_DIR, "node_modules", "sentiment", "package.json")) as f:
        version = json.load(f)["version"]
    data = {}
    for name in ["amazon", "imdb", "yelp"]:
        with open(os.path.join(path, name + ".json")) as f:
            rows = json.load(f)
        rows = [r for r in rows if r.get("class") in (0, 1) and r.get("text", "").strip()]
        data[name] = ([r["text"] for r in rows], np.array([int(r["class"]) for r in rows]))
    return data, version


@torch.no_grad()
def sentence_features(model, tok, texts, max_len):
    seqs = [[tok.cls_id] + tok.encode(t)[: max_len - 2] + [tok.sep_id] for t in texts]
    means, clss = [], []
    for ids, att in batches(seqs, 64):
        _, hidden, _ = model(ids, att, positions=torch.zeros(0, 2, dtype=torch.long))
        m = att[..., None].float()
        means.append(((hidden * m).sum(1) / m.sum(1)).numpy())
        clss.append(hidden[:, 0].numpy())
    return {"mean": np.concatenate(means), "cls": np.concatenate(clss)}


def few_shot(features_by_name, data, ks=(16, 32, 64, 128), seeds=10):
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegressionCV
    from sklearn.preprocessing import StandardScaler

    def fit_score(Xtr, ytr, Xte, yte, scale):
        if scale:
            sc = StandardScaler().fit(Xtr)
            Xtr, Xte = sc.transform(Xtr), sc.transform(Xte)
        # The L2 strength is picked by 4-fold cross-validation on the k
        # training examples only (same grid for every feature set), so no
        # test example influences any choice.
        clf = LogisticRegressionCV(Cs=[0.001, 0.01, 0.1, 1.0, 10.0], cv=4, max_iter=3000)
        clf.fit(Xtr, ytr)
        return float((clf.predict(Xte) == yte).mean())

    results = {}
    for ds, (texts, y) in data.items():
        results[ds] = {}
        for k in ks:
            acc = {name: [] for name in list(features_by_name[ds]) + ["bag_of_words"]}
            for seed in range(seeds):
                rng = np.random.default_rng([SEED, k, seed])
                tr = np.concatenate([rng.choice(np.flatnonzero(y == c), k // 2, replace=False)
                                     for c in (0, 1)])
                te = np.setdiff1d(np.arange(len(y)), tr)
                for name, X in features_by_name[ds].items():
                    acc[name].append(fit_score(X[tr], y[tr], X[te], y[te], True))
                bow = CountVectorizer(lowercase=True, binary=True)
                Xtr = bow.fit_transform([texts[i] for i in tr])
                Xte = bow.transform([texts[i] for i in te])
                acc["bag_of_words"].append(fit_score(Xtr, y[tr], Xte, y[te], False))
            results[ds][str(k)] = {n: {"mean": float(np.mean(a)), "sd": float(np.std(a))}
                                   for n, a in acc.items()}
    # Average over the three datasets (mean of means; sd averaged too).
    avg = {}
    for k in ks:
        avg[str(k)] = {}
        for n in results["amazon"][str(k)]:
            avg[str(k)][n] = {"mean": float(np.mean([results[d][str(k)][n]["mean"] for d in data])),
                              "sd": float(np.mean([results[d][str(k)][n]["sd"] for d in data]))}
    results["average"] = avg
    return results


def main(run_dir, weights_dir, limit_sequences=600, out_path=None):
    t0 = time.time()
    torch.manual_seed(SEED)
    mlm = load_exported(os.path.join(weights_dir, "bert-mini"))
    causal = load_exported(os.path.join(weights_dir, "bert-mini-causal"))
    tok = WordPieceTokenizer(os.path.join(weights_dir, "bert-mini", "vocab.txt"))
    heldout = os.path.join(run_dir, "corpus", "heldout.txt")
    seqs = heldout_sequences(tok, heldout, mlm.cfg.max_position_embeddings, limit_sequences)
    result = {"heldout_sequences": len(seqs), "seed": SEED}
    result["masked_lm"] = masked_lm_eval(mlm, causal, seqs, mlm.cfg.vocab_size, tok.mask_id)
    print(json.dumps(result["masked_lm"], indent=1), flush=True)
    result["whole_word_fill"] = whole_word_eval(mlm, causal, tok, heldout)
    print(json.dumps(result["whole_word_fill"], indent=1), flush=True)
    data, version = load_sentiment()
    feats = {}
    for ds, (texts, _) in data.items():
        fb = sentence_features(mlm, tok, texts, mlm.cfg.max_position_embeddings)
        fc = sentence_features(causal, tok, texts, mlm.cfg.max_position_embeddings)
        feats[ds] = {"bert_mini_mean": fb["mean"], "bert_mini_cls": fb["cls"],
                     "causal_twin_mean": fc["mean"]}
    result["few_shot_sentiment"] = {
        "data": "npm sentiment@%s test/fixtures {amazon,imdb,yelp}.json (1000 each)" % version,
        "protocol": "balanced k training examples, 10 seeds, test on the remaining examples; "
                    "L2 logistic regression on standardised frozen last-layer features vs on binary "
                    "bag-of-words counts; C chosen from {0.001, 0.01, 0.1, 1, 10} by 4-fold "
                    "cross-validation on the k training examples",
        "results": few_shot(feats, data)}
    avg = result["few_shot_sentiment"]["results"]["average"]
    for k, row in avg.items():
        print(k, {n: "%.3f±%.3f" % (v["mean"], v["sd"]) for n, v in row.items()}, flush=True)
    result["eval_seconds"] = round(time.time() - t0, 1)
    out_path = out_path or os.path.join(weights_dir, "bert-mini", "eval.json")
    with open(out_path, "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    print("wrote", out_path)
    return result


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--out", default=os.path.join(HERE, ".cache", "run"))
    p.add_argument("--dest", default=os.path.join(REPO, "public", "weights"))
    p.add_argument("--limit-sequences", type=int, default=600)
    a = p.parse_args()
    torch.set_num_threads(2)
    main(a.out, a.dest, a.limit_sequences)
