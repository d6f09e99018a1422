import Foundation
import Synchronization

/// A size-bucketed cache of 64-byte-aligned buffers.
///
/// A training step allocates the same activation and gradient sizes every iteration; returning freed buffers to
/// a bucket and handing them out again keeps a steady-state step away from `malloc`, `mmap` and the page faults
/// that large fresh allocations cost. Sizes round up to one of four classes per power of two (at most 25 % slack).
/// The pool keeps at most ``capacity`` bytes of idle buffers and frees the rest.
public final class BufferPool: Sendable {
    /// The pool that tensor storage uses.
    public static let shared = BufferPool(
        capacity: (ProcessInfo.processInfo.environment["VOLT_POOL_MB"].flatMap(Int.init) ?? 4096) << 20)

    /// Largest number of idle bytes kept for reuse.
    public let capacity: Int

    private struct State {
        var idle: [Int: [UInt]] = [:]  // addresses, so the state stays Sendable
        var idleBytes = 0
        var liveBytes = 0
        var peakLiveBytes = 0
    }
    private let state = Mutex(State())

    /// Creates a pool keeping at most `capacity` idle bytes.
    public init(capacity: Int) { self.capacity = capacity }

    /// The size class a request of `byteCount` bytes is served from.
    public static func sizeClass(_ byteCount: Int) -> Int {
        if byteCount <= 4096 { return max(64, (byteCount + 63) & ~63) }
        let high = Int.bitWidth - 1 - (byteCount - 1).leadingZeroBitCount  // floor(log2(byteCount - 1))
        let quarter = 1 << (high - 2)
        return ((byteCount + quarter - 1) / quarter) * quarter
    }

    /// A buffer of at least `byteCount` bytes, aligned to 64 bytes.
    public func allocate(byteCount: Int) -> UnsafeMutableRawPointer {
        let size = Self.sizeClass(byteCount)
        let reused: UInt? = state.withLock { s in
            s.liveBytes += size
            s.peakLiveBytes = max(s.peakLiveBytes, s.liveBytes)
            guard let p = s.idle[size]?.popLast() else { return nil }
            s.idleBytes -= size
            return p
        }
        return UnsafeMutableRawPointer(bitPattern: reused ?? 0)
            ?? UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
    }

    /// Returns a buffer obtained from ``allocate(byteCount:)`` with the same `byteCount`.
    public func release(_ pointer: UnsafeMutableRawPointer, byteCount: Int) {
        let size = Self.sizeClass(byteCount)
        let address = UInt(bitPattern: pointer)
        let kept = state.withLock { s in
            s.liveBytes -= size
            guard s.idleBytes + size <= capacity else { return false }
            s.idle[size, default: []].append(address)
            s.idleBytes += size
            return true
        }
        if !kept { pointer.deallocate() }
    }

    /// Bytes currently handed out, and the most handed out at once since the last ``resetPeak()``.
    public var usage: (live: Int, peak: Int, idle: Int) {
        state.withLock { ($0.liveBytes, $0.peakLiveBytes, $0.idleBytes) }
    }

    /// Starts a new peak measurement from the current live size.
    public func resetPeak() { state.withLock { $0.peakLiveBytes = $0.liveBytes } }

    /// Frees every idle buffer.
    public func trim() {
        let buffers = state.withLock { s -> [UInt] in
            defer { s.idle = [:]; s.idleBytes = 0 }
            return s.idle.values.flatMap { $0 }
        }
        for address in buffers { UnsafeMutableRawPointer(bitPattern: address)?.deallocate() }
    }
}
