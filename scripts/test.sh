#!/usr/bin/env bash
# The test command: installs what is missing, builds in release and runs the whole suite, then the
# data-parallel tests again as two MPI ranks, and the sharded ones as two and four.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --build-tests
swift test -c release --skip-build
mpirun_flags=(-np 2 --oversubscribe --bind-to none)
[ "$(id -u)" -ne 0 ] || mpirun_flags+=(--allow-run-as-root)
echo "Data-parallel tests on 2 MPI ranks:"
OMP_NUM_THREADS=1 mpirun "${mpirun_flags[@]}" .build/release/VoltPackageTests.xctest VoltTests.DistributedTests
echo "Sharded data parallelism (zero2, zero3) equals DDP, on 2 ranks bit for bit (zero3: without accumulation) and on 4 (oversubscribed, standing in for several nodes) to 1e-6; sharded checkpoints resume exactly:"
OMP_NUM_THREADS=1 mpirun "${mpirun_flags[@]}" .build/release/VoltPackageTests.xctest VoltTests.ShardingTests
OMP_NUM_THREADS=1 mpirun -np 4 "${mpirun_flags[@]:2}" .build/release/VoltPackageTests.xctest VoltTests.ShardingTests
echo "zero3 over a dense LLaMA text model equals DDP on 2 ranks, bit for bit; a mixture of experts is refused:"
OMP_NUM_THREADS=1 mpirun "${mpirun_flags[@]}" .build/release/VoltPackageTests.xctest TextLMTests.CausalLMShardingTests
echo "Launching: strategy auto with devices > 1 is DDP; a world size that disagrees with devices is an error:"
bash scripts/check_launch.sh
echo "Fault injection: a rank killed with SIGKILL ends the two-rank job within 60 s, leaves a valid last.h5, and the resumed run ends bit for bit where an uninterrupted one does:"
bash scripts/fault_injection.sh 1 60
echo "Templates: volt new writes them, and each fits (fast_dev_run), prints its configuration and tests a checkpoint:"
bash scripts/check_templates.sh
echo "Documentation: DocC builds every public target's catalog without warnings, and every public symbol has a doc comment:"
bash scripts/docs.sh
