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
sized by a step count (--steps; exactly reproducible), by a wall-clock deadline
(--until; for a shared machine whose throughput is unpredictable — ending at
lr 0 matters far more for a short run than the precise step count), or by both:
then the lr follows whichever is further along and the run ends at the first of
the two (a borrowed GPU: a step budget, with the lease's end as a safety net).
The lr used at every step is logged, so the schedule actually followed is on
record.

Device: CPU in float32, or CUDA with bfloat16 autocast (matrix products in
bf16, softmax/LayerNorm/loss in fp32). On CUDA the loop never waits for the GPU
except at logging steps, so batch preparation overlaps the GPU's work.

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


def schedule_progress(step, now, steps, until, started_at):
    """Fraction of the planned run done, or None when the run is over."""
    parts = []
    if steps is not None:
        if step >= steps:
            return None
        parts.append(step / steps)
    if until is not None:
        if now >= until:
            return None
        parts.append((now - started_at) / (until - started_at))
    return max(parts)


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


def load_checkpoint(path, device="cpu"):
    # Our own files: plain dicts of tensors and numbers. PyTorch >= 2.6 loads
    # weights-only by default; say so explicitly where the argument exists.
    try:
        return torch.load(path, map_location=device, weights_only=False)
    except TypeError:  # PyTorch < 1.13
        return torch.load(path, map_location=device)


def save_slim(ckpt_path, dest):
    """The checkpoint without optimizer state and with F16 weights (what is
    shipped anyway): a quarter of the size, enough to export, evaluate and
    write the model card, not to resume training."""
    ck = load_checkpoint(ckpt_path)
    ck.pop("optimizer", None)
    ck["model"] = {k: v.half() if v.is_floating_point() else v for k, v in ck["model"].items()}
    ck["slim"] = True
    torch.save(ck, dest + ".tmp")
    os.replace(dest + ".tmp", dest)


def load_model(ckpt_path):
    ck = load_checkpoint(ckpt_path)
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


def describe_hardware(device):
    """Recorded in the checkpoint, so the model card names what trained it."""
    import platform
    if device == "cuda":
        return "%s GPU, PyTorch %s, bfloat16 autocast" % (torch.cuda.get_device_name(), torch.__version__)
    return "%d-core %s CPU, PyTorch %s, float32" % (os.cpu_count() or 1, platform.machine(), torch.__version__)


def make_optimizer(model, lr, weight_decay, device="cpu"):
    # BERT practice: no weight decay on biases and LayerNorm parameters.
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    # One fused kernel per step instead of several per parameter on CUDA
    # (PyTorch >= 2.0); the update rule is the same.
    fused = {"fused": True} if device == "cuda" and int(torch.__version__.split(".")[0]) >= 2 else {}
    return torch.optim.AdamW([{"params": decay, "weight_decay": weight_decay},
                              {"params": no_decay, "weight_decay": 0.0}],
                             lr=lr, betas=(0.9, 0.98), eps=1e-6, **fused)


def objective_batch(objective, input_ids, attention_mask, vocab_size, mask_id, n_special, generator):
    """(model inputs, predicted positions [N, 2], labels [N]) for one objective:
    BERT masking for "mlm", next-token targets for "causal"."""
    if objective == "mlm":
        return mask_tokens(input_ids, attention_mask, vocab_size, mask_id, n_special, generator)
    return (input_ids, *next_token_targets(input_ids, attention_mask))


def heldout_loss(model, objective, batches, vocab_size, mask_id, n_special, device, amp):
    """Mean loss on fixed held-out batches (same masks every time), to see
    over-fitting during a run that makes many passes over a small corpus."""
    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for i, (input_ids, attention_mask) in enumerate(batches):
            g = torch.Generator().manual_seed(7_000_003 + i)
            inputs, positions, labels = objective_batch(objective, input_ids, attention_mask,
                                                        vocab_size, mask_id, n_special, g)
            with torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=amp):
                logits, _, _ = model(inputs.to(device), attention_mask.to(device),
                                     positions=positions.to(device))
            total += F.cross_entropy(logits.float(), labels.to(device), reduction="sum").item()
            count += len(labels)
    model.train()
    return total / max(count, 1)


