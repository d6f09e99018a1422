#!/usr/bin/env bash
# Peak RSS and start-up of `volt fit` over a small and a large token shard set (Sources/GenSLM/GenSLM.docc/data-at-scale.md, "Memory and
# start-up with a million records"). Makes no data: tokenize first, e.g. the first 1,000 and 1,000,000 records of
# `python3 scripts/make_big_fasta.py big.fasta 1.45G` with `volt data tokenize FASTA --out DIR`.
#
#   bash scripts/measure_flat_memory.sh VOLT SMALL_SHARDS LARGE_SHARDS [RUNS] [EXTRA FIT FLAGS...]
#
# For each run and each set it prints two rows: a 5-step fit (peak RSS and wall time of the whole process) and a
# 1-step fit with no validation (its wall time, process start to exit, bounds the time to the first step from above).
# genslm-tiny, batch 8, max_length 512, accumulation 1, 2 validation batches, no checkpoints, no progress bar.
set -euo pipefail
volt=$1 small=$2 large=$3 runs=${4:-3}
shift $(( $# < 4 ? $# : 4 ))
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/fit.yaml" <<YAML
seed: 42
data: {split: [0.8, 0.2], batch_size: 8, max_length: 512}
model: {preset: genslm-tiny, init: random}
module: {accumulation_steps: 1}
trainer: {limit_val_batches: 2, num_sanity_val_steps: 0, enable_checkpointing: false, enable_progress_bar: false,
          default_root_dir: $work/runs}
YAML
echo "| run | shards | records | steps | peak RSS (MB) | wall s | load |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
for run in $(seq 1 "$runs"); do
    for set in "$small" "$large"; do
        records=$(python3 -c "import json,sys; print(sum(s['records'] for s in json.load(open(sys.argv[1]))['shards']))" "$set/index.json")
        for steps in 5 1; do
            val=2; [ "$steps" = 1 ] && val=0
            /usr/bin/time -f "%M %e" -o "$work/time" "$volt" fit --config "$work/fit.yaml" --data.path "$set" \
                --trainer.max_steps "$steps" --trainer.limit_val_batches "$val" "$@" > "$work/log" 2>&1 || { cat "$work/log"; exit 1; }
            read -r rss wall < "$work/time"
            load=$(cut -d' ' -f1 /proc/loadavg)
            printf "| %s | %s | %s | %s | %.1f | %s | %s |\n" "$run" "$(basename "$set")" "$records" "$steps" "$(echo "$rss / 1000" | bc -l)" "$wall" "$load"
        done
    done
done
