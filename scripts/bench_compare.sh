#!/usr/bin/env bash
# One benchmark sitting: Volt and PyTorch (scripts/bench_torch.py, needs torch + transformers) on the
# same shapes, one after the other, then tokenizer throughput against `tokenizers` (scripts/bench_tokenizers.py)
# and the plain-C matmul peaks. Prints Markdown tables.
#   scripts/bench_compare.sh [TORCH_BENCH]      (run on a quiet machine: nothing else, not even a build)
# Environment: MODELS (default "tiny small genslm-25m llama-small"), PRECISIONS (default "fp32 bf16 fp16"),
# PYTHON (a Python with torch, transformers and tokenizers; default python3), TOKENIZE=0 to skip the tokenizer row.
set -euo pipefail
cd "$(dirname "$0")/.."
torch_bench=${1:-scripts/bench_torch.py}
volt=.build/release/volt
[ -x "$volt" ] || swift build -c release --product volt >&2
python=${PYTHON:-python3}
field() { python3 -c "import json,sys; d=json.load(sys.stdin); print(d$1)"; }
echo "| shape | precision | Volt tok/s | MFU | Volt peak RSS MB | PyTorch tok/s | PyTorch peak RSS MB | Volt/PyTorch tok/s | memory ratio |"
echo "|---|---|---|---|---|---|---|---|---|"
for model in ${MODELS:-tiny small genslm-25m llama-small}; do
    for precision in ${PRECISIONS:-fp32 bf16 fp16}; do
        v=$("$volt" bench --model "$model" --precision "$precision" --json)
        vt=$(field "['tokens_per_s']" <<<"$v"); vm=$(field "['peak_rss_mb']" <<<"$v"); mfu=$(field "['mfu']" <<<"$v")
        pt="—"; pm="—"; ratio="—"; mem="—"
        if [ "$precision" != fp16 ] && "$python" -c "import torch, transformers" 2>/dev/null; then
            p=$("$python" "$torch_bench" --model "$model" --precision "$precision" --json | tail -1)
            pt=$(field "['tokens_per_s']" <<<"$p"); pm=$(field "['peak_rss_mb']" <<<"$p")
            ratio=$(python3 -c "print(f'{$vt / $pt:.2f}×')"); mem=$(python3 -c "print(f'{$vm / $pm:.2f}×')")
            pt=$(python3 -c "print(round($pt))"); pm=$(python3 -c "print(round($pm))")
        fi
        printf "| %s | %s | %.0f | %.0f%% | %.0f | %s | %s | %s | %s |\n" "$model" "$precision" "$vt" \
            "$(python3 -c "print($mfu * 100)")" "$vm" "$pt" "$pm" "$ratio" "$mem"
    done
done
echo
if [ "${TOKENIZE:-1}" != 0 ]; then
    echo "| tokenizer | Volt MB/s | Volt tokens/s | tokenizers MB/s | tokenizers tokens/s | Volt/tokenizers |"
    echo "|---|---|---|---|---|---|"
    v=$("$volt" bench --op tokenize --repeats 3 --json)
    p=$("$python" scripts/bench_tokenizers.py --repeats 3 --json | tail -1)
    python3 -c "import json,sys; v=json.loads(sys.argv[1]); p=json.loads(sys.argv[2]); print(f\"| {v['tokenizer']} ({v['megabytes']:.2f} MB) | {v['mb_per_s']:.2f} | {v['tokens_per_s']:.0f} | {p['mb_per_s']:.2f} | {p['tokens_per_s']:.0f} | {v['mb_per_s'] / p['mb_per_s']:.2f}× |\")" "$v" "$p"
    echo
fi
"$volt" bench --op matmul --json
[ -x scripts/bench_matmul_c.sh ] && bash scripts/bench_matmul_c.sh || true
