#!/usr/bin/env python3
"""Make the embedding fixture that `volt embed`'s tests compare against.

What it makes
-------------
Tests/GenSLMTests/Fixtures/embedding/ (relative to the repository root):
  records.fasta  four FASTA records: mixed case, one ending in a partial codon, one longer than the
                 model's 64 positions (truncated as `volt eval` truncates), so padding and the
                 attention mask matter when they are batched together.
  expected.json  per record: id, hashlib md5 of the upper-case sequence, the token ids, and for every
                 hidden_states entry L (0 = embedding output .. 2 = after the final layer norm) the
                 mean over the record's tokens; plus every token's hidden states of record 1 (for
                 pooling "none"); the versions used.

The model is the tiny GPT-NeoX of scripts/make_neox_fixture.py, loaded from its committed
weights (Tests/GenSLMTests/Fixtures/neox_tiny/weights.bin + manifest.json) into
transformers.GPTNeoXForCausalLM, eval mode, float32. All four records run as ONE batch,
right-padded with [PAD] (id 3) and an attention mask, with output_hidden_states=True; means
are over the attention mask. The script checks that each record run alone gives the same
values (within 1e-5), so padding cannot leak into the expected numbers.

Tokens are GenSLM's: the upper-cased sequence cut into 3-mers from position 0, joined by spaces and
encoded by the `tokenizers` library with GenSLM's codon_wordlevel_69vocab.json (VOCAB=path to
override its location), no special tokens; cut to 64 positions.

How to run
----------
    python3 scripts/make_embedding_fixture.py   # from the repository root (torch, transformers, numpy)
"""
import hashlib
import json
import os
import platform
import sys

import numpy as np
import torch
import transformers
from transformers import GPTNeoXConfig, GPTNeoXForCausalLM

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
NEOX = os.path.join(ROOT, "Tests", "GenSLMTests", "Fixtures", "neox_tiny")
OUT = os.path.join(ROOT, "Tests", "GenSLMTests", "Fixtures", "embedding")
PAD = 3
# GenSLM's tokenizer file (genslm/tokenizer_files/codon_wordlevel_69vocab.json); override with VOCAB=path.
VOCAB = os.environ.get("VOCAB", os.path.join(ROOT, "..", "shared", "genslm", "codon_wordlevel_69vocab.json"))


def tokenize(sequence, max_positions):
    """GenSLM's tokenization: upper-case 3-mers joined by spaces through the Hugging Face tokenizer."""
    from tokenizers import Tokenizer
    tokenizer = Tokenizer.from_file(VOCAB)
    s = sequence.upper()
    ids = tokenizer.encode(" ".join(s[i:i + 3] for i in range(0, len(s), 3)), add_special_tokens=False).ids
    return ids[:max_positions]


def records():
    rng = np.random.default_rng(20261201)
    bases = np.array(list("ACGT"))

    def dna(n):
        return "".join(rng.choice(bases, n))
    a = "ATG" + dna(57)
    a = a[:20].lower() + a[20:]                      # mixed case: md5 is of the upper-case sequence
    b = "ATG" + dna(20) + "GA"                       # 23 bases: the last 2 form an [UNK] token
    c = "ATG" + dna(70 * 3 - 3)                      # 70 codons > 64 positions: truncated
    d = "ATGAAACCC"                                  # 3 codons
    return [("seqA first", a), ("seqB", b), ("seqC long", c), ("seqD", d)]


def load_model():
    manifest = json.load(open(os.path.join(NEOX, "manifest.json")))
    cfg = GPTNeoXConfig(**manifest["config"])
    cfg._attn_implementation = "eager"
    model = GPTNeoXForCausalLM(cfg)
    raw = np.fromfile(os.path.join(NEOX, "weights.bin"), dtype="<f4")
    state = {}
    for e in manifest["weights"]:
        a = raw[e["offset"] // 4:(e["offset"] + e["nbytes"]) // 4].reshape(e["shape"])
        state[e["name"]] = torch.from_numpy(a.copy())
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert not unexpected and all("inv_freq" in k for k in missing), (missing, unexpected)
    return model.float().eval(), manifest["config"]["max_position_embeddings"]


def main():
    torch.set_num_threads(1)
    os.makedirs(OUT, exist_ok=True)
    model, positions = load_model()
    recs = records()
    with open(os.path.join(OUT, "records.fasta"), "w") as f:
        for name, seq in recs:
            f.write(f">{name}\n")
            for i in range(0, len(seq), 60):
                f.write(seq[i:i + 60] + "\n")
    tokens = [tokenize(seq, positions) for _, seq in recs]
    longest = max(map(len, tokens))
    ids = torch.tensor([t + [PAD] * (longest - len(t)) for t in tokens])
    mask = torch.tensor([[1] * len(t) + [0] * (longest - len(t)) for t in tokens])
    with torch.no_grad():
        batched = model(input_ids=ids, attention_mask=mask, output_hidden_states=True).hidden_states
        alone = [model(input_ids=torch.tensor([t]), output_hidden_states=True).hidden_states for t in tokens]
    layers = len(batched)
    worst = 0.0
    out_records = []
    for r, ((name, seq), t) in enumerate(zip(recs, tokens)):
        n = len(t)
        means = []
        for layer in range(layers):
            h = batched[layer][r, :n]
            worst = max(worst, float((h - alone[r][layer][0]).abs().max()))
            means.append([float(x) for x in h.mean(0)])
        out_records.append({"id": name.split()[0], "description": name, "md5": hashlib.md5(seq.upper().encode()).hexdigest(),
                            "tokens": t, "truncated": len(seq) // 3 + (len(seq) % 3 > 0) > positions, "means": means})
    assert worst < 1e-5, f"batched and single-record hidden states differ by {worst}"
    expected = {
        "generator": "scripts/make_embedding_fixture.py",
        "versions": {"python": platform.python_version(), "torch": torch.__version__,
                     "transformers": transformers.__version__, "numpy": np.__version__},
        "model": "neox_tiny fixture weights, GPTNeoXForCausalLM, eval, float32, eager attention",
        "hidden_states": layers,
        "max_position_embeddings": positions,
        "batched_vs_alone_max_abs_diff": worst,
        "records": out_records,
        "tokens_of_record_1": {str(layer): [[float(x) for x in row] for row in batched[layer][1, :len(tokens[1])]]
                               for layer in range(layers)},
    }
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f)
        f.write("\n")
    for fn in ("records.fasta", "expected.json"):
        print(f"{fn:14s} {os.path.getsize(os.path.join(OUT, fn)):8d} bytes")
    print("batched vs alone max |diff|:", worst)


if __name__ == "__main__":
    sys.exit(main())
