import CVoltKernels

/// Arithmetic on raw float32 buffers, for the layers above VoltTensor that work on flat gradient buckets (the
/// data-parallel all-reduce, the loss scaler), so that they need not call the C kernels themselves.
public enum FloatBuffer {
    /// y ← a·x + b·y over `count` floats, on the shared thread pool; `x` may be `y`.
    public static func axpby(_ a: Float, _ x: UnsafePointer<Float>, _ b: Float, _ y: UnsafeMutablePointer<Float>, count: Int) {
        volt_axpby_f32(a, x, b, y, count)
    }

    /// The sum of the squares of the `count` floats at `x` (in double precision, in the kernel's fixed order).
    public static func sumOfSquares(_ x: UnsafePointer<Float>, count: Int) -> Double { volt_sum_squares_f32(x, count) }

    /// Whether none of the `count` floats at `x` is infinite or NaN.
    public static func allFinite(_ x: UnsafePointer<Float>, count: Int) -> Bool { volt_all_finite_f32(x, count) != 0 }
}

/// The one compute thread pool (libgomp's), which Volt's kernels, OpenBLAS and oneDNN share.
public enum ComputeThreads {
    /// Sets the number of threads every later kernel and matrix product uses (one per rank's share of the cores
    /// under data parallelism).
    public static func set(_ count: Int) { volt_set_threads(Int32(max(1, count))) }
}
