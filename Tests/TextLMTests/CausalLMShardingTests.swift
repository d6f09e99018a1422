import Foundation
import XCTest
import LLaMA
import TextLM
import Volt
import VoltApp
import VoltTensor

/// ZeRO-3 over a dense LLaMA equals DDP: the decoder layers run through the strategy's layer runner, which
/// gathers each layer's parameters for its forward and backward passes and keeps only the owned ones at rest.
/// The test command runs this class under `mpirun -np 2`; in a plain `swift test` it is skipped.
final class CausalLMShardingTests: XCTestCase {
    override func setUpWithError() throws {
        guard let world = MPICommunicator.world, world.size >= 2 else {
            throw XCTSkip("needs 2 or more MPI ranks (run by scripts/test.sh under mpirun -np 2)")
        }
    }

    /// Full fine-tuning of the tiny preset for 3 batches of 4 per rank; the weights after it.
    func fit(strategy: StrategyKind, family: String = "llama") throws -> (weights: [Float], strategy: any Strategy) {
        let root = NSTemporaryDirectory() + "volt-textlm-zero3-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let text = """
            seed: 5
            model: {family: \(family), preset: tiny}
            module: {lr: 1.0e-2}
            data:
              path: \(TextFineTuneTests.templateData)/corpus.jsonl
              tokenizer: \(TextFineTuneTests.templateData)/tokenizer.json
              prompt_template: "{document}\\nSummary: "
              max_length: 64
              eos_token: "</s>"
              pad_token: "<pad>"
              split: [0.8, 0.2]
              batch_size: 4
            trainer:
              max_epochs: 1
              limit_train_batches: 3
              limit_val_batches: 0
              strategy: \(strategy.rawValue)
              default_root_dir: \(root)
              enable_progress_bar: false
              enable_checkpointing: false
              num_sanity_val_steps: 0
              loggers: []
            """
        let path = root + "/text.yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let configuration = try ConfigurationLoader.load(TextFineTuneConfiguration.self, paths: [path]).value
        let module = try configuration.makeModule()
        let trainer = try configuration.makeTrainer(callbacks: [])
        try trainer.fit(module, datamodule: try configuration.makeDataModule(for: module))
        return (module.model.parameters.flatMap(\.scalars), trainer.strategy)
    }

    func testZeroStageThreeGathersEachDecoderLayerAndEqualsDDP() throws {
        let ddp = try fit(strategy: .ddp)
        let zero3 = try fit(strategy: .zero3)
        let runner = try XCTUnwrap(zero3.strategy as? Zero3Strategy)
        // 2 layers, 3 steps: each layer gathered for its forward and again for its backward pass.
        XCTAssertGreaterThanOrEqual(runner.prefetchedLayerGathers + runner.blockingLayerGathers, 2 * 2 * 3,
                                    "the decoder layers ran through the layer runner")
        XCTAssertEqual(zero3.weights.count, ddp.weights.count)
        // On more ranks zero3's per-layer reduce-scatters group the gradients differently from DDP's buckets, so MPI
        // adds them in other orders, and AdamW at lr 1e-2 magnifies those last-bit differences (4 ranks: up to 2.6e-5
        // after 3 steps, while zero2 still equals DDP bit for bit there).
        guard runner.worldSize == 2 else { throw XCTSkip("the weights are compared bit for bit on 2 ranks") }
        XCTAssertEqual(zero3.weights, ddp.weights, "bitwise on 2 ranks (no accumulation)")
    }

    func testZeroStageThreeRefusesAMixtureOfExperts() throws {
        XCTAssertThrowsError(try fit(strategy: .zero3, family: "mixtral")) {
            XCTAssertTrue("\($0)".contains("mixtral"), "\($0)")
        }
    }
}
