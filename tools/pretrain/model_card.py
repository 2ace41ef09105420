"""Write README.md (model card) and loss.png into each exported folder, from
the training logs/checkpoints, tools/pretrain/corpus.json and eval.json."""
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

NAMES = {"mlm": "bert-mini", "causal": "bert-mini-causal"}


def read_log(path):
    """Steps logged after the last checkpoint of an interrupted run are logged
    again after resuming; keep the latest record per step."""
    by_step = {}
    with open(path) as f:
        for l in f:
            if l.strip():
                r = json.loads(l)
                by_step[r["step"]] = r
    return [by_step[s] for s in sorted(by_step)]


def plot_losses(logs, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6.4, 3.6), dpi=100)
    for label, rows in logs.items():
        steps = [r["step"] for r in rows]
        loss = [r["loss"] for r in rows]
        # Exponential moving average: per-step losses on batch 16 are noisy.
        ema, smooth = None, []
        for v in loss:
            ema = v if ema is None else 0.7 * ema + 0.3 * v
            smooth.append(ema)
        line, = ax.plot(steps, loss, alpha=0.25, linewidth=0.8)
        ax.plot(steps, smooth, color=line.get_color(), label=label + " (training)")
        held = [(r["step"], r["heldout_loss"]) for r in rows if "heldout_loss" in r]
        if held:
            ax.plot(*zip(*held), "o--", color=line.get_color(), markersize=3, linewidth=0.8,
                    label=label + " (held-out)")
    ax.set_xlabel("step")
    ax.set_ylabel("loss (cross-entropy, nats)")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def pieces_per_word(run_dir, corpus):
    """WordPiece pieces per whitespace-delimited word of the training split."""
    import numpy as np
    n = len(np.load(os.path.join(run_dir, "train_ids.npz"))["ids"])
    return n / corpus["total_train_words"]


def unigram_entropy(run_dir):
    import numpy as np
    c = np.bincount(np.load(os.path.join(run_dir, "train_ids.npz"))["ids"])
    p = c[c > 0] / c.sum()
    return float(-(p * np.log(p)).sum())


def mean_loss(rows, lo, hi):
    v = [r["loss"] for r in rows if lo < r["step"] <= hi]
    return sum(v) / max(1, len(v))


def pct(x):
    return "%.1f%%" % (100 * x)


