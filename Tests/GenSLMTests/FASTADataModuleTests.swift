import Foundation
import XCTest
import GenSLM
import VoltApp
import Volt
import VoltData

final class FASTADataModuleTests: XCTestCase {
    static let rabies = "/usr/share/doc/beast-mcmc/examples/DiscreteTraits/phylogeneticGLM/batRABV.fas.gz"

    func testThreeFractionsGiveADisjointTestSplitThatTestRunsOn() throws {
        let data = FASTADataModule(path: Self.rabies, split: [0.8, 0.1, 0.1], seed: 42, batchSize: 4, maxPositions: 128)
        try data.setup(stage: .training)
        XCTAssertEqual(data.splits.map(\.count), [298, 37, 37], "torch's random_split lengths: ⌊297.6⌋+1, ⌊37.2⌋, ⌊37.2⌋")
        let sets = data.splits.map { Set($0.indices) }
        XCTAssertTrue(sets[0].isDisjoint(with: sets[1]) && sets[0].isDisjoint(with: sets[2]) && sets[1].isDisjoint(with: sets[2]))
        XCTAssertEqual(sets[0].union(sets[1]).union(sets[2]), Set(0..<372))

        let module = try GenSLMModule(hyperparameters: { var h = GenSLMModule.Hyperparameters(); h.model.dropout = 0; return h }())
        let trainer = try Trainer(enableProgressBar: false, enableCheckpointing: false, loggers: [])
        let tested = try trainer.test(module, datamodule: data)
        let direct = try trainer.test(module, test: data.dataset!.loader(data.splits[2], batchSize: 4))
        XCTAssertEqual(tested["test_loss"], direct["test_loss"], "test runs on the third split")
        let validated = try trainer.validate(module, datamodule: data)
        XCTAssertNotEqual(validated["val_loss"], tested["test_loss"], "and validation on the second")
    }

    func testTwoFractionsKeepTrainAndValidationOnly() throws {
        let data = FASTADataModule(path: Self.rabies, split: [0.8, 0.2], seed: 42, maxPositions: 128)
        try data.setup(stage: .training)
        XCTAssertEqual(data.splits.map(\.count), [298, 74])
        XCTAssertThrowsError(try data.testLoader()) { XCTAssertEqual($0 as? FASTADataModuleError, .noTestSplit([0.8, 0.2])) }
        XCTAssertNotNil(try data.valLoader())
        let module = try GenSLMModule(hyperparameters: .init())
        let trainer = try Trainer(enableProgressBar: false, enableCheckpointing: false, loggers: [])
        XCTAssertThrowsError(try trainer.test(module, datamodule: data)) { XCTAssertTrue("\($0)".contains("data.split [0.8, 0.2] has no test part"), "\($0)") }
    }

    func testSplitsThatDoNotAddUpAreRejectedWithTheKey() throws {
        for split in [[0.5, 0.2], [0.8, 0.1, 0.05, 0.05], [1.2, -0.2], [1.0]] {
            let data = FASTADataModule(path: Self.rabies, split: split, maxPositions: 128)
            XCTAssertThrowsError(try data.setup(stage: .training)) {
                XCTAssertEqual($0 as? FASTADataModuleError, .invalidSplit(split))
                XCTAssertTrue("\($0)".hasPrefix("data.split must be"), "\($0)")
            }
        }
    }

    func testTheWorkflowFitsThroughTheDataModule() throws {
        var configuration = FineTuneConfiguration()
        configuration.data.split = [0.8, 0.1, 0.1]
        configuration.data.maxLength = 64
        configuration.trainer.maxEpochs = 1
        configuration.trainer.limitTrainBatches = .count(4)
        configuration.trainer.limitValBatches = .count(2)
        configuration.trainer.enableProgressBar = false
        configuration.trainer.loggers = []
        configuration.module.accumulationSteps = 2
        configuration.trainer.defaultRootDir = NSTemporaryDirectory() + "volt-fasta-dm-\(UUID().uuidString)"
        let summary = try FineTuneRun(configuration).fit()
        XCTAssertEqual(summary.globalStep, 2)
        XCTAssertFalse(summary.bestModelPath.isEmpty)
    }
}
