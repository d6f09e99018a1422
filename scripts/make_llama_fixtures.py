#!/usr/bin/env python3
"""Writes Tests/LLaMATests/Fixtures: transformers' LlamaForCausalLM and MixtralForCausalLM on random weights.

Run once by hand with a Python that has torch (CPU) and transformers; nothing is downloaded — every model is
built from a configuration:

    /opt/fx/bin/python scripts/make_llama_fixtures.py

Each case is a folder holding
    config.json   the configuration as a transformers config.json writes it (rope_theta, rope_scaling, …)
    tensors.bin   float32 little-endian values, one tensor after another
    index.json    {name: {"shape": [...], "offset": first element in tensors.bin}} for every state-dict entry
                  (the weights), "input_ids", "labels", optional "attention_mask", "logits", "loss", optional
                  "aux_loss", and "grad/<parameter name>" for every parameter after loss.backward()
Cases: llama (grouped-query attention, untied, default rope), llama3_tied (llama3 rope scaling, tied
embeddings), llama_linear (linear rope scaling, head_dim given), mixtral (4 experts, top-2, router aux loss,
right padding with an attention mask).
"""
import json
import os

import numpy as np
import torch
from transformers import LlamaConfig, LlamaForCausalLM, MixtralConfig, MixtralForCausalLM

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "LLaMATests", "Fixtures")

BASE = dict(vocab_size=97, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
            num_key_value_heads=2, max_position_embeddings=64, rms_norm_eps=1e-5, rope_theta=10000.0,
            tie_word_embeddings=False, initializer_range=0.1, hidden_act="silu")

CASES = {
    "llama": dict(BASE),
    "llama3_tied": dict(BASE, tie_word_embeddings=True, rope_theta=500000.0,
                        rope_scaling=dict(rope_type="llama3", factor=8.0, low_freq_factor=1.0, high_freq_factor=4.0,
                                          original_max_position_embeddings=16)),
    "llama_linear": dict(BASE, num_key_value_heads=4, head_dim=16, rope_scaling=dict(rope_type="linear", factor=4.0)),
    "mixtral": dict(BASE, num_local_experts=4, num_experts_per_tok=2, router_aux_loss_coef=0.02,
                    output_router_logits=True, rope_theta=1000000.0),
}


def transformers_config(case):
    """transformers 5 reads rope settings from `rope_parameters`; config.json files from the hub use rope_theta
    and rope_scaling, which is what the Swift side reads (it also accepts rope_parameters)."""
    kwargs = {k: v for k, v in case.items() if k not in ("rope_theta", "rope_scaling")}
    rope = dict(case.get("rope_scaling") or {"rope_type": "default"}, rope_theta=case["rope_theta"])
    kwargs["rope_parameters"] = rope
    kwargs["attn_implementation"] = "eager"
    if "num_local_experts" in case:
        return MixtralConfig(**kwargs)
    return LlamaConfig(**kwargs)


def write_case(name, case, seed):
    torch.manual_seed(seed)
    config = transformers_config(case)
    model = (MixtralForCausalLM if "num_local_experts" in case else LlamaForCausalLM)(config)
    with torch.no_grad():
        for key, p in model.named_parameters():
            if key.endswith("norm.weight"):  # RMSNorm weights start at 1; move them so their gradients matter
                p.add_(0.2 * torch.randn_like(p))
    model.train()  # dropout is 0 in both configurations; train mode keeps the router's training path

    gen = torch.Generator().manual_seed(seed + 1)
    input_ids = torch.randint(0, case["vocab_size"], (2, 12), generator=gen)
    labels = input_ids.clone()
    labels[0, 3] = -100
    labels[1, 7] = -100
    attention_mask = None
    if "num_local_experts" in case:
        attention_mask = torch.ones_like(input_ids)
        attention_mask[1, 9:] = 0
        labels[1, 9:] = -100
    out = model(input_ids=input_ids, attention_mask=attention_mask, labels=labels)
    out.loss.backward()

    tensors = {}
    for key, value in model.state_dict().items():
        if case["tie_word_embeddings"] and key == "lm_head.weight":
            continue  # tied: the same tensor as model.embed_tokens.weight, saved once as save_pretrained does
        tensors[key] = value
    tensors["input_ids"] = input_ids
    tensors["labels"] = labels
    if attention_mask is not None:
        tensors["attention_mask"] = attention_mask
    tensors["logits"] = out.logits.detach()
    tensors["loss"] = out.loss.detach()
    if getattr(out, "aux_loss", None) is not None:
        tensors["aux_loss"] = out.aux_loss.detach()
    for key, p in model.named_parameters():
        tensors["grad/" + key] = p.grad

    folder = os.path.join(OUT, name)
    os.makedirs(folder, exist_ok=True)
    index, chunks, offset = {}, [], 0
    for key, value in tensors.items():
        array = value.detach().to(torch.float32).numpy().astype("<f4")
        index[key] = {"shape": list(array.shape), "offset": offset}
        chunks.append(array.reshape(-1))
        offset += array.size
    np.concatenate(chunks).tofile(os.path.join(folder, "tensors.bin"))
    with open(os.path.join(folder, "index.json"), "w") as f:
        json.dump(index, f, indent=1, sort_keys=True)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(dict(case, model_type="mixtral" if "num_local_experts" in case else "llama"), f, indent=2,
                  sort_keys=True)
    print(f"{name}: loss {out.loss.item():.6f}, {offset} floats")


if __name__ == "__main__":
    for i, (name, case) in enumerate(CASES.items()):
        write_case(name, case, seed=100 + i)
