import Foundation

/// MD5 (RFC 1321), for content fingerprints of sequences (not for security).
///
/// Used by the token shards to record each sequence's digest, as `hashlib.md5(seq.upper().encode()).hexdigest()`.
public struct MD5: Sendable {
    private var state: (UInt32, UInt32, UInt32, UInt32) = (0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476)
    private var block = [UInt8](repeating: 0, count: 64)
    private var blockCount = 0
    private var length: UInt64 = 0

    /// A fresh digest.
    public init() {}

    /// Per-round left-rotation amounts.
    private static let shifts: [UInt32] = [7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                                           5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
                                           4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                                           6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21]
    /// ⌊2³² · |sin(i + 1)|⌋.
    private static let constants: [UInt32] = (0..<64).map { UInt32(truncatingIfNeeded: Int64((abs(sin(Double($0 + 1))) * 4294967296).rounded(.down))) }

    /// Adds `bytes` to the message.
    public mutating func update(_ bytes: UnsafeBufferPointer<UInt8>) {
        length &+= UInt64(bytes.count)
        var i = 0
        while i < bytes.count {
            if blockCount == 0, bytes.count - i >= 64 {
                compress(UnsafeBufferPointer(rebasing: bytes[i..<(i + 64)]))
                i += 64
                continue
            }
            let n = Swift.min(64 - blockCount, bytes.count - i)
            for k in 0..<n { block[blockCount + k] = bytes[i + k] }
            blockCount += n
            i += n
            if blockCount == 64 {
                let full = block
                full.withUnsafeBufferPointer { compress($0) }
                blockCount = 0
            }
        }
    }

    /// Adds `bytes` to the message.
    public mutating func update<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        let array = Array(bytes)
        array.withUnsafeBufferPointer { update($0) }
    }

    /// The 16-byte digest (the message is padded; the value is not updated further).
    public func finalize() -> [UInt8] {
        var copy = self
        let bitLength = length &* 8
        var padding: [UInt8] = [0x80]
        let used = Int(length % 64)
        padding += [UInt8](repeating: 0, count: (used < 56 ? 55 - used : 119 - used))
        padding += (0..<8).map { UInt8(truncatingIfNeeded: bitLength >> (8 * UInt64($0))) }
        padding.withUnsafeBufferPointer { copy.updateBlocks($0) }
        let words = [copy.state.0, copy.state.1, copy.state.2, copy.state.3]
        return words.flatMap { w in (0..<4).map { UInt8(truncatingIfNeeded: w >> (8 * UInt32($0))) } }
    }

    /// The digest as 32 lower-case hexadecimal digits.
    public func hexDigest() -> String {
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: finalize().flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] }, as: UTF8.self)
    }

    /// The hex digest of `text`'s UTF-8 bytes.
    public static func hex(_ text: String) -> String {
        var md5 = MD5()
        md5.update(Array(text.utf8))
        return md5.hexDigest()
    }

    /// The hex digest of `bytes`.
    public static func hex(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        var md5 = MD5()
        md5.update(bytes)
        return md5.hexDigest()
    }

    /// Feeds padding without counting it in the message length.
    private mutating func updateBlocks(_ bytes: UnsafeBufferPointer<UInt8>) {
        let saved = length
        update(bytes)
        length = saved
    }

    private mutating func compress(_ chunk: UnsafeBufferPointer<UInt8>) {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 16) { m in
            for j in 0..<16 {
                m[j] = UInt32(chunk[4 * j]) | UInt32(chunk[4 * j + 1]) << 8 | UInt32(chunk[4 * j + 2]) << 16 | UInt32(chunk[4 * j + 3]) << 24
            }
            compress(words: UnsafeBufferPointer(m))
        }
    }

    private mutating func compress(words m: UnsafeBufferPointer<UInt32>) {
        var (a, b, c, d) = state
        for i in 0..<64 {
            var f: UInt32, g: Int
            switch i {
            case 0..<16: f = (b & c) | (~b & d); g = i
            case 16..<32: f = (d & b) | (~d & c); g = (5 * i + 1) % 16
            case 32..<48: f = b ^ c ^ d; g = (3 * i + 5) % 16
            default: f = c ^ (b | ~d); g = (7 * i) % 16
            }
            f = f &+ a &+ Self.constants[i] &+ m[g]
            a = d
            d = c
            c = b
            let s = Self.shifts[i]
            b = b &+ ((f << s) | (f >> (32 - s)))
        }
        state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d)
    }
}
