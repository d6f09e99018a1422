/// A list of dataset indices held compactly, so that splits, shuffles and rank shares of millions of records do
/// not cost 8 bytes per record each.
///
/// A list is a view of one stored array: the identity `0 ..< n` (nothing stored), 32-bit indices (when every index
/// is below 2³²), or 64-bit ones. Element `i` is the stored element at `(offset + i · step) mod n`, so a slice (the
/// parts of a random split), a stride (a rank's share) and the wrap-around padding of `DistributedSampler` are all
/// views of the same storage, made in constant time and memory. Arrays are copy-on-write, so views share one
/// buffer.
public struct IndexList: RandomAccessCollection, Equatable, Sendable, CustomStringConvertible {
    enum Storage: Sendable {
        case identity(Int)
        case narrow([UInt32])
        case wide([Int])

        var count: Int {
            switch self {
            case let .identity(n): n
            case let .narrow(a): a.count
            case let .wide(a): a.count
            }
        }
    }

    private let storage: Storage
    private let offset: Int
    private let step: Int
    /// Number of indices.
    public let count: Int

    private init(storage: Storage, offset: Int, step: Int, count: Int) {
        self.storage = storage
        self.offset = offset
        self.step = step
        self.count = count
    }

    private init(_ storage: Storage) { self.init(storage: storage, offset: 0, step: 1, count: storage.count) }

    /// The indices of `array`, stored as they are (8 bytes each).
    public init(_ array: [Int]) { self.init(.wide(array)) }

    /// `0 ..< count`, with nothing stored.
    public static func identity(count: Int) -> IndexList {
        precondition(count >= 0, "negative count \(count)")
        return IndexList(.identity(count))
    }

    /// Whether indices below `bound` fit the 32-bit storage.
    static func fitsNarrow(bound: Int) -> Bool { bound <= Int(UInt32.max) + 1 }

    /// Indices in 32-bit storage (every element must be below 2³²).
    static func narrow(_ array: [UInt32]) -> IndexList { IndexList(.narrow(array)) }

    /// `count` indices below `bound` made by `element`, stored in 32 bits when `bound` allows.
    static func compact(count: Int, bound: Int, _ element: (Int) throws -> Int) rethrows -> IndexList {
        fitsNarrow(bound: bound) ? .narrow(try (0..<count).map { UInt32(truncatingIfNeeded: try element($0)) })
                                 : IndexList(try (0..<count).map(element))
    }

    /// 0.
    public var startIndex: Int { 0 }
    /// ``count``.
    public var endIndex: Int { count }

    /// The index at `position` (0 ..< ``count``).
    public subscript(position: Int) -> Int {
        precondition(position >= 0 && position < count, "index list position \(position) outside 0..<\(count)")
        var stored = offset + position * step
        let n = storage.count
        if stored >= n { stored %= n }
        switch storage {
        case .identity: return stored
        case let .narrow(a): return Int(a[stored])
        case let .wide(a): return a[stored]
        }
    }

    /// `count` elements from `first`, every `step`-th, going round to the start past the end, as a view of the same
    /// storage: `strided(from: r, by: w, count: k)[j] == self[(r + j · w) mod self.count]`.
    public func strided(from first: Int, by step: Int, count: Int) -> IndexList {
        precondition(first >= 0 && step > 0 && count >= 0, "bad stride \(first), \(step), \(count)")
        guard count > 0 else { return IndexList(storage: storage, offset: 0, step: 1, count: 0) }
        precondition(self.count > 0, "a stride over an empty index list")
        let last = first + (count - 1) * step
        if last < self.count || (offset == 0 && self.step == 1 && self.count == storage.count) {
            // Positions stay linear in the storage (wrapping, if at all, modulo the storage's own length).
            return IndexList(storage: storage, offset: offset + first % self.count * self.step, step: self.step * step, count: count)
        }
        return .compact(count: count, bound: Int.max) { self[(first + $0 * step) % self.count] }
    }

    /// `count` elements from `start`, as a view of the same storage.
    public func slice(from start: Int, count: Int) -> IndexList {
        precondition(start >= 0 && count >= 0 && start + count <= self.count, "slice \(start)..<\(start + count) outside 0..<\(self.count)")
        return strided(from: start, by: 1, count: count)
    }

    /// Bytes of the storage this list views (0 for the identity); views of one storage share these bytes.
    public var storageByteCount: Int {
        switch storage {
        case .identity: 0
        case let .narrow(a): a.count * MemoryLayout<UInt32>.stride
        case let .wide(a): a.count * MemoryLayout<Int>.stride
        }
    }

    /// Whether both lists hold the same indices in the same order, however they are stored.
    public static func == (lhs: IndexList, rhs: IndexList) -> Bool { lhs.elementsEqual(rhs) }

    /// The indices, as an array literal.
    public var description: String { Array(self).description }
}
