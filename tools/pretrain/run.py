#!/usr/bin/python3
"""One entry point for the whole pretraining pipeline.

  /usr/bin/python3 tools/pretrain/run.py all --out tools/pretrain/.cache/run

Stages (each can be run alone, each reads the previous stage's files):
  corpus   read sources -> <out>/corpus/{train,heldout}.txt, corpus.json
  vocab    train WordPiece -> <out>/vocab.txt
  tokens   tokenize the training corpus -> <out>/train_ids.npz
  train    pretrain bert-mini and its causal twin in lock-step -> <out>/<name>/
  slim     checkpoint -> <dest>/<name>.pt without optimizer state, weights F16
           (what comes back from a borrowed GPU; export/evaluate/card read it)
  export   checkpoint -> Hugging Face folder (config, vocab, safetensors F16)
  evaluate held-out metrics + few-shot sentiment -> eval.json
  golden   reference activations for the TypeScript engine
  card     model cards (README.md + loss curve) for the exported folders
"""
import argparse
import json
import os

import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import blas_env  # noqa: E402,F401  (before numpy/torch)
REPO = os.path.dirname(os.path.dirname(HERE))

import corpus  # noqa: E402
import tokenizer  # noqa: E402

VOCAB_SIZE = 8192
MODEL_NAMES = {"mlm": "bert-mini", "causal": "bert-mini-causal"}


def stage_corpus(a):
    summary = corpus.build_corpus(a.out, a.seed)
    # The summary (sources, versions, licences, word counts) is committed.
    shutil.copy(os.path.join(a.out, "corpus", "corpus.json"), os.path.join(HERE, "corpus.json"))
    print("train words %d, held-out words %d" % (summary["total_train_words"],
                                                  summary["total_heldout_words"]))


def stage_vocab(a):
    docs = corpus.read_documents(os.path.join(a.out, "corpus", "train.txt"))
    counts = tokenizer.count_words(s for d in docs for s in d)
    vocab = tokenizer.train_wordpiece(counts, a.vocab_size)
    path = os.path.join(a.out, "vocab.txt")
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        f.write("\n".join(vocab) + "\n")
    os.replace(path + ".tmp", path)
    print("vocabulary:", len(vocab), "pieces ->", path)


def stage_tokens(a):
    import data
    n = data.tokenize_corpus(os.path.join(a.out, "corpus", "train.txt"),
                             os.path.join(a.out, "vocab.txt"), os.path.join(a.out, "train_ids.npz"))
    print("training tokens:", n)
    n = data.tokenize_corpus(os.path.join(a.out, "corpus", "heldout.txt"),
                             os.path.join(a.out, "vocab.txt"), os.path.join(a.out, "heldout_ids.npz"))
    print("held-out tokens:", n)


def model_config(a):
    return dict(hidden_size=a.hidden, num_hidden_layers=a.layers, num_attention_heads=a.heads,
                intermediate_size=a.ffn, max_position_embeddings=a.max_len,
                hidden_dropout_prob=a.dropout, attention_probs_dropout_prob=a.dropout)


def stage_train(a):
    import train
    until = None
    if a.until:  # "HH:MM" (UTC, today or tomorrow) or minutes from now
        if ":" in a.until:
            import datetime
            now = datetime.datetime.now(datetime.timezone.utc)
            hh, mm = map(int, a.until.split(":"))
            t = now.replace(hour=hh, minute=mm, second=0, microsecond=0)
            if t <= now:
                t += datetime.timedelta(days=1)
            until = t.timestamp()
        else:
            until = time.time() + float(a.until) * 60
    objectives = ["mlm", "causal"] if a.objective == "both" else [a.objective]
    run_dirs = {o: os.path.join(a.out, MODEL_NAMES[o]) for o in objectives}
    heldout = os.path.join(a.out, "heldout_ids.npz")
    train.train(run_dirs, os.path.join(a.out, "train_ids.npz"), os.path.join(a.out, "vocab.txt"),
                model_config(a), steps=a.steps if (a.steps_too or not until) else None, until=until,
                batch_size=a.batch, peak_lr=a.lr, warmup=a.warmup, seed=a.seed,
                threads=a.threads, checkpoint_minutes=a.checkpoint_minutes, qk_init_std=a.qk_init_std,
                device=a.device, heldout_path=heldout if os.path.exists(heldout) else None,
                log_every=a.log_every, heldout_every=a.heldout_every)


def stage_slim(a):
    import train
    os.makedirs(a.dest, exist_ok=True)
    for obj in (["mlm", "causal"] if a.objective == "both" else [a.objective]):
        name = MODEL_NAMES[obj]
        dest = os.path.join(a.dest, name + ".pt")
        train.save_slim(os.path.join(a.out, name, "checkpoint.pt"), dest)
        print("slim checkpoint", dest, os.path.getsize(dest), "bytes")


def stage_export(a):
    import export
    for obj in (["mlm", "causal"] if a.objective == "both" else [a.objective]):
        name = MODEL_NAMES[obj]
        dest = os.path.join(a.dest, name)
        export.export_checkpoint(os.path.join(a.out, name, "checkpoint.pt"),
                                 os.path.join(a.out, "vocab.txt"), dest)
        print("exported", dest)


def stage_evaluate(a):
    import evaluate
    evaluate.main(a.out, a.dest)


def stage_golden(a):
    import golden
    golden.main(a.dest, os.path.join(REPO, "test", "fixtures", "shipped-golden.json"))


def stage_card(a):
    import model_card
    model_card.main(a.out, a.dest)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("stage", choices=["corpus", "vocab", "tokens", "train", "slim", "export", "evaluate",
                                     "golden", "card", "all"])
    p.add_argument("--out", default=os.path.join(HERE, ".cache", "run"))
    p.add_argument("--dest", default=os.path.join(REPO, "public", "weights"))
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--vocab-size", type=int, default=VOCAB_SIZE)
    p.add_argument("--objective", choices=["mlm", "causal", "both"], default="both")
    p.add_argument("--layers", type=int, default=4)
    p.add_argument("--hidden", type=int, default=256)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--ffn", type=int, default=1024)
    p.add_argument("--max-len", type=int, default=128)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--steps", type=int, default=2000)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--warmup", type=int, default=150)
    p.add_argument("--until", default=None,
                   help="stop at this UTC time (HH:MM) or after N minutes; the lr decays to 0 then")
    p.add_argument("--steps-too", action="store_true",
                   help="with --until: also end at --steps, the lr following whichever is further along")
    p.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    p.add_argument("--dropout", type=float, default=0.0, help="hidden and attention dropout")
    p.add_argument("--log-every", type=int, default=10)
    p.add_argument("--heldout-every", type=int, default=250,
                   help="log the held-out loss every N steps (a multiple of --log-every)")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--qk-init-std", type=float, default=None,
                   help="initialise attention query/key weights with this std (BERT: 0.02 like the rest)")
    p.add_argument("--checkpoint-minutes", type=float, default=5.0)
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    stages = {"corpus": [stage_corpus], "vocab": [stage_vocab], "tokens": [stage_tokens],
              "train": [stage_train], "slim": [stage_slim], "export": [stage_export], "evaluate": [stage_evaluate],
              "golden": [stage_golden], "card": [stage_card],
              "all": [stage_corpus, stage_vocab, stage_tokens, stage_train, stage_export,
                      stage_evaluate, stage_golden, stage_card]}[a.stage]
    for s in stages:
        s(a)


if __name__ == "__main__":
    main()
