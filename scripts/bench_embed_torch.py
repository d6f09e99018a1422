#!/usr/bin/env python3
"""transformers' side of `volt bench --op embed`: sequences/s of GPTNeoXForCausalLM's forward pass with
output_hidden_states=True and the last hidden state mean-pooled over the attention mask (what GenSLM's
inference does), on the same shape: a GenSLM preset with random weights, random codon ids, eval mode, no grad.

    python3 scripts/bench_embed_torch.py                       # genslm-25m, 1024 codons, batch 4, 3 timed batches
    python3 scripts/bench_embed_torch.py --threads 2 --json    # pin torch's threads (match OMP_NUM_THREADS of volt)
    .build/release/volt bench --op embed                       # the Volt side, same defaults

Run both in one sitting on an otherwise idle machine; each prints sequences/s.
"""
import argparse
import json
import os
import time

import torch
from transformers import GPTNeoXConfig, GPTNeoXForCausalLM

# GenSLM's published configurations (genslm/architectures/neox), with Volt's tiny test size.
PRESETS = {
    "genslm-tiny": dict(hidden_size=128, num_hidden_layers=2, num_attention_heads=4, intermediate_size=512,
                        max_position_embeddings=512),
    "genslm-25m": dict(hidden_size=512, num_hidden_layers=8, num_attention_heads=8, intermediate_size=2048,
                       max_position_embeddings=2048),
    "genslm-250m": dict(hidden_size=1840, num_hidden_layers=12, num_attention_heads=16, intermediate_size=2048,
                        max_position_embeddings=2048),
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default="genslm-25m", choices=sorted(PRESETS))
    ap.add_argument("--sequence-length", type=int, default=1024)
    ap.add_argument("--batch-size", type=int, default=4)
    ap.add_argument("--batches", type=int, default=3)
    ap.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0 = torch's default)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    config = GPTNeoXConfig(vocab_size=69, rotary_pct=0.25, rotary_emb_base=10000, hidden_act="gelu_fast",
                           use_parallel_residual=True, tie_word_embeddings=False, hidden_dropout=0.0,
                           attention_dropout=0.0, layer_norm_eps=1e-5, **PRESETS[args.model])
    torch.manual_seed(1)
    model = GPTNeoXForCausalLM(config).float().eval()
    g = torch.Generator().manual_seed(2)
    batches = [torch.randint(5, 69, (args.batch_size, args.sequence_length), generator=g) for _ in range(args.batches + 1)]
    mask = torch.ones(args.batch_size, args.sequence_length, dtype=torch.long)

    def embed(ids):
        out = model(input_ids=ids, attention_mask=mask, output_hidden_states=True)
        last = out.hidden_states[-1]
        m = mask.unsqueeze(-1).to(last.dtype)
        return (last * m).sum(1) / m.sum(1)

    with torch.inference_mode():
        embed(batches[0])  # warm-up, untimed
        start = time.perf_counter()
        for ids in batches[1:]:
            embed(ids)
        seconds = time.perf_counter() - start
    sequences = args.batch_size * args.batches
    result = {"model": args.model, "framework": f"torch {torch.__version__}", "sequence_length": args.sequence_length,
              "batch_size": args.batch_size, "sequences": sequences, "seconds": seconds,
              "sequences_per_s": sequences / seconds, "tokens_per_s": sequences * args.sequence_length / seconds,
              "threads": torch.get_num_threads(), "omp_num_threads": os.environ.get("OMP_NUM_THREADS")}
    if args.json:
        print(json.dumps(result, sort_keys=True))
    else:
        print(f"torch embed {args.model}, {args.sequence_length} codons x batch {args.batch_size}: "
              f"{result['sequences_per_s']:.2f} sequences/s ({result['tokens_per_s']:.0f} tokens/s, "
              f"{sequences} sequences in {seconds:.2f} s, {result['threads']} threads)")


if __name__ == "__main__":
    main()
