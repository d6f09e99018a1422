import Foundation
import XCTest
import Volt

final class LoggerTests: XCTestCase {
    func testCRC32CKnownValue() {
        XCTAssertEqual(CRC32C.checksum(Array("123456789".utf8)), 0xE306_9283)
    }

    func testCSVMergesStepsAndRewritesTheHeaderForNewKeys() throws {
        let root = temporaryDirectory()
        let logger = try CSVLogger(rootDirectory: root, name: "run")
        XCTAssertEqual(logger.version, 0)
        try logger.logMetrics(["train_loss": 1.5], step: 0)
        try logger.logMetrics(["lr": 0.1], step: 0)
        try logger.save()
        try logger.logMetrics(["train_loss": 1.25, "val_loss": 2], step: 1)
        try logger.finalize(status: "success")
        let text = try String(contentsOfFile: logger.metricsPath, encoding: .utf8)
        XCTAssertEqual(text, "lr,step,train_loss,val_loss\n0.1,0,1.5,\n,1,1.25,2\n")
        try logger.logHyperparameters(["lr": .double(0.001), "name": .string("rabies run"), "layers": .int(2)])
        XCTAssertEqual(try String(contentsOfFile: logger.logDirectory + "/hparams.yaml", encoding: .utf8),
                       "layers: 2\nlr: 0.001\nname: 'rabies run'\n")
        XCTAssertEqual(try CSVLogger(rootDirectory: root, name: "run").version, 1, "next free version_N")
    }

    func testTensorBoardRecordsAreFramedScalarEvents() throws {
        let logger = try TensorBoardLogger(rootDirectory: temporaryDirectory())
        try logger.logMetrics(["train_loss": 0.5], step: 3)
        try logger.save()
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: logger.eventFile)))
        var records: [[UInt8]] = []
        var offset = 0
        while offset < bytes.count {
            let length = Int(bytes[offset..<(offset + 8)].withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
            let lengthCRC = bytes[(offset + 8)..<(offset + 12)].withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
            XCTAssertEqual(lengthCRC, CRC32C.masked(bytes[offset..<(offset + 8)]))
            let data = Array(bytes[(offset + 12)..<(offset + 12 + length)])
            let dataCRC = bytes[(offset + 12 + length)..<(offset + 16 + length)].withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
            XCTAssertEqual(dataCRC, CRC32C.masked(data))
            records.append(data)
            offset += 16 + length
        }
        XCTAssertEqual(records.count, 2)
        XCTAssertTrue(String(decoding: records[0], as: UTF8.self).contains("brain.Event:2"))
        // Event{wall_time, step=3 (field 2 varint), summary{value{tag="train_loss", simple_value=0.5}}}
        XCTAssertEqual(Array(records[1][9..<11]), [0x10, 0x03])
        let tail: [UInt8] = [0x0A, 0x0A] + Array("train_loss".utf8) + [0x15, 0x00, 0x00, 0x00, 0x3F]
        XCTAssertEqual(Array(records[1].suffix(tail.count)), tail)
    }
}
