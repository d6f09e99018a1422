import Foundation
import XCTest
import VoltData

struct Failing: Error, Equatable { let index: Int }

struct Numbers: Dataset {
    let count: Int
    var failAt: Int? = nil
    func element(at index: Int) throws -> Int {
        if index == failAt { throw Failing(index: index) }
        return index
    }
}

final class DataLoaderTests: XCTestCase {
    func collect(_ iterator: BatchIterator<[Int]>) throws -> [[Int]] {
        var out: [[Int]] = []
        while let b = try iterator.next() { out.append(b) }
        return out
    }

    func testRandomSplitMatchesTorchLengthsAndIsDisjointAndSeeded() {
        let parts = Numbers(count: 372).randomSplit([0.8, 0.2], seed: 42)
        XCTAssertEqual(parts.map(\.count), [298, 74], "⌊297.6⌋ + remainder 1 to the first part, ⌊74.4⌋")
        XCTAssertEqual(Set(parts[0].indices).union(parts[1].indices), Set(0..<372))
        XCTAssertTrue(Set(parts[0].indices).isDisjoint(with: parts[1].indices))
        XCTAssertEqual(parts[0].indices, Numbers(count: 372).randomSplit([0.8, 0.2], seed: 42)[0].indices)
        XCTAssertNotEqual(parts[0].indices, Numbers(count: 372).randomSplit([0.8, 0.2], seed: 43)[0].indices)
    }

    func testShuffleIsSeededPerEpochAndWorkersKeepTheOrder() throws {
        let plain = DataLoader(Numbers(count: 23), batchSize: 4, shuffle: true, seed: 7) { $0 }
        let threaded = DataLoader(Numbers(count: 23), batchSize: 4, shuffle: true, seed: 7, workers: 3) { $0 }
        let epoch0 = try collect(plain.batches(epoch: 0))
        XCTAssertEqual(epoch0.count, 6)
        XCTAssertEqual(epoch0.last?.count, 3)
        XCTAssertEqual(Set(epoch0.flatMap { $0 }), Set(0..<23))
        XCTAssertEqual(try collect(threaded.batches(epoch: 0)), epoch0)
        XCTAssertNotEqual(try collect(plain.batches(epoch: 1)), epoch0)
        XCTAssertEqual(try collect(plain.batches(epoch: 0, from: 4)), Array(epoch0[4...]), "mid-epoch resume")
        XCTAssertEqual(try collect(threaded.batches(epoch: 0, from: 4)), Array(epoch0[4...]))
    }

    func testDropLastAndSequentialOrder() throws {
        let loader = DataLoader(Numbers(count: 10), batchSize: 4, dropLast: true) { $0 }
        XCTAssertEqual(loader.batchCount, 2)
        XCTAssertEqual(try collect(loader.batches(epoch: 0)), [[0, 1, 2, 3], [4, 5, 6, 7]])
    }

    func testLoadingErrorsReachTheConsumer() {
        let loader = DataLoader(Numbers(count: 8, failAt: 5), batchSize: 2, workers: 2) { $0 }
        let iterator = loader.batches(epoch: 0)
        XCTAssertThrowsError(try collect(iterator)) { XCTAssertEqual($0 as? Failing, Failing(index: 5)) }
    }

    func testAbandonedIteratorStopsItsWorkers() throws {
        /// Counts the elements the workers load.
        final class Counter: @unchecked Sendable {
            private let lock = NSLock()
            private var n = 0
            func add() { lock.lock(); n += 1; lock.unlock() }
            var value: Int { lock.lock(); defer { lock.unlock() }; return n }
        }
        struct Counted: Dataset {
            let counter: Counter
            var count: Int { 100_000 }
            func element(at index: Int) throws -> Int { counter.add(); return index }
        }
        let counter = Counter()
        let loader = DataLoader(Counted(counter: counter), batchSize: 1, workers: 2) { $0 }
        var iterator: BatchIterator<[Int]>? = loader.batches(epoch: 0)
        XCTAssertEqual(try iterator?.next(), [0])
        iterator = nil  // must not hang or crash, and the workers must stop loading
        usleep(100_000)
        let settled = counter.value
        usleep(200_000)
        XCTAssertEqual(counter.value, settled, "workers still load after the iterator is gone")
        XCTAssertLessThan(settled, 100_000, "the workers stopped before the end of the epoch")
    }

    func testDistributedSamplerShardsLikeTorch() {
        let world = 3
        let shards = (0..<world).map { DistributedSampler(count: 10, rank: $0, worldSize: world, shuffle: false).indices(epoch: 0) }
        XCTAssertEqual(shards, [[0, 3, 6, 9], [1, 4, 7, 0], [2, 5, 8, 1]], "padded by repeating the start")
        let dropped = (0..<world).map { DistributedSampler(count: 10, rank: $0, worldSize: world, shuffle: false, dropLast: true).indices(epoch: 0) }
        XCTAssertEqual(dropped, [[0, 3, 6], [1, 4, 7], [2, 5, 8]])
        let shuffled = (0..<2).map { DistributedSampler(count: 9, rank: $0, worldSize: 2, seed: 4).indices(epoch: 1) }
        XCTAssertEqual(Set(shuffled[0] + shuffled[1]), Set(0..<9))
        let loader = DataLoader(Numbers(count: 10), batchSize: 2, shuffle: true, seed: 3) { $0 }.distributed(rank: 1, worldSize: 2)
        XCTAssertEqual(loader.batchCount, 3)
    }
}
