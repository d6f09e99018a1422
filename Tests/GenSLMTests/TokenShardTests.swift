import Foundation
import XCTest
import GenSLM
import VoltApp
import Volt
import VoltData

final class TokenShardTests: XCTestCase {
    static let rabies = FASTAReaderTests.rabies

    func temporaryFolder() -> String { NSTemporaryDirectory() + "volt-shards-\(UUID().uuidString)" }

    struct MD5Fixture: Decodable {
        let ids: [String]
        let md5: [String]
    }

    /// hashlib's MD5s of the rabies sequences, upper-cased (scripts/make_shard_md5_fixture.py, with Biopython).
    func hashlibFixture() throws -> MD5Fixture {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/rabies_md5.json")
        return try JSONDecoder().decode(MD5Fixture.self, from: Data(contentsOf: url))
    }

    /// Shards of the rabies file round-trip exactly: every record's tokens equal the in-memory tokenization,
    /// ids equal the FASTA ids, md5s equal hashlib's, across shard boundaries.
    func testShardsRoundTripTokensIdsAndMD5() throws {
        let folder = temporaryFolder()
        let index = try TokenShardWriter(shardSize: 100).tokenize([Self.rabies], into: folder)
        XCTAssertEqual(index.shards.map(\.records), [100, 100, 100, 72])
        XCTAssertEqual(index.shards.map(\.file), ["shard-00000.h5", "shard-00001.h5", "shard-00002.h5", "shard-00003.h5"])
        let records = try FASTAReader(path: Self.rabies).readAll()
        let memory = SequenceDataset(records, maxLength: 1 << 20)
        let shards = try TokenShardDataset(folder: folder)
        XCTAssertEqual(shards.count, 372)
        XCTAssertEqual(index.tokens, memory.sequences.reduce(0) { $0 + $1.ids.count })
        for i in 0..<shards.count {
            XCTAssertEqual(try shards.element(at: i), try memory.element(at: i), "record \(i)")
            XCTAssertEqual(shards.length(at: i), memory.sequences[i].ids.count)
        }
        let ids = try (0..<4).flatMap { try shards.ids(ofShard: $0) }
        let md5s = try (0..<4).flatMap { try shards.md5s(ofShard: $0) }
        XCTAssertEqual(ids, records.map(\.id))
        let fixture = try hashlibFixture()
        XCTAssertEqual(ids, fixture.ids)
        XCTAssertEqual(md5s, fixture.md5)
        let reread = try JSONDecoder().decode(TokenShardIndex.self, from: Data(contentsOf: URL(fileURLWithPath: folder + "/index.json")))
        XCTAssertEqual(reread, index)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".tmp") }, [])
    }

    func testMaxLengthTruncatesAtTokenizationAndAtReading() throws {
        let folder = temporaryFolder()
        try TokenShardWriter(shardSize: 1000, maxLength: 50).tokenize([Self.rabies], into: folder)
        let memory = SequenceDataset(try FASTAReader(path: Self.rabies).readAll(), maxLength: 50)
        let stored = try TokenShardDataset(folder: folder)
        let shorter = try TokenShardDataset(folder: folder, maxLength: 20)
        for i in [0, 1, 200, 371] {
            XCTAssertEqual(try stored.element(at: i), try memory.element(at: i))
            XCTAssertEqual(try shorter.element(at: i).ids, Array(try memory.element(at: i).ids.prefix(20)))
            XCTAssertEqual(shorter.length(at: i), 20)
        }
    }

    /// The length table a bucketed epoch reads in large sequential reads equals reading each length, across
    /// shard boundaries, capped or not, and through a split.
    func testLengthLookupReadsTheSameLengthsAsEachRecord() throws {
        let fasta = temporaryFolder() + ".fasta"
        let text = (0..<250).map { ">r\($0)\n" + String(repeating: "ATGGCT", count: 1 + $0 * 37 % 200) + "\n" }.joined()
        try text.write(toFile: fasta, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: fasta) }
        let folder = temporaryFolder()
        try TokenShardWriter(shardSize: 100).tokenize([fasta], into: folder)
        for maxLength in [nil, 150, 100_000] {
            let shards = try TokenShardDataset(folder: folder, maxLength: maxLength)
            let lookup = shards.lengthLookup()
            let each = (0..<shards.count).map(shards.length(at:))
            XCTAssertEqual((0..<shards.count).map(lookup), each, "maxLength \(String(describing: maxLength))")
            XCTAssertGreaterThan(Set(each).count, 70, "the records have many lengths (and many capped at 150)")
            let train = shards.randomSplit([0.8, 0.2], seed: 3)[0]
            let trainLookup = train.lengthLookup()
            XCTAssertEqual((0..<train.count).map(trainLookup), (0..<train.count).map(train.length(at:)))
        }
    }

    func testExistingIndexMissingShardAndMismatchedIndexAreClearErrors() throws {
        let folder = temporaryFolder()
        try TokenShardWriter(shardSize: 200).tokenize([Self.rabies], into: folder)
        XCTAssertThrowsError(try TokenShardWriter().tokenize([Self.rabies], into: folder)) {
            XCTAssertEqual($0 as? TokenShardError, .exists(folder: folder))
        }
        let indexURL = URL(fileURLWithPath: folder + "/index.json")
        var index = try JSONDecoder().decode(TokenShardIndex.self, from: Data(contentsOf: indexURL))
        index.shards[1].records += 1
        try JSONEncoder().encode(index).write(to: indexURL)
        XCTAssertThrowsError(try TokenShardDataset(folder: folder)) { error in
            guard case let .badShard(file, reason)? = error as? TokenShardError else { return XCTFail("\(error)") }
            XCTAssertEqual(file, folder + "/shard-00001.h5")
            XCTAssertTrue(reason.contains("173 records"), reason)
        }
        try FileManager.default.removeItem(atPath: folder + "/shard-00001.h5")
        XCTAssertThrowsError(try TokenShardDataset(folder: folder)) { error in
            guard case let .badShard(file, _)? = error as? TokenShardError else { return XCTFail("\(error)") }
            XCTAssertEqual(file, folder + "/shard-00001.h5")
        }
        try Data("{\"format\": \"other\"}".utf8).write(to: indexURL)
        XCTAssertThrowsError(try TokenShardDataset(folder: folder)) {
            guard case .badIndex? = $0 as? TokenShardError else { return XCTFail("\($0)") }
        }
        let bad = NSTemporaryDirectory() + "volt-bad-\(UUID().uuidString).fasta"
        try ">a\nACGT\n>b\nAC!GT\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let failed = temporaryFolder()
        XCTAssertThrowsError(try TokenShardWriter().tokenize([bad], into: failed)) {
            XCTAssertEqual($0 as? FASTAError, .invalidCharacter(file: bad, id: "b", line: 4, character: "!"))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: failed + "/index.json"), "no index for a failed run")
    }

    /// `data.path` takes a shard folder, a FASTA file or a glob, and each gives the same records.
    func testDataPathAcceptsShardFolderFASTAAndGlob() throws {
        let folder = temporaryFolder()
        try TokenShardWriter(shardSize: 150).tokenize([Self.rabies], into: folder)
        let copyFolder = temporaryFolder()
        try FileManager.default.createDirectory(atPath: copyFolder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.rabies, toPath: copyFolder + "/a.fas.gz")
        let fromShards = try TokenDataset.open(folder, maxLength: 64)
        let fromFASTA = try TokenDataset.open(Self.rabies, maxLength: 64)
        let fromGlob = try TokenDataset.open(copyFolder + "/*.fas.gz", maxLength: 64)
        guard case .shards = fromShards, case .sequences = fromFASTA else { return XCTFail("wrong kinds") }
        XCTAssertEqual(fromShards.count, 372)
        XCTAssertEqual(fromGlob.count, 372)
        for i in [0, 150, 371] {
            XCTAssertEqual(try fromShards.element(at: i), try fromFASTA.element(at: i))
            XCTAssertEqual(try fromGlob.element(at: i), try fromFASTA.element(at: i))
        }
        XCTAssertThrowsError(try TokenDataset.open(copyFolder + "/*.nothing", maxLength: 64))
        XCTAssertThrowsError(try TokenDataset.open(copyFolder, maxLength: 64)) { XCTAssertTrue("\($0)".contains("volt data tokenize")) }
        let yaml = NSTemporaryDirectory() + "volt-config-\(UUID().uuidString).yaml"
        try "data:\n  path: \(folder)\n  sampler: bucketed\n  bucket_window: 4\n".write(toFile: yaml, atomically: true, encoding: .utf8)
        let configuration = try FineTuneConfiguration.load(path: yaml)
        XCTAssertEqual(configuration.data.path, folder)
        XCTAssertEqual(configuration.data.sampler, .bucketed)
        XCTAssertEqual(configuration.data.bucketWindow, 4)
        try "data:\n  fasta: a.fasta\n".write(toFile: yaml, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try FineTuneConfiguration.load(path: yaml)) {
            XCTAssertEqual($0 as? ConfigurationError, .renamedKey(file: "\(yaml):2", key: "data.fasta", newKey: "data.path"))
        }
    }

    /// `volt fit` trains from a shard folder with the bucketed sampler, and the batches equal the FASTA path's.
    func testFitTrainsFromShardsWithBucketedSampler() throws {
        let folder = temporaryFolder()
        try TokenShardWriter(shardSize: 100).tokenize([Self.rabies], into: folder)
        var config = FineTuneConfiguration()
        config.data.path = folder
        config.data.numWorkers = 1
        config.data.maxLength = 32
        config.data.batchSize = 4
        config.data.sampler = .bucketed
        config.data.bucketWindow = 3
        config.trainer.maxEpochs = 1
        config.trainer.defaultRootDir = temporaryFolder()
        config.trainer.enableProgressBar = false
        config.trainer.enableCheckpointing = false
        config.trainer.limitTrainBatches = 4
        config.trainer.limitValBatches = 2
        config.trainer.loggers = []
        config.trainer.callbacks = []
        let summary = try FineTuneRun(config).fit()
        XCTAssertEqual(summary.globalStep, 1)
        let run = FineTuneRun(config)
        let (shards, train, _) = try run.makeData(maxPositions: 512)
        var fastaConfig = config
        fastaConfig.data.path = Self.rabies
        let fastaRun = FineTuneRun(fastaConfig)
        let (fasta, fastaTrain, _) = try fastaRun.makeData(maxPositions: 512)
        let a = run.makeTrainLoader(shards, train), b = fastaRun.makeTrainLoader(fasta, fastaTrain)
        XCTAssertEqual(a.batchIndices(epoch: 1), b.batchIndices(epoch: 1))
        XCTAssertTrue(a.sampler is BucketedSampler)
    }
}
