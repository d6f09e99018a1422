import VoltApp
import VoltCLI

// fit, validate, test and predict from config.yaml — the text layout `volt fit` reads with model.family: llama:
//   swift run -c release __PROJECT_NAME__ fit --config config.yaml --trainer.max_epochs 1
//   swift run -c release __PROJECT_NAME__ fit --config config.yaml --print-config    # every key with its default
VoltCLI.main(configuration: TextFineTuneConfiguration.self)
