import XCTest
import VoltData
import VoltTensor

/// The compact index lists (4 bytes per record, views instead of copies) give exactly the orders the former
/// 8-byte arrays gave: the references below are the previous implementations, kept verbatim.
final class CompactOrderTests: XCTestCase {
    /// Fisher–Yates over `[Int]`, as `Permutation.shuffled` always was.
    func referencePermutation(count: Int, seed: UInt64) -> [Int] {
        var order = Array(0..<count)
        var generator = RandomGenerator(seed: seed)
        for i in stride(from: count - 1, to: 0, by: -1) { order.swapAt(i, generator.nextInt(below: i + 1)) }
        return order
    }

    /// The former `DistributedSampler.indices(epoch:)`: pad by repeating the permutation's start, then stride.
    func referenceShare(count: Int, rank: Int, world: Int, shuffle: Bool, seed: UInt64, dropLast: Bool, epoch: Int) -> [Int] {
        var order = shuffle ? referencePermutation(count: count, seed: seed &+ UInt64(epoch)) : Array(0..<count)
        let perRank = dropLast ? count / world : (count + world - 1) / world
        let total = perRank * world
        if total > order.count, !order.isEmpty {
            let base = order
            while order.count < total { order += base.prefix(total - order.count) }
        }
        order = Array(order.prefix(total))
        return stride(from: rank, to: total, by: world).map { order[$0] }
    }

    /// The former `BucketedSampler.indices(epoch:)` over a share.
    func referenceBucketed(_ order: [Int], lengths: [Int], batchSize: Int, windowBatches: Int, seed: UInt64, epoch: Int) -> [Int] {
        let window = batchSize * windowBatches
        var sorted: [Int] = []
        var start = 0
        while start < order.count {
            let end = min(start + window, order.count)
            let keyed = (start..<end).map { (length: lengths[order[$0]], position: $0) }
            sorted += keyed.sorted { $0.length != $1.length ? $0.length > $1.length : $0.position < $1.position }.map { order[$0.position] }
            start = end
        }
        let full = sorted.count / batchSize
        var result: [Int] = []
        for b in referencePermutation(count: full, seed: (seed ^ 0x9E37_79B9_7F4A_7C15) &+ UInt64(epoch)) {
            result += sorted[(b * batchSize)..<((b + 1) * batchSize)]
        }
        return result + sorted[(full * batchSize)...]
    }

    func testPermutationsAndSplitsAreTheFormerOnesIn4BytesPerRecord() {
        for count in [0, 1, 2, 9, 372, 10_007] {
            for seed: UInt64 in [0, 42] {
                let reference = referencePermutation(count: count, seed: seed)
                XCTAssertEqual(Permutation.shuffled(count: count, seed: seed), reference)
                let order = Permutation.order(count: count, seed: seed)
                XCTAssertEqual(Array(order), reference, "count \(count) seed \(seed)")
                XCTAssertEqual(order.storageByteCount, 4 * count)
                XCTAssertEqual(Array(RandomSampler(count: count, seed: seed).order(epoch: 3)), referencePermutation(count: count, seed: seed &+ 3))
            }
        }
        let parts = Numbers(count: 10_007).randomSplit([0.8, 0.1, 0.1], seed: 42)
        let reference = referencePermutation(count: 10_007, seed: 42)
        XCTAssertEqual(parts.map(\.count), [8006, 1001, 1000])
        XCTAssertEqual(Array(parts[0].indices), Array(reference[0..<8006]))
        XCTAssertEqual(Array(parts[1].indices), Array(reference[8006..<9007]))
        XCTAssertEqual(Array(parts[2].indices), Array(reference[9007...]))
        XCTAssertEqual(parts.map(\.indices.storageByteCount), [40_028, 40_028, 40_028], "the parts view one 4-byte permutation")
        XCTAssertEqual(SequentialSampler(count: 1_000_000).order(epoch: 0).storageByteCount, 0, "dataset order stores nothing")
    }

