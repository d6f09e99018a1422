import Foundation
import XCTest
import GenSLM
import VoltApp
import Volt
import VoltNN
import VoltTensor

/// Prompt tuning (peft's PromptTuningConfig for causal LMs): virtual tokens prepended to every sequence.
final class PromptTuningTests: XCTestCase {
    func model() throws -> GPTNeoX {
        try GPTNeoX(GPTNeoXConfiguration(hiddenSize: 16, layers: 2, heads: 2, intermediateSize: 32, maxPositions: 32,
                                         vocabSize: 69, hiddenDropout: 0, attentionDropout: 0), seed: 3)
    }

    func batch() -> TokenBatch {
        let ids: [Int32] = [5, 9, 12, 40, 33, 7, 21, 64, 6, 8, 19, 27]
        let inputs = Tensor(shape: [2, 6], indices: ids)
        return TokenBatch(inputIds: inputs, attentionMask: Tensor.ones([2, 6]), labels: Tensor(shape: [2, 6], indices: ids))
    }

    func testGradientReachesOnlyTheVirtualTokens() throws {
        let m = try model()
        try m.applyPromptTuning(PromptTuningConfiguration(numVirtualTokens: 4))
        XCTAssertEqual(m.namedParameters().map(\.0), ["prompt_embeddings"])
        XCTAssertEqual(m.promptEmbeddings?.shape, [4, 16])
        let b = batch()
        XCTAssertEqual(try m.logits(b.inputIds, attentionMask: b.attentionMask).shape, [2, 6, 69], "input positions only")
        try m.loss(b).backward()
        for (name, tensor) in m.namedTensors() where name != "prompt_embeddings" {
            XCTAssertNil(tensor.grad, "\(name) is frozen")
        }
        let grad = try XCTUnwrap(m.promptEmbeddings?.grad)
        XCTAssertTrue(grad.scalars.contains { $0 != 0 })

        // The gradient against central finite differences, element by element.
        let p = m.promptEmbeddings!, analytic = grad.scalars, eps: Float = 1e-2
        func loss() throws -> Double { try withNoGrad { Double(try m.loss(b).item()) } }
        for i in stride(from: 0, to: p.count, by: 5) {
            let saved = p.floatPointer[i]
            p.floatPointer[i] = saved + eps
            let plus = try loss()
            p.floatPointer[i] = saved - eps
            let minus = try loss()
            p.floatPointer[i] = saved
            let numeric = Float((plus - minus) / Double(2 * eps))
            XCTAssertEqual(analytic[i], numeric, accuracy: 1e-3 + 2e-2 * abs(numeric), "element \(i)")
        }
    }

    func testVirtualTokensStartFromCodonEmbeddingsAndPredictTheFirstToken() throws {
        let m = try model(), tokenizer = CodonTokenizer()
        try m.applyPromptTuning(PromptTuningConfiguration(numVirtualTokens: 5, initialization: .text, initText: "ATGGCT"))
        let ids = tokenizer.encode("ATGGCT")
        XCTAssertEqual(ids.count, 2)
        let table = m.gptNeox.embedIn.weight.scalars, rows = m.promptEmbeddings!.scalars
        for (row, id) in [ids[0], ids[1], ids[0], ids[1], ids[0]].enumerated() {
            XCTAssertEqual(Array(rows[(row * 16)..<(row * 16 + 16)]), Array(table[(Int(id) * 16)..<(Int(id) * 16 + 16)]))
        }
        // Only the first input token is a target: it is predicted by the last virtual token, as with peft's labels.
        var b = batch()
        var labels = [Int32](repeating: TokenBatch.ignoreIndex, count: 12)
        labels[0] = 5
        b = TokenBatch(inputIds: b.inputIds, attentionMask: b.attentionMask, labels: Tensor(shape: [2, 6], indices: labels))
        let loss = try m.loss(b).item()
        XCTAssertTrue(loss.isFinite && loss > 0)

        XCTAssertThrowsError(try m.applyPromptTuning(PromptTuningConfiguration(numVirtualTokens: 2)), "applied twice")
        XCTAssertThrowsError(try model().applyPromptTuning(PromptTuningConfiguration(numVirtualTokens: 2, initialization: .text)))
        XCTAssertThrowsError(try model().applyPromptTuning(PromptTuningConfiguration(numVirtualTokens: 0)))
        var cache = KeyValueCache(for: m, capacity: 8)
        XCTAssertThrowsError(try m.nextTokenLogits(5, cache: &cache))
    }

    func testPromptTuningFitFromYAMLCheckpointsOnlyTheVirtualTokens() throws {
        let path = NSTemporaryDirectory() + "volt-prompt-\(UUID().uuidString).yaml"
        try "peft: {type: prompt_tuning, num_virtual_tokens: 4, prompt_tuning_init: TEXT, prompt_tuning_init_text: ATGAAACCC}\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        var c = try FineTuneConfiguration.load(path: path)
        XCTAssertEqual(c.hyperparameters.promptTuning, PromptTuningConfiguration(numVirtualTokens: 4, initialization: .text, initText: "ATGAAACCC"))
        XCTAssertThrowsError(try FineTuneConfiguration.load(path: path, overrides: [("peft.r", "8")]), "a LoRA key under prompt_tuning")

        let root = NSTemporaryDirectory() + "volt-prompt-" + UUID().uuidString
        c.data.path = FineTuneWorkflowTests.rabies
        c.data.numWorkers = 1
        c.data.maxLength = 48
        c.module.lr = 1e-2
        c.trainer.maxEpochs = 1
        c.trainer.defaultRootDir = root
        c.trainer.enableProgressBar = false
        c.trainer.limitTrainBatches = 20
        c.trainer.limitValBatches = 2
        c.trainer.numSanityValSteps = 0
        c.trainer.loggers = []
        var last = ModelCheckpointConfiguration()
        last.dirpath = root + "/checkpoints"
        last.saveTopK = 0
        last.saveLast = true
        c.trainer.callbacks = [.modelCheckpoint(last)]
        XCTAssertEqual(try FineTuneRun(c).fit().globalStep, 2)
        let checkpoint = try Checkpoint.read(from: root + "/checkpoints/last.h5")
        XCTAssertEqual(checkpoint.stateDict.map(\.name), ["prompt_embeddings"])
        let module = try GenSLMModule.load(from: root + "/checkpoints/last.h5")
        XCTAssertEqual(module.model.promptEmbeddings?.scalars, checkpoint.stateDict[0].tensor.scalars)
        XCTAssertEqual(module.base, .random(preset: "genslm-tiny", seed: 42))
    }
}
