import VoltCLI

// fit, validate, test and predict, configured by YAML and --section.key overrides:
//   swift run -c release __PROJECT_NAME__ fit --trainer.max_epochs 50 --module.lr 0.1
VoltCLI.main(module: Regression.self, data: LineData.self)
