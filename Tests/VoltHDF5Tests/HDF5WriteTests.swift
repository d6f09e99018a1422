import Foundation
import VoltHDF5
import XCTest

/// What VoltHDF5 writes reads back as written: every element type, attribute kind and string layout; chunked
/// and checksummed numbers; creation order; and errors that name the file and the object.
final class HDF5WriteTests: XCTestCase {
    func path(_ name: String = "file.h5") throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("volthdf5-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        return directory.appendingPathComponent(name).path
    }

    func testChunkShapeHalvesLeadingAxesDownToTheLimit() {
        XCTAssertEqual(HDF5Group.chunkShape([7680, 2560], elementBytes: 4), [960, 2560])
        XCTAssertEqual(HDF5Group.chunkShape([3, 2], elementBytes: 4), [3, 2])
        XCTAssertEqual(HDF5Group.chunkShape([1, 1, 1 << 23], elementBytes: 4), [1, 1, 1 << 22])
        XCTAssertEqual(HDF5Group.chunkShape([0, 4], elementBytes: 4), [1, 4])
    }

    func testEveryElementTypeRoundTripsChunkedAndChecksummed() throws {
        let file = try path()
        let values: [Double] = [0, 1, 2, 3, 250, 7]
        try hdf5Lock.withLock {
            let root = try HDF5File(creating: file).root()
            for type in HDF5ElementType.allCases {
                let bytes = Self.encode(values, as: type)
                _ = try bytes.withUnsafeBytes { try root.createDataset("\(type)", shape: [2, 3], type: type, bytes: $0) }
            }
            _ = try root.createDataset("words", words: [1, .max])
            _ = try root.createDataset("int64s", int64s: [-1, .min])
            try root.file.close()
        }
        try hdf5Lock.withLock {
            let root = try HDF5File(opening: file).root()
            for type in HDF5ElementType.allCases {
                let dataset = try root.dataset("\(type)")
                XCTAssertEqual(try dataset.shape(), [2, 3])
                XCTAssertEqual(try dataset.chunkLocations().count, 1, "\(type) is one checksummed chunk")
                var back = [UInt8](repeating: 0, count: values.count * type.byteSize)
                try back.withUnsafeMutableBytes { try dataset.read(as: type, into: $0) }
                XCTAssertEqual(back, Self.encode(values, as: type), "\(type)")
                var floats = [Float](repeating: 0, count: values.count)
                try floats.withUnsafeMutableBytes { try dataset.read(as: .float32, into: $0) }
                XCTAssertEqual(floats, values.map(Float.init), "\(type) converted to float32")
            }
            XCTAssertEqual(try root.dataset("float32").storedType(), .float(bytes: 4))
            XCTAssertEqual(try root.dataset("uint16").storedType(), .integer(bytes: 2, signed: false))
            XCTAssertEqual(try root.dataset("words").readWords(), [1, .max])
            var int64s = [Int64](repeating: 0, count: 2)
            try int64s.withUnsafeMutableBytes { try root.dataset("int64s").read(as: .int64, into: $0) }
            XCTAssertEqual(int64s, [-1, .min])
            XCTAssertEqual(try root.memberNames(), HDF5ElementType.allCases.map { "\($0)" } + ["words", "int64s"],
                           "members list in creation order")
        }
    }

    func testScalarAndEmptyDatasetsAreStoredCompact() throws {
        let file = try path()
        try hdf5Lock.withLock {
            let root = try HDF5File(creating: file).root()
            var scalar: Float = 2.5
            let dataset = try withUnsafeBytes(of: &scalar) { try root.createDataset("scalar", shape: [], type: .float32, bytes: $0) }
            XCTAssertEqual(try dataset.shape(), [])
            XCTAssertEqual(try dataset.chunkLocations().count, 0)
            let empty = try root.createDataset("empty", shape: [0, 3], type: .int32, bytes: UnsafeRawBufferPointer(start: nil, count: 0))
            XCTAssertEqual(try empty.shape(), [0, 3])
            var back: Float = 0
            try withUnsafeMutableBytes(of: &back) { try dataset.read(as: .float32, into: $0) }
            XCTAssertEqual(back, 2.5)
        }
    }

    func testAttributesOfEveryKindRoundTripAndReplace() throws {
        let file = try path()
        let attributes: [(String, HDF5AttributeValue)] = [
            ("s", .string("héllo")), ("i", .int(-7)), ("d", .double(0.125)),
            ("ss", .strings(["a", "", "ω"])), ("is", .ints([1, .max])), ("ds", .doubles([1.5, -0.0])),
        ]
        try hdf5Lock.withLock {
            let root = try HDF5File(creating: file).root()
            let group = try root.createGroup("g")
            for (name, value) in attributes { try group.setAttribute(name, value) }
            try group.setAttribute("i", .int(8))
            try root.file.close()
        }
        try hdf5Lock.withLock {
            let group = try HDF5File(opening: file).root().group("g")
            XCTAssertEqual(try group.attributeNames(), ["s", "d", "ss", "is", "ds", "i"], "creation order; a replaced one moves last")
            for (name, value) in attributes where name != "i" { XCTAssertEqual(try group.attribute(name), value, name) }
            XCTAssertEqual(try group.attribute("i"), .int(8))
            XCTAssertTrue(try group.hasAttribute("ss"))
        }
    }

