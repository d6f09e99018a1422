import Foundation
import XCTest
import VoltData
import VoltTensor

/// Examples whose lengths come from a seeded spread, remembering which indices were loaded.
final class RecordingLengths: LengthAwareDataset, @unchecked Sendable {
    let lengths: [Int]
    private let lock = NSLock()
    private var touched: Set<Int> = []

    init(count: Int, seed: UInt64) {
        var generator = RandomGenerator(seed: seed)
        lengths = (0..<count).map { _ in 1 + generator.nextInt(below: 600) }
    }

    var count: Int { lengths.count }
    func length(at index: Int) -> Int { lengths[index] }
    func element(at index: Int) throws -> Int {
        lock.withLock { _ = touched.insert(index) }
        return index
    }
    var loaded: Set<Int> { lock.withLock { touched } }
}

final class BucketedSamplerTests: XCTestCase {
    func collect(_ iterator: BatchIterator<[Int]>) throws -> [[Int]] {
        var out: [[Int]] = []
        while let b = try iterator.next() { out.append(b) }
        return out
    }

    /// Padded positions over all positions of dynamically padded batches.
    func paddingFraction(_ batches: [[Int]], _ lengths: [Int]) -> Double {
        var padded = 0, total = 0
        for batch in batches {
            let longest = batch.map { lengths[$0] }.max() ?? 0
            total += longest * batch.count
            padded += batch.reduce(0) { $0 + longest - lengths[$1] }
        }
        return Double(padded) / Double(total)
    }

    func testBucketingIsSeededCoversEveryIndexOnceAndCutsPadding() throws {
        let data = RecordingLengths(count: 1003, seed: 1)
        let bucketed = DataLoader(data, batchSize: 8, sampler: BucketedSampler(data, batchSize: 8, windowBatches: 20, seed: 3)) { $0 }
        let again = DataLoader(data, batchSize: 8, sampler: BucketedSampler(data, batchSize: 8, windowBatches: 20, seed: 3)) { $0 }
        let other = DataLoader(data, batchSize: 8, sampler: BucketedSampler(data, batchSize: 8, windowBatches: 20, seed: 4)) { $0 }
        let random = DataLoader(data, batchSize: 8, shuffle: true, seed: 3) { $0 }
        let epoch0 = try collect(bucketed.batches(epoch: 0))
        XCTAssertEqual(bucketed.batchCount, 126)
        XCTAssertEqual(epoch0.count, 126)
        XCTAssertEqual(epoch0.flatMap { $0 }.sorted(), Array(0..<1003), "every index once")
        XCTAssertEqual(epoch0.last?.count, 3, "the short batch stays last")
        XCTAssertEqual(try collect(again.batches(epoch: 0)), epoch0, "same seed, same batches")
        XCTAssertNotEqual(try collect(other.batches(epoch: 0)), epoch0)
        XCTAssertNotEqual(try collect(bucketed.batches(epoch: 1)), epoch0, "a new order each epoch")
        let bucketedPadding = paddingFraction(epoch0, data.lengths)
        let randomPadding = paddingFraction(try collect(random.batches(epoch: 0)), data.lengths)
        XCTAssertLessThan(bucketedPadding, randomPadding / 5, "bucketed \(bucketedPadding) vs random \(randomPadding)")
    }

    /// Resuming at any batch of an epoch continues with exactly the batches the whole epoch has there, with
    /// and without worker threads.
    func testBucketingResumesExactlyMidEpoch() throws {
        let data = RecordingLengths(count: 301, seed: 2)
        let sampler = BucketedSampler(data, batchSize: 4, windowBatches: 5, seed: 9)
        let loader = DataLoader(data, batchSize: 4, sampler: sampler) { $0 }
        let threaded = DataLoader(data, batchSize: 4, workers: 2, sampler: sampler) { $0 }
        for epoch in 0..<2 {
            let whole = try collect(loader.batches(epoch: epoch))
            for start in [1, 37, 75, 76] {
                XCTAssertEqual(try collect(loader.batches(epoch: epoch, from: start)), Array(whole[start...]), "epoch \(epoch) from \(start)")
                XCTAssertEqual(try collect(threaded.batches(epoch: epoch, from: start)), Array(whole[start...]))
            }
        }
    }

    /// Simulated ranks in one process: every record appears once per epoch across ranks (the padded shuffle of
    /// torch's DistributedSampler repeats only its first `world − count % world` records), and a rank's loader
    /// touches only the records of its own share.
    func testRanksCoverEachRecordOncePerEpochAndLoadOnlyTheirOwn() throws {
        for bucketed in [false, true] {
            for (count, world) in [(1000, 4), (1003, 4), (10, 3)] {
                for epoch in 0..<2 {
                    var seen: [Int] = []
                    for rank in 0..<world {
                        let probe = RecordingLengths(count: count, seed: 7)
                        let loader = bucketed
                            ? DataLoader(probe, batchSize: 2, sampler: BucketedSampler(probe, batchSize: 2, windowBatches: 8, seed: 5)) { $0 }
                                .distributed(rank: rank, worldSize: world)
                            : DataLoader(probe, batchSize: 2, shuffle: true, seed: 5) { $0 }.distributed(rank: rank, worldSize: world)
                        let share = loader.sampler.indices(epoch: epoch)
                        XCTAssertEqual(share.count, (count + world - 1) / world)
                        XCTAssertEqual(loader.batchCount, (share.count + 1) / 2)
                        let batches = try collect(loader.batches(epoch: epoch))
                        XCTAssertEqual(batches.flatMap { $0 }, share)
                        XCTAssertEqual(probe.loaded, Set(share), "rank \(rank) loads only its share")
                        seen += share
                    }
                    let padding = (world - count % world) % world
                    XCTAssertEqual(Set(seen), Set(0..<count), "bucketed \(bucketed), \(count) over \(world)")
                    XCTAssertEqual(seen.count, count + padding)
                    if padding == 0 { XCTAssertEqual(seen.sorted(), Array(0..<count), "each record exactly once") }
                }
            }
        }
    }
}
