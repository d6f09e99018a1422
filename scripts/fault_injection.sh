#!/usr/bin/env bash
# Fault injection for data-parallel training: kills a random rank at a random moment mid-training, N times, and checks
#   0. the kill lands mid-training: after the first checkpoint and before the last optimizer step (a job that ended
#      first, or a kill after the last step, fails the run rather than skipping it);
#   1. the job exits non-zero within the bound (default 60 s) after the kill, and names the failure;
#   2. the last.h5 it left is a valid checkpoint (volt checkpoint inspect reads it);
#   3. resuming with --ckpt-path last finishes with the same weights as an uninterrupted run, bit for bit;
# then stops one rank with SIGSTOP (a hang, not a death) and checks that the others end the job after
# trainer.collective_timeout (10 s here), naming the wait.
# Usage: bash scripts/fault_injection.sh [N=3] [BOUND_SECONDS=60]   (after a release build; needs python3-h5py)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
bound=${2:-60}
volt=.build/release/volt
python=/usr/bin/python3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mpirun_flags=(-np 2 --oversubscribe --bind-to none -x OMP_NUM_THREADS=1)
[ "$(id -u)" -ne 0 ] || mpirun_flags+=(--allow-run-as-root)

config() {  # config ROOT: the tiny rabies workflow, 2 epochs on 60 records, a checkpoint after every optimizer step
    cat > "$1/config.yaml" <<YAML
seed: 7
data: {split: [0.8, 0.2], batch_size: 1, num_workers: 1, max_length: 256}
model: {preset: genslm-tiny}
module: {accumulation_steps: 4, lr: 1.0e-4}
trainer:
  max_epochs: 2
  limit_train_batches: 48
  limit_val_batches: 8
  precision: fp16
  strategy: ddp
  devices: 2
  collective_timeout: 10
  enable_progress_bar: false
  default_root_dir: $1
  callbacks:
    - model_checkpoint: {dirpath: $1/ckpt, save_top_k: 0, save_last: true, every_n_train_steps: 1}
  loggers: []
YAML
}

weights_equal() {  # weights_equal A B: every state_dict dataset identical
    "$python" - "$1" "$2" <<'PY'
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
names = sorted(a["state_dict"].keys())
assert names == sorted(b["state_dict"].keys()), "different tensors"
bad = [n for n in names if not np.array_equal(a["state_dict"][n][()], b["state_dict"][n][()])]
assert a.attrs["global_step"] == b.attrs["global_step"], (a.attrs["global_step"], b.attrs["global_step"])
if bad: sys.exit(f"{len(bad)} tensors differ, e.g. {bad[0]}")
PY
}

global_step() { "$python" -c "import h5py,sys; print(h5py.File(sys.argv[1])['/'].attrs['global_step'])" "$1"; }
wait_for_checkpoint() {  # wait_for_checkpoint DIR LAUNCHER: until DIR/ckpt/last.h5 exists (training has stepped) or the job ends
    while [ ! -f "$1/ckpt/last.h5" ] && kill -0 "$2" 2>/dev/null; do sleep 0.05; done
}

