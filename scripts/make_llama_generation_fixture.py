#!/usr/bin/env python3
"""Writes Tests/LLaMATests/Fixtures/generation.json: transformers' greedy `generate(do_sample=False)` on the random
models of scripts/make_llama_fixtures.py (their weights are read back from the committed fixtures, so the two
scripts need not run together).

    /opt/fx/bin/python scripts/make_llama_generation_fixture.py

For each case (llama, llama3_tied, mixtral) and each prompt, one sequence at a time (no padding):
  "plain":  max_new_tokens new ids, no end-of-sequence token;
  "eos":    the same with eos_token_id = [the plain run's 6th new id, 0], so generation stops there.
The JSON holds {case: {"max_new_tokens": N, "eos_token_ids": [...], "prompts": [[...]], "plain": [[new ids]],
"eos": [[new ids]]}}; new ids exclude the prompt and include the end-of-sequence id when one is drawn.
"""
import json
import os
import sys

import numpy as np
import torch
from transformers import LlamaForCausalLM, MixtralForCausalLM

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_llama_fixtures import CASES, OUT, transformers_config  # noqa: E402

PROMPTS = [[1, 5, 9], [42], [7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7], [96, 0, 13, 64, 2]]
MAX_NEW = 20


def load(name):
    case = CASES[name]
    folder = os.path.join(OUT, name)
    index = json.load(open(os.path.join(folder, "index.json")))
    values = np.fromfile(os.path.join(folder, "tensors.bin"), dtype="<f4")
    model = (MixtralForCausalLM if "num_local_experts" in case else LlamaForCausalLM)(transformers_config(case))
    state = {}
    for key in model.state_dict():
        source = "model.embed_tokens.weight" if key == "lm_head.weight" and case["tie_word_embeddings"] else key
        entry = index[source]
        count = int(np.prod(entry["shape"]))
        state[key] = torch.from_numpy(values[entry["offset"]:entry["offset"] + count].reshape(entry["shape"]).copy())
    model.load_state_dict(state, strict=True)
    return model.eval()


def generate(model, prompt, eos):
    ids = torch.tensor([prompt])
    out = model.generate(ids, attention_mask=torch.ones_like(ids), do_sample=False, max_new_tokens=MAX_NEW,
                         eos_token_id=eos, pad_token_id=0 if eos is None else eos[0])
    return out[0, len(prompt):].tolist()


def main():
    fixture = {}
    for name in ["llama", "llama3_tied", "mixtral"]:
        torch.manual_seed(0)
        model = load(name)
        plain = [generate(model, p, None) for p in PROMPTS]
        eos = [plain[0][5], 0]
        stopped = [generate(model, p, eos) for p in PROMPTS]
        # transformers pads a finished sequence with pad_token_id; one sequence at a time never needs it.
        fixture[name] = {"max_new_tokens": MAX_NEW, "eos_token_ids": eos, "prompts": PROMPTS, "plain": plain,
                         "eos": stopped}
        print(name, plain[0], stopped[0])
    with open(os.path.join(OUT, "generation.json"), "w") as f:
        json.dump(fixture, f)


if __name__ == "__main__":
    main()
