import XCTest
import VoltNN
import VoltTensor

final class Block: Module {
    let queryKeyValue: Linear
    let norms: [LayerNorm]
    let _cache = Tensor.zeros([2])
    init(generator: inout RandomGenerator) {
        queryKeyValue = Linear(3, 6, generator: &generator)
        norms = [LayerNorm(6), LayerNorm(6)]
        super.init()
    }
}

final class ModuleTests: XCTestCase {
    func testNamesFollowPropertiesInSnakeCaseWithIndexedArrays() {
        var gen = RandomGenerator(seed: 1)
        let block = Block(generator: &gen)
        XCTAssertEqual(block.namedParameters().map(\.0), [
            "query_key_value.weight", "query_key_value.bias",
            "norms.0.weight", "norms.0.bias", "norms.1.weight", "norms.1.bias",
        ])
        XCTAssertEqual(block.parameterCount, 18 + 6 + 4 * 6)
        XCTAssertNil(block.stateDict()["_cache"], "underscored tensors are caches, not state")
    }

    func testLoadStateDictChecksKeysAndShapesBeforeWriting() throws {
        var gen = RandomGenerator(seed: 1)
        let block = Block(generator: &gen)
        var state = block.stateDict().mapValues { $0.clone() }
        state["norms.1.bias"] = Tensor.full([6], value: 7)
        try block.load(stateDict: state)
        XCTAssertEqual(block.norms[1].bias.scalars, [Float](repeating: 7, count: 6))

        var wrongShape = state
        wrongShape["norms.0.weight"] = Tensor.zeros([5])
        wrongShape["norms.1.bias"] = Tensor.zeros([6])
        XCTAssertThrowsError(try block.load(stateDict: wrongShape)) {
            XCTAssertEqual($0 as? ModuleError, .shapeMismatch(key: "norms.0.weight", expected: [6], found: [5]))
        }
        XCTAssertEqual(block.norms[1].bias.scalars[0], 7, "a failed load writes nothing")

        var missing = state
        missing["norms.0.weight"] = nil
        missing["extra"] = Tensor.zeros([1])
        XCTAssertThrowsError(try block.load(stateDict: missing)) {
            XCTAssertEqual($0 as? ModuleError, .keyMismatch(missing: ["norms.0.weight"], unexpected: ["extra"]))
        }
        XCTAssertNoThrow(try block.load(stateDict: missing.filter { $0.key != "extra" }, strict: false))
    }

    func testTrainAndEvalReachEverySubModule() {
        var gen = RandomGenerator(seed: 1)
        let block = Block(generator: &gen)
        block.eval()
        XCTAssertTrue(block.namedModules().allSatisfy { !$0.1.training })
        block.train()
        XCTAssertTrue(block.norms[1].training)
    }

    func testDropoutIsIdentityInEvalMode() {
        let stream = RandomStream(seed: 3)
        let dropout = Dropout(0.5, stream: stream)
        let x = Tensor.ones([1000])
        XCTAssertNotEqual(dropout(x).scalars, x.scalars)
        dropout.eval()
        XCTAssertEqual(dropout(x).scalars, x.scalars)
    }

    func testLinearMatchesFiniteDifferences() {
        var gen = RandomGenerator(seed: 2)
        let layer = Linear(4, 3, std: 0.5, generator: &gen)
        let x = Tensor.randn([2, 5, 4], generator: &gen)
        let y = layer(x)
        XCTAssertEqual(y.shape, [2, 5, 3])
        // y = x·Wᵀ + b checked element-wise against the definition.
        let xs = x.scalars, w = layer.weight.scalars, b = layer.bias!.scalars, ys = y.scalars
        for row in 0..<10 {
            for o in 0..<3 {
                let expected = (0..<4).reduce(b[o]) { $0 + xs[row * 4 + $1] * w[o * 4 + $1] }
                XCTAssertEqual(ys[row * 3 + o], expected, accuracy: 1e-5)
            }
        }
    }

    func testGradientCheckpointingGivesTheSameGradients() {
        var gen = RandomGenerator(seed: 4)
        let a = Linear(4, 8, std: 0.5, generator: &gen), b = Linear(8, 4, std: 0.5, generator: &gen)
        let stream = RandomStream(seed: 9)
        let dropout = Dropout(0.3, stream: stream)
        let x = Tensor.randn([3, 4], generator: &gen)
        func body(_ h: Tensor) -> Tensor { b(dropout(a(h).gelu(approximation: .tanh))) }

        stream.generator = RandomGenerator(seed: 9)
        body(x).sum().backward()
        let plain = [a.weight, a.bias!, b.weight, b.bias!].map { $0.grad!.scalars }
        for p in [a.weight, a.bias!, b.weight, b.bias!] { p.grad = nil }

        stream.generator = RandomGenerator(seed: 9)
        checkpointed(x, stream: stream, body).sum().backward()
        let recomputed = [a.weight, a.bias!, b.weight, b.bias!].map { $0.grad!.scalars }
        XCTAssertEqual(plain, recomputed, "replay uses the same dropout mask")
        XCTAssertEqual(stream.generator.offset, 3 * 8, "the stream ends where one forward pass ([3, 8] dropout) left it")
    }
}
