import Foundation
import VoltHDF5
import XCTest

/// VoltHDF5 reading a file h5py wrote with its defaults (scripts/make_hdf5_fixture.py): converted numbers, every
/// attribute kind, both string layouts, in-place extents and alphabetical member order.
final class H5pyFileTests: XCTestCase {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/h5py_types.h5").path

    func open() throws -> HDF5Group { try HDF5File(opening: Self.fixture).root() }

    func floats(_ dataset: HDF5Dataset) throws -> [Float] {
        var values = [Float](repeating: .nan, count: try dataset.elementCount(as: .float32))
        try values.withUnsafeMutableBytes { try dataset.read(as: .float32, into: $0) }
        return values
    }

    func testNumbersH5pyWroteReadConvertedToTheAskedType() throws {
        try hdf5Lock.withLock {
            let root = try open()
            let f64 = try root.dataset("f64")
            XCTAssertEqual(try f64.shape(), [2, 3])
            XCTAssertEqual(try f64.storedType(), .float(bytes: 8))
            XCTAssertEqual(try f64.typeName(), "float64")
            XCTAssertEqual(try floats(f64), [0.5, -1.25, 3, 1e10, -0.0, 2.75])  // chunked and gzip-compressed

            let half = try root.dataset("half")
            XCTAssertEqual(try half.storedType(), .float(bytes: 2))
            XCTAssertEqual(try half.typeName(), "float16")
            XCTAssertEqual(try floats(half), [0.5, -2, 1024])

            let i16 = try root.dataset("i16")
            XCTAssertEqual(try i16.storedType(), .integer(bytes: 2, signed: true))
            var ints = [Int32](repeating: 0, count: try i16.elementCount(as: .int32))
            try ints.withUnsafeMutableBytes { try i16.read(as: .int32, into: $0) }
            XCTAssertEqual(ints, [-3, 0, 7, 32767])
            XCTAssertEqual(try i16.readWords(), [0, 0, 7, 32767], "negative values clamp to 0")
        }
    }

    func testEveryAttributeKindH5pyWroteReads() throws {
        try hdf5Lock.withLock {
            let root = try open()
            XCTAssertEqual(try root.attribute("fixed"), .string("abc"))
            XCTAssertEqual(try root.attribute("vlen"), .string("héllo"))
            XCTAssertEqual(try root.attribute("ints"), .ints([1, 2, 3]))
            XCTAssertEqual(try root.attribute("half"), .double(0.5))
            XCTAssertEqual(try root.attribute("byte"), .int(7))
            XCTAssertEqual(try root.attribute("doubles"), .doubles([0.25, 4]))
            XCTAssertNil(try root.attribute("absent"))
            XCTAssertEqual(Set(try root.attributeNames()), ["fixed", "vlen", "ints", "half", "byte", "doubles"])
        }
    }

    func testFixedAndVariableLengthStringDatasetsRead() throws {
        try hdf5Lock.withLock {
            let root = try open()
            XCTAssertEqual(try root.dataset("names_fixed").readStrings(), ["ab", "cdefg", ""])
            XCTAssertEqual(try root.dataset("names_vlen").readStrings(), ["α", "codon", ""])
            XCTAssertEqual(try root.dataset("names_vlen").storedType(), .string)
            XCTAssertThrowsError(try root.dataset("names_vlen").elementCount(as: .float32)) {
                XCTAssertEqual(($0 as? HDF5Error)?.kind, .unsupported)
            }
        }
    }

    func testContiguousExtentPointsAtTheElementsInTheFile() throws {
        let extent = try hdf5Lock.withLock { try open().dataset("tokens").contiguousExtent(of: .uint8) }
        XCTAssertEqual(extent.count, 5)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: Self.fixture))
        XCTAssertEqual(Array(bytes[extent.offset..<(extent.offset + extent.count)]), [4, 8, 15, 16, 23])
        try hdf5Lock.withLock {
            let root = try open()
            XCTAssertThrowsError(try root.dataset("tokens_chunked").contiguousExtent(of: .uint8)) {
                XCTAssertEqual(($0 as? HDF5Error)?.kind, .unsupported)
            }
            XCTAssertThrowsError(try root.dataset("tokens").contiguousExtent(of: .int32)) {
                XCTAssertEqual(($0 as? HDF5Error)?.kind, .unsupported)
            }
        }
    }

    func testMembersOfAGroupWithoutCreationOrderListAlphabetically() throws {
        try hdf5Lock.withLock {
            let root = try open()
            XCTAssertEqual(try root.group("group").memberNames(), ["alpha", "zeta"])
            XCTAssertEqual(try root.memberNames(), ["f64", "group", "half", "i16", "names_fixed", "names_vlen", "tokens", "tokens_chunked"])
            guard case .group = try root.member("group"), case .dataset = try root.member("f64") else {
                return XCTFail("members of the wrong kind")
            }
        }
    }
}
