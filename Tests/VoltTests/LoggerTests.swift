import Foundation
import XCTest
import Volt

/// CSV and TensorBoard loggers: Lightning's file formats, TensorBoard's own bytes (a fixture written by
/// `scripts/make_tensorboard_fixture.py` with TensorBoard's `EventFileWriter`), version directories.
final class LoggerTests: XCTestCase {
    // MARK: CRC-32C and TFRecord

    func testCRC32CMatchesTheStandardCheckValue() {
        XCTAssertEqual(CRC32C.checksum(Array("123456789".utf8)), 0xE306_9283)
        XCTAssertEqual(CRC32C.checksum([UInt8]()), 0)
        XCTAssertEqual(CRC32C.masked(Array("123456789".utf8)), CRC32C.mask(0xE306_9283))
        XCTAssertEqual(CRC32C.mask(0), 0xA282_EAD8)
    }

    func testTFRecordReaderRejectsACorruptFileNamingIt() throws {
        var bytes = try Array(Data(contentsOf: fixtureDirectory.appendingPathComponent(loadFixture().file)))
        bytes[bytes.count - 7] ^= 0x01
        XCTAssertThrowsError(try TFRecord.records(in: bytes, path: "run/events")) { error in
            guard case let LoggerError.corruptRecord(path, _, reason) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(path, "run/events")
            XCTAssertEqual(reason, "data checksum mismatch")
        }
        XCTAssertThrowsError(try TFRecord.records(in: Array(bytes.prefix(30)), path: "cut")) { error in
            guard case LoggerError.corruptRecord(path: "cut", offset: 0, _) = error else { return XCTFail("\(error)") }
        }
    }

    // MARK: TensorBoard's bytes

    func testVoltEncodesTheFixtureEventsByteForByte() throws {
        let fixture = try loadFixture()
        let records = try TFRecord.records(atPath: fixtureDirectory.appendingPathComponent(fixture.file).path)
        XCTAssertEqual(records.count, fixture.records.count)
        for (index, (record, expected)) in zip(fixture.records.map { voltEvent($0, in: fixture) }, records).enumerated() {
            XCTAssertEqual(record.serialized(), expected, "record \(index): \(fixture.records[index])")
        }
    }

