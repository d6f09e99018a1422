import XCTest
import VoltNN
import VoltTensor

/// A two-layer block named like GPT-NeoX's attention, for attaching adapters by name.
final class TinyBlock: Module {
    let queryKeyValue: Linear
    let dense: Linear
    let head: Linear
    init(seed: UInt64 = 1) {
        var g = RandomGenerator(seed: seed)
        queryKeyValue = Linear(6, 12, std: 0.5, generator: &g)
        dense = Linear(12, 6, std: 0.5, generator: &g)
        head = Linear(6, 5, bias: false, std: 0.5, generator: &g)
        super.init()
    }
    func callAsFunction(_ x: Tensor) -> Tensor { head(dense(queryKeyValue(x).gelu(approximation: .tanh))) }
}

final class LoRATests: XCTestCase {
    func input(_ shape: [Int] = [2, 3, 6], seed: UInt64 = 7) -> Tensor {
        var g = RandomGenerator(seed: seed)
        return Tensor.randn(shape, generator: &g)
    }

    /// B starts at zero: the adapted model computes exactly what the base computed.
    func testStepZeroEqualsTheBaseModelAndOnlyAdaptersTrain() throws {
        let block = TinyBlock(), x = input()
        let before = block(x).scalars
        let adapted = try block.applyLoRA(LoRAConfiguration(r: 4, alpha: 16, targetModules: .names(["query_key_value", "dense"])))
        XCTAssertEqual(adapted, ["query_key_value", "dense"])
        XCTAssertEqual(block(x).scalars, before, "step 0 equals the base model bit for bit")
        XCTAssertEqual(block.namedParameters().map(\.0), ["query_key_value.lora_A.weight", "query_key_value.lora_B.weight",
                                                          "dense.lora_A.weight", "dense.lora_B.weight"])
        XCTAssertEqual(block.queryKeyValue.loraA!.weight.shape, [4, 6])
        XCTAssertEqual(block.queryKeyValue.loraB!.weight.shape, [12, 4])
        XCTAssertTrue(block.queryKeyValue.loraB!.weight.scalars.allSatisfy { $0 == 0 })
        let bound = 1 / Float(6).squareRoot()
        let a = block.queryKeyValue.loraA!.weight.scalars
        XCTAssertTrue(a.allSatisfy { abs($0) <= bound }, "Kaiming-uniform with a = √5 is U(−1/√in, 1/√in)")
        XCTAssertGreaterThan(a.map(abs).max()!, 0.8 * bound)

        block(x).sum().backward()
        for (name, tensor) in block.namedTensors() where !name.contains("lora_") {
            XCTAssertNil(tensor.grad, "\(name) is frozen: no gradient buffer")
        }
        XCTAssertNotNil(block.queryKeyValue.loraB!.weight.grad)
        let optimizer = Adam(ParameterGroup.decayAndNoDecay(block, learningRate: 1e-2, weightDecay: 0.1))
        XCTAssertEqual(Set(optimizer.namedParameters.map(\.0)), Set(block.namedParameters().map(\.0)),
                       "the optimizer holds only the adapters")
        optimizer.step()
        XCTAssertEqual(Set(optimizer.state().tensors.keys), Set(block.namedParameters().map(\.0)), "state only for adapters")
    }

    /// The adapted layer's gradients (x, A, B) against central finite differences of y = x·Wᵀ + b + s·(x·Aᵀ)·Bᵀ.
    func testLoRAForwardAndGradientMatchFiniteDifferences() throws {
        let block = TinyBlock()
        try block.applyLoRA(LoRAConfiguration(r: 3, alpha: 6, targetModules: .names(["query_key_value"])))
        let layer = block.queryKeyValue
        var g = RandomGenerator(seed: 5)
        layer.loraB!.weight.assign(Tensor.randn([12, 3], std: 0.5, generator: &g))
        let x = input([4, 6])
        x.requiresGrad = true

        // Forward against the definition.
        let y = layer(x).scalars
        let xs = x.scalars, w = layer.weight.scalars, bias = layer.bias!.scalars
        let a = layer.loraA!.weight.scalars, b = layer.loraB!.weight.scalars
        for row in 0..<4 {
            let ax = (0..<3).map { k in (0..<6).reduce(Float(0)) { $0 + a[k * 6 + $1] * xs[row * 6 + $1] } }
            for o in 0..<12 {
                let base = (0..<6).reduce(bias[o]) { $0 + xs[row * 6 + $1] * w[o * 6 + $1] }
                let update = (0..<3).reduce(Float(0)) { $0 + b[o * 3 + $1] * ax[$1] } * 2
                XCTAssertEqual(y[row * 12 + o], base + update, accuracy: 1e-4)
            }
        }

        // Gradients of Σ y ⊙ r.
        let r = Tensor.uniform([4, 12], low: -1, high: 1, generator: &g)
        (layer(x) * r).sum().backward()
        func objective() -> Double { withNoGrad { Double((layer(x) * r).sum().item()) } }
        for (label, tensor) in [("x", x), ("lora_A", layer.loraA!.weight), ("lora_B", layer.loraB!.weight)] {
            let analytic = tensor.grad!.scalars, p = tensor.floatPointer, eps: Float = 1e-2
            for i in 0..<tensor.count {
                let saved = p[i]
                p[i] = saved + eps
                let plus = objective()
                p[i] = saved - eps
                let minus = objective()
                p[i] = saved
                let numeric = Float((plus - minus) / Double(2 * eps))
                XCTAssertEqual(analytic[i], numeric, accuracy: 2e-3 + 2e-2 * abs(numeric), "\(label)[\(i)]")
            }
        }
        XCTAssertNil(layer.weight.grad)
    }

