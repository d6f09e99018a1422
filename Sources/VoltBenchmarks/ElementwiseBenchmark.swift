import VoltTensor

/// Memory throughput of Volt's fused elementwise kernels on tensors far larger than the caches.
public struct ElementwiseBenchmark: Sendable {
    /// Elements per tensor.
    public var count: Int
    /// Timed repetitions (best is reported).
    public var repeats: Int

    /// A benchmark over tensors of `count` float32 elements.
    public init(count: Int = 1 << 24, repeats: Int = 10) {
        self.count = count
        self.repeats = repeats
    }

    /// GB/s of each operation, counting every byte read and written once.
    public struct Result: Codable, Sendable {
        /// Elements per tensor.
        public var elements: Int
        /// GB/s per operation, keyed by the operation's name.
        public var gbps: [String: Double]
    }

    /// Runs the benchmark.
    public func run() -> Result {
        var gen = RandomGenerator(seed: 2)
        let rows = count / 1024
        let x = Tensor.uniform([rows, 1024], low: -3, high: 3, generator: &gen)
        let y = Tensor.uniform([rows, 1024], low: -3, high: 3, generator: &gen)
        let w = Tensor.ones([1024]), b = Tensor.zeros([1024])
        let bytes = Double(count * 4)
        let cases: [(String, Double, () -> Void)] = [
            ("add", 3 * bytes, { _ = x + y }),
            ("bias_add", 2 * bytes, { _ = x + w }),
            ("gelu_tanh", 2 * bytes, { _ = x.gelu(approximation: .tanh) }),
            ("exp", 2 * bytes, { _ = x.exp() }),
            ("softmax", 2 * bytes, { _ = x.softmax() }),
            ("layer_norm", 2 * bytes, { _ = x.layerNorm(weight: w, bias: b) }),
            ("sum", bytes, { _ = x.sum() }),
            ("to_bf16", 1.5 * bytes, { _ = x.to(.bfloat16) }),
            ("to_f16", 1.5 * bytes, { _ = x.to(.float16) }),
        ]
        var gbps: [String: Double] = [:]
        for (name, traffic, body) in cases {
            gbps[name] = traffic / Stopwatch.measure(repeats: repeats, body).best / 1e9
        }
        return Result(elements: count, gbps: gbps)
    }
}
