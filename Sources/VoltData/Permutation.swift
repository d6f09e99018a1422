import VoltTensor

/// Seeded permutations (Fisher–Yates over Volt's counter-based generator).
public enum Permutation {
    /// A permutation of 0 ..< count determined by `seed` alone.
    public static func shuffled(count: Int, seed: UInt64) -> [Int] {
        var order = Array(0..<count)
        var generator = RandomGenerator(seed: seed)
        for i in stride(from: count - 1, to: 0, by: -1) {
            order.swapAt(i, generator.nextInt(below: i + 1))
        }
        return order
    }
}
