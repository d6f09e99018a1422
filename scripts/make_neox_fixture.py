#!/usr/bin/env python3
"""Make the tiny GPT-NeoX reference fixture that Volt's GenSLM tests compare against.

What it makes
-------------
Tests/GenSLMTests/Fixtures/neox_tiny/ (relative to the repository root):
  manifest.json  config, versions, and for every tensor: name, shape, dtype ("float32"),
                 file, byte offset, byte length; the two losses as JSON numbers; the
                 buffers that were skipped (not parameters).
  weights.bin    every state_dict parameter, little-endian float32, concatenated in
                 state_dict order, named exactly as the state_dict keys.
  inputs.json    input_ids [2,16], attention_mask, labels for case A and case B.
  expected.bin   logits_A [2,16,69], logits_B [2,16,69], then the gradient (case A loss)
                 of every parameter in the same order as weights.bin.
  NOTES.md       the exact conventions of HF GPTNeoX (rotary, qkv layout, gelu_fast,
                 attention scale/mask, loss) that the Swift port must follow.

The model is HF `transformers` GPTNeoXForCausalLM with
GPTNeoXConfig(vocab_size=69, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
intermediate_size=256, max_position_embeddings=64, rotary_pct=0.25, rotary_emb_base=10000,
hidden_act="gelu_fast", use_parallel_residual=True, tie_word_embeddings=False,
hidden_dropout=0.0, attention_dropout=0.0, layer_norm_eps=1e-5), float32, train() mode
(dropout 0, so deterministic), eager attention. After torch.manual_seed(0) every parameter
is re-initialised in named_parameters order: LayerNorm weights 1+N(0,0.1), all biases
N(0,0.1), every other weight N(0,0.2), so that biases and LN affine terms matter.

Batch: input_ids [2,16] drawn from torch.Generator seeded 1234, values in 5..68, with
input_ids[0,3] = input_ids[1,9] = 0 ([UNK]); attention_mask all ones.
  case A: labels = input_ids                       -> logits_A, loss_A, all gradients
  case B: labels = input_ids, labels[1,12:16]=-100 -> logits_B, loss_B (no gradients)
(logits_B equals logits_A: only the loss differs, since attention_mask is all ones.)

The script also checks itself: the .bin files are re-read with numpy and compared
bit-exactly to the torch tensors; an independent numpy float64 forward pass written from
NOTES.md's conventions must reproduce the torch logits and losses; and the float32 run is
compared with a float64 run of the same weights, whose max differences are recorded in the
manifest as a hint for test tolerances.

How to run
----------
    python3 scripts/make_neox_fixture.py            # from the repository root
    python3 scripts/make_neox_fixture.py --out DIR  # elsewhere

Versions used to make the committed fixture: Python 3.11.7, torch 2.15.0 (+cu132 wheel,
run on CPU), transformers 5.23.0, numpy 2.4.6 (the manifest records the exact versions).
Install (PyPI only; the default Linux torch wheel needs its nvidia-* CUDA wheels just to
import, ~3 GB, even for CPU use; `pip install --no-deps torch` does NOT import):
    python3 -m pip install torch==2.15.0 transformers==5.23.0 safetensors numpy
"""
import argparse
import json
import math
import os
import platform
import struct
import sys

import numpy as np
import torch
import transformers
from transformers import GPTNeoXConfig, GPTNeoXForCausalLM

CONFIG = dict(vocab_size=69, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
              intermediate_size=256, max_position_embeddings=64, rotary_pct=0.25,
              rotary_emb_base=10000, hidden_act="gelu_fast", use_parallel_residual=True,
              tie_word_embeddings=False, hidden_dropout=0.0, attention_dropout=0.0,
              layer_norm_eps=1e-5)
BATCH, SEQ = 2, 16
IGNORE = -100


def build_model(dtype=torch.float32):
    cfg = GPTNeoXConfig(**CONFIG)
    cfg._attn_implementation = "eager"  # the explicit math; sdpa is checked against it below
    torch.manual_seed(0)
    model = GPTNeoXForCausalLM(cfg)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("layernorm.weight") or name.endswith("final_layer_norm.weight"):
                p.copy_(1.0 + 0.1 * torch.randn_like(p))
            elif name.endswith(".bias"):
                p.copy_(0.1 * torch.randn_like(p))
            else:
                p.copy_(0.2 * torch.randn_like(p))
    model = model.to(dtype).train()
    return cfg, model


