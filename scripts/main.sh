#!/usr/bin/env bash
# The main command: installs what is missing, builds in release and runs Volt's main job.
# Until the Trainer lands this is the matmul benchmark (Volt against each backend, bf16 where the CPU has it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product volt
.build/release/volt bench --op matmul "$@"
