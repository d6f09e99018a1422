import LLaMA
import VoltNN
import VoltTensor
import XCTest

final class LlamaModelTests: XCTestCase {
    let base = LlamaConfiguration(vocabSize: 50, hiddenSize: 32, intermediateSize: 48, layers: 2, heads: 4, kvHeads: 2,
                                  maxPositions: 32)

    func testParameterNamesAreTransformersStateDictKeys() throws {
        let dense = try LlamaForCausalLM(base)
        let names = Set(dense.namedParameters().map(\.0))
        for key in ["model.embed_tokens.weight", "model.layers.1.self_attn.k_proj.weight", "model.layers.0.mlp.gate_proj.weight",
                    "model.layers.0.input_layernorm.weight", "model.layers.0.post_attention_layernorm.weight",
                    "model.norm.weight", "lm_head.weight"] {
            XCTAssertTrue(names.contains(key), key)
        }
        XCTAssertEqual(dense.stateDict()["model.layers.0.self_attn.k_proj.weight"]?.shape, [16, 32])
        var tied = base
        tied.tieWordEmbeddings = true
        XCTAssertFalse(try LlamaForCausalLM(tied).namedParameters().contains { $0.0 == "lm_head.weight" })
        let moe = try MixtralForCausalLM(base.mixtral(experts: 3))
        XCTAssertEqual(moe.stateDict()["model.layers.0.mlp.experts.gate_up_proj"]?.shape, [3, 96, 32])
        XCTAssertEqual(moe.stateDict()["model.layers.0.mlp.experts.down_proj"]?.shape, [3, 32, 48])
        XCTAssertEqual(moe.stateDict()["model.layers.0.mlp.gate.weight"]?.shape, [3, 32])
    }

    /// Token by token through the cache gives the rows of one full forward pass.
    func testKeyValueCacheMatchesFullForwardForDenseAndMixture() throws {
        for configuration in [base, base.mixtral(experts: 4)] {
            let model = try LlamaForCausalLM(configuration, seed: 3)
            let ids: [Int32] = [4, 9, 1, 33, 7, 12]
            let full = try model.logits(Tensor(shape: [1, 6], indices: ids)).scalars
            var cache = LlamaKeyValueCache(for: model, capacity: 8)
            var cached = try model.logits(Tensor(shape: [1, 2], indices: Array(ids[0..<2])), cache: &cache).scalars
            for id in ids[2...] { cached += try model.logits(Tensor(shape: [1, 1], indices: [id]), cache: &cache).scalars }
            XCTAssertEqual(cache.count, 6)
            XCTAssertLessThan(zip(full, cached).map { abs($0 - $1) }.max()!, 1e-5)
            XCTAssertThrowsError(try model.logits(Tensor(shape: [1, 3], indices: [1, 2, 3]), cache: &cache))
        }
    }

    func testMixtralLossAddsWeightedAuxLossOnlyWithRouterLogits() throws {
        let model = try MixtralForCausalLM(base.mixtral(experts: 4, auxLossCoefficient: 0.5))
        let ids = Tensor(shape: [1, 5], indices: [1, 2, 3, 4, 5])
        let with = try model.forward(ids, labels: ids)
        let without = try model.forward(ids, labels: ids, outputRouterLogits: false)
        XCTAssertNil(without.auxLoss)
        XCTAssertEqual(with.routerLogits.map(\.shape), [[5, 4], [5, 4]])
        XCTAssertEqual(with.loss!.item(), without.loss!.item() + 0.5 * with.auxLoss!.item(), accuracy: 1e-5)
        XCTAssertGreaterThanOrEqual(with.auxLoss!.item(), 0.99)  // experts · Σ f·P ≥ 1 with equality when balanced
    }

    func testTrainingStepLowersTheLoss() throws {
        let model = try LlamaForCausalLM(base.mixtral(experts: 2, perToken: 1), seed: 1)
        let ids = Tensor(shape: [2, 6], indices: [1, 2, 3, 4, 5, 6, 6, 5, 4, 3, 2, 1])
        let optimizer = Adam(model.parameters, lr: 1e-2)
        let first = try model.loss(inputIds: ids, labels: ids)
        first.backward()
        optimizer.step()
        XCTAssertLessThan(try model.loss(inputIds: ids, labels: ids).item(), first.item())
    }
}
