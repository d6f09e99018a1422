import Foundation
import XCTest
import GenSLM

final class FASTAStreamTests: XCTestCase {
    func temporaryPath(_ name: String) -> String { NSTemporaryDirectory() + "volt-stream-\(UUID().uuidString)-" + name }

    /// `gzip -c input > output` (gzip is part of every Debian/Ubuntu base system).
    func gzip(_ input: String) throws -> String {
        let output = input + ".gz"
        FileManager.default.createFile(atPath: output, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-c", input]
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        return output
    }

    /// `gunzip -c input > output`.
    func gunzip(_ input: String) throws -> String {
        let output = temporaryPath("plain.fasta")
        FileManager.default.createFile(atPath: output, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-dc", input]
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        return output
    }

    /// Records read with chunks of `chunkSize` bytes, so that every boundary (inside a header, inside a CRLF,
    /// between a line end and `>`) is crossed.
    func records(_ path: String, chunkSize: Int) throws -> [FASTARecord] {
        try FASTAReader(path: path, chunkSize: chunkSize).readAll()
    }

    /// Streaming in chunks of 1, 2, 3, 7 and 64 bytes equals whole-file reading record for record, on every
    /// Biopython test file Biopython accepts, plain and gzip-compressed; rejected files are rejected either way.
    func testStreamingEqualsWholeFileReadingOnBiopythonFilesPlainAndGzip() throws {
        let folder = FASTAReaderTests.biopythonFolder
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/biopython_fasta.json")
        let fixture = try JSONDecoder().decode(FASTAReaderTests.Fixture.self, from: Data(contentsOf: url))
        for (name, expected) in fixture.files.sorted(by: { $0.key < $1.key }) {
            let copy = temporaryPath(name)
            try FileManager.default.copyItem(atPath: folder + name, toPath: copy)
            // A file that is already gzip-compressed is read through zlib as it is; the others also compressed.
            let compressed = name.hasSuffix(".gz") ? copy : try gzip(copy)
            for path in [copy, compressed] {
                if expected.accepted {
                    let whole = try FASTAReader(path: path, chunkSize: 1 << 24).readAll()
                    XCTAssertEqual(whole.map { FASTAReaderTests.Fixture.Record(id: $0.id, description: $0.description, sequence: $0.sequence) },
                                   expected.records, path)
                    for size in [1, 2, 3, 7, 64] { XCTAssertEqual(try records(path, chunkSize: size), whole, "\(path), chunks of \(size)") }
                } else {
                    for size in [1, 7, 1 << 20] { XCTAssertThrowsError(try records(path, chunkSize: size), "\(path): Biopython rejects it") }
                }
            }
        }
    }

    /// The rabies file read through zlib equals its decompressed copy read through plain `read(2)`, and the
    /// stream's borrowed views agree with the copied records.
    func testRabiesGzipEqualsPlainRecordForRecord() throws {
        let plain = try gunzip(FASTAReaderTests.rabies)
        let fromGzip = try FASTAReader(path: FASTAReaderTests.rabies).readAll()
        XCTAssertEqual(fromGzip.count, 372)
        XCTAssertEqual(try records(plain, chunkSize: 4 << 20), fromGzip)
        XCTAssertEqual(try records(plain, chunkSize: 1000), fromGzip)
        XCTAssertEqual(try records(FASTAReaderTests.rabies, chunkSize: 333), fromGzip)
        let stream = try FASTAStream(path: plain)
        XCTAssertFalse(stream.isCompressed)
        var index = 0
        while let view = try stream.next() {
            XCTAssertEqual(view.id, fromGzip[index].id)
            XCTAssertEqual(String(decoding: view.sequence, as: UTF8.self), fromGzip[index].sequence)
            index += 1
        }
        XCTAssertEqual(index, 372)
    }

    func testRecordViewsCarryHeaderLinesAndNonACGTFlags() throws {
        let path = temporaryPath("lines.fasta")
        try "\n>a x\nAC GT\n\n>b\r\nACNT\r\nac\r\n>c\nA-C\n".write(toFile: path, atomically: true, encoding: .utf8)
        let stream = try FASTAStream(path: path, chunkSize: 5)
        var seen: [(String, Int, Bool, String)] = []
        while let v = try stream.next() {
            seen.append((v.id, v.line, v.containsNonACGT, String(decoding: v.sequence, as: UTF8.self)))
        }
        XCTAssertEqual(seen.map(\.0), ["a", "b", "c"])
        XCTAssertEqual(seen.map(\.1), [2, 5, 8])
        XCTAssertEqual(seen.map(\.2), [false, true, true])
        XCTAssertEqual(seen.map(\.3), ["ACGT", "ACNTac", "A-C"])
    }

    /// Binary junk and damaged gzip give errors naming the file, the record and the line, at any chunk size.
    func testBinaryJunkAndDamagedGzipNameFileRecordAndLine() throws {
        let junk = temporaryPath("junk.fasta")
        try Data(">ok\nACGT\n>bad one\nAC\nGT\u{0}\u{7}G\n".utf8).write(to: URL(fileURLWithPath: junk))
        for size in [1, 4, 1 << 20] {
            XCTAssertThrowsError(try records(junk, chunkSize: size)) {
                XCTAssertEqual($0 as? FASTAError, .invalidCharacter(file: junk, id: "bad", line: 5, character: "0x00"))
            }
        }
        let binary = temporaryPath("binary.fasta")
        try Data([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x0a, 0x3e]).write(to: URL(fileURLWithPath: binary))
        XCTAssertThrowsError(try records(binary, chunkSize: 3)) { XCTAssertEqual($0 as? FASTAError, .noHeader(file: binary, line: 1)) }

        var data = try Data(contentsOf: URL(fileURLWithPath: FASTAReaderTests.rabies))
        for i in stride(from: data.count / 2, to: data.count / 2 + 64, by: 1) { data[i] ^= 0x5a }
        let damaged = temporaryPath("damaged.fas.gz")
        try data.write(to: URL(fileURLWithPath: damaged))
        XCTAssertThrowsError(try records(damaged, chunkSize: 1 << 16)) { error in
            guard case let .corruptCompression(file, _, _)? = error as? FASTAError else { return XCTFail("\(error)") }
            XCTAssertEqual(file, damaged)
            XCTAssertTrue("\(error)".hasPrefix(damaged + ": truncated or corrupt gzip data after line "), "\(error)")
        }
        let folder = NSTemporaryDirectory()
        XCTAssertThrowsError(try FASTAStream(path: folder)) { XCTAssertEqual($0 as? FASTAError, .cannotOpen(file: folder)) }
    }

    func testStatisticsStreamTheFile() throws {
        let path = temporaryPath("stats.fasta")
        try ">a\nACGTAC\n>b\nACG\nNN\n>c\nA\n".write(toFile: path, atomically: true, encoding: .utf8)
        let stats = try FASTAStatistics(path: path)
        XCTAssertEqual(stats.records, 3)
        XCTAssertEqual(stats.totalLength, 12)
        XCTAssertEqual(stats.codons, 3)
        XCTAssertEqual(stats.minLength, 1)
        XCTAssertEqual(stats.maxLength, 6)
        XCTAssertEqual(stats.n50, 6)
        XCTAssertEqual(stats.problems.count, 2)
        XCTAssertTrue(stats.problems[0].hasPrefix("2 records"))
        XCTAssertTrue(stats.problems[1].contains("first: b"))
    }

    /// The counting pass of `volt data stats` (sequences not kept) gives the same records and lengths as the
    /// copying pass, on every accepted Biopython file, at chunk sizes that cut every line.
    func testCountingPassEqualsCopyingPass() throws {
        let folder = FASTAReaderTests.biopythonFolder
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/biopython_fasta.json")
        let fixture = try JSONDecoder().decode(FASTAReaderTests.Fixture.self, from: Data(contentsOf: url))
        for (name, expected) in fixture.files.sorted(by: { $0.key < $1.key }) where expected.accepted {
            let lengths = expected.records.map(\.sequence.utf8.count)
            for size in [2, 5, 1 << 20] {
                let stream = try FASTAStream(path: folder + name, chunkSize: size)
                stream.keepsSequences = false
                var counted: [Int] = []
                while let view = try stream.next() {
                    XCTAssertEqual(view.sequence.count, 0)
                    counted.append(view.length)
                }
                XCTAssertEqual(counted, lengths, "\(name), chunks of \(size)")
            }
            let stats = try FASTAStatistics(path: folder + name)
            XCTAssertEqual(stats.records, lengths.count, name)
            XCTAssertEqual(stats.totalLength, lengths.reduce(0, +), name)
        }
    }
}
