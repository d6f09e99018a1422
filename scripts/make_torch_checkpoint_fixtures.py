#!/usr/bin/env python3
"""Make the fixtures of Volt's PyTorch/safetensors/config.json tests: the readers' (Tests/VoltInteropTests) and
GPT-NeoX's import against transformers' logits (Tests/GenSLMTests/TorchImportTests.swift).

Run once from the repository root with torch and transformers installed:

    python3 scripts/make_torch_checkpoint_fixtures.py [--out DIR]

It writes into Tests/VoltInteropTests/Fixtures/torch_import/:

  config.json            transformers' GPTNeoXConfig of the tiny model (hidden 32, 2 layers, 2 heads,
                         intermediate 128, vocab 69, 64 positions, rotary_pct 0.25, gelu_fast, parallel residual).
  lightning.pt           a GenSLM-style PyTorch Lightning checkpoint written by torch.save (pickle protocol 2):
                         {"epoch": 3, "global_step": 1234, "pytorch-lightning_version": "1.6.5",
                          "state_dict": {"model.gpt_neox....": float16, "model.embed_out.weight", plus the constant
                          buffers of transformers 4 (attention.bias as bool, attention.masked_bias,
                          attention.rotary_emb.inv_freq)}, "hyper_parameters" (with a pathlib path),
                          "loops": {"counts": int64, "flags": bool}, "optimizer_states": [], "lr_schedulers": []}
  plain_state_dict.pth   the float32 state_dict at top level (pickle protocol 4), embed_out.weight saved as a
                         transposed (non-contiguous) view.
  hf_sharded/            save_pretrained(max_shard_size="60KB"): config.json, model.safetensors.index.json and
                         the shards, float32.
  bf16_module.safetensors  the weights in bfloat16, keys prefixed "module." and the head named lm_head.weight.
  legacy.pt              a state dict saved with _use_new_zipfile_serialization=False (pre-1.6 format).
  evil_os_system.pt, evil_eval.pt, evil_popen.pt
                         zips shaped like torch.save's whose data.pkl REDUCEs posix.system (protocol 2),
                         builtins.eval (protocol 4) and subprocess.Popen (protocol 5); each would create
                         /tmp/volt-torch-import-pwned-<name> if unpickled by Python (checked here, then removed).
  expected.json          versions, input_ids [2, 12], the logits of transformers' GPTNeoXForCausalLM for the
                         float32 weights, for the float16-rounded ones (lightning.pt) and the bfloat16-rounded
                         ones; the float16 bit patterns of gpt_neox.embed_in.weight; the int64/bool values.
"""
import argparse
import io
import json
import os
import pathlib
import pickle
import subprocess
import zipfile

import torch
import transformers
from transformers import GPTNeoXConfig, GPTNeoXForCausalLM
import safetensors
from safetensors.torch import save_file

PWNED = "/tmp/volt-torch-import-pwned-"


def tiny_config():
    return GPTNeoXConfig(vocab_size=69, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                         intermediate_size=128, max_position_embeddings=64, rotary_pct=0.25, rotary_emb_base=10000,
                         hidden_act="gelu_fast", use_parallel_residual=True, tie_word_embeddings=False,
                         hidden_dropout=0.0, attention_dropout=0.0, layer_norm_eps=1e-5,
                         attn_implementation="eager")


def make_model():
    torch.manual_seed(0)
    model = GPTNeoXForCausalLM(tiny_config()).eval()
    with torch.no_grad():  # large biases and LN terms so that every tensor matters
        for name, p in model.named_parameters():
            if "layernorm" in name or "layer_norm" in name:
                p.copy_(1 + 0.1 * torch.randn_like(p) if name.endswith("weight") else 0.1 * torch.randn_like(p))
            elif name.endswith("bias"):
                p.copy_(0.1 * torch.randn_like(p))
            else:
                p.copy_(0.2 * torch.randn_like(p))
    return model


def logits(model, state, input_ids):
    m = GPTNeoXForCausalLM(tiny_config()).eval()
    m.load_state_dict({k: v.float() for k, v in state.items()})
    with torch.no_grad():
        return m(input_ids=input_ids).logits.flatten().tolist()