# The reference run also measures how long training goes on after the first checkpoint: the kills fall within
# the first half of that span, so that each lands mid-training.
mkdir -p "$work/reference"
config "$work/reference"
mpirun "${mpirun_flags[@]}" "$volt" fit --config "$work/reference/config.yaml" >/dev/null 2>"$work/reference/log" &
launcher=$!
wait_for_checkpoint "$work/reference" "$launcher"
first=$(date +%s.%N)
wait "$launcher" || { echo "reference run: FAIL"; cat "$work/reference/log"; exit 1; }
span=$(awk -v s="$first" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f", e - s }')
steps=$(global_step "$work/reference/ckpt/last.h5")
echo "reference run: global_step $steps, ${span}s of training after its first checkpoint"

passed=0
for i in $(seq 1 "$runs"); do
    dir="$work/run$i"; mkdir -p "$dir"; config "$dir"
    mpirun "${mpirun_flags[@]}" "$volt" fit --config "$dir/config.yaml" >/dev/null 2>"$dir/log" &
    launcher=$!
    # Wait for the first checkpoint (training has stepped), then a random part of the first half of the training span.
    wait_for_checkpoint "$dir" "$launcher"
    sleep "$(awk -v r=$RANDOM -v s="$span" 'BEGIN { printf "%.2f", s / 2 * (r % 1000) / 1000 }')"
    ranks=($(pgrep -P "$launcher" -f "$volt" || true))
    if [ ${#ranks[@]} -ne 2 ]; then
        echo "run $i: FAIL: the job ended before the kill (${#ranks[@]} ranks left); nothing was tested"
        wait "$launcher" || true; cat "$dir/log"; exit 1
    fi
    victim=${ranks[$((RANDOM % ${#ranks[@]}))]}
    rank=$(tr '\0' '\n' < /proc/"$victim"/environ | sed -n 's/^OMPI_COMM_WORLD_RANK=//p')
    start=$(date +%s.%N)
    kill -9 "$victim"
    set +e
    ( sleep "$bound"; kill -9 "$launcher" 2>/dev/null ) & watchdog=$!
    wait "$launcher"; status=$?
    kill "$watchdog" 2>/dev/null; wait "$watchdog" 2>/dev/null
    set -e
    elapsed=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
    if [ "$status" -eq 0 ] || awk -v e="$elapsed" -v b="$bound" 'BEGIN { exit !(e >= b) }'; then
        echo "run $i: FAIL: killed rank $rank, job exit status $status after ${elapsed}s (bound ${bound}s)"; exit 1
    fi
    "$volt" checkpoint inspect "$dir/ckpt/last.h5" >/dev/null || { echo "run $i: FAIL: last.h5 is not a valid checkpoint"; exit 1; }
    step=$(global_step "$dir/ckpt/last.h5")
    [ "$step" -lt "$steps" ] || { echo "run $i: FAIL: the kill came after the last optimizer step ($step of $steps)"; exit 1; }
    mpirun "${mpirun_flags[@]}" "$volt" fit --config "$dir/config.yaml" --ckpt-path last >/dev/null 2>>"$dir/log"
    weights_equal "$work/reference/ckpt/last.h5" "$dir/ckpt/last.h5" || { echo "run $i: FAIL: resumed weights differ"; exit 1; }
    echo "run $i: killed rank $rank (SIGKILL) at step $step; job exited with status $status after ${elapsed}s; last.h5 valid; resumed run equals the uninterrupted one bit for bit"
    passed=$((passed + 1))
done
dir="$work/hang"; mkdir -p "$dir"; config "$dir"
# A longer run (10 epochs) with a checkpoint per epoch, stopped one second after its first checkpoint: mid-training,
# not inside a checkpoint write (whose barrier may wait ten times the bound) nor at the run's end.
sed -i 's/every_n_train_steps: 1/every_n_train_steps: 0/' "$dir/config.yaml"
mpirun "${mpirun_flags[@]}" "$volt" fit --config "$dir/config.yaml" --trainer.max_epochs 10 >/dev/null 2>"$dir/log" &
launcher=$!
wait_for_checkpoint "$dir" "$launcher"
sleep 1
ranks=($(pgrep -P "$launcher" -f "$volt" || true))
[ ${#ranks[@]} -eq 2 ] || { echo "hang: FAIL: the job ended before the stop (${#ranks[@]} ranks left)"; cat "$dir/log"; exit 1; }
victim=${ranks[$((RANDOM % ${#ranks[@]}))]}
rank=$(tr '\0' '\n' < /proc/"$victim"/environ | sed -n 's/^OMPI_COMM_WORLD_RANK=//p')
start=$(date +%s.%N)
kill -STOP "$victim"
set +e
( sleep 60; kill -9 "$launcher" 2>/dev/null ) & watchdog=$!
wait "$launcher"; status=$?
kill "$watchdog" 2>/dev/null; wait "$watchdog" 2>/dev/null
kill -9 "$victim" 2>/dev/null
set -e
elapsed=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
if [ "$status" -eq 0 ] || ! grep -q "waited more than 10 s" "$dir/log" || awk -v e="$elapsed" 'BEGIN { exit !(e >= 30) }'; then
    echo "hang: FAIL: stopped rank $rank, job exit status $status after ${elapsed}s"; cat "$dir/log"; exit 1
fi
echo "hang: stopped rank $rank (SIGSTOP); the job ended with status $status after ${elapsed}s: $(grep -m1 -o 'rank [0-9]*: .* waited more than 10 s' "$dir/log")"
echo "fault injection: $passed of $runs kill runs (each mid-training) and the hang run checked, none failed"
