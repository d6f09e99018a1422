#!/usr/bin/env python3
"""Make (or check against) the PEFT LoRA fixture that Volt's PEFT interop tests use.

Mode 1 (default): writes Tests/GenSLMTests/Fixtures/peft_lora/
  adapter_config.json, adapter_model.safetensors
                  exactly as peft's PeftModel.save_pretrained writes them, for
                  LoraConfig(r=8, lora_alpha=32, lora_dropout=0.1, target_modules=["query_key_value"])
                  over the tiny GPT-NeoX of Fixtures/neox_tiny (its weights.bin), with lora_B
                  randomised (N(0, 0.1²), torch.manual_seed(1)) so that the adapter changes the logits
                  (peft initialises B to zero).
  expected_logits.bin
                  float32 little-endian logits [2, 16, 69] of the PeftModel in eval() mode (dropout off)
                  on neox_tiny's inputs.json input_ids (attention mask all ones).
  manifest.json   versions, shapes, and how far the adapter moves the logits from the base model's.

Mode 2: python3 scripts/make_peft_fixture.py --check DIR
  DIR is an adapter folder written by Volt (`volt checkpoint export CKPT --peft DIR`, or the one
  GenSLMTests.PEFTInteropTests writes when VOLT_PEFT_EXPORT_DIR is set) over the same neox_tiny base, holding
  also volt_logits.bin (Volt's float32 logits on the same input). peft.PeftModel.from_pretrained(base, DIR)
  loads it; the script prints the largest |peft logit - Volt logit| and fails above 1e-4, and compares the
  folder's keys, shapes and config fields with the fixture's.

Run from the repository root with torch, transformers, peft, safetensors and numpy installed
(made with torch 2.15, transformers 5.24, peft 0.21.2).
"""
import argparse
import json
import os
import platform
import sys

import numpy as np
import torch
import transformers
import peft
from peft import LoraConfig, PeftModel, get_peft_model
from safetensors.torch import load_file
from transformers import GPTNeoXConfig, GPTNeoXForCausalLM

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NEOX = os.path.join(ROOT, "Tests/GenSLMTests/Fixtures/neox_tiny")
OUT = os.path.join(ROOT, "Tests/GenSLMTests/Fixtures/peft_lora")


def base_model():
    manifest = json.load(open(os.path.join(NEOX, "manifest.json")))
    c = manifest["config"]
    cfg = GPTNeoXConfig(**c)
    cfg._attn_implementation = "eager"
    torch.manual_seed(0)
    model = GPTNeoXForCausalLM(cfg)
    raw = np.fromfile(os.path.join(NEOX, "weights.bin"), dtype="<f4")
    state = {}
    for e in manifest["weights"]:
        a = raw[e["offset"] // 4:(e["offset"] + e["nbytes"]) // 4].reshape(e["shape"])
        state[e["name"]] = torch.from_numpy(a.copy())
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert not unexpected and all("rotary" in m for m in missing), (missing, unexpected)
    return model.eval()


def inputs():
    data = json.load(open(os.path.join(NEOX, "inputs.json")))
    return torch.tensor(data["input_ids"]), torch.tensor(data["attention_mask"])


def make():
    torch.use_deterministic_algorithms(True)
    ids, mask = inputs()
    base = base_model()
    with torch.no_grad():
        base_logits = base(input_ids=ids, attention_mask=mask).logits
    config = LoraConfig(r=8, lora_alpha=32, lora_dropout=0.1, target_modules=["query_key_value"])
    model = get_peft_model(base, config)
    torch.manual_seed(1)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "lora_B" in name:
                p.normal_(0, 0.1)
    model.eval()
    with torch.no_grad():
        logits = model(input_ids=ids, attention_mask=mask).logits
    os.makedirs(OUT, exist_ok=True)
    model.save_pretrained(OUT)
    readme = os.path.join(OUT, "README.md")
    if os.path.exists(readme):
        os.remove(readme)  # peft's model card: not part of the adapter
    logits.detach().float().numpy().astype("<f4").tofile(os.path.join(OUT, "expected_logits.bin"))
    saved = load_file(os.path.join(OUT, "adapter_model.safetensors"))
    manifest = {
        "fixture": "peft_lora",
        "generator": "scripts/make_peft_fixture.py",
        "versions": {"python": platform.python_version(), "torch": torch.__version__,
                     "transformers": transformers.__version__, "peft": peft.__version__},
        "base": "Fixtures/neox_tiny (weights.bin), eval() mode",
        "lora": {"r": 8, "lora_alpha": 32, "lora_dropout": 0.1, "target_modules": ["query_key_value"],
                 "lora_B": "N(0, 0.1^2) after torch.manual_seed(1); lora_A as peft initialised it"},
        "input": "neox_tiny inputs.json input_ids [2, 16], attention_mask all ones",
        "expected_logits": {"file": "expected_logits.bin", "shape": list(logits.shape), "dtype": "float32"},
        "adapter_keys": {k: list(v.shape) for k, v in sorted(saved.items())},
        "max_abs_logit_change_from_base": float((logits - base_logits).abs().max()),
    }
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    for fn in sorted(os.listdir(OUT)):
        print(f"{fn:28s} {os.path.getsize(os.path.join(OUT, fn)):8d} bytes")
    print("max |adapter - base| logit:", manifest["max_abs_logit_change_from_base"])


def check(folder):
    ids, mask = inputs()
    model = PeftModel.from_pretrained(base_model(), folder).eval()
    with torch.no_grad():
        logits = model(input_ids=ids, attention_mask=mask).logits
    volt = torch.from_numpy(np.fromfile(os.path.join(folder, "volt_logits.bin"), dtype="<f4").reshape(logits.shape))
    diff = float((logits - volt).abs().max())
    ours = load_file(os.path.join(folder, "adapter_model.safetensors"))
    theirs = load_file(os.path.join(OUT, "adapter_model.safetensors"))
    same_keys = {k: list(v.shape) for k, v in ours.items()} == {k: list(v.shape) for k, v in theirs.items()}
    a, b = json.load(open(os.path.join(folder, "adapter_config.json"))), json.load(open(os.path.join(OUT, "adapter_config.json")))
    fields = ["peft_type", "r", "lora_alpha", "lora_dropout", "target_modules", "bias", "use_rslora", "fan_in_fan_out"]
    differing = {k: (a.get(k), b.get(k)) for k in fields if a.get(k) != b.get(k)}
    print(json.dumps({"peft": peft.__version__, "max_abs_logit_diff_peft_vs_volt": diff,
                      "same_keys_and_shapes_as_peft_fixture": same_keys, "config_fields_differing": differing}))
    return 0 if diff < 1e-4 and same_keys and not differing else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", metavar="DIR", help="compare a Volt-exported adapter folder with peft")
    args = parser.parse_args()
    if args.check:
        sys.exit(check(args.check))
    make()
