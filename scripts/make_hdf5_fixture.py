#!/usr/bin/env python3
"""Make the h5py-written file that VoltHDF5's tests read.

What it makes
-------------
Tests/VoltHDF5Tests/Fixtures/h5py_types.h5 (relative to the repository root), written by h5py with its
defaults (no creation-order tracking, so members list alphabetically), holding what other tools write and
Volt itself does not:
  /f64          float64 [2, 3], chunked and gzip-compressed: 0.5, -1.25, 3, 1e10, -0.0, 2.75
  /i16          int16 [4]: -3, 0, 7, 32767
  /half         IEEE float16 [3]: 0.5, -2, 1024
  /tokens       uint8 [5], contiguous: 4, 8, 15, 16, 23
  /tokens_chunked  the same, chunked
  /names_fixed  fixed-length, NUL-padded ASCII strings (S5): "ab", "cdefg", ""
  /names_vlen   variable-length UTF-8 strings: "α", "codon", ""
  /group/zeta, /group/alpha   empty groups, created in that order
Attributes of /:
  fixed "abc" (S8, fixed-length), vlen "héllo" (variable-length UTF-8), ints int32 [1, 2, 3],
  half float16 0.5, byte uint8 7, doubles float64 [0.25, 4].

How to run
----------
    python3 scripts/make_hdf5_fixture.py   # from the repository root (h5py, numpy)
"""
import h5py
import numpy as np

PATH = "Tests/VoltHDF5Tests/Fixtures/h5py_types.h5"

with h5py.File(PATH, "w") as f:
    f.create_dataset("f64", data=np.array([[0.5, -1.25, 3], [1e10, -0.0, 2.75]], dtype="<f8"),
                     chunks=(1, 3), compression="gzip")
    f.create_dataset("i16", data=np.array([-3, 0, 7, 32767], dtype="<i2"))
    f.create_dataset("half", data=np.array([0.5, -2, 1024], dtype="<f2"))
    f.create_dataset("tokens", data=np.array([4, 8, 15, 16, 23], dtype="u1"))
    f.create_dataset("tokens_chunked", data=np.array([4, 8, 15, 16, 23], dtype="u1"), chunks=(2,))
    f.create_dataset("names_fixed", data=np.array([b"ab", b"cdefg", b""], dtype="S5"))
    f.create_dataset("names_vlen", data=["α", "codon", ""], dtype=h5py.string_dtype("utf-8"))
    group = f.create_group("group")
    group.create_group("zeta")
    group.create_group("alpha")
    f.attrs.create("fixed", np.bytes_(b"abc"), dtype="S8")
    f.attrs.create("vlen", "héllo", dtype=h5py.string_dtype("utf-8"))
    f.attrs.create("ints", np.array([1, 2, 3], dtype="<i4"))
    f.attrs.create("half", np.float16(0.5))
    f.attrs.create("byte", np.uint8(7))
    f.attrs.create("doubles", np.array([0.25, 4], dtype="<f8"))
print(f"wrote {PATH} (h5py {h5py.__version__}, HDF5 {h5py.version.hdf5_version})")
