import Foundation
import XCTest
import GenSLM
import VoltApp
import Volt
import VoltData
import VoltNN
import VoltTensor

final class FineTuneWorkflowTests: XCTestCase {
    static let rabies = "/usr/share/doc/beast-mcmc/examples/DiscreteTraits/phylogeneticGLM/batRABV.fas.gz"

    func testGenSLMWorkflowSavesBestAndRestoresTheSameValidationLoss() throws {
        let root = NSTemporaryDirectory() + "volt-genslm-" + UUID().uuidString
        var config = FineTuneConfiguration()
        config.data.path = Self.rabies
        config.data.numWorkers = 1
        config.data.maxLength = 64  // short windows keep the test fast; the workflow is the same
        config.trainer.maxEpochs = 2
        config.trainer.defaultRootDir = root
        config.trainer.enableProgressBar = false
        config.trainer.limitTrainBatches = 32
        config.trainer.limitValBatches = 12
        config.trainer.loggers = [.csv]
        var mc = ModelCheckpointConfiguration()
        mc.dirpath = root + "/checkpoints"
        mc.filename = "rabies-{epoch:02d}-{val_loss:.2f}"
        mc.monitor = "val_loss"
        config.trainer.callbacks = [.modelCheckpoint(mc)]
        let summary = try FineTuneRun(config).fit()
        XCTAssertEqual(summary.globalStep, 2 * 4, "32 batches with accumulation 10: steps after 10, 20, 30 and the last batch")
        let name = (summary.bestModelPath as NSString).lastPathComponent
        XCTAssertNotNil(name.range(of: #"^rabies-epoch=0[01]-val_loss=\d+\.\d\d\.h5$"#, options: .regularExpression), name)
        let files = try FileManager.default.contentsOfDirectory(atPath: root + "/checkpoints")
        XCTAssertEqual(files.count, 1, "top-1 keeps one file: \(files)")

        // Restore the best checkpoint and validate on the same split: the same loss.
        let restored = try GenSLMModule.load(from: summary.bestModelPath)
        let run = FineTuneRun(config)
        let (dataset, _, val) = try run.makeData(maxPositions: restored.model.configuration.maxPositionEmbeddings)
        let trainer = try Trainer(limitValBatches: 12, enableProgressBar: false, enableCheckpointing: false, loggers: [])
        let metrics = try trainer.validate(restored, val: dataset.loader(val!, batchSize: 1))
        XCTAssertEqual(metrics["val_loss"]!, summary.bestModelScore!, accuracy: 1e-6)
    }
}
