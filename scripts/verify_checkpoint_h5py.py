#!/usr/bin/env python3
"""Read a Volt checkpoint with h5py, independently of Volt, and print what it holds.

How to run
----------
    pip install h5py numpy
    python3 scripts/verify_checkpoint_h5py.py checkpoints/rabies/last.h5

What it prints
--------------
The root metadata attributes (format, format_version, volt_version, created_utc, epoch,
global_step, module, hparams, precision, world_size); every /state_dict tensor in the
order Volt wrote it (groups track creation order), as `name shape=(...) dtype=... sum=...`,
with float16/bfloat16 tensors decoded from their uint16 bits by the `dtype` attribute;
then a one-line summary of each other section (optimizers, lr_schedulers, precision,
loops, callbacks, rng, gradients) and whether every dataset is chunked with the
Fletcher32 checksum filter. Reading every dataset makes h5py verify those checksums: a
damaged file fails here too. Exits 1 if the file is not a Volt checkpoint (format
attribute) or of another format_version.

Volt's own tests (Tests/VoltTests/CheckpointTests.swift, testH5pyReadsTheCheckpoint) run
this script when python3 can import h5py.
"""
import json
import sys

import h5py
import numpy as np


def text(value):
    return value.decode("utf-8") if isinstance(value, bytes) else value


def ordered(group):
    """Member names in creation order (how Volt wrote them), else alphabetical."""
    names = []
    try:
        group.id.links.iterate(lambda name: names.append(name.decode("utf-8")), idx_type=h5py.h5.INDEX_CRT_ORDER)
        return names
    except (KeyError, RuntimeError, ValueError):
        return sorted(group.keys())


def tensor(dataset):
    """The dataset as numpy float32 / int32, decoding Volt's half-precision storage."""
    raw = dataset[()]
    dtype = text(dataset.attrs.get("dtype", ""))
    if dtype == "float16":
        return raw.view(np.float16), "float16"
    if dtype == "bfloat16":
        return (raw.astype(np.uint32) << 16).view(np.float32), "bfloat16"
    return raw, str(raw.dtype)


def main(path):
    with h5py.File(path, "r") as f:
        attrs = {key: text(value) for key, value in f.attrs.items()}
        if attrs.get("format") != "volt-checkpoint":
            print(f"{path}: not a Volt checkpoint", file=sys.stderr)
            return 1
        if int(attrs.get("format_version", -1)) != 1:
            print(f"{path}: format_version {attrs.get('format_version')} is not 1", file=sys.stderr)
            return 1
        print(path)
        print("metadata:")
        for key in ["format", "format_version", "volt_version", "created_utc", "epoch", "global_step",
                    "module", "precision", "world_size"]:
            print(f"  {key}: {attrs.get(key)}")
        print(f"  hparams: {json.loads(attrs['hparams'])}")

        names = ordered(f["state_dict"])
        print(f"state_dict ({len(names)} tensors, in stored order):")
        for name in names:
            values, dtype = tensor(f["state_dict"][name])
            print(f"  {name} shape={values.shape} dtype={dtype} sum={float(np.sum(values, dtype=np.float64)):.6g}")

        for index in ordered(f.get("optimizers", {})) if "optimizers" in f else []:
            group = f["optimizers"][index]
            groups = json.loads(text(group.attrs["param_groups"]))
            state = group.get("state", {})
            steps = {text(p): dict(state[p].attrs) for p in ordered(state)} if len(state) else {}
            moments = sum(len(state[p]) for p in state) if len(state) else 0
            print(f"optimizer {index}: {text(group.attrs['type'])}, {len(groups)} param groups, "
                  f"state for {len(steps)} parameter(s) ({moments} tensors)")
        for index in ordered(f["lr_schedulers"]) if "lr_schedulers" in f else []:
            group = f["lr_schedulers"][index]
            print(f"lr_scheduler {index}: {text(group.attrs['type'])} {json.loads(text(group.attrs['state']))}")
        for section in ["precision", "loops"]:
            if section in f:
                print(f"{section}: {({k: v.item() for k, v in f[section].attrs.items()})}")
        if "callbacks" in f:
            print(f"callbacks: {ordered(f['callbacks'])}")
        if "rng" in f:
            words = {}
            f["rng"].visititems(lambda name, obj: words.__setitem__(name, obj[()].tolist())
                                if isinstance(obj, h5py.Dataset) else None)
            print(f"rng: {words}")
        if "gradients" in f:
            print(f"gradients: {ordered(f['gradients'])}")

        datasets = []
        f.visititems(lambda name, obj: datasets.append(obj) if isinstance(obj, h5py.Dataset) else None)
        for dataset in datasets:
            dataset[()]  # reading verifies the Fletcher32 checksum
        checked = [d for d in datasets if d.size > 0 and d.ndim > 0]
        protected = all(d.fletcher32 and d.chunks is not None for d in checked)
        print(f"fletcher32: {'yes' if protected else 'NO'} on all {len(checked)} non-scalar, non-empty datasets "
              f"({len(datasets) - len(checked)} scalar/empty ones are stored compact in checksummed headers)")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
