import GenSLM
import VoltCLI

// fit, validate, test and predict from config.yaml, as `volt` runs them:
//   swift run -c release __PROJECT_NAME__ fit --config config.yaml --trainer.max_epochs 1
VoltCLI.main(module: GenSLMFineTuner.self, data: FASTADataModule.self)
