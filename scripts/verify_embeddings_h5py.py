#!/usr/bin/env python3
"""Read a `volt embed` file with h5py, independently of Volt, and print what it holds as one JSON object.

    python3 scripts/verify_embeddings_h5py.py genes.h5

Prints {"attrs": {...}, "ids": [...], "indices": [...], "md5": [...], "datasets": {path: {"shape", "dtype",
"sum"}}} for every dataset under /embeddings. Volt's tests (Tests/GenSLMTests/EmbeddingTests.swift,
testH5pyReadsTheEmbeddingFile) run it when python3 can import h5py. Exits 1 for a file without
format="volt-embeddings".
"""
import json
import sys

import h5py
import numpy as np


def main(path):
    with h5py.File(path, "r") as f:
        if f.attrs.get("format") != "volt-embeddings":
            print(f"{path}: not a volt-embeddings file", file=sys.stderr)
            return 1
        attrs = {k: (v.tolist() if isinstance(v, np.ndarray) else v.item() if isinstance(v, np.generic) else v)
                 for k, v in f.attrs.items()}
        datasets = {}

        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                data = obj[()]
                datasets[name] = {"shape": list(data.shape), "dtype": str(data.dtype), "sum": float(np.sum(data, dtype=np.float64))}
        f["embeddings"].visititems(lambda n, o: visit("embeddings/" + n, o))
        out = {"attrs": attrs, "ids": list(f["ids"].asstr()[:]), "indices": [int(i) for i in f["indices"][:]],
               "indices_dtype": str(f["indices"].dtype), "md5": list(f["md5"].asstr()[:]), "datasets": datasets}
    print(json.dumps(out, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
