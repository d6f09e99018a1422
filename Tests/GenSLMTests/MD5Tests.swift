import XCTest
import GenSLM

final class MD5Tests: XCTestCase {
    /// The test suite of RFC 1321, appendix A.5.
    func testRFC1321Vectors() {
        let vectors = [
            ("", "d41d8cd98f00b204e9800998ecf8427e"),
            ("a", "0cc175b9c0f1b6a831c399e269772661"),
            ("abc", "900150983cd24fb0d6963f7d28e17f72"),
            ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
            ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
            ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
            (String(repeating: "1234567890", count: 8), "57edf4a22be3c955ac49da2e2107b67a"),
        ]
        for (text, digest) in vectors {
            XCTAssertEqual(Array(text.utf8).withUnsafeBufferPointer(MD5.hex), digest, text)
        }
    }

    /// Feeding a message in pieces of any size gives the digest of the whole (block boundaries at 55/56/64).
    func testIncrementalUpdatesEqualOneShot() {
        let message = Array((0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        for total in [55, 56, 63, 64, 65, 119, 120, 1000] {
            let whole = Array(message.prefix(total)).withUnsafeBufferPointer(MD5.hex)
            for piece in [1, 3, 17, 64, 100] {
                var md5 = MD5()
                var i = 0
                while i < total {
                    md5.update(message[i..<min(total, i + piece)])
                    i += piece
                }
                XCTAssertEqual(md5.hexDigest(), whole, "\(total) bytes in pieces of \(piece)")
            }
        }
    }
}
