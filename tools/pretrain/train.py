"""Pretraining loop. Trains BERT-mini (masked LM) and its causal twin in
lock-step: at every step both models see the same packed batch and use the
same learning rate, so "same data, same steps, same seed" holds by
construction, whatever the machine load.

objective "mlm":    BERT masked-LM (dynamic 15% masking, 80/10/10), loss only
                    on the selected positions; no next-sentence prediction
                    (RoBERTa showed it does not help).
objective "causal": next-token prediction at every position under a causal
                    attention mask, same head, same data stream, same seed.

Learning-rate schedule: linear warmup, then linear decay to zero. The decay is
sized either by a step count (--steps; exactly reproducible) or by a wall-clock
deadline (--until; used for the shipped models because the 2-core machine is
shared and its throughput is unpredictable — ending at lr 0 matters far more
for a short run than the precise step count). The lr used at every step is
logged, so the schedule actually followed is on record.

Resumable: a checkpoint per model (model + optimizer + step) is written
atomically every few minutes; masks and batches are derived from (seed, step),
so a resumed run sees exactly the batches an uninterrupted run would have.
"""
import json
import os
import time
from concurrent.futures import ThreadPoolExecutor

import torch
import torch.nn.functional as F

from data import PackedData, mask_tokens, next_token_targets
from model import BertConfig, BertForPretraining, count_parameters
from tokenizer import SPECIAL_TOKENS, WordPieceTokenizer


def lr_at(step, progress, peak, warmup):
    """progress in [0, 1]: fraction of the planned run (steps or time) done."""
    if step < warmup:
        return peak * (step + 1) / warmup
    return peak * max(0.0, 1.0 - progress)


def save_checkpoint(path, model, opt, state):
    tmp = path + ".tmp"
    torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(),
                "config": model.cfg.to_dict(), **state}, tmp)
    os.replace(tmp, path)  # atomic: a crash never leaves a half-written file


def load_model(ckpt_path):
    ck = torch.load(ckpt_path, map_location="cpu")
    model = BertForPretraining(BertConfig(**ck["config"]))
    model.load_state_dict(ck["model"])
    model.eval()
    return model, ck


def init_query_key(model, std):
    """Re-draw the attention query/key weights with a larger std than BERT's 0.02.

    Why: with N(0, 0.02) everywhere, q·k is tiny at the start, attention is
    uniform, and the gradient of each of W_q, W_k is proportional to the other:
    a saddle the bidirectional model leaves very slowly (the causal twin does
    not need to: its mask alone tells positions apart). Measured on a probe task
    (predict the token left of a [MASK] in random sequences, 4 layers x 128):
    std 0.1 learns it in ~300 steps, 0.02 not in 500. Initialisation only; the
    architecture is unchanged."""
    with torch.no_grad():
        for layer in model.bert.encoder.layer:
            torch.nn.init.normal_(layer.attention.self.query.weight, std=std)
            torch.nn.init.normal_(layer.attention.self.key.weight, std=std)


def make_optimizer(model, lr, weight_decay):
    # BERT practice: no weight decay on biases and LayerNorm parameters.
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    return torch.optim.AdamW([{"params": decay, "weight_decay": weight_decay},
                              {"params": no_decay, "weight_decay": 0.0}],
                             lr=lr, betas=(0.9, 0.98), eps=1e-6)