    func testStringDatasetsRoundTripVariableAndFixedLength() throws {
        let file = try path()
        try hdf5Lock.withLock {
            let root = try HDF5File(creating: file).root()
            _ = try root.createDataset("vlen", strings: ["α", "", "codon"])
            _ = try root.createStringDataset("fixed", strings: ["ab", "cdefg"], fixedLength: 5)
            XCTAssertThrowsError(try root.createStringDataset("long", strings: ["abcdef"], fixedLength: 5)) {
                XCTAssertEqual(($0 as? HDF5Error)?.object, "/long")
            }
            try root.file.close()
        }
        try hdf5Lock.withLock {
            let root = try HDF5File(opening: file).root()
            XCTAssertEqual(try root.dataset("vlen").readStrings(), ["α", "", "codon"])
            XCTAssertEqual(try root.dataset("fixed").readStrings(), ["ab", "cdefg"])
        }
    }

    func testContiguousDatasetExtentMatchesTheBytesInTheFile() throws {
        let file = try path()
        let values: [Int32] = [5, -6, 1 << 30]
        try hdf5Lock.withLock {
            let root = try HDF5File(creating: file).root()
            _ = try values.withUnsafeBytes { try root.createContiguousDataset("v", type: .int32, bytes: $0) }
            try root.file.close()
        }
        let extent = try hdf5Lock.withLock { try HDF5File(opening: file).root().dataset("v").contiguousExtent(of: .int32) }
        XCTAssertEqual(extent.count, 3)
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        let stored = data[extent.offset..<(extent.offset + 12)].withUnsafeBytes { Array($0.bindMemory(to: Int32.self)) }
        XCTAssertEqual(stored, values)
    }

    func testErrorsNameTheFileTheObjectAndTheKind() throws {
        let missing = try path("missing.h5")
        XCTAssertThrowsError(try hdf5Lock.withLock { try HDF5File(opening: missing) }) { error in
            XCTAssertEqual((error as? HDF5Error)?.kind, .cannotOpen)
            XCTAssertTrue("\(error)".hasPrefix("\(missing):/: open failed"), "\(error)")
        }
        let file = try path()
        try hdf5Lock.withLock {
            let root = try HDF5File(creating: file).root()
            let group = try root.createGroup("g")
            XCTAssertThrowsError(try group.dataset("nope")) { error in
                XCTAssertEqual((error as? HDF5Error)?.kind, .notFound)
                XCTAssertEqual((error as? HDF5Error)?.object, "/g/nope")
                XCTAssertEqual((error as? HDF5Error)?.file, file)
            }
            XCTAssertThrowsError(try root.dataset("g")) { XCTAssertEqual(($0 as? HDF5Error)?.kind, .unsupported) }
            XCTAssertThrowsError(try root.createGroup("a/b")) { XCTAssertEqual(($0 as? HDF5Error)?.object, "/a/b") }
            XCTAssertThrowsError(try root.createGroup("g")) { XCTAssertEqual(($0 as? HDF5Error)?.object, "/g") }
            let three: [Float] = [1, 2, 3]
            XCTAssertThrowsError(try three.withUnsafeBytes { try root.createDataset("x", shape: [2, 2], type: .float32, bytes: $0) }) {
                XCTAssertEqual(($0 as? HDF5Error)?.kind, .failed)
            }
            let dataset = try three.withUnsafeBytes { try root.createDataset("y", shape: [3], type: .float32, bytes: $0) }
            XCTAssertThrowsError(try dataset.readWords()) { XCTAssertEqual(($0 as? HDF5Error)?.kind, .unsupported) }
            var small = [Float](repeating: 0, count: 2)
            XCTAssertThrowsError(try small.withUnsafeMutableBytes { try dataset.read(as: .float32, into: $0) }) {
                XCTAssertEqual(($0 as? HDF5Error)?.kind, .failed)
            }
        }
    }

    /// `values` as little-endian elements of `type`.
    static func encode(_ values: [Double], as type: HDF5ElementType) -> [UInt8] {
        func bytes<T>(_ array: [T]) -> [UInt8] { array.withUnsafeBytes { Array($0) } }
        return switch type {
        case .uint8: bytes(values.map { UInt8($0) })
        case .uint16: bytes(values.map { UInt16($0) })
        case .int32: bytes(values.map { Int32($0) })
        case .int64: bytes(values.map { Int64($0) })
        case .uint64: bytes(values.map { UInt64($0) })
        case .float32: bytes(values.map { Float($0) })
        }
    }
}
