"""PyTorch + transformers CPU training throughput on Volt's benchmark shapes (the performance anchor).

Run with a Python that has torch and transformers (pip install torch transformers):
    python3 scripts/bench_torch.py --model tiny --precision fp32 --json
Same shapes as `volt bench`: random codon ids (vocab 69), labels = inputs, AdamW step each iteration.
The llama-* shapes are transformers' LlamaForCausalLM (sdpa attention, untied embeddings) on random ids over its
vocabulary, as `volt bench --model llama-small`; their FLOPs leave out the input embedding (a lookup).
"""
import argparse, json, resource, time

import torch
from transformers import GPTNeoXConfig, GPTNeoXForCausalLM, LlamaConfig, LlamaForCausalLM

SHAPES = {  # hidden, layers, heads, intermediate, seq, batch
    "tiny": (128, 2, 4, 512, 256, 8),
    "small": (512, 8, 8, 2048, 512, 4),
    "genslm-25m": (512, 8, 8, 2048, 2048, 1),
}
LLAMA_SHAPES = {  # hidden, layers, heads, kv heads, intermediate, vocab, seq, batch
    "llama-tiny": (64, 2, 4, 2, 176, 512, 64, 2),
    "llama-small": (512, 8, 8, 4, 1408, 32000, 512, 4),
}


def build(name):
    """The model, its token ids' upper bound, layers, hidden, seq, batch, and the weights that multiply."""
    if name in LLAMA_SHAPES:
        h, L, nh, kv, ff, vocab, seq, b = LLAMA_SHAPES[name]
        cfg = LlamaConfig(vocab_size=vocab, hidden_size=h, num_hidden_layers=L, num_attention_heads=nh,
                          num_key_value_heads=kv, intermediate_size=ff, max_position_embeddings=seq,
                          rms_norm_eps=1e-6, tie_word_embeddings=False, attention_dropout=0.0)
        model = LlamaForCausalLM(cfg)
        embedding = model.model.embed_tokens.weight.numel()
        return model, (0, vocab), L, h, seq, b, sum(p.numel() for p in model.parameters()) - embedding
    h, L, nh, ff, seq, b = SHAPES[name]
    cfg = GPTNeoXConfig(vocab_size=69, hidden_size=h, num_hidden_layers=L, num_attention_heads=nh,
                        intermediate_size=ff, max_position_embeddings=max(seq, 512), rotary_pct=0.25,
                        rotary_emb_base=10000, hidden_act="gelu_fast", use_parallel_residual=True,
                        tie_word_embeddings=False, hidden_dropout=0.0, attention_dropout=0.0)
    model = GPTNeoXForCausalLM(cfg)
    return model, (5, 69), L, h, seq, b, sum(p.numel() for p in model.parameters())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", choices=list(SHAPES) + list(LLAMA_SHAPES), default="tiny")
    ap.add_argument("--precision", choices=["fp32", "bf16"], default="fp32")
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--threads", type=int, default=0, help="0 = torch default")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model, (low, high), L, h, seq, b, n_params = build(a.model)
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    x = torch.randint(low, high, (b, seq))

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
           "params": sum(p.numel() for p in model.parameters()), "tokens_per_step": tokens, "step_ms": dt * 1e3, "tokens_per_s": tokens / dt,
           "gflops": flops / dt / 1e9, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
           "threads": torch.get_num_threads()}
    print(json.dumps(out) if a.json else "\n".join(f"{k}: {v}" for k, v in out.items()))

if __name__ == "__main__":
    main()
