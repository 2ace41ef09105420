#!/bin/bash
# Pretrain two candidate model pairs side by side on one borrowed GPU, within
# a fixed time, and leave what is needed to ship either of them in OUT_DIR:
# slim checkpoints (F16 weights, no optimizer state) and the training logs.
# Candidates differ only in peak learning rate (post-LN BERT is sensitive to
# it); CANDIDATES="a:1e-3 b:5e-4" trains two side by side. The default is
# the one candidate that was shipped.
#
#   bash tools/pretrain/gpu.sh DATA_DIR OUT_DIR MINUTES STEPS
#
# DATA_DIR holds train_ids.npz, heldout_ids.npz and vocab.txt (`run.py tokens`).
# Each pair trains until STEPS steps or MINUTES minutes, whichever comes first;
# the learning rate reaches zero at that point either way. Then, here:
#   cp OUT_DIR/<a|b>/bert-mini*.pt -> tools/pretrain/.cache/<run>/<name>/checkpoint.pt
#   run.py export/evaluate/card --out tools/pretrain/.cache/<run>
# DEVICE=cpu BATCH=8 runs the same script on a CPU (a smoke test).
set -u
DATA=$(cd "$1" && pwd) OUT=$2 MINUTES=$3 STEPS=$4
DEVICE=${DEVICE:-cuda} BATCH=${BATCH:-512} CANDIDATES=${CANDIDATES:-a:1e-3}
HERE=$(cd "$(dirname "$0")" && pwd)
PY=${PY:-python3}
mkdir -p "$OUT"
if [ "$DEVICE" = cuda ]; then
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
fi
"$PY" -c 'import torch; print("torch", torch.__version__, torch.cuda.get_device_name() if torch.cuda.is_available() else "no cuda")'

candidate() {  # name peak-lr
  local dir=${WORK:-/tmp}/pretrain-$1
  mkdir -p "$dir" "$OUT/$1"
  for f in train_ids.npz heldout_ids.npz vocab.txt; do ln -sf "$DATA/$f" "$dir/$f"; done
  PYTHONUNBUFFERED=1 "$PY" "$HERE/run.py" train --out "$dir" --device "$DEVICE" \
    --layers 4 --hidden 256 --heads 4 --ffn 1024 --max-len 128 --batch "$BATCH" \
    --lr "$2" --warmup 500 --steps "$STEPS" --steps-too --until "$MINUTES" \
    --qk-init-std 0.1 --dropout 0.1 --log-every 50 --heldout-every 500 >"$OUT/$1.log" 2>&1
  echo "$1: train exited $?" >>"$OUT/$1.log"
  "$PY" "$HERE/run.py" slim --out "$dir" --dest "$OUT/$1" >>"$OUT/$1.log" 2>&1
  cp "$dir/bert-mini/log.jsonl" "$OUT/$1/mlm-log.jsonl"
  cp "$dir/bert-mini-causal/log.jsonl" "$OUT/$1/causal-log.jsonl"
}

names=()
for c in $CANDIDATES; do
  candidate "${c%%:*}" "${c#*:}" &
  names+=("${c%%:*}")
done
wait
for c in "${names[@]}"; do
  echo "== $c"; grep -v '^{' "$OUT/$c.log" | tail -n 5
  grep "'step'" "$OUT/$c.log" | tail -n 2
  grep heldout "$OUT/$c/mlm-log.jsonl" | tail -n 1
done
# At most 8 files come back from the lease: fold the logs into one archive.
(cd "$OUT" && tar czf logs.tgz ./*.log ./*/*.jsonl && rm -f ./*.log ./*/*.jsonl)
ls -la "$OUT" "$OUT"/*/