class Reduce:
    """An object whose unpickling calls `func(*args)`."""
    def __init__(self, func, args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args


def torch_like_zip(path, payload):
    """A zip laid out as torch.save lays it out, holding `payload` as data.pkl."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as z:
        z.writestr("archive/data.pkl", payload)
        z.writestr("archive/byteorder", "little")
        z.writestr("archive/version", "3\n")


def evil(out, name, func, args, protocol):
    target = PWNED + name
    payload = pickle.dumps({"state_dict": Reduce(func, args)}, protocol=protocol)
    torch_like_zip(os.path.join(out, f"evil_{name}.pt"), payload)
    # Prove the payload is real: Python's own unpickler runs it and creates the file.
    if os.path.exists(target):
        os.remove(target)
    try:
        pickle.loads(payload)
    except Exception:
        pass
    import time
    for _ in range(50):
        if os.path.exists(target):
            break
        time.sleep(0.1)
    assert os.path.exists(target), f"the {name} payload did not run under pickle.loads"
    os.remove(target)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="Tests/VoltInteropTests/Fixtures/torch_import")
    out = parser.parse_args().out
    os.makedirs(out, exist_ok=True)

    model = make_model()
    model.config.save_pretrained(out)  # config.json
    state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    head = "embed_out.weight" if "embed_out.weight" in state else "lm_head.weight"
    gen = torch.Generator().manual_seed(1234)
    input_ids = torch.randint(5, 69, (2, 12), generator=gen)
    input_ids[0, 3] = 0

    # (a) Lightning-style .pt, float16, with transformers 4's constant buffers.
    half = {k: v.half() for k, v in state.items()}
    lightning_state = {}
    for k, v in half.items():
        lightning_state["model." + k] = v
        if k.endswith("attention.dense.bias"):
            layer = k[: -len("dense.bias")]
            lightning_state["model." + layer + "bias"] = torch.tril(torch.ones(64, 64, dtype=torch.bool)).view(1, 1, 64, 64)
            lightning_state["model." + layer + "masked_bias"] = torch.tensor(-1e9)
            lightning_state["model." + layer + "rotary_emb.inv_freq"] = 1.0 / (10000 ** (torch.arange(0, 4, 2).float() / 4))
    counts = torch.arange(5, dtype=torch.int64) * 1_000_000_007
    flags = torch.tensor([True, False, True, True])
    ckpt = {"epoch": 3, "global_step": 1234, "pytorch-lightning_version": "1.6.5",
            "state_dict": lightning_state,
            "hyper_parameters": {"lr": 1e-5, "checkpoint_dir": pathlib.PosixPath("/tmp/genslm/run1"),
                                 "model_config": "neox_tiny.json"},
            "loops": {"counts": counts, "flags": flags},
            "optimizer_states": [], "lr_schedulers": [], "callbacks": {}}
    torch.save(ckpt, os.path.join(out, "lightning.pt"))

    # (b) plain float32 state_dict, protocol 4, the head as a transposed view.
    plain = dict(state)
    plain[head] = state[head].t().contiguous().t()
    assert not plain[head].is_contiguous()
    torch.save(plain, os.path.join(out, "plain_state_dict.pth"), pickle_protocol=4)

    # (c) sharded transformers folder.
    model.save_pretrained(os.path.join(out, "hf_sharded"), max_shard_size="60KB", safe_serialization=True)
    shards = [f for f in os.listdir(os.path.join(out, "hf_sharded")) if f.endswith(".safetensors")]
    assert len(shards) >= 2, shards

    # (d) bfloat16 safetensors with "module." prefixes and lm_head naming.
    bf16 = {k: v.to(torch.bfloat16).contiguous() for k, v in state.items()}
    renamed = {("module." + ("lm_head.weight" if k == head else k)): v for k, v in bf16.items()}
    save_file(renamed, os.path.join(out, "bf16_module.safetensors"), metadata={"format": "pt"})

    # Legacy (pre-1.6) format.
    torch.save({"gpt_neox.embed_in.weight": state["gpt_neox.embed_in.weight"][:2].clone()},
               os.path.join(out, "legacy.pt"), _use_new_zipfile_serialization=False)

    # Malicious pickles.
    evil(out, "os_system", os.system, ("touch " + PWNED + "os_system",), 2)
    evil(out, "eval", eval, ("__import__('os').system('touch " + PWNED + "eval')",), 4)
    evil(out, "popen", subprocess.Popen, (["touch", PWNED + "popen"],), 5)

    # Reference logits from transformers for each stored precision; a re-load of what was written.
    with torch.serialization.safe_globals([pathlib.PosixPath]):
        reloaded = torch.load(os.path.join(out, "lightning.pt"), weights_only=True)
    assert all(torch.equal(reloaded["state_dict"][k], v) for k, v in lightning_state.items())
    expected = {
        "versions": {"torch": torch.__version__, "transformers": transformers.__version__,
                     "safetensors": safetensors.__version__},
        "input_ids": input_ids.flatten().tolist(), "shape": [2, 12, 69],
        "logits_float32": logits(model, state, input_ids),
        "logits_float16": logits(model, half, input_ids),
        "logits_bfloat16": logits(model, bf16, input_ids),
        "embed_in_float16_bits": half["gpt_neox.embed_in.weight"].flatten().view(torch.int16).tolist(),
        "counts": counts.tolist(), "flags": flags.tolist(),
        "parameter_count": sum(p.numel() for p in model.parameters()),
    }
    expected["embed_in_float16_bits"] = [b & 0xFFFF for b in expected["embed_in_float16_bits"]]
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f)
    for root, _, files in os.walk(out):
        for name in sorted(files):
            path = os.path.join(root, name)
            print(f"{os.path.getsize(path):>8}  {path}")
    print("torch", torch.__version__, "transformers", transformers.__version__)


if __name__ == "__main__":
    main()
