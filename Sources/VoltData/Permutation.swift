import VoltTensor

/// Seeded permutations (Fisher–Yates over Volt's counter-based generator).
public enum Permutation {
    /// A permutation of 0 ..< count determined by `seed` alone.
    public static func shuffled(count: Int, seed: UInt64) -> [Int] { fisherYates(Int.self, count: count, seed: seed) }

    /// The same permutation as ``shuffled(count:seed:)``, held in 4 bytes per index when `count` ≤ 2³² (the
    /// generator draws exactly the same numbers; only the storage is narrower).
    public static func order(count: Int, seed: UInt64) -> IndexList {
        IndexList.fitsNarrow(bound: count) ? .narrow(fisherYates(UInt32.self, count: count, seed: seed))
                                           : IndexList(fisherYates(Int.self, count: count, seed: seed))
    }

    private static func fisherYates<T: FixedWidthInteger>(_: T.Type, count: Int, seed: UInt64) -> [T] {
        precondition(count >= 0, "negative count \(count)")
        var order = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            for i in 0..<count { buffer[i] = T(truncatingIfNeeded: i) }
            initialized = count
        }
        var generator = RandomGenerator(seed: seed)
        for i in stride(from: count - 1, to: 0, by: -1) {
            order.swapAt(i, generator.nextInt(below: i + 1))
        }
        return order
    }
}
