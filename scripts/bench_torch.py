"""PyTorch + transformers CPU training throughput on Volt's benchmark shapes (the performance anchor).

Run with a Python that has torch and transformers (pip install torch transformers):
    python3 scripts/bench_torch.py --model tiny --precision fp32 --json
Same shapes as `volt bench`: random codon ids (vocab 69), labels = inputs, AdamW step each iteration.
"""
import argparse, json, resource, time

import torch
from transformers import GPTNeoXConfig, GPTNeoXForCausalLM

SHAPES = {  # hidden, layers, heads, intermediate, seq, batch
    "tiny": (128, 2, 4, 512, 256, 8),
    "small": (512, 8, 8, 2048, 512, 4),
    "genslm-25m": (512, 8, 8, 2048, 2048, 1),
}

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", choices=SHAPES, default="tiny")
    ap.add_argument("--precision", choices=["fp32", "bf16"], default="fp32")
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--threads", type=int, default=0, help="0 = torch default")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    h, L, nh, ff, seq, b = SHAPES[a.model]
    cfg = GPTNeoXConfig(vocab_size=69, hidden_size=h, num_hidden_layers=L, num_attention_heads=nh,
                        intermediate_size=ff, max_position_embeddings=max(seq, 512), rotary_pct=0.25,
                        rotary_emb_base=10000, hidden_act="gelu_fast", use_parallel_residual=True,
                        tie_word_embeddings=False, hidden_dropout=0.0, attention_dropout=0.0)
    torch.manual_seed(0)
    model = GPTNeoXForCausalLM(cfg).train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    x = torch.randint(5, 69, (b, seq))
    n_params = sum(p.numel() for p in model.parameters())

    def step():
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=a.precision == "bf16"):
            loss = model(input_ids=x, labels=x).loss
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)

    for _ in range(a.warmup):
        step()
    t0 = time.perf_counter()
    for _ in range(a.steps):
        step()
    dt = (time.perf_counter() - t0) / a.steps
    tokens = b * seq
    flops = 6 * n_params * tokens + 12 * L * h * seq * seq * b  # dense + attention, forward+backward
    out = {"framework": f"torch {torch.__version__}", "model": a.model, "precision": a.precision,
           "params": n_params, "tokens_per_step": tokens, "step_ms": dt * 1e3, "tokens_per_s": tokens / dt,
           "gflops": flops / dt / 1e9, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
           "threads": torch.get_num_threads()}
    print(json.dumps(out) if a.json else "\n".join(f"{k}: {v}" for k, v in out.items()))

if __name__ == "__main__":
    main()
