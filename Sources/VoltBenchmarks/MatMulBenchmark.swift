import VoltTensor

/// Throughput of a square float32 product through Volt's tensors and through each backend directly.
public struct MatMulBenchmark: Sendable {
    /// The product's size (m = n = k).
    public var size: Int
    /// Timed repetitions (best is reported).
    public var repeats: Int

    /// A benchmark of size³ products.
    public init(size: Int = 1024, repeats: Int = 10) {
        self.size = size
        self.repeats = repeats
    }

    /// The results: GFLOP/s of `Tensor.matmul` on the selected backend, and of every backend called directly
    /// (`<name>` for float32, `<name>_bf16` for native bfloat16 where the CPU has it).
    public struct Result: Codable, Sendable {
        /// GFLOP/s of `Tensor.matmul` (2·m·n·k floating-point operations per product).
        public var gflops: Double
        /// The backend `Tensor.matmul` used (`MatMulBackend/name`).
        public var backend: String
        /// Rows of the product.
        public var m: Int
        /// Columns of the product.
        public var n: Int
        /// The shared inner dimension.
        public var k: Int
        /// GFLOP/s of each backend called directly, keyed by backend name (`_bf16` suffix for bfloat16).
        public var backends: [String: Double]
        /// The machine and threads the benchmark ran on.
        public var runtime: RuntimeReport
    }

    /// Runs the benchmark.
    public func run() -> Result {
        let n = size
        let shape = GEMMShape.rowMajor(m: n, n: n, k: n)
        var gen = RandomGenerator(seed: 1)
        let a = Tensor.uniform([n, n], low: -1, high: 1, generator: &gen)
        let b = Tensor.uniform([n, n], low: -1, high: 1, generator: &gen)
        let gflops = { (seconds: Double) in shape.flops / seconds / 1e9 }

        var backends: [String: Double] = [:]
        let c = Tensor(uninitializedShape: [n, n])
        for backend in MatMulBackends.all {
            backends[backend.name] = gflops(Stopwatch.measure(repeats: repeats) {
                backend.multiply(shape, a: a.floatPointer, b: b.floatPointer, c: c.floatPointer)
            }.best)
            if backend.supportsBF16 {
                let a16 = a.to(.bfloat16), b16 = b.to(.bfloat16)
                backends[backend.name + "_bf16"] = gflops(Stopwatch.measure(repeats: repeats) {
                    backend.multiplyBF16(shape, a: a16.rawPointer.assumingMemoryBound(to: UInt16.self),
                                         b: b16.rawPointer.assumingMemoryBound(to: UInt16.self), c: c.floatPointer)
                }.best)
            }
        }
        let throughTensors = gflops(Stopwatch.measure(repeats: repeats) { _ = a.matmul(b) }.best)
        return Result(gflops: throughTensors, backend: MatMulBackends.selected.name, m: n, n: n, k: n,
                      backends: backends, runtime: .current)
    }
}
