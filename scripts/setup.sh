#!/usr/bin/env bash
# Installs the system packages Volt builds and runs with, if any are missing (Debian/Ubuntu, as root or with sudo).
#   libraries: OpenBLAS (its OpenMP build), oneDNN, HDF5, Open MPI, zlib, SQLite
#   data:      beast-mcmc-examples (the rabies FASTA), python-biopython-doc (Biopython's FASTA test files)
#   checks:    python3-h5py (the test that h5py reads Volt's checkpoints)
set -euo pipefail
packages=(pkg-config zlib1g-dev libsqlite3-dev libopenblas-dev libopenblas-openmp-dev libdnnl-dev libhdf5-dev hdf5-tools
          libopenmpi-dev openmpi-bin beast-mcmc-examples python-biopython-doc python3-h5py)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "volt setup: installing ${missing[*]}" >&2
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
