/// A finite, indexable collection of examples, like `torch.utils.data.Dataset`.
///
/// Datasets are read from the data-loader's worker threads, so they must be `Sendable` and `element(at:)` must
/// be safe to call concurrently.
public protocol Dataset: Sendable {
    /// One example.
    associatedtype Element: Sendable
    /// Number of examples.
    var count: Int { get }
    /// The example at `index` (0 ..< count).
    func element(at index: Int) throws -> Element
}

/// The examples of `base` at `indices`, in that order (`torch.utils.data.Subset`).
public struct Subset<Base: Dataset>: Dataset {
    /// The underlying dataset.
    public let base: Base
    /// Positions in `base` (the parts of a ``Dataset/randomSplit(_:seed:)`` share one 4-byte-per-record
    /// permutation).
    public let indices: IndexList

    /// A view of `base` at `indices`.
    public init(_ base: Base, indices: IndexList) {
        precondition(indices.allSatisfy { $0 >= 0 && $0 < base.count }, "subset index outside the dataset")
        self.base = base
        self.indices = indices
    }

    /// A view of `base` at `indices`.
    public init(_ base: Base, indices: [Int]) { self.init(base, indices: IndexList(indices)) }

    public var count: Int { indices.count }
    public func element(at index: Int) throws -> Base.Element { try base.element(at: indices[index]) }
}

/// A dataset held in memory.
public struct ArrayDataset<Element: Sendable>: Dataset {
    /// The examples.
    public let elements: [Element]
    /// A dataset of `elements`.
    public init(_ elements: [Element]) { self.elements = elements }
    public var count: Int { elements.count }
    public func element(at index: Int) throws -> Element { elements[index] }
}

extension Dataset {
    /// Splits the dataset at random into parts of the given fractions, as `torch.utils.data.random_split`:
    /// lengths are ⌊n·fraction⌋ with the remainder given one by one to the first parts, and the permutation is
    /// drawn from `seed`, so the split is the same on every run and every rank. The parts are consecutive
    /// stretches of one permutation, held once for all of them (``Permutation/order(count:seed:)``).
    public func randomSplit(_ fractions: [Double], seed: UInt64) -> [Subset<Self>] {
        precondition(!fractions.isEmpty && fractions.allSatisfy { $0 >= 0 }, "fractions must be non-negative")
        precondition(abs(fractions.reduce(0, +) - 1) < 1e-6, "fractions \(fractions) must add up to 1")
        var lengths = fractions.map { Int((Double(count) * $0).rounded(.down)) }
        var remainder = count - lengths.reduce(0, +)
        var i = 0
        while remainder > 0 {
            lengths[i % lengths.count] += 1
            remainder -= 1
            i += 1
        }
        let permutation = Permutation.order(count: count, seed: seed)
        var start = 0
        return lengths.map { length in
            defer { start += length }
            return Subset(self, indices: permutation.slice(from: start, count: length))
        }
    }
}
