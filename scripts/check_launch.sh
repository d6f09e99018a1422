#!/usr/bin/env bash
# Checks how `volt fit` starts data-parallel jobs (after a release build; needs python3-h5py):
#   1. strategy auto with devices 2, started as one plain process, re-launches itself as 2 MPI ranks that train as
#      one DDP job: its checkpoint records world_size 2;
#   2. `volt validate` and `volt test` on that checkpoint, with the same devices 2 (strategy ddp), started as one
#      plain process, re-launch themselves the same way and report their metric once (rank 0);
#   3. under mpirun -np 2, a devices value that disagrees with the world size is an error naming both, not two
#      independent runs.
set -euo pipefail
cd "$(dirname "$0")/.."
volt=.build/release/volt
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/config.yaml" <<YAML
data: {batch_size: 1, max_length: 64}
module: {accumulation_steps: 2}
trainer:
  max_epochs: 1
  limit_train_batches: 4
  limit_val_batches: 2
  enable_progress_bar: false
  strategy: auto
  devices: 2
  default_root_dir: $work
  callbacks: [{model_checkpoint: {dirpath: $work/ckpt, save_top_k: 0, save_last: true}}]
  loggers: []
YAML
"$volt" fit --config "$work/config.yaml" >/dev/null 2>"$work/log" || { cat "$work/log"; exit 1; }
world=$(/usr/bin/python3 -c "import h5py,sys; print(h5py.File(sys.argv[1])['/'].attrs['world_size'])" "$work/ckpt/last.h5")
[ "$world" = 2 ] || { echo "launch: FAIL: strategy auto with devices 2 trained with world_size $world"; exit 1; }
echo "launch: strategy auto with devices 2 re-launched itself and trained as one 2-rank DDP job (world_size $world)"

# Without the re-launch, DDP started as a plain process fails with "strategy ddp needs an MPI launcher".
for command in validate test; do
    metric=$([ "$command" = validate ] && echo val_loss || echo test_loss)
    "$volt" "$command" --config "$work/config.yaml" --ckpt "$work/ckpt/last.h5" --trainer.strategy ddp \
        --data.split '[0.8, 0.1, 0.1]' --trainer.limit_test_batches 2 --json >"$work/$command.json" 2>"$work/$command.log" \
        || { echo "launch: FAIL: volt $command with devices 2:"; cat "$work/$command.log"; exit 1; }
    lines=$(grep -c "\"$metric\"" "$work/$command.json" || true)
    [ "$lines" = 1 ] || { echo "launch: FAIL: volt $command printed $lines $metric lines:"; cat "$work/$command.json" "$work/$command.log"; exit 1; }
    echo "launch: volt $command with strategy ddp, devices 2 re-launched itself under mpirun: $(cat "$work/$command.json")"
done

flags=(-np 2 --oversubscribe --bind-to none -x OMP_NUM_THREADS=1)
[ "$(id -u)" -ne 0 ] || flags+=(--allow-run-as-root)
if mpirun "${flags[@]}" "$volt" fit --config "$work/config.yaml" --trainer.devices 3 >/dev/null 2>"$work/mismatch"; then
    echo "launch: FAIL: devices 3 under a 2-rank world was accepted"; exit 1
fi
grep -q "trainer.devices is 3 but the job runs 2 MPI rank(s)" "$work/mismatch" \
    || { echo "launch: FAIL: unexpected error:"; cat "$work/mismatch"; exit 1; }
echo "launch: devices 3 under mpirun -np 2 is refused: $(grep -m1 -o 'trainer.devices is 3 but the job runs 2 MPI rank(s)' "$work/mismatch")"
