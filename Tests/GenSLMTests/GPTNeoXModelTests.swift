import Foundation
import XCTest
import GenSLM
import VoltNN
import VoltTensor

final class GPTNeoXModelTests: XCTestCase {
    func testPresetParameterCountsMatchGenSLMsPublishedModels() throws {
        // GenSLM names its config files by parameter count: neox_25,290,752.json and neox_2,533,931,008.json.
        XCTAssertEqual(GenSLMPreset.m25.configuration.parameterCount, 25_290_752)
        XCTAssertEqual(GenSLMPreset.b2_5.configuration.parameterCount, 2_533_931_008)
        // neox_244,464,576.json's own sizes (1840/12/16/2048, vocab 69) give this count; the file name's differs.
        XCTAssertEqual(GenSLMPreset.m250.configuration.parameterCount, 253_429_376)
        XCTAssertEqual(GenSLMPreset.b2_5.configuration.parameterShapes.count, 1 + 28 * 12 + 3)
        XCTAssertThrowsError(try GenSLMPreset.named("genslm-25b"))
        XCTAssertEqual(try GenSLMPreset.named("GenSLM-25M"), .m25)
    }

    func testModelTensorsAreNamedAndShapedAsTransformersStateDict() throws {
        let config = GenSLMPreset.tiny.configuration
        let model = try GPTNeoX(config)
        let names = model.namedTensors().map { "\($0.0) \($0.1.shape)" }
        XCTAssertEqual(names, config.parameterShapes.map { "\($0.name) \($0.shape)" })
        XCTAssertEqual(model.parameterCount, config.parameterCount)
        XCTAssertEqual(config.rotaryDims, 8, "25 % of the 32 dimensions of each head")
    }

    func tinyBatch(seq: Int = 12, padLast: Int = 3) -> TokenBatch {
        var gen = RandomGenerator(seed: 3)
        let ids = (0..<(2 * seq)).map { _ in Int32(5 + gen.nextInt(below: 64)) }
        var mask = [Float](repeating: 1, count: 2 * seq)
        var labels = ids
        for t in (seq - padLast)..<seq { mask[seq + t] = 0; labels[seq + t] = TokenBatch.ignoreIndex }
        return TokenBatch(inputIds: Tensor(shape: [2, seq], indices: ids), attentionMask: Tensor(shape: [2, seq], scalars: mask),
                          labels: Tensor(shape: [2, seq], indices: labels))
    }

    func testInitialLossIsNearUniformAndLogitsHaveVocabularyWidth() throws {
        let model = try GPTNeoX(GenSLMPreset.tiny.configuration, seed: 1)
        model.eval()
        let batch = tinyBatch()
        XCTAssertEqual(try model.logits(batch.inputIds).shape, [2, 12, 69])
        let loss = try model.loss(batch).item()
        XCTAssertEqual(Double(loss), Foundation.log(69.0), accuracy: 0.1, "small initial weights predict ~uniformly")
    }

    func testGradientCheckpointingLeavesGradientsUnchanged() throws {
        let model = try GPTNeoX(GenSLMPreset.tiny.configuration, seed: 2)
        let batch = tinyBatch()
        model.randomStream.generator = RandomGenerator(seed: 5)
        try model.loss(batch).backward()
        let plain = model.parameters.map { $0.grad!.scalars }
        for p in model.parameters { p.grad = nil }
        model.gradientCheckpointing = true
        model.randomStream.generator = RandomGenerator(seed: 5)
        try model.loss(batch).backward()
        let recomputed = model.parameters.map { $0.grad!.scalars }
        XCTAssertEqual(plain, recomputed)
    }

    /// Under fp16 and bf16 autocast too: the replay rounds activations exactly as the forward pass did.
    func testGradientCheckpointingLeavesMixedPrecisionGradientsUnchanged() throws {
        for autocast in [Autocast.float16, Autocast.bfloat16] {
            let model = try GPTNeoX(GenSLMPreset.tiny.configuration, seed: 2)
            let batch = tinyBatch()
            func gradients(checkpointing: Bool) throws -> [[Float]] {
                for p in model.parameters { p.grad = nil }
                model.gradientCheckpointing = checkpointing
                model.randomStream.generator = RandomGenerator(seed: 5)
                try withAutocast(autocast) { try model.loss(batch).backward() }
                return model.parameters.map { $0.grad!.scalars }
            }
            XCTAssertEqual(try gradients(checkpointing: false), try gradients(checkpointing: true), "\(autocast.storage)")
        }
    }

    func testSequencesLongerThanThePositionsAreRejected() throws {
        let model = try GPTNeoX(GenSLMPreset.tiny.configuration)
        let ids = Tensor(shape: [1, 513], indices: [Int32](repeating: 5, count: 513))
        XCTAssertThrowsError(try model.logits(ids)) {
            XCTAssertEqual($0 as? GPTNeoXError, .sequenceTooLong(length: 513, maximum: 512))
        }
    }

    func testTrainingStepsReduceTheLossOnAFixedBatch() throws {
        let model = try GPTNeoX(GenSLMPreset.tiny.configuration, seed: 4)
        let optimizer = AdamW(ParameterGroup.decayAndNoDecay(model, learningRate: 3e-3, weightDecay: 0.01))
        let batch = tinyBatch()
        model.eval()  // no dropout: the loss on one batch must fall
        let first = try model.loss(batch)
        first.backward()
        optimizer.step()
        optimizer.zeroGrad()
        var last = first.item()
        for _ in 0..<20 {
            let loss = try model.loss(batch)
            loss.backward()
            optimizer.step()
            optimizer.zeroGrad()
            last = loss.item()
        }
        XCTAssertLessThan(last, first.item() - 1.0)
    }
}
