import Foundation
import XCTest
import GenSLM

final class FASTAReaderTests: XCTestCase {
    static let biopythonFolder = "/usr/share/doc/python-biopython-doc/Tests/Fasta/"
    static let rabies = "/usr/share/doc/beast-mcmc/examples/DiscreteTraits/phylogeneticGLM/batRABV.fas.gz"

    struct Fixture: Decodable {
        struct Record: Decodable, Equatable { let id: String; let description: String; let sequence: String }
        struct File: Decodable { let accepted: Bool; let records: [Record] }
        let files: [String: File]
    }

    func write(_ text: String, name: String = "input.fasta") throws -> String {
        let path = NSTemporaryDirectory() + "volt-fasta-\(UUID().uuidString)-" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Biopython's own FASTA test files parse record for record as `Bio.SeqIO.parse(…, "fasta")` does
    /// (fixture: scripts/make_biopython_fasta_fixtures.py).
    func testParsesBiopythonTestFilesLikeBiopython() throws {
        XCTAssertTrue(FileManager.default.fileExists(atPath: Self.biopythonFolder),
                      "Biopython's test files are missing: apt-get install python-biopython-doc (scripts/setup.sh does)")
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/biopython_fasta.json")
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        XCTAssertGreaterThan(fixture.files.filter(\.value.accepted).count, 15)
        for (name, expected) in fixture.files.sorted(by: { $0.key < $1.key }) {
            let path = Self.biopythonFolder + name
            if expected.accepted {
                let records = try FASTAReader(path: path).readAll()
                XCTAssertEqual(records.map { Fixture.Record(id: $0.id, description: $0.description, sequence: $0.sequence) },
                               expected.records, name)
            } else {
                XCTAssertThrowsError(try FASTAReader(path: path).readAll(), "\(name): Biopython rejects it")
            }
        }
    }

    func testRabiesFileHas372Records() throws {
        let records = try FASTAReader(path: Self.rabies).readAll()
        XCTAssertEqual(records.count, 372)
        XCTAssertEqual(records.first?.id, "AZ4030_2005.5")
        XCTAssertTrue(records.allSatisfy { $0.sequence.count > 1000 })
    }

    func testAcceptsLowercaseCRLFBlankLinesAndMultilineRecords() throws {
        let path = try write(">a first record\r\nacgt\r\n\r\nAC\r\n>b\nNNN\n\n")
        let records = try FASTAReader(path: path).readAll()
        XCTAssertEqual(records, [FASTARecord(id: "a", description: "a first record", sequence: "acgtAC"),
                                 FASTARecord(id: "b", description: "b", sequence: "NNN")])
    }

    func testBadInputNamesFileRecordAndLine() throws {
        let noHeader = try write("ACGT\n>a\nACGT\n")
        XCTAssertThrowsError(try FASTAReader(path: noHeader).readAll()) {
            XCTAssertEqual($0 as? FASTAError, .noHeader(file: noHeader, line: 1))
        }
        let empty = try write(">a\nACGT\n>b\n>c\nAC\n")
        XCTAssertThrowsError(try FASTAReader(path: empty).readAll()) {
            XCTAssertEqual($0 as? FASTAError, .emptyRecord(file: empty, id: "b", line: 3))
        }
        let bad = try write(">a\nACGT\n>seq2 desc\nACGT\nAC1GT\n")
        XCTAssertThrowsError(try FASTAReader(path: bad).readAll()) {
            XCTAssertEqual($0 as? FASTAError, .invalidCharacter(file: bad, id: "seq2", line: 5, character: "1"))
            XCTAssertTrue("\($0)".contains("\(bad):5") && "\($0)".contains("seq2"))
        }
        XCTAssertThrowsError(try FASTAReader(path: "/nonexistent/x.fasta")) {
            XCTAssertEqual($0 as? FASTAError, .cannotOpen(file: "/nonexistent/x.fasta"))
        }
    }

    func testTruncatedGzipIsAnError() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.rabies))
        let path = NSTemporaryDirectory() + "volt-truncated-\(UUID().uuidString).fas.gz"
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try FASTAReader(path: path).readAll()) { error in
            guard case .corruptCompression(let file, _, _)? = error as? FASTAError else { return XCTFail("\(error)") }
            XCTAssertEqual(file, path)
        }
    }

    func testStatisticsOfTheRabiesFile() throws {
        let stats = try FASTAStatistics(path: Self.rabies)
        XCTAssertEqual(stats.records, 372)
        // zcat batRABV.fas.gz | grep -v '>' | tr -d '\\n\\r ' | wc -c  →  503316
        XCTAssertEqual(stats.totalLength, 503_316)
        let records = try FASTAReader(path: Self.rabies).readAll()
        let lengths = records.map(\.sequence.utf8.count)
        XCTAssertEqual(stats.totalLength, lengths.reduce(0, +))
        XCTAssertEqual(stats.minLength, lengths.min())
        XCTAssertEqual(stats.maxLength, lengths.max())
        XCTAssertEqual(stats.firstID, "AZ4030_2005.5")
        // N50 by its definition over the sorted lengths.
        var covered = 0
        let n50 = lengths.sorted(by: >).first { covered += $0; return 2 * covered >= stats.totalLength }
        XCTAssertEqual(stats.n50, n50)
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(stats)) as? [String: Any]
        XCTAssertNotNil(json?["total_length"])
    }
}