def fmt_hms(s):
    s = int(round(s))
    if s < 3600:
        return "%d min %02d s" % (s // 60, s % 60)
    return "%dh %02dm" % (s // 3600, s % 3600 // 60)


def corpus_table(c):
    rows = ["| source | package (manager) | version | licence | documents | words (train / held-out) |",
            "|---|---|---|---|---|---|"]
    for s in c["sources"]:
        rows.append("| %s | `%s` (%s) | %s | %s | %d | %s / %s |" % (
            s["name"], s["package"], s["manager"], s["version"], s["licence"], s["documents"],
            "{:,}".format(s["train_words"]), "{:,}".format(s["heldout_words"])))
    rows.append("| **total** | | | | | **%s / %s** |" % ("{:,}".format(c["total_train_words"]),
                                                          "{:,}".format(c["total_heldout_words"])))
    return "\n".join(rows)


def few_shot_table(fs):
    avg = fs["results"]["average"]
    names = list(next(iter(avg.values())).keys())
    head = "| k (train examples) | " + " | ".join(names) + " |"
    rows = [head, "|---" * (len(names) + 1) + "|"]
    for k, row in avg.items():
        rows.append("| %s | " % k + " | ".join("%.1f ± %.1f" % (100 * row[n]["mean"], 100 * row[n]["sd"])
                                              for n in names) + " |")
    return "\n".join(rows)


def write_card(obj, run_dir, dest, corpus, ev, logs):
    name = NAMES[obj]
    folder = os.path.join(dest, name)
    from train import load_checkpoint
    ck = load_checkpoint(os.path.join(run_dir, name, "checkpoint.pt"))
    cfg, args = ck["config"], ck["args"]
    with open(os.path.join(folder, "config.json")) as f:
        hf = json.load(f)
    n_params = sum(v.numel() for v in ck["model"].values())
    size = os.path.getsize(os.path.join(folder, "model.safetensors"))
    plot_losses({NAMES[o]: logs[o] for o in logs}, os.path.join(folder, "loss.png"))
    last = logs[obj][-1] if logs[obj] else {}
    ml = ev["masked_lm"]
    ww = ev["whole_word_fill"]
    lines = []
    title = "BERT-mini" if obj == "mlm" else "BERT-mini-causal (the causal twin)"
    lines.append("# %s\n" % title)
    if obj == "mlm":
        lines.append("A small BERT (`BertForMaskedLM`) pretrained from scratch with masked-language "
                     "modelling on ~5 M words of public-domain and permissively licensed English, for the "
                     "in-browser BERT Playground. Its twin `bert-mini-causal` has the identical "
                     "architecture, tokenizer, data, steps and seed but a causal attention mask and a "
                     "next-token objective, so the two can be compared side by side.\n")
    else:
        lines.append("The causal twin of `bert-mini` (`BertLMHeadModel`, `is_decoder: true`): identical "
                     "architecture, tokenizer, data stream, batch at every step, learning rate at every "
                     "step and initial weights (same seed), but attention is lower-triangular (each "
                     "position sees only itself and earlier positions) and the objective is next-token "
                     "prediction at every position with the same LM head. It exists to show what "
                     "bidirectional context buys.\n")
    if args.get("device") == "cuda":
        lines.append("Rebuild: corpus, vocabulary and token ids with `/usr/bin/python3 tools/pretrain/run.py "
                     "corpus|vocab|tokens`, then training on a GPU with `tools/pretrain/gpu.sh` (the "
                     "exact commands are in `tools/pretrain/README.md`).\n")
    else:
        lines.append("Rebuild: `/usr/bin/python3 tools/pretrain/run.py all` (see `tools/pretrain/README.md`).\n")
    lines.append("## Model\n")
    lines.append("| | |\n|---|---|")
    for k in ["architectures", "num_hidden_layers", "hidden_size", "num_attention_heads",
              "intermediate_size", "max_position_embeddings", "vocab_size", "hidden_act",
              "layer_norm_eps", "is_decoder"]:
        lines.append("| %s | `%s` |" % (k, json.dumps(hf[k])))
    lines.append("| parameters | %s (MLM decoder tied to the word embeddings) |" % "{:,}".format(n_params))
    lines.append("| `model.safetensors` | %.1f MB, F16 |" % (size / 1e6))
    lines.append("")
    dropout = hf.get("hidden_dropout_prob", 0.0)
    on_gpu = args.get("device") == "cuda"
    held = [r for r in logs[obj] if "heldout_loss" in r]
    lines.append("**Why this size.** %d layers × %d hidden × %d heads × %d FFN is the BERT-mini shape of "
                 "Turc et al. (2019). %s That showed each model %.1f epochs of the training split. "
                 "A larger model is ruled out by the playground, not by the compute: both models must "
                 "stay under 30 MB in the repository (these two are %.1f MB together in F16) and run "
                 "interactively on a student's laptop, and a ~5 M-word corpus gives little for more "
                 "capacity to learn beyond what this size learns. A narrower one would leave little to "
                 "look at in the playground's per-layer, per-head views. %d positions cover the "
                 "playground's sentence-sized inputs.\n" % (
                     hf["num_hidden_layers"], hf["hidden_size"], hf["num_attention_heads"],
                     hf["intermediate_size"],
                     ("The compute was one borrowed GPU for %s (both models in lock-step, %.0f ms per "
                      "step of %d sequences)." % (fmt_hms(last.get("wall_seconds", 0)),
                                                   1000 * last.get("wall_seconds", 0) / max(1, last.get("step", 1)),
                                                   args["batch_size"]))
                     if on_gpu else
                     ("The budget was about two hours of a shared 2-core CPU for both models together "
                      "(one core each, %.1f s per lock-step batch of %d × ≤128 pieces on average)." % (
                          last.get("wall_seconds", 0) / max(1, last.get("step", 1)), args["batch_size"])),
                     last.get("epoch", 0), 2 * size / 1e6, hf["max_position_embeddings"]))
    if dropout:
        lines.append("**Dropout %.1f** (BERT's) on hidden states and attention probabilities: the run "
                     "passes over a small corpus many times, where regularisation matters.%s\n" % (
                         dropout, (" At the last held-out check (step %s) this model's held-out loss "
                                   "was %.2f against a training loss of %.2f." % (
                                       "{:,}".format(held[-1]["step"]), held[-1]["heldout_loss"],
                                       held[-1]["loss"])) if held else ""))
    else:
        lines.append("**Dropout 0**: the run is less than one pass over the data, where overfitting is "
                     "not the limiting factor.\n")
    lines.append("**Vocabulary: %d WordPiece pieces, uncased.** Trained on the training split with "
                 "BPE-style merges over `##`-continuation pieces (the method of HF `tokenizers`' "
                 "WordPiece trainer), applied with greedy longest-match-first. The pre-tokenisation is "
                 "exactly HF BertTokenizer's BasicTokenizer (clean text, CJK split, lowercase, strip "
                 "accents, split on punctuation), so the playground's TypeScript tokenizer reproduces "
                 "training tokenisation. Why %d rather than BERT's 30,522: on a ~5 M-word corpus a small "
                 "vocabulary gives each embedding row many more training occurrences, keeps the "
                 "embedding matrix (%s of the parameters) and the output softmax small, and still "
                 "covers common English words as single pieces (≈%.2f pieces per word here).\n" % (
                     hf["vocab_size"], hf["vocab_size"],
                     pct(hf["vocab_size"] * hf["hidden_size"] / n_params), pieces_per_word(run_dir, corpus)))
    lines.append("## Training\n")
    objective = ("masked-LM: dynamic masking of 15% of pieces each step (80% `[MASK]`, 10% random, "
                 "10% unchanged), loss on the selected positions only; no next-sentence prediction"
                 if obj == "mlm" else
                 "next-token prediction (position t predicts piece t+1) at every non-padding position, "
                 "causal attention mask")
    lines.append("- Objective: %s." % objective)
    lines.append("- Data: contiguous sentences of one document packed into sequences of ≤ 128 pieces "
                 "`[CLS] … [SEP]` (10%% of sequences get a shorter random length, as in BERT), token "
                 "type 0, batch %d sequences. Both models saw the identical batch at every step." % args["batch_size"])
    hist = ck.get("schedule_history") or [dict(args, from_step=0)]
    sched = ("peak learning rate %.1e after %d warmup steps, then linear decay towards 0 at the end "
             "of the run" % (hist[0]["peak_lr"], hist[0]["warmup"]))
    for h in hist[1:]:
        before = [r for r in logs[obj] if r["step"] <= h["from_step"]]
        after = [r for r in logs[obj] if r["step"] > h["from_step"]]
        sched += ("; at step %d the peak was lowered to %.1e (the lr went from %.1e to %.1e, still "
                  "decaying linearly to 0 at the deadline), because the masked-LM loss had been flat "
                  "near %.1f for ~350 steps while gradient norms rose, which can indicate a learning "
                  "rate too high for a post-LN Transformer; both models got the same change" % (
                      h["from_step"], h["peak_lr"], before[-1]["lr"] if before else float("nan"),
                      after[0]["lr"] if after else float("nan"),
                      mean_loss(logs["mlm"], h["from_step"] - 350, h["from_step"])))
    if args.get("until") and args.get("steps"):
        ending = ("The schedule was sized by whichever came first of %s steps or a wall-clock "
                  "deadline (the end of the GPU lease); the deadline did, at step %s" % (
                      "{:,}".format(args["steps"]), "{:,}".format(ck["step"])))
    elif args.get("until"):
        ending = ("The end was set by a wall-clock deadline rather than a step count because the "
                  "machine's cores were shared with other jobs")
    else:
        ending = "The run was sized by its step count"
    init = ("; query and key weights drawn from N(0, %.2g), everything else from BERT's N(0, 0.02): "
            "with BERT's initialisation the attention logits start near zero and a masked LM is slow "
            "to learn to attend by position (see tools/pretrain/README.md)" % args["qk_init_std"]
            if args.get("qk_init_std") else "")
    lines.append("- Optimiser: AdamW (β = 0.9, 0.98; ε = 1e-6; weight decay %.2g, none on biases and "
                 "LayerNorm), gradient clipping 1.0, %s%s. %s; the learning rate used at every step "
                 "is logged." % (args["weight_decay"], sched, init, ending))
    lines.append("- Steps: **%s**; tokens seen (non-padding): **%s** (%.2f epochs of the training split); "
                 "predictions supervised: %s." % (
                     "{:,}".format(ck["step"]), "{:,}".format(ck["tokens_seen"]),
                     last.get("epoch", 0), "{:,}".format(ck["predictions_seen"])))
    hardware = ck.get("hardware", "2-core CPU (shared), PyTorch 1.13 + OpenBLAS, float32")
    lines.append("- Wall time: %s for the lock-step run of both models%s. Hardware: %s. Seed %d; "
                 "dropout %.1f." % (
                     fmt_hms(last.get("wall_seconds", 0)),
                     "" if on_gpu else " (this model's own compute: %s)" % fmt_hms(ck["train_seconds"]),
                     hardware, args["seed"], dropout))
    lines.append("- Final training loss (last logged step): %.3f.\n" % last.get("loss", float("nan")))
    lines.append("![training loss](loss.png)\n")
    lines.append("## Evaluation (held-out documents, F16 weights as shipped)\n")
    lines.append("Held-out set: %s of the documents of every source (whole chapters / files / speeches), "
                 "sentences also occurring in training documents removed. %d packed sequences, %s masked "
                 "positions, seed %d. Produced by `tools/pretrain/evaluate.py` → "
                 "`public/weights/bert-mini/eval.json`.\n" % (
                     pct(corpus["heldout_fraction_of_documents"]), ev["heldout_sequences"],
                     "{:,}".format(ml["masked_positions"]), ev["seed"]))
    b, c = ml["bert_mini"], ml["causal_twin_next_token_at_same_positions"]
    lines.append("| metric | bert-mini | bert-mini-causal |\n|---|---|---|")
    lines.append("| 15%% random positions: top-1 | %s (all `[MASK]`) | %s (next token, left context) |" % (pct(b["top1"]), pct(c["top1"])))
    lines.append("| 15%% random positions: top-5 | %s | %s |" % (pct(b["top5"]), pct(c["top5"])))
    lines.append("| perplexity at those positions | %.1f | %.1f |" % (b["perplexity"], c["perplexity"]))
    lines.append("| top-1 with training-style 80/10/10 corruption | %s | – |" % pct(b["top1_with_80_10_10_corruption"]))
    lines.append("| whole single-piece word, one per sentence (%d sentences): top-1 | %s | %s |" % (
        ww["sentences"], pct(ww["bert_mini_top1"]), pct(ww["causal_twin_top1"])))
    lines.append("")
    lines.append("Bidirectional advantage on the whole-word task: **%+.1f points** for bert-mini.\n" % ww["advantage_points"])
    fs = ev["few_shot_sentiment"]
    lines.append("### Few-shot sentiment (frozen features)\n")
    lines.append("%s. Protocol: %s. Accuracy in %% (mean ± sd over draws), averaged over the three "
                 "datasets; per-dataset numbers are in `eval.json`.\n" % (fs["data"], fs["protocol"]))
    lines.append(few_shot_table(fs))
    lines.append("")
    lines.append("### Targets set for this model pair\n")
    k64 = fs["results"]["average"]["64"]
    best_feat = max(("bert_mini_mean", "bert_mini_cls"), key=lambda n: k64[n]["mean"])
    gap64 = 100 * (k64[best_feat]["mean"] - k64["bag_of_words"]["mean"])
    lines.append("| target | measured | met? |\n|---|---|---|")
    lines.append("| bert-mini masked top-1 ≥ 40%% | %s | %s |" % (
        pct(b["top1"]), "yes" if b["top1"] >= 0.40 else "no, %.1f points short" % (100 * (0.40 - b["top1"]))))
    lines.append("| bidirectional advantage ≥ 10 points | %+.1f points | %s |" % (
        ww["advantage_points"], "yes" if ww["advantage_points"] >= 10 else
        "no, %.1f points short" % (10 - ww["advantage_points"])))
    lines.append("| frozen bert-mini features beat bag-of-words clearly at k = 64 | %+.1f points (%s) | %s |" % (
        gap64, best_feat, "yes" if gap64 >= 3 else "no"))
    lines.append("")
    if b["top1"] < 0.25:
        mlm_log = logs["mlm"]
        lines.append("**What went wrong.** The masked-LM loss fell from %.1f to the unigram level "
                     "(the unigram entropy of the training pieces is %.2f nats) and then stayed on the "
                     "well-known early MLM plateau: the mean training loss over the last 200 steps was "
                     "%.2f, i.e. the model mostly predicts frequent pieces (\"the\", \",\", \"of\") "
                     "and has not yet learned to attend to the words next to the mask. The causal twin "
                     "does not need attention to get started (the current piece alone predicts the next "
                     "one well) and is supervised at every position instead of 15%%, so it left its "
                     "plateau early. With post-LN BERT this plateau can last thousands of steps; "
                     "this run had %s steps of 32 sequences. More compute (the pipeline resumes from "
                     "its checkpoint) is the straightforward fix.\n" % (
                         mlm_log[0]["loss"], unigram_entropy(run_dir),
                         mean_loss(mlm_log, mlm_log[-1]["step"] - 200, mlm_log[-1]["step"]),
                         "{:,}".format(ck["step"])))
    lines.append("## Data\n")
    lines.append("All text is public domain or permissively licensed and installed with apt or npm "
                 "(versions below). Normalisation: %s. The npm `sentiment` fixtures are used for "
                 "evaluation only, never for pretraining.\n" % corpus["normalisation"])
    lines.append(corpus_table(corpus))
    lines.append("")
    lines.append("## Limitations\n")
    lines.append("Tiny by modern standards and trained on ~5 M words: expect plausible "
                 "function words and frequent content words, weak factual knowledge, an archaic / "
                 "political / Biblical register inherited from the corpus, and the corpus's biases. "
                 "Teaching use only.\n")
    with open(os.path.join(folder, "README.md"), "w") as f:
        f.write("\n".join(lines))
    print("wrote", os.path.join(folder, "README.md"))


def main(run_dir, dest):
    with open(os.path.join(HERE, "corpus.json")) as f:
        corpus = json.load(f)
    with open(os.path.join(dest, "bert-mini", "eval.json")) as f:
        ev = json.load(f)
    logs = {o: read_log(os.path.join(run_dir, NAMES[o], "log.jsonl")) for o in NAMES}
    for obj in NAMES:
        write_card(obj, run_dir, dest, corpus, ev, logs)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