    func testMergedLogitsEqualUnmergedAndUnmergeRestoresTheBase() throws {
        let block = TinyBlock(), x = input()
        let base = block.queryKeyValue.weight.scalars
        try block.applyLoRA(LoRAConfiguration(r: 4, alpha: 32, targetModules: .pattern(#"(query_key_value|dense)"#)))
        var g = RandomGenerator(seed: 9)
        for (_, layer) in block.loraLayers() { layer.loraB!.weight.assign(Tensor.randn(layer.loraB!.weight.shape, generator: &g)) }
        let unmerged = block(x).scalars
        XCTAssertNotEqual(unmerged, TinyBlock()(x).scalars, "a non-zero B changes the output")
        block.mergeLoRA()
        XCTAssertNotEqual(block.queryKeyValue.weight.scalars, base)
        let merged = block(x).scalars
        for (m, u) in zip(merged, unmerged) { XCTAssertEqual(m, u, accuracy: 1e-4 * max(1, abs(u))) }
        block.mergeLoRA()  // merging twice changes nothing
        XCTAssertEqual(block(x).scalars, merged)
        block.unmergeLoRA()
        for (w, b) in zip(block.queryKeyValue.weight.scalars, base) { XCTAssertEqual(w, b, accuracy: 1e-5) }
        for (v, u) in zip(block(x).scalars, unmerged) { XCTAssertEqual(v, u, accuracy: 1e-4 * max(1, abs(u))) }
    }

    func testScalingBiasModulesToSaveAndErrors() throws {
        XCTAssertEqual(LoRAConfiguration(r: 8, alpha: 32).scaling, 4)
        XCTAssertEqual(LoRAConfiguration(r: 16, alpha: 32, useRSLoRA: true).scaling, 8, "rsLoRA: alpha / √r")

        let all = TinyBlock()
        try all.applyLoRA(LoRAConfiguration(r: 2, alpha: 2, targetModules: .names(["dense"]), bias: .all, modulesToSave: ["head"]))
        XCTAssertEqual(Set(all.namedParameters().map(\.0)), ["query_key_value.bias", "dense.bias", "dense.lora_A.weight",
                                                             "dense.lora_B.weight", "head.weight"])
        let loraOnly = TinyBlock()
        try loraOnly.applyLoRA(LoRAConfiguration(r: 2, alpha: 2, targetModules: .names(["dense"]), bias: .loraOnly))
        XCTAssertEqual(Set(loraOnly.namedParameters().map(\.0)), ["dense.bias", "dense.lora_A.weight", "dense.lora_B.weight"])

        XCTAssertThrowsError(try TinyBlock().applyLoRA(LoRAConfiguration(r: 2, alpha: 2, targetModules: .names(["mlp"])))) {
            XCTAssertEqual($0 as? LoRAError, .noTargetModules("names([\"mlp\"])"))
        }
        XCTAssertThrowsError(try TinyBlock().applyLoRA(LoRAConfiguration(r: 2, alpha: 2, targetModules: .names(["dense"]),
                                                                         modulesToSave: ["lm_head"]))) {
            XCTAssertEqual($0 as? LoRAError, .noModuleToSave("lm_head"))
        }
        XCTAssertThrowsError(try TinyBlock().applyLoRA(LoRAConfiguration(r: 0, alpha: 2)))
        XCTAssertThrowsError(try TinyBlock().applyLoRA(LoRAConfiguration(r: 2, alpha: 2, targetModules: .pattern("(["))))
        let twice = TinyBlock()
        try twice.applyLoRA(LoRAConfiguration(r: 2, alpha: 2, targetModules: .names(["dense"])))
        XCTAssertThrowsError(try twice.applyLoRA(LoRAConfiguration(r: 2, alpha: 2, targetModules: .names(["dense"]))))
    }

    func testConfigurationDecodesPEFTKeysAndPatterns() throws {
        let json = #"{"r": 4, "alpha": 8, "dropout": 0.1, "target_modules": ".*dense", "bias": "lora_only", "use_rslora": true}"#
        let c = try JSONDecoder().decode(LoRAConfiguration.self, from: Data(json.utf8))
        XCTAssertEqual(c.targetModules, .pattern(".*dense"))
        XCTAssertEqual(c.bias, .loraOnly)
        XCTAssertTrue(c.targetModules.matches("gpt_neox.layers.0.attention.dense"))
        XCTAssertFalse(c.targetModules.matches("gpt_neox.layers.0.attention.dense.lora_A"))
        XCTAssertTrue(TargetModules.names(["dense"]).matches("layers.1.attention.dense"))
        XCTAssertFalse(TargetModules.names(["dense"]).matches("layers.1.attention.xdense"))
        let back = try JSONDecoder().decode(LoRAConfiguration.self, from: JSONEncoder().encode(c))
        XCTAssertEqual(back, c)
    }

    /// In a bf16 run the frozen base weights are held in bfloat16; the adapters stay float32 and still train.
    func testFrozenWeightsCanBeStoredInBFloat16() throws {
        let block = TinyBlock(), x = input()
        try block.applyLoRA(LoRAConfiguration(r: 2, alpha: 4, targetModules: .names(["dense"])))
        let reference = block(x).scalars
        XCTAssertEqual(block.storeFrozenWeights(as: .bfloat16), 3)
        XCTAssertEqual(block.dense.weight.dtype, .bfloat16)
        XCTAssertEqual(block.dense.loraA!.weight.dtype, .float32)
        let y = withAutocast(.bfloat16) { block(x) }
        for (a, b) in zip(y.scalars, reference) { XCTAssertEqual(a, b, accuracy: 0.05 * max(1, abs(b))) }
        y.sum().backward()
        XCTAssertNotNil(block.dense.loraB!.weight.grad)
        XCTAssertNil(block.dense.weight.grad)
    }
}
