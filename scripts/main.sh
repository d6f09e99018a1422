#!/usr/bin/env bash
# The main job: installs what is missing, builds in release, fine-tunes GenSLM on the embedded rabies FASTA with
# the default configuration (configs/rabies.yaml: 80/20 split, batch 1, accumulation 10,
# Adam 1e-5, 3 epochs, fp16, DDP on 2 MPI ranks), prints the best checkpoint and its validation loss, and
# evaluates that checkpoint on the whole file. Extra arguments are config overrides (--trainer.max_epochs 1).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product volt
volt=.build/release/volt
fasta=/usr/share/doc/beast-mcmc/examples/DiscreteTraits/phylogeneticGLM/batRABV.fas.gz
"$volt" data stats "$fasta"
summary=$("$volt" fit --config configs/rabies.yaml --json "$@" | tail -n 1)
best=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["bestModelPath"])' "$summary")
score=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["bestModelScore"])' "$summary")
echo "best checkpoint: $best"
echo "val_loss: $score"
"$volt" eval --ckpt "$best" --fasta "$fasta" --json
