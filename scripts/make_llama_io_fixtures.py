#!/usr/bin/env python3
"""Writes Tests/LLaMATests/Fixtures/io: LLaMA and Mixtral folders as transformers and peft write them, for
Volt's weight and adapter I/O tests (LlamaWeightsTests, LlamaPEFTTests).

Run once by hand with a Python that has torch (CPU), transformers 5, peft and safetensors; nothing is
downloaded — every model is built from a configuration with random weights:

    /opt/fx/bin/python scripts/make_llama_io_fixtures.py

Writes
    llama_sharded/       LlamaForCausalLM.save_pretrained(max_shard_size="30KB"): config.json,
                         model-0000K-of-0000N.safetensors, model.safetensors.index.json
    llama_bin/           the same weights as transformers 4 wrote them with safe_serialization=False (transformers 5
                         writes safetensors only): torch.save(model.state_dict()) as pytorch_model.bin, config.json
    llama_expected.safetensors   input_ids [2, 10] (as float32) and the model's logits
    mixtral_hub/         MixtralForCausalLM.save_pretrained: the hub layout (block_sparse_moe.experts.E.w1/w2/w3)
    mixtral_fused.safetensors    the same model's state_dict() in transformers 5's fused layout
                                 (mlp.experts.gate_up_proj, mlp.experts.down_proj)
    mixtral_expected.safetensors input_ids and logits
    peft_lora/           PeftModel.save_pretrained of LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj",
                         "v_proj"]) over llama_sharded's model, lora_B drawn N(0, 0.1²) so the adapter matters
    peft_expected.safetensors    input_ids and the PeftModel's logits (eval mode)

Check mode, for folders Volt exported (LLaMATests write them when VOLT_LLAMA_EXPORT_DIR is set):

    /opt/fx/bin/python scripts/make_llama_io_fixtures.py --check DIR

loads DIR/llama and DIR/mixtral with from_pretrained and DIR/peft with PeftModel.from_pretrained over
DIR/llama (no key missing or unexpected), and prints the largest |transformers logit − Volt logit| against each folder's volt_logits.safetensors.
"""
import json
import os
import shutil
import sys

import torch
from peft import LoraConfig, PeftModel, get_peft_model
from safetensors.torch import load_file, save_file
from transformers import LlamaConfig, LlamaForCausalLM, MixtralConfig, MixtralForCausalLM

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "LLaMATests", "Fixtures", "io")

SIZES = dict(vocab_size=61, hidden_size=32, intermediate_size=48, num_hidden_layers=2, num_attention_heads=4,
             num_key_value_heads=2, max_position_embeddings=64, initializer_range=0.1)


def inputs(vocab):
    return torch.randint(0, vocab, (2, 10), generator=torch.Generator().manual_seed(7))


def save_expected(path, input_ids, logits):
    save_file({"input_ids": input_ids.to(torch.float32), "logits": logits.detach().contiguous()}, path)


def drop_generation_config(folder):
    # Not weights nor configuration: Volt neither reads nor writes it.
    path = os.path.join(folder, "generation_config.json")
    if os.path.exists(path):
        os.remove(path)


def llama():
    torch.manual_seed(11)
    config = LlamaConfig(**SIZES, rms_norm_eps=1e-5, attn_implementation="eager")
    model = LlamaForCausalLM(config).eval()
    with torch.no_grad():
        for key, p in model.named_parameters():
            if key.endswith("norm.weight"):
                p.add_(0.2 * torch.randn_like(p))
    folder = os.path.join(OUT, "llama_sharded")
    model.save_pretrained(folder, max_shard_size="30KB")
    drop_generation_config(folder)
    binary = os.path.join(OUT, "llama_bin")
    os.makedirs(binary, exist_ok=True)
    torch.save(model.state_dict(), os.path.join(binary, "pytorch_model.bin"))
    shutil.copy(os.path.join(folder, "config.json"), binary)
    ids = inputs(config.vocab_size)
    with torch.no_grad():
        save_expected(os.path.join(OUT, "llama_expected.safetensors"), ids, model(input_ids=ids).logits)
    return model, ids


def mixtral():
    torch.manual_seed(12)
    config = MixtralConfig(**dict(SIZES, intermediate_size=24), num_local_experts=4, num_experts_per_tok=2,
                           attn_implementation="eager")
    model = MixtralForCausalLM(config).eval()
    folder = os.path.join(OUT, "mixtral_hub")
    model.save_pretrained(folder)
    drop_generation_config(folder)
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, os.path.join(OUT, "mixtral_fused.safetensors"),
              metadata={"format": "pt"})
    ids = inputs(config.vocab_size)
    with torch.no_grad():
        save_expected(os.path.join(OUT, "mixtral_expected.safetensors"), ids, model(input_ids=ids).logits)


def lora(base, ids):
    config = LoraConfig(r=4, lora_alpha=8, lora_dropout=0.0, target_modules=["q_proj", "v_proj"], task_type="CAUSAL_LM")
    model = get_peft_model(base, config)
    torch.manual_seed(13)
    with torch.no_grad():
        for key, p in model.named_parameters():
            if "lora_B" in key:
                p.normal_(0, 0.1)
    model.eval()
    folder = os.path.join(OUT, "peft_lora")
    model.save_pretrained(folder)
    readme = os.path.join(folder, "README.md")
    if os.path.exists(readme):
        os.remove(readme)
    with torch.no_grad():
        save_expected(os.path.join(OUT, "peft_expected.safetensors"), ids, model(input_ids=ids).logits)


def check(folder):
    worst = 0.0
    for name, cls in [("llama", LlamaForCausalLM), ("mixtral", MixtralForCausalLM)]:
        path = os.path.join(folder, name)
        model, info = cls.from_pretrained(path, attn_implementation="eager", output_loading_info=True)
        model.eval()
        assert not info["missing_keys"] and not info["unexpected_keys"], info
        volt = load_file(os.path.join(path, "volt_logits.safetensors"))
        with torch.no_grad():
            logits = model(input_ids=volt["input_ids"].to(torch.long)).logits
        diff = (logits - volt["logits"]).abs().max().item()
        worst = max(worst, diff)
        print(f"{cls.__name__}.from_pretrained({path}): max |transformers - Volt| = {diff:.3g}")
    base = LlamaForCausalLM.from_pretrained(os.path.join(folder, "llama"), attn_implementation="eager")
    path = os.path.join(folder, "peft")
    model = PeftModel.from_pretrained(base, path).eval()
    volt = load_file(os.path.join(path, "volt_logits.safetensors"))
    with torch.no_grad():
        logits = model(input_ids=volt["input_ids"].to(torch.long)).logits
    diff = (logits - volt["logits"]).abs().max().item()
    worst = max(worst, diff)
    print(f"PeftModel.from_pretrained({path}): max |peft - Volt| = {diff:.3g}")
    sys.exit(0 if worst <= 1e-4 else 1)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        check(sys.argv[2])
    else:
        os.makedirs(OUT, exist_ok=True)
        model, ids = llama()
        mixtral()
        lora(model, ids)
        for root, _, files in os.walk(OUT):
            for f in sorted(files):
                print(os.path.relpath(os.path.join(root, f), OUT), os.path.getsize(os.path.join(root, f)))