    func testDistributedSharesAreViewsThatMatchTorchsPaddedStride() {
        for (count, world) in [(0, 2), (1, 4), (9, 2), (10, 3), (10, 4), (1003, 4), (1000, 5)] {
            for rank in 0..<world {
                for shuffle in [false, true] {
                    for dropLast in [false, true] {
                        let sampler = DistributedSampler(count: count, rank: rank, worldSize: world, shuffle: shuffle, seed: 11, dropLast: dropLast)
                        let reference = referenceShare(count: count, rank: rank, world: world, shuffle: shuffle, seed: 11, dropLast: dropLast, epoch: 2)
                        XCTAssertEqual(sampler.indices(epoch: 2), reference, "\(count) over \(world), rank \(rank), shuffle \(shuffle), dropLast \(dropLast)")
                        XCTAssertEqual(sampler.order(epoch: 2).storageByteCount, !shuffle ? 0 : world == 1 ? 4 * count : 4 * reference.count,
                                       "dataset order stores nothing; a rank keeps only its share of the permutation")
                    }
                }
                let base = RandomSampler(count: count, seed: 5)
                let unrepeated = UnrepeatedDistributedSampler(base, rank: rank, worldSize: world).indices(epoch: 1)
                let full = referencePermutation(count: count, seed: 6)
                XCTAssertEqual(unrepeated, stride(from: rank, to: count, by: world).map { full[$0] })
            }
        }
    }

    func testBucketedOrderIsTheFormerOne() {
        var generator = RandomGenerator(seed: 3)
        let lengths = (0..<1003).map { _ in 1 + generator.nextInt(below: 600) }
        for world in [1, 3] {
            for rank in 0..<world {
                let sampler = BucketedSampler(count: lengths.count, batchSize: 8, windowBatches: 5, seed: 9, rank: rank, worldSize: world) { lengths[$0] }
                let share = referenceShare(count: lengths.count, rank: rank, world: world, shuffle: true, seed: 9, dropLast: false, epoch: 1)
                let reference = referenceBucketed(share, lengths: lengths, batchSize: 8, windowBatches: 5, seed: 9, epoch: 1)
                XCTAssertEqual(sampler.indices(epoch: 1), reference, "rank \(rank) of \(world)")
                XCTAssertEqual(sampler.order(epoch: 1).storageByteCount, 4 * share.count)
            }
        }
    }

    func testIndexListViewsComposeAndWrapLikeArrays() {
        let stored = Array((0..<50).reversed())
        let list = IndexList(stored)
        XCTAssertEqual(Array(list.slice(from: 10, count: 20)), Array(stored[10..<30]))
        let inner = list.slice(from: 10, count: 20)
        XCTAssertEqual(Array(inner.strided(from: 3, by: 4, count: 5)), stride(from: 3, to: 20, by: 4).map { stored[10 + $0] })
        XCTAssertEqual(Array(list.strided(from: 7, by: 9, count: 12)), (0..<12).map { stored[(7 + 9 * $0) % 50] }, "wraps round")
        XCTAssertEqual(Array(inner.strided(from: 5, by: 7, count: 6)), (0..<6).map { stored[10 + (5 + 7 * $0) % 20] },
                       "a wrapping stride of a slice wraps within the slice")
        XCTAssertEqual(Array(IndexList.identity(count: 5).strided(from: 3, by: 2, count: 4)), [3, 0, 2, 4])
        XCTAssertEqual(IndexList.identity(count: 3), IndexList([0, 1, 2]))
        XCTAssertEqual(Array(list.strided(from: 0, by: 1, count: 0)), [])
    }

    /// Resuming mid-epoch from the compact order continues with exactly the rest of the epoch, on every rank.
    func testResumingMidEpochContinuesTheSameBatches() throws {
        func collect(_ iterator: BatchIterator<[Int]>) throws -> [[Int]] {
            var out: [[Int]] = []
            while let b = try iterator.next() { out.append(b) }
            return out
        }
        for world in [1, 2] {
            for rank in 0..<world {
                let loader = DataLoader(Numbers(count: 103), batchSize: 4, shuffle: true, seed: 8) { $0 }.distributed(rank: rank, worldSize: world)
                let whole = try collect(loader.batches(epoch: 1))
                XCTAssertEqual(whole.flatMap { $0 }, referenceShare(count: 103, rank: rank, world: world, shuffle: true, seed: 8, dropLast: false, epoch: 1))
                for start in [1, 5, whole.count - 1] {
                    XCTAssertEqual(try collect(loader.batches(epoch: 1, from: start)), Array(whole[start...]))
                }
            }
        }
    }
}
