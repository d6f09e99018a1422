import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
import GenSLM
import VoltApp
import Volt
import VoltData
import VoltNN
import VoltTensor

final class TuningWorkflowTests: XCTestCase {
    func tinyConfiguration(root: String) -> FineTuneConfiguration {
        var config = FineTuneConfiguration()
        config.data.path = FineTuneWorkflowTests.rabies
        config.data.numWorkers = 0
        config.data.maxLength = 64
        config.module.accumulationSteps = 2
        config.trainer.maxEpochs = 1
        config.trainer.defaultRootDir = root
        config.trainer.enableProgressBar = false
        config.trainer.limitTrainBatches = 16
        config.trainer.limitValBatches = 4
        config.trainer.numSanityValSteps = 0
        return config
    }

    func testLRFindOnTheGenSLMWorkflowWritesTheCurveAndThePlot() throws {
        let root = NSTemporaryDirectory() + "volt-lrfind-" + UUID().uuidString
        let (result, report) = try FineTuneRun(tinyConfiguration(root: root)).findLearningRate(
            minLR: 1e-6, maxLR: 1, numTraining: 24, outputDirectory: root + "/tuning")
        XCTAssertEqual(report.csv, root + "/tuning/lr_find.csv")
        XCTAssertEqual(result.points.count, report.steps)
        XCTAssertGreaterThan(report.steps, 12, "manual optimization with accumulation 2: one sweep step per optimizer step")
        let suggestion = try XCTUnwrap(report.suggestion)
        XCTAssertTrue((1e-6...1).contains(suggestion), "\(suggestion) \(result.points)")
        XCTAssertTrue(result.points.dropLast().allSatisfy { $0.rawLoss > 0 && $0.rawLoss.isFinite }, "\(result.points)")
        XCTAssertEqual(result.points[0].rawLoss, log(64), accuracy: 0.5, "an untrained model starts near ln(64 codons)")
        let csvLines = try String(contentsOfFile: report.csv, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(csvLines.count, report.steps + 1)
        XCTAssertTrue(FileManager.default.fileExists(atPath: report.plot))
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as? [String: Any]
        XCTAssertEqual(Set(json?.keys.map { $0 } ?? []), ["suggestion", "min_lr", "max_lr", "plot", "csv", "steps", "stopped_early"])
    }

    func testBatchSizeFinderPicksTheLargestSizeUnderASmallBudget() throws {
        let root = NSTemporaryDirectory() + "volt-bsfind-" + UUID().uuidString
        let run = FineTuneRun(tinyConfiguration(root: root))
        // The budget: between what batches of 4 and 8 measure, so the answer lies in 4..<8 and 8 is over it.
        let probe = try run.findBatchSize(maxMemoryBytes: 1 << 40, maxBatchSize: 8, steps: 1, warmup: 0, throughputTolerance: 1)
        let peak = Dictionary(uniqueKeysWithValues: probe.trials.map { ($0.batchSize, $0.peakBytes) })
        XCTAssertEqual(probe.trials.map(\.batchSize), [1, 2, 4, 8])
        XCTAssertLessThan(peak[1]!, peak[2]!)
        XCTAssertLessThan(peak[4]!, peak[8]!)
        let params = try GenSLMModule(hyperparameters: run.configuration.hyperparameters).model.parameterCount
        XCTAssertGreaterThan(peak[1]!, 4 * params * 4, "weights, gradients and both Adam moments are counted")

        let budget = (peak[4]! + peak[8]!) / 2
        let result = try run.findBatchSize(maxMemoryBytes: budget, steps: 1, warmup: 0, throughputTolerance: 1)
        let trials = Dictionary(result.trials.map { ($0.batchSize, $0) }, uniquingKeysWith: { a, _ in a })
        XCTAssertTrue((4..<8).contains(result.batchSize), "\(result)")
        XCTAssertLessThanOrEqual(trials[result.batchSize]!.peakBytes, budget)
        XCTAssertGreaterThan(try XCTUnwrap(trials[result.batchSize + 1]).peakBytes, budget, "the next size is over the budget")
        XCTAssertGreaterThan(try XCTUnwrap(trials[8]).peakBytes, budget, "the next power of two is over the budget")
        XCTAssertEqual(result.limitedBy, .memory)
        XCTAssertEqual(result.trials.prefix(4).map(\.batchSize), [1, 2, 4, 8])
    }

    func testBatchSizeSnippetLayersOverAConfiguration() throws {
        let root = NSTemporaryDirectory() + "volt-layers-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try "data: {batch_size: 1, max_length: 64}\ntrainer: {max_epochs: 2}\n".write(toFile: root + "/c.yaml", atomically: true, encoding: .utf8)
        try BatchSizeSnippet(batchSize: 12).write(to: root + "/batch_size.yaml")
        let c = try FineTuneConfiguration.load(paths: [root + "/c.yaml", root + "/batch_size.yaml"])
        XCTAssertEqual(c.data.batchSize, 12)
        XCTAssertEqual(c.data.maxLength, 64, "keys the later file does not set stay")
        XCTAssertEqual(c.trainer.maxEpochs, 2)
        try "data: {batch_sise: 3}\n".write(toFile: root + "/typo.yaml", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try FineTuneConfiguration.load(paths: [root + "/c.yaml", root + "/typo.yaml"])) {
            guard case .unknownKey(let file, let key, _)? = $0 as? ConfigurationError else { return XCTFail("\($0)") }
            XCTAssertEqual(file, root + "/typo.yaml:1", "the file that sets the key, with its line")
            XCTAssertEqual(key, "data.batch_sise")
        }
    }

    func testFitDrawsMetricsNextToTheCSV() throws {
        let root = NSTemporaryDirectory() + "volt-fitplot-" + UUID().uuidString
        var config = tinyConfiguration(root: root)
        config.trainer.logEveryNSteps = 1
        config.trainer.enableCheckpointing = false
        config.trainer.callbacks = [.lrMonitor(.init())]
        let summary = try FineTuneRun(config).fit()
        let svg = summary.logDirectory + "/metrics.svg"
        let parser = try XCTUnwrap(XMLParser(contentsOf: URL(fileURLWithPath: svg)))
        XCTAssertTrue(parser.parse(), "metrics.svg is well-formed")
        let text = try String(contentsOfFile: svg, encoding: .utf8)
        for entry in ["train_loss_step (mean per step)", "val_loss", "lr-Adam/pg1 (right axis)", "lr-Adam/pg2 (right axis)", "learning rate"] {
            XCTAssertTrue(text.contains(">\(entry)<"), "metrics.svg lacks \(entry)")
        }
    }
}