def make_inputs():
    g = torch.Generator().manual_seed(1234)
    ids = torch.randint(5, 69, (BATCH, SEQ), generator=g)
    ids[0, 3] = 0
    ids[1, 9] = 0
    labels_a = ids.clone()
    labels_b = ids.clone()
    labels_b[1, SEQ - 4:] = IGNORE
    mask = torch.ones(BATCH, SEQ, dtype=torch.long)
    return ids, mask, labels_a, labels_b


def f32_bytes(t):
    a = t.detach().to(torch.float32).contiguous().cpu().numpy().astype("<f4", copy=False)
    return a.tobytes(order="C"), a


# ---------------------------------------------------------------- numpy reference
def np_reference(sd, ids, labels_list, cfg):
    """Float64 forward written from NOTES.md, independent of transformers' code."""
    H, nh = cfg.hidden_size, cfg.num_attention_heads
    D = H // nh
    r = int(D * CONFIG["rotary_pct"])
    eps = CONFIG["layer_norm_eps"]
    w = {k: v.detach().double().numpy() for k, v in sd.items()}

    def ln(x, g, b):
        mu = x.mean(-1, keepdims=True)
        var = ((x - mu) ** 2).mean(-1, keepdims=True)  # biased variance
        return (x - mu) / np.sqrt(var + eps) * g + b

    def gelu_fast(x):
        return 0.5 * x * (1.0 + np.tanh(x * 0.7978845608 * (1.0 + 0.044715 * x * x)))

    B, T = ids.shape
    pos = np.arange(T, dtype=np.float64)
    inv_freq = 1.0 / (CONFIG["rotary_emb_base"] ** (np.arange(0, r, 2, dtype=np.float64) / r))
    freqs = pos[:, None] * inv_freq[None, :]            # [T, r/2]
    emb = np.concatenate([freqs, freqs], -1)            # [T, r]
    cos, sin = np.cos(emb), np.sin(emb)

    def rope(x):  # x [B, nh, T, D]
        xr, xp = x[..., :r], x[..., r:]
        x1, x2 = xr[..., : r // 2], xr[..., r // 2:]
        rot = np.concatenate([-x2, x1], -1)
        return np.concatenate([xr * cos + rot * sin, xp], -1)

    causal = np.tril(np.ones((T, T), dtype=bool))
    x = w["gpt_neox.embed_in.weight"][ids.numpy()]      # [B, T, H]
    for l in range(cfg.num_hidden_layers):
        p = f"gpt_neox.layers.{l}."
        h1 = ln(x, w[p + "input_layernorm.weight"], w[p + "input_layernorm.bias"])
        qkv = h1 @ w[p + "attention.query_key_value.weight"].T + w[p + "attention.query_key_value.bias"]
        qkv = qkv.reshape(B, T, nh, 3, D)               # output dim = [head, (q,k,v), head_dim]
        q, k, v = (qkv[:, :, :, i, :].transpose(0, 2, 1, 3) for i in range(3))  # [B, nh, T, D]
        q, k = rope(q), rope(k)
        s = q @ k.transpose(0, 1, 3, 2) / math.sqrt(D)
        s = np.where(causal, s, -np.inf)
        s = s - s.max(-1, keepdims=True)
        pr = np.exp(s)
        pr /= pr.sum(-1, keepdims=True)
        a = (pr @ v).transpose(0, 2, 1, 3).reshape(B, T, H)
        a = a @ w[p + "attention.dense.weight"].T + w[p + "attention.dense.bias"]
        h2 = ln(x, w[p + "post_attention_layernorm.weight"], w[p + "post_attention_layernorm.bias"])
        m = gelu_fast(h2 @ w[p + "mlp.dense_h_to_4h.weight"].T + w[p + "mlp.dense_h_to_4h.bias"])
        m = m @ w[p + "mlp.dense_4h_to_h.weight"].T + w[p + "mlp.dense_4h_to_h.bias"]
        x = x + a + m                                    # parallel residual
    x = ln(x, w["gpt_neox.final_layer_norm.weight"], w["gpt_neox.final_layer_norm.bias"])
    logits = x @ w["lm_head.weight"].T                   # no lm_head bias
    z = logits - logits.max(-1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(-1, keepdims=True))
    losses = []
    for labels in labels_list:
        tgt = labels.numpy()[:, 1:]                      # position t predicts token t+1
        lp = logp[:, :-1, :]
        keep = tgt != IGNORE
        nll = -np.take_along_axis(lp, np.where(keep, tgt, 0)[..., None], -1)[..., 0]
        losses.append(float((nll * keep).sum() / keep.sum()))
    return logits, losses


# ---------------------------------------------------------------- main
def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default_out = os.path.join(here, "..", "Tests", "GenSLMTests", "Fixtures", "neox_tiny")
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=default_out)
    args = ap.parse_args()
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)

    cfg, model = build_model(torch.float32)
    ids, mask, labels_a, labels_b = make_inputs()

    # sanity about the architecture we are documenting
    head_dim = cfg.hidden_size // cfg.num_attention_heads
    attn0 = model.gpt_neox.layers[0].attention
    assert attn0.rotary_ndims == int(head_dim * 0.25) == 4, attn0.rotary_ndims
    assert abs(attn0.scaling - head_dim ** -0.5) < 1e-12
    assert cfg.rope_parameters["rope_type"] == "default"
    assert cfg.rope_parameters["rope_theta"] == 10000
    assert model.lm_head.weight.data_ptr() != model.gpt_neox.embed_in.weight.data_ptr(), "weights tied"
    assert model.lm_head.bias is None

    sd = model.state_dict()
    params = dict(model.named_parameters())
    param_names = [k for k in sd.keys() if k in params]
    skipped_in_sd = [k for k in sd.keys() if k not in params]
    assert not skipped_in_sd, f"non-parameter tensors in state_dict: {skipped_in_sd}"
    assert set(param_names) == set(params), "parameters missing from state_dict"
    buffers = [{"name": n, "shape": list(b.shape), "persistent_in_state_dict": n in sd,
                "note": "rotary inverse frequencies, recomputed from config"} for n, b in model.named_buffers()]

    # case A (with backward) and case B
    model.zero_grad(set_to_none=True)
    out_a = model(input_ids=ids, attention_mask=mask, labels=labels_a)
    out_a.loss.backward()
    with torch.no_grad():
        out_b = model(input_ids=ids, attention_mask=mask, labels=labels_b)
    logits_a, loss_a = out_a.logits.detach(), out_a.loss.detach()
    logits_b, loss_b = out_b.logits.detach(), out_b.loss.detach()
    grads = {n: params[n].grad.detach().clone() for n in param_names}
    assert logits_a.shape == (BATCH, SEQ, CONFIG["vocab_size"])

    # ---------------- write weights.bin
    entries, blobs, off = [], [], 0
    for n in param_names:
        b, a = f32_bytes(sd[n])
        entries.append({"name": n, "shape": list(a.shape), "dtype": "float32", "file": "weights.bin",
                        "offset": off, "nbytes": len(b)})
        blobs.append(b)
        off += len(b)
    with open(os.path.join(out, "weights.bin"), "wb") as f:
        f.write(b"".join(blobs))

    # ---------------- write expected.bin
    exp_tensors = [("logits_A", logits_a), ("logits_B", logits_b)] + [(f"grad:{n}", grads[n]) for n in param_names]
    exp_entries, blobs, off = [], [], 0
    for n, t in exp_tensors:
        b, a = f32_bytes(t)
        exp_entries.append({"name": n, "shape": list(a.shape), "dtype": "float32", "file": "expected.bin",
                            "offset": off, "nbytes": len(b)})
        blobs.append(b)
        off += len(b)
    with open(os.path.join(out, "expected.bin"), "wb") as f:
        f.write(b"".join(blobs))

    # ---------------- inputs.json
    inputs = {
        "input_ids": ids.tolist(),
        "attention_mask": mask.tolist(),
        "cases": {
            "A": {"labels": labels_a.tolist(), "attention_mask": mask.tolist(),
                  "description": "labels = input_ids; loss.backward() -> grads in expected.bin"},
            "B": {"labels": labels_b.tolist(), "attention_mask": mask.tolist(),
                  "description": "labels = input_ids with labels[1, 12:16] = -100 (ignored); no grads"},
        },
        "ignore_index": IGNORE,
    }
    with open(os.path.join(out, "inputs.json"), "w") as f:
        json.dump(inputs, f, indent=1)
        f.write("\n")

    # ---------------- verification 1: bit-exact round trip of the .bin files
    def reread(fname, ents, ref):
        raw = np.fromfile(os.path.join(out, fname), dtype="<f4")
        for e in ents:
            a = raw[e["offset"] // 4: (e["offset"] + e["nbytes"]) // 4].reshape(e["shape"])
            r = ref[e["name"]].detach().float().numpy()
            assert a.dtype == np.float32 and np.array_equal(a, r), f"round trip failed: {fname}:{e['name']}"
        assert raw.size * 4 == sum(e["nbytes"] for e in ents)
    reread("weights.bin", entries, sd)
    reread("expected.bin", exp_entries, dict(exp_tensors))

    # ---------------- verification 2: independent numpy float64 forward (NOTES.md conventions)
    np_logits, (np_loss_a, np_loss_b) = np_reference(sd, ids, [labels_a, labels_b], cfg)
    np_logit_diff = float(np.abs(np_logits - logits_a.double().numpy()).max())
    assert np_logit_diff < 1e-4, np_logit_diff
    assert abs(np_loss_a - loss_a.item()) < 1e-5 and abs(np_loss_b - loss_b.item()) < 1e-5
    # loss identity: mean over non-ignored shifted targets
    ce = torch.nn.functional.cross_entropy(logits_a[:, :-1].reshape(-1, 69), labels_b[:, 1:].reshape(-1),
                                           ignore_index=IGNORE, reduction="mean")
    assert torch.allclose(ce, loss_b, atol=1e-6)

    # ---------------- verification 3: sdpa (transformers default) agrees with eager
    cfg_s, model_s = build_model(torch.float32)
    model_s.config._attn_implementation = "sdpa"
    with torch.no_grad():
        sdpa_logits = model_s(input_ids=ids, attention_mask=mask).logits
    sdpa_diff = float((sdpa_logits - logits_a).abs().max())
    assert sdpa_diff < 1e-4, sdpa_diff

    # ---------------- verification 4: float64 run of the same weights (tolerance hint)
    _, model64 = build_model(torch.float32)
    model64.load_state_dict(sd)
    model64 = model64.double().train()
    o64 = model64(input_ids=ids, attention_mask=mask, labels=labels_a)
    o64.loss.backward()
    p64 = dict(model64.named_parameters())
    f64_logit = float((o64.logits.detach() - logits_a.double()).abs().max())
    f64_loss = float(abs(o64.loss.item() - loss_a.item()))
    f64_grad_abs = max(float((p64[n].grad - grads[n].double()).abs().max()) for n in param_names)
    f64_grad_rel = max(float((p64[n].grad - grads[n].double()).abs().max() / p64[n].grad.abs().max())
                       for n in param_names)

    # ---------------- manifest.json
    def f32_hex(x):
        return struct.pack("<f", x).hex()
    manifest = {
        "fixture": "neox_tiny",
        "generator": "scripts/make_neox_fixture.py",
        "versions": {"python": platform.python_version(), "torch": torch.__version__,
                     "transformers": transformers.__version__, "numpy": np.__version__},
        "model_class": "transformers.GPTNeoXForCausalLM",
        "attn_implementation": "eager",
        "mode": "train() with all dropout 0.0, float32, CPU",
        "config": CONFIG,
        "derived": {"head_dim": head_dim, "rotary_ndims": attn0.rotary_ndims,
                    "attention_scale": attn0.scaling, "rope_parameters": dict(cfg.rope_parameters),
                    "attention_bias": cfg.attention_bias, "lm_head_bias": False,
                    "num_parameters": sum(p.numel() for p in model.parameters())},
        "init": {"seed": "torch.manual_seed(0) before model construction, then re-init in named_parameters order",
                 "layernorm_weight": "1 + N(0, 0.1)", "bias": "N(0, 0.1)", "other_weight": "N(0, 0.2)"},
        "byte_order": "little-endian float32, C (row-major) order, torch shapes (Linear weight = [out, in])",
        "weights": entries,
        "skipped": {
            "non_parameter_buffers": buffers,
            "note": ("Only parameters are stored. The rotary inv_freq buffers are non-persistent "
                     "(not in state_dict) and are recomputed from the config. This transformers version "
                     "registers no attention.bias / attention.masked_bias buffers (older versions did: "
                     "causal-mask constants, not parameters; skip them when loading older checkpoints)."),
            "state_dict_non_parameters": skipped_in_sd,
        },
        "inputs": "inputs.json",
        "expected": {
            "file": "expected.bin",
            "tensors": exp_entries,
            "loss_A": loss_a.item(),
            "loss_B": loss_b.item(),
            "loss_A_float32_hex_le": f32_hex(loss_a.item()),
            "loss_B_float32_hex_le": f32_hex(loss_b.item()),
            "n_targets_A": int((labels_a[:, 1:] != IGNORE).sum()),
            "n_targets_B": int((labels_b[:, 1:] != IGNORE).sum()),
            "grads_of": "loss_A (case A), accumulated from zero, one backward",
        },
        "checks": {
            "bin_round_trip": "bit-exact",
            "numpy_float64_reference_max_abs_logit_diff": np_logit_diff,
            "numpy_float64_reference_loss_A": np_loss_a,
            "numpy_float64_reference_loss_B": np_loss_b,
            "sdpa_vs_eager_max_abs_logit_diff": sdpa_diff,
            "torch_float64_vs_float32": {"max_abs_logit_diff": f64_logit, "abs_loss_diff": f64_loss,
                                         "max_abs_grad_diff": f64_grad_abs,
                                         "max_grad_diff_relative_to_tensor_max": f64_grad_rel},
        },
    }
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")

    with open(os.path.join(out, "NOTES.md"), "w") as f:
        f.write(NOTES.format(torch=torch.__version__, transformers=transformers.__version__,
                             loss_a=loss_a.item(), loss_b=loss_b.item()))

    total = 0
    for fn in ("manifest.json", "weights.bin", "inputs.json", "expected.bin", "NOTES.md"):
        sz = os.path.getsize(os.path.join(out, fn))
        total += sz
        print(f"{fn:14s} {sz:9d} bytes")
    print(f"{'total':14s} {total:9d} bytes  -> {out}")
    print(f"loss_A={loss_a.item():.9g} loss_B={loss_b.item():.9g} params={manifest['derived']['num_parameters']}")
    print("checks:", json.dumps(manifest["checks"]))


NOTES = r"""# neox_tiny fixture: HF GPT-NeoX conventions the Swift port must match

Made by `scripts/make_neox_fixture.py` with torch {torch}, transformers {transformers}
(read from that version's `transformers/models/gpt_neox/modeling_gpt_neox.py`,
`configuration_gpt_neox.py`, `masking_utils.py`, `activations.py`, `loss/loss_utils.py`).
The script re-derives the logits and both losses with an independent numpy float64
forward pass written from these notes and fails if they disagree (see manifest `checks`).

Shapes below: B batch, T sequence, H hidden (64), nh heads (4), D = H/nh head dim (16),
r = rotary_ndims = int(D * rotary_pct) = int(16 * 0.25) = 4. All `nn.Linear` weights are
stored `[out, in]` and applied as `y = x @ W^T + b`.

## Forward
```
x = embed_in.weight[input_ids]                          # [B,T,H]; no position embeddings, no scaling
for each layer (use_parallel_residual = True):
    a = Attention(LN_in(x))                             # input_layernorm
    m = MLP(LN_post(x))                                 # post_attention_layernorm, on the SAME x
    x = x + a + m
x = final_layer_norm(x)
logits = x @ lm_head.weight^T                           # lm_head has NO bias; untied from embed_in
```
LayerNorm: `(x - mean) / sqrt(var_biased + 1e-5) * weight + bias` over the last dim.
MLP: `dense_4h_to_h(gelu_fast(dense_h_to_4h(h)))` (both with bias).
Dropouts (emb, attention probs, post-attention, post-mlp) are all 0 here.

## gelu_fast
`FastGELUActivation`: `0.5 * x * (1 + tanh(x * 0.7978845608 * (1 + 0.044715 * x * x)))`
(the tanh approximation; 0.7978845608 ~ sqrt(2/pi), written as that literal constant).
Same function as `gelu_new` / `gelu_pytorch_tanh` up to rounding of sqrt(2/pi).

## query_key_value layout (per-head interleaved)
`query_key_value`: Linear(H, 3H, bias=True). Output dim of size 3H is ordered
**[nh, 3, D]**: head-major, then (q, k, v), then head_dim. The code does
`qkv.view(B, T, nh, 3*D).transpose(1, 2)` then `chunk(3, dim=-1)`. So output row
`o = h*3*D + j*D + d` is q (j=0), k (j=1) or v (j=2) of head h, component d.
It is NOT [q for all heads | k for all heads | v for all heads].
The attention output is `[B,nh,T,D] -> transpose -> [B,T,nh*D]` (head-major) and goes
through `dense` (Linear(H, H, bias=True)).

## Rotary (partial, non-interleaved, rotate_half)
- positions: `position_ids = arange(T)` (0-based, same for every row; the attention mask
  does NOT change positions).
- `inv_freq[i] = 1 / (10000 ** ((2*i) / r))` for i = 0 .. r/2-1, computed in float32 as
  `1.0 / (base ** (arange(0, r, 2).float() / r))` (r = 4 here -> inv_freq = [1, 0.01]).
- `freqs[t, i] = t * inv_freq[i]` (float32), `emb = cat(freqs, freqs)` -> [T, r]
  (layout: the r/2 frequencies, then the same r/2 frequencies again, NOT interleaved);
  `cos = cos(emb)`, `sin = sin(emb)`; attention_scaling is 1.0 for rope_type "default".
- Applied to q and k only (after the qkv split, before the scores), per head, to the
  **first r dims of each head's D dims**; dims r..D-1 pass through unchanged:
  ```
  x_rot, x_pass = x[..., :r], x[..., r:]
  rotate_half(u) = cat(-u[..., r/2:], u[..., :r/2])
  x_rot' = x_rot * cos + rotate_half(x_rot) * sin
  x' = cat(x_rot', x_pass)
  ```
  i.e. for j < r/2: `x'[j] = x[j]*cos(t*f_j) - x[j+r/2]*sin(t*f_j)`,
  `x'[j+r/2] = x[j+r/2]*cos(t*f_j) + x[j]*sin(t*f_j)` (pairs (j, j+r/2), GPT-NeoX style,
  not the interleaved (2j, 2j+1) GPT-J style).

## Attention scale and masks
- scores = `q @ k^T * D**-0.5` (scale 1/sqrt(head_dim) = 0.25 here; no extra norm factor),
  softmax in float32 over keys, then `probs @ v`.
- Causal: query t attends to keys s <= t. With the 2-D `attention_mask` [B,T] (1 = keep,
  0 = pad), key s of row b is also dropped where mask[b,s] == 0 (only keys are masked,
  queries are not; padded query rows still produce logits). Eager attention adds an
  additive mask: 0 where allowed, `torch.finfo(float32).min` where not (not -inf), to the
  scaled scores before softmax. In this fixture the mask is all ones, so only causality acts.

## Loss
`ForCausalLMLoss`: logits upcast to float32; labels are padded on the right with -100 and
shifted: target for position t is `labels[t+1]` (the last position has no target).
`cross_entropy(logits.view(-1, V), shift_labels.view(-1), ignore_index=-100, reduction="mean")`
= **mean over the non-ignored shifted targets** of the whole batch (sum of NLL / count,
count pooled over all rows, not a per-row mean). Case A: 2*15 = 30 targets,
loss_A = {loss_a!r}. Case B: labels[1, 12:16] = -100 removes 4 targets -> 26,
loss_B = {loss_b!r}. `[UNK]` (id 0) is an ordinary target.

## Parameters (state_dict order == weights.bin order)
`gpt_neox.embed_in.weight [V,H]`, then per layer `input_layernorm.{{weight,bias}}`,
`post_attention_layernorm.{{weight,bias}}`, `attention.query_key_value.{{weight [3H,H],bias [3H]}}`,
`attention.dense.{{weight,bias}}`, `mlp.dense_h_to_4h.{{weight [I,H],bias}}`,
`mlp.dense_4h_to_h.{{weight [H,I],bias}}`, then `gpt_neox.final_layer_norm.{{weight,bias}}`,
`lm_head.weight [V,H]`. Buffers not stored: `gpt_neox.rotary_emb.inv_freq`,
`gpt_neox.rotary_emb.original_inv_freq` (non-persistent). Older transformers checkpoints
also carry `gpt_neox.layers.N.attention.bias` / `masked_bias` / `rotary_emb.inv_freq`
buffers: ignore them when loading.
"""

if __name__ == "__main__":
    sys.exit(main())
