"""Single-thread encode throughput of Hugging Face `tokenizers` on the corpus of `volt bench --op tokenize`.

    /opt/fx/bin/python scripts/bench_tokenizers.py [--tokenizer Benchmarks/bytelevel_llama3.tokenizer.json] --json

The corpus is scripts/make_text_tokenizer_fixtures.py's generator (seed 2026, 12000 documents: 4.94 MB), which
VoltText's MixedTextCorpus reproduces; each document is encoded with `encode(text, add_special_tokens=False)`
in a Python loop on one thread (TOKENIZERS_PARALLELISM=false, RAYON_NUM_THREADS=1), the fastest of --repeats.
"""
import argparse
import json
import os
import sys
import time

os.environ["TOKENIZERS_PARALLELISM"] = "false"
os.environ["RAYON_NUM_THREADS"] = "1"
from tokenizers import Tokenizer, __version__  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_text_tokenizer_fixtures import corpus  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tokenizer", default=os.path.join(ROOT, "Benchmarks", "bytelevel_llama3.tokenizer.json"))
    ap.add_argument("--documents", type=int, default=12000)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    tok = Tokenizer.from_file(a.tokenizer)
    docs = corpus(a.seed, a.documents)
    megabytes = sum(len(d.encode("utf-8")) for d in docs) / 1e6
    best, tokens = float("inf"), 0
    for _ in range(max(a.repeats, 1)):
        start = time.perf_counter()
        encoded = [tok.encode(d, add_special_tokens=False).ids for d in docs]
        best = min(best, time.perf_counter() - start)
        tokens = sum(map(len, encoded))
    out = {"framework": f"tokenizers {__version__}", "tokenizer": os.path.basename(a.tokenizer),
           "documents": a.documents, "megabytes": megabytes, "tokens": tokens, "seconds": best,
           "mb_per_s": megabytes / best, "tokens_per_s": tokens / best}
    print(json.dumps(out) if a.json else "\n".join(f"{k}: {v}" for k, v in out.items()))


if __name__ == "__main__":
    main()