def train(run_dirs, data_path, vocab_path, cfg_kwargs, steps=None, until=None, batch_size=32,
          peak_lr=1e-3, warmup=100, weight_decay=0.01, seed=1234, threads=1,
          checkpoint_minutes=5.0, log_every=10, quiet=False, qk_init_std=None):
    """run_dirs: {"mlm": dir, "causal": dir} (either or both).
    steps: planned total steps (schedule by step). until: unix time at which
    training stops and lr reaches zero (schedule by time). One is required."""
    assert steps or until
    torch.set_num_threads(threads)
    tok = WordPieceTokenizer(vocab_path)
    runs = {}
    for obj, run_dir in run_dirs.items():
        os.makedirs(run_dir, exist_ok=True)
        torch.manual_seed(seed)  # identical initial weights for both objectives
        cfg = BertConfig(**{**cfg_kwargs, "vocab_size": len(tok.itos),
                            "is_decoder": obj == "causal"})
        model = BertForPretraining(cfg)
        if qk_init_std is not None:
            init_query_key(model, qk_init_std)
        opt = make_optimizer(model, peak_lr, weight_decay)
        state = {"step": 0, "tokens_seen": 0, "predictions_seen": 0, "train_seconds": 0.0,
                 "started_at": time.time(), "args": dict(
                     objective=obj, steps=steps, until=until, batch_size=batch_size,
                     peak_lr=peak_lr, warmup=warmup, weight_decay=weight_decay, seed=seed,
                     **({"qk_init_std": qk_init_std} if qk_init_std is not None else {}))}
        state["schedule_history"] = [dict(state["args"], from_step=0)]
        ckpt = os.path.join(run_dir, "checkpoint.pt")
        if os.path.exists(ckpt):
            ck = torch.load(ckpt, map_location="cpu")
            model.load_state_dict(ck["model"])
            opt.load_state_dict(ck["optimizer"])
            for k in ["step", "tokens_seen", "predictions_seen", "train_seconds", "started_at"]:
                state[k] = ck[k]
            # Record any change of schedule made when resuming (e.g. a lower
            # peak lr): the model card describes the schedule actually used.
            state["schedule_history"] = ck.get("schedule_history", [dict(ck["args"], from_step=0)])
            if {k: v for k, v in state["schedule_history"][-1].items() if k != "from_step"} != state["args"]:
                state["schedule_history"].append(dict(state["args"], from_step=ck["step"]))
            if not quiet:
                print(obj, "resumed at step", state["step"], flush=True)
        model.train()
        runs[obj] = dict(model=model, opt=opt, state=state, ckpt=ckpt,
                         log=open(os.path.join(run_dir, "log.jsonl"), "a"))
    steps_done = {r["state"]["step"] for r in runs.values()}
    assert len(steps_done) == 1, "the two runs must be resumed from the same step"
    step = steps_done.pop()
    started_at = min(r["state"]["started_at"] for r in runs.values())
    if not quiet:
        print("parameters per model:", count_parameters(next(iter(runs.values()))["model"]), flush=True)
    data = PackedData(data_path, cfg_kwargs["max_position_embeddings"], seed)
    n_special = len(SPECIAL_TOKENS)
    last_save = time.time()
    pool = ThreadPoolExecutor(max_workers=len(runs))
    while True:
        now = time.time()
        if steps is not None:
            if step >= steps:
                break
            progress = step / steps
        else:
            if now >= until:
                break
            progress = (now - started_at) / (until - started_at)
        lr = lr_at(step, progress, peak_lr, warmup)
        input_ids, attention_mask = data.batch(step, batch_size, tok.cls_id, tok.sep_id, tok.pad_id)
        n_tokens = int(attention_mask.sum())

        def update(obj, r, step=step, lr=lr):
            t0 = time.time()
            model, opt, state = r["model"], r["opt"], r["state"]
            if obj == "mlm":
                g = torch.Generator().manual_seed(seed * 1_000_003 + step)
                inputs, positions, labels = mask_tokens(input_ids, attention_mask, len(tok.itos),
                                                        tok.mask_id, n_special, g)
            else:
                inputs = input_ids
                positions, labels = next_token_targets(input_ids, attention_mask)
            for group in opt.param_groups:
                group["lr"] = lr
            logits, _, _ = model(inputs, attention_mask, positions=positions)
            loss = F.cross_entropy(logits, labels)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            gnorm = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            state["step"] = step + 1
            state["tokens_seen"] += n_tokens
            state["predictions_seen"] += len(labels)
            state["train_seconds"] += time.time() - t0
            return loss.item(), float(gnorm)

        # The two models are independent given the batch, so they update in
        # parallel threads (PyTorch releases the GIL inside its kernels): on a
        # shared machine one thread per model degrades far more gracefully than
        # two intra-op threads per model.
        futures = {obj: pool.submit(update, obj, r) for obj, r in runs.items()}
        for obj, r in runs.items():
            loss, gnorm = futures[obj].result()
            state = r["state"]
            if (step + 1) % log_every == 0:
                rec = {"step": step + 1, "loss": round(loss, 4), "lr": lr,
                       "grad_norm": round(gnorm, 3), "tokens_seen": state["tokens_seen"],
                       "train_seconds": round(state["train_seconds"], 1),
                       "wall_seconds": round(time.time() - started_at, 1),
                       "epoch": round(data.epoch_of_step(step + 1, batch_size), 4)}
                r["log"].write(json.dumps(rec) + "\n")
                r["log"].flush()
                if not quiet:
                    print(obj, rec, flush=True)
        step += 1
        if time.time() - last_save > checkpoint_minutes * 60:
            for r in runs.values():
                save_checkpoint(r["ckpt"], r["model"], r["opt"], r["state"])
            last_save = time.time()
    pool.shutdown()
    for r in runs.values():
        r["state"]["finished"] = True
        save_checkpoint(r["ckpt"], r["model"], r["opt"], r["state"])
        r["log"].close()
    return {obj: r["model"] for obj, r in runs.items()}