    func testEventWriterReproducesTheFixtureFile() throws {
        let directory = scratchDirectory()
        let fixture = try loadFixture()
        let first = fixture.records[0]
        let writer = try TFEventWriter(directory: directory, wallTime: first.wall_time, sourceWriter: first.source_writer)
        for record in fixture.records.dropFirst() { try writer.write(voltEvent(record, in: fixture)) }
        try writer.close()
        let expected = try Data(contentsOf: fixtureDirectory.appendingPathComponent(fixture.file))
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: writer.path)), expected)
        XCTAssertEqual(TFEventWriter.fileName(wallTime: 1_700_000_000.75, hostname: "fixture", processID: 0, counter: 0),
                       fixture.file)
        XCTAssertTrue((writer.path as NSString).lastPathComponent.hasPrefix("events.out.tfevents.1700000000."))
    }

    func testTensorBoardLoggerWritesLightningsEvents() throws {
        let root = scratchDirectory()
        let logger = try TensorBoardLogger(rootDirectory: root)
        XCTAssertNil(logger.eventFile, "the file is created on the first event")
        try logger.logHyperparameters(["lr": .double(1e-5), "batch_size": .int(8), "name": .string("rabies run")])
        try logger.logMetrics(["train_loss": 0.5, "epoch": 0], step: 0)
        try logger.logMetrics(["val_loss": 1e-8], step: 1)
        try logger.save()
        let path = try XCTUnwrap(logger.eventFile)
        try logger.finalize(status: "success")
        print("TensorBoardLogger wrote \(path)")  // scripts/make_tensorboard_fixture.py --read <this>

        let records = try TFRecord.records(atPath: path)
        let wallTimes = records.map { $0[1..<9].withUnsafeBytes { Double(bitPattern: UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) } }
        let hparams: [String: HParam] = ["lr": .double(1e-5), "batch_size": .int(8), "name": .string("rabies run")]
        let expected: [TensorBoardEvent] = [.fileVersion(wallTime: wallTimes[0], sourceWriter: "volt"),
                                            .scalar("hp_metric", -1, step: 0, wallTime: wallTimes[1])]
            + HParamsPlugin.summaryValues(hparams, metricTags: ["hp_metric"]).enumerated().map {
                TensorBoardEvent(wallTime: wallTimes[2 + $0.offset], payload: .summary([$0.element]))
            }
            + [.scalar("epoch", 0, step: 0, wallTime: wallTimes[5]), .scalar("train_loss", 0.5, step: 0, wallTime: wallTimes[6]),
               .scalar("val_loss", 1e-8, step: 1, wallTime: wallTimes[7])]
        XCTAssertEqual(records, expected.map { $0.serialized() })
        XCTAssertEqual(logger.logDirectory, root + "/version_0")
        XCTAssertEqual(try String(contentsOfFile: logger.hyperparametersPath, encoding: .utf8),
                       "batch_size: 8\nlr: 1.0e-05\nname: rabies run\n")
    }

    // MARK: CSV

    func testCSVMergesAStepsMetricsAndRewritesTheHeaderForNewKeys() throws {
        let logger = try CSVLogger(rootDirectory: scratchDirectory(), name: "run")
        try logger.logMetrics(["train_loss": 1.5], step: 0)
        try logger.logMetrics(["lr": 0.1, "epoch": 0], step: 0)        // same step: same row
        try logger.save()
        XCTAssertEqual(try contents(logger.metricsPath), "epoch,lr,step,train_loss\r\n0,0.1,0,1.5\r\n")
        try logger.logMetrics(["train_loss": 1.25], step: 1)
        try logger.save()                                             // same header: appended
        XCTAssertEqual(try contents(logger.metricsPath), "epoch,lr,step,train_loss\r\n0,0.1,0,1.5\r\n,,1,1.25\r\n")
        try logger.logMetrics(["val_loss": 2, "epoch": 0], step: 1)    // merges into the written row, new key
        try logger.logMetrics(["val_loss": 3], step: 1)                // would change a value: a new row
        try logger.logMetrics(["a,b": 1e-5, "big": 1e16], step: 2)
        try logger.finalize(status: "success")
        XCTAssertEqual(try contents(logger.metricsPath), """
            "a,b",big,epoch,lr,step,train_loss,val_loss\r
            ,,0,0.1,0,1.5,\r
            ,,0,,1,1.25,2.0\r
            ,,,,1,,3.0\r
            1e-05,1e+16,,,2,,\r

            """)
    }

    func testCSVWritesEveryNStepsAndFormatsNumbersLikePython() throws {
        let logger = try CSVLogger(rootDirectory: scratchDirectory(), flushLogsEveryNSteps: 3)
        try logger.logMetrics(["x": 0.0001], step: 0)
        try logger.logMetrics(["x": 0.30000000000000004], step: 1)
        XCTAssertFalse(FileManager.default.fileExists(atPath: logger.metricsPath), "nothing before (step + 1) % 3 == 0")
        try logger.logMetrics(["x": -.infinity, "step": 99], step: 2)
        XCTAssertEqual(try contents(logger.metricsPath), "step,x\r\n0,0.0001\r\n1,0.30000000000000004\r\n2,-inf\r\n")
        try logger.logMetrics(["x": .nan], step: 3)
        try logger.logMetrics(["x": 1234567890123456.0], step: 4)
        try logger.logMetrics(["x": .leastNonzeroMagnitude], step: 5)  // 5e-324
        XCTAssertEqual(try contents(logger.metricsPath), "step,x\r\n0,0.0001\r\n1,0.30000000000000004\r\n2,-inf\r\n"
                       + "3,nan\r\n4,1234567890123456.0\r\n5,5e-324\r\n")
    }

    func testCSVPrefixAndAReusedVersionReplaceTheOldFile() throws {
        let root = scratchDirectory()
        let first = try CSVLogger(rootDirectory: root, version: 4)
        try first.logMetrics(["loss": 1], step: 0)
        try first.finalize(status: "success")
        let again = try CSVLogger(rootDirectory: root, version: 4, prefix: "fold1")
        try again.logMetrics(["loss": 2], step: 7)
        try again.save()
        XCTAssertEqual(try contents(again.metricsPath), "fold1-loss,step\r\n2.0,7\r\n")
    }

    func testHyperparametersYAMLIsPyYAMLsDump() throws {
        let logger = try CSVLogger(rootDirectory: scratchDirectory())
        try logger.logHyperparameters(["lr": .double(1e-5), "layers": .int(2), "fp16": .bool(true)])
        try logger.logHyperparameters(["name": .string("rabies run"), "version_str": .string("1.0"),
                                       "yes_str": .string("yes"), "empty": .string(""), "quote": .string("it's"),
                                       "colon": .string("a: b"), "hash": .string("a #b"), "dash": .string("- x"),
                                       "path": .string("checkpoints/rabies-{epoch:02d}"), "nan": .double(.nan),
                                       "big": .double(1e16), "tab": .string("a\tb"), "uni": .string("naïve"),
                                       "date": .string("2024-01-02"), "octal": .string("0755"), "star": .string("*x"),
                                       "x: y": .int(1), "plain_dash": .string("-x"), "neg": .double(-2.5e-7)])
        // Expected text: PyYAML 6.0.3's yaml.dump of the same dictionary.
        XCTAssertEqual(try contents(logger.hyperparametersPath), """
            big: 1.0e+16
            colon: 'a: b'
            dash: '- x'
            date: '2024-01-02'
            empty: ''
            fp16: true
            hash: 'a #b'
            layers: 2
            lr: 1.0e-05
            name: rabies run
            nan: .nan
            neg: -2.5e-07
            octal: '0755'
            path: checkpoints/rabies-{epoch:02d}
            plain_dash: -x
            quote: it's
            star: '*x'
            tab: "a\\tb"
            uni: "na\\xEFve"
            version_str: '1.0'
            'x: y': 1
            yes_str: 'yes'

            """)
        XCTAssertEqual(HParamsYAML.render([:]), "{}\n")
    }

    // MARK: Versions

    func testVersionIsTheNextFreeVersionDirectory() throws {
        let root = scratchDirectory()
        XCTAssertEqual(LogVersion.next(in: root + "/missing"), 0)
        let first = try CSVLogger(rootDirectory: root, name: "run")
        XCTAssertEqual(first.version, 0)
        XCTAssertEqual(first.logDirectory, root + "/run/version_0")
        XCTAssertEqual(try TensorBoardLogger(rootDirectory: root, name: "run").version, 0, "nothing written yet")
        try first.logMetrics(["loss": 1], step: 0)
        XCTAssertEqual(try CSVLogger(rootDirectory: root, name: "run").version, 1)
        for folder in ["version_3_old", "version_x", "version_"] {
            try FileManager.default.createDirectory(atPath: root + "/run/" + folder, withIntermediateDirectories: true)
        }
        XCTAssertTrue(FileManager.default.createFile(atPath: root + "/run/version_9", contents: Data()))
        XCTAssertEqual(LogVersion.next(in: root + "/run"), 4, "version_3_old counts as 3, as in Lightning; files do not")
        XCTAssertEqual(try CSVLogger(rootDirectory: root, name: "run", version: 7).logDirectory, root + "/run/version_7")
        XCTAssertEqual(try TensorBoardLogger(rootDirectory: root).logDirectory, root + "/version_0")
        XCTAssertThrowsError(try CSVLogger(rootDirectory: root, version: -1))
        XCTAssertThrowsError(try CSVLogger(rootDirectory: root, flushLogsEveryNSteps: 0))
    }

    // MARK: Helpers

    private func contents(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    /// A fresh directory for one test, kept after it (the TensorBoard run is read back by TensorBoard by hand).
    private func scratchDirectory(_ name: String = #function) -> String {
        let path = NSTemporaryDirectory() + "volt-logger-tests/" + name.filter { $0.isLetter || $0.isNumber }
        try? FileManager.default.removeItem(atPath: path)
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    private var fixtureDirectory: URL {
        URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/tensorboard")
    }

    /// `events.json`: the fixture's events as TensorBoard's reader decoded them.
    private struct Fixture: Decodable {
        struct Record: Decodable {
            var wall_time: Double, step: Int64, file_version: String?, source_writer: String?, values: [Value]?
        }
        struct Value: Decodable { var tag: String, simple_value: Float?, plugin_name: String?, plugin_data: PluginData? }
        struct PluginData: Decodable {
            struct Experiment: Decodable { var metricInfos: [[String: [String: String]]] }
            struct Start: Decodable { var hparams: [String: HParam] }
            struct End: Decodable { var status: String }
            var experiment: Experiment?, sessionStartInfo: Start?, sessionEndInfo: End?
        }
        var file: String, records: [Record]
    }

    private func loadFixture() throws -> Fixture {
        try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: fixtureDirectory.appendingPathComponent("events.json")))
    }

    /// Volt's event for a fixture record; hparams summaries are rebuilt from the fixture's session-start values
    /// and metric tags.
    private func voltEvent(_ record: Fixture.Record, in fixture: Fixture) -> TensorBoardEvent {
        if let version = record.file_version {
            return TensorBoardEvent(wallTime: record.wall_time, payload: .fileVersion(version), sourceWriter: record.source_writer)
        }
        let plugin = fixture.records.compactMap { $0.values?.first?.plugin_data }
        let hparams = plugin.compactMap { $0.sessionStartInfo?.hparams }.first ?? [:]
        let tags = (plugin.compactMap { $0.experiment?.metricInfos }.first ?? []).compactMap { $0["name"]?["tag"] }
        let values = (record.values ?? []).map { value -> TensorBoardEvent.SummaryValue in
            guard value.plugin_data != nil else { return .scalar(value.tag, value.simple_value ?? .nan) }
            return HParamsPlugin.summaryValues(hparams, metricTags: tags).first { $0.tag == value.tag }!
        }
        return TensorBoardEvent(wallTime: record.wall_time, step: record.step, payload: .summary(values))
    }
}
