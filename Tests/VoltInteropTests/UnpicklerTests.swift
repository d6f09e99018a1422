import VoltInterop
import XCTest

/// The allow-listing pickle machine on hand-made streams.
final class UnpicklerTests: XCTestCase {
    func testOnlyAllowListedGlobalsResolve() {
        XCTAssertEqual(TorchGlobal(module: "torch._utils", name: "_rebuild_tensor_v2"), .rebuildTensorV2)
        XCTAssertEqual(TorchGlobal(module: "torch", name: "BFloat16Storage"), .storageType(.bfloat16))
        for (module, name) in [("posix", "system"), ("os", "system"), ("builtins", "eval"), ("subprocess", "Popen"),
                               ("torch", "load"), ("torch._utils", "_rebuild_device_tensor_from_numpy")] {
            XCTAssertNil(TorchGlobal(module: module, name: name), "\(module).\(name)")
        }
    }

    func testAForbiddenGlobalStopsTheStreamAtItsOpcode() {
        // GLOBAL os system, then bytes that are not a valid opcode: the refusal comes first.
        let bytes: [UInt8] = [0x80, 0x02] + Array("cos\nsystem\n".utf8) + [0xff]
        var unpickler = Unpickler(bytes, path: "evil.pt")
        XCTAssertThrowsError(try unpickler.load()) { error in
            XCTAssertEqual(error as? TorchImportError, .forbiddenGlobal(path: "evil.pt", name: "os.system"))
        }
    }

    func testTruncatedPickleStreamIsMalformedNotACrash() {
        for bytes: [UInt8] in [[0x80, 0x02, 0x7d], [0x80, 0x02, 0x58, 0xff, 0xff, 0xff, 0x7f], [0x80, 0x02, 0x73, 0x2e], [0x80, 0x02, 0xff]] {
            var unpickler = Unpickler(bytes, path: "x.pt")
            XCTAssertThrowsError(try unpickler.load()) { error in
                guard case .malformedPickle? = error as? TorchImportError else { return XCTFail("\(error)") }
            }
        }
    }

    func testTransposedLayoutsAreRecognisedAndGappedOnesAreNot() {
        let storage = TorchStorageReference(key: "0", type: .float16, location: "cpu", count: 12)
        let transposed = TorchTensorReference(storage: storage, offset: 0, shape: [2, 3], strides: [1, 2])
        XCTAssertFalse(transposed.isContiguous)
        XCTAssertEqual(transposed.rowMajorOrder, [1, 0])
        let gapped = TorchTensorReference(storage: storage, offset: 0, shape: [2, 3], strides: [4, 1])
        XCTAssertNil(gapped.rowMajorOrder)
        let unitAxis = TorchTensorReference(storage: storage, offset: 2, shape: [1, 3], strides: [99, 1])
        XCTAssertTrue(unitAxis.isContiguous)
    }

    func testHostileTensorSizesAreRefusedBeforeAnyAllocation() {
        func unicode(_ s: String) -> [UInt8] { [0x58] + withUnsafeBytes(of: UInt32(s.utf8.count).littleEndian, Array.init) + Array(s.utf8) }
        // _rebuild_tensor_v2(("storage", torch.HalfStorage, "0", "cpu", 4), 0, (2^62, 2), (1, 1)) in protocol 2.
        let bytes: [UInt8] = [0x80, 0x02] + Array("ctorch._utils\n_rebuild_tensor_v2\n".utf8) + [0x28, 0x28] + unicode("storage")
            + Array("ctorch\nHalfStorage\n".utf8) + unicode("0") + unicode("cpu") + [0x4b, 0x04, 0x74, 0x51, 0x4b, 0x00,
            0x8a, 0x08, 0, 0, 0, 0, 0, 0, 0, 0x40, 0x4b, 0x02, 0x86, 0x4b, 0x01, 0x4b, 0x01, 0x86, 0x74, 0x52, 0x2e]
        var unpickler = Unpickler(bytes, path: "huge.pt")
        XCTAssertThrowsError(try unpickler.load()) { error in
            guard case let .malformedPickle(_, _, reason)? = error as? TorchImportError else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("2^48"), reason)
        }
        var sane = bytes
        sane[sane.count - 12] = 0x00  // 2^62 → 0: the same stream now rebuilds an empty tensor
        var accepted = Unpickler(sane, path: "ok.pt")
        guard case let .tensor(tensor)? = try? accepted.load() else { return XCTFail("the well-sized stream should load") }
        XCTAssertEqual(tensor.shape, [0, 2])
        XCTAssertEqual(tensor.storage, TorchStorageReference(key: "0", type: .float16, location: "cpu", count: 4))
    }
}