def train(run_dirs, data_path, vocab_path, cfg_kwargs, steps=None, until=None, batch_size=32,
          peak_lr=1e-3, warmup=100, weight_decay=0.01, seed=1234, threads=1,
          checkpoint_minutes=5.0, log_every=10, quiet=False, qk_init_std=None, device="cpu",
          heldout_path=None, heldout_every=250):
    """run_dirs: {"mlm": dir, "causal": dir} (either or both).
    steps: planned total steps (schedule by step). until: unix time at which
    training stops and lr reaches zero (schedule by time). At least one.
    heldout_path: token ids (like data_path) of held-out text; its loss is
    logged every heldout_every steps."""
    assert steps or until
    torch.set_num_threads(threads)
    amp = device == "cuda"
    if amp:
        torch.backends.cuda.matmul.allow_tf32 = True
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
        model.to(device)
        opt = make_optimizer(model, peak_lr, weight_decay, device)
        state = {"step": 0, "tokens_seen": 0, "predictions_seen": 0, "train_seconds": 0.0,
                 "started_at": time.time(), "args": dict(
                     objective=obj, steps=steps, until=until, batch_size=batch_size,
                     peak_lr=peak_lr, warmup=warmup, weight_decay=weight_decay, seed=seed,
                     **({"qk_init_std": qk_init_std} if qk_init_std is not None else {}),
                     **({"device": device} if device != "cpu" else {}))}
        state["schedule_history"] = [dict(state["args"], from_step=0)]
        state["hardware"] = describe_hardware(device)
        ckpt = os.path.join(run_dir, "checkpoint.pt")
        if os.path.exists(ckpt):
            ck = load_checkpoint(ckpt, device)
            if ck.get("slim"):
                raise SystemExit(ckpt + " is a slim checkpoint (no optimizer state): it cannot be resumed")
            model.load_state_dict(ck["model"])
            opt.load_state_dict(ck["optimizer"])
            for k in ["step", "tokens_seen", "predictions_seen", "train_seconds", "started_at"]:
                state[k] = ck[k]
            if ck.get("hardware", state["hardware"]) != state["hardware"]:
                state["hardware"] = ck["hardware"] + "; resumed on " + state["hardware"]
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
    heldout = None
    if heldout_path:
        hd = PackedData(heldout_path, cfg_kwargs["max_position_embeddings"], seed)
        n_batches = max(1, min(8, len(hd.epoch_spans(0)) // 64))
        heldout = [hd.batch(i, 64, tok.cls_id, tok.sep_id, tok.pad_id) for i in range(n_batches)]
    last_save = time.time()
    pool = ThreadPoolExecutor(max_workers=len(runs))
    loop_t0 = time.time()
    while True:
        progress = schedule_progress(step, time.time(), steps, until, started_at)
        if progress is None:
            break
        lr = lr_at(step, progress, peak_lr, warmup)
        input_ids, attention_mask = data.batch(step, batch_size, tok.cls_id, tok.sep_id, tok.pad_id)
        n_tokens = int(attention_mask.sum())

        def update(obj, r, step=step, lr=lr):
            t0 = time.time()
            model, opt, state = r["model"], r["opt"], r["state"]
            g = torch.Generator().manual_seed(seed * 1_000_003 + step)
            inputs, positions, labels = objective_batch(obj, input_ids, attention_mask, len(tok.itos),
                                                        tok.mask_id, n_special, g)
            for group in opt.param_groups:
                group["lr"] = lr
            n_labels = len(labels)
            if device != "cpu":
                inputs, positions, labels = (t.to(device, non_blocking=True)
                                             for t in (inputs, positions, labels))
            with torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=amp):
                logits, _, _ = model(inputs, attention_mask.to(device), positions=positions)
            loss = F.cross_entropy(logits.float(), labels)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            gnorm = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            state["step"] = step + 1
            state["tokens_seen"] += n_tokens
            state["predictions_seen"] += n_labels
            state["train_seconds"] += time.time() - t0
            # Tensors, not floats: reading them waits for the GPU (logging only).
            return loss.detach(), gnorm

        if device == "cpu":
            # The two models are independent given the batch, so they update in
            # parallel threads (PyTorch releases the GIL inside its kernels): on a
            # shared machine one thread per model degrades far more gracefully than
            # two intra-op threads per model.
            futures = {obj: pool.submit(update, obj, r) for obj, r in runs.items()}
            results = {obj: futures[obj].result() for obj in runs}
        else:
            # One GPU queue: the kernels run in order anyway; launching from one
            # thread avoids contention for the interpreter lock.
            results = {obj: update(obj, r) for obj, r in runs.items()}
        for obj, r in runs.items():
            loss, gnorm = results[obj]
            state = r["state"]
            if device != "cpu":  # asynchronous steps: charge wall time to both
                state["train_seconds"] = r.setdefault("seconds0", state["train_seconds"]) + (
                    time.time() - loop_t0)
            if (step + 1) % log_every == 0:
                rec = {"step": step + 1, "loss": round(loss.item(), 4), "lr": lr,
                       "grad_norm": round(float(gnorm), 3), "tokens_seen": state["tokens_seen"],
                       "train_seconds": round(state["train_seconds"], 1),
                       "wall_seconds": round(time.time() - started_at, 1),
                       "epoch": round(data.epoch_of_step(step + 1, batch_size), 4)}
                if heldout is not None and ((step + 1) % heldout_every == 0):
                    rec["heldout_loss"] = round(heldout_loss(
                        r["model"], obj, heldout, len(tok.itos), tok.mask_id, n_special,
                        device, amp), 4)
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
