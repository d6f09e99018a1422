#!/usr/bin/env bash
# `volt new` for each template: the project it writes holds the template's files (name filled in), and the
# template's program — built with the package as TemplateMinimal / TemplateGenSLMFinetune / TemplateTextSummarization, so CI compiles Volt
# once — runs `fit` with fast_dev_run, prints its configuration, and tests a checkpoint.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bin=$root/.build/release
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
for template in minimal genslm-finetune text-summarization; do
    "$bin/volt" new "demo-$template" --template "$template" > /dev/null
    for file in $(cd "$root/Templates/$template" && find . -type f); do
        target="demo-$template/${file//__PROJECT_NAME__/demo-$template}"
        sed -e "s|__PROJECT_NAME__|demo-$template|g" -e "s|__VOLT_PATH__|$root|g" "$root/Templates/$template/$file" | cmp -s - "$target" \
            || { echo "volt new $template: $target differs from the template"; exit 1; }
    done
done
echo "volt new writes each template's files"

cd "$work/demo-minimal"
"$bin/TemplateMinimal" fit --trainer.fast_dev_run true | grep -q "best checkpoint"
"$bin/TemplateMinimal" fit --trainer.max_epochs 2 --trainer.enable_progress_bar false --print-config > resolved.yaml
"$bin/TemplateMinimal" fit --config resolved.yaml > fit.txt
checkpoint=$(sed -n 's/^best checkpoint: //p' fit.txt)
"$bin/TemplateMinimal" test --config resolved.yaml --ckpt-path "$checkpoint" | grep -q "test_loss"
echo "minimal: fit (fast_dev_run), --print-config rerun, test on the checkpoint"

cd "$work/demo-genslm-finetune"
"$bin/TemplateGenSLMFinetune" fit --config config.yaml --trainer.fast_dev_run true --trainer.strategy single --trainer.devices 1 \
    | grep -q "best checkpoint"
echo "genslm-finetune: fit --config config.yaml --trainer.fast_dev_run true"

cd "$work/demo-text-summarization"
"$bin/TemplateTextSummarization" fit --config config.yaml --trainer.fast_dev_run true | grep -q "best checkpoint"
"$bin/TemplateTextSummarization" fit --config config.yaml --print-config > resolved.yaml
"$bin/volt" fit --config resolved.yaml --trainer.fast_dev_run true --json | grep -q "bestModelPath"
echo "text-summarization: fit --config config.yaml --trainer.fast_dev_run true, and volt fit on its printed configuration"
