/// One 64-byte-aligned buffer that tensors view.
///
/// Several tensors may share a storage (a reshape or a transpose is a view); the buffer goes back to the
/// ``BufferPool`` when the last of them is gone. Kernels read it through raw pointers, never through Swift arrays.
public final class TensorStorage: @unchecked Sendable {
    /// Start of the buffer.
    public let data: UnsafeMutableRawPointer
    /// Requested size in bytes.
    public let byteCount: Int
    private let pool: BufferPool

    /// Allocates `byteCount` bytes (uninitialized) from `pool`.
    public init(byteCount: Int, pool: BufferPool = .shared) {
        self.byteCount = byteCount
        self.pool = pool
        self.data = pool.allocate(byteCount: max(byteCount, 1))
    }

    deinit { pool.release(data, byteCount: max(byteCount, 1)) }
}
