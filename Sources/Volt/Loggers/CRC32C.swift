/// CRC-32C (Castagnoli polynomial 0x1EDC6F41, reflected), the checksum of TFRecord framing.
///
/// `CRC32C.checksum("123456789".utf8) == 0xE3069283`, the standard check value.
public enum CRC32C {
    /// Byte-at-a-time table for the reflected polynomial 0x82F63B78.
    private static let table: [UInt32] = (0..<256).map { i in
        var c = UInt32(i)
        for _ in 0..<8 { c = c & 1 != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
        return c
    }

    /// The CRC-32C of `bytes` (0 for no bytes).
    public static func checksum<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        var crc: UInt32 = 0xFFFF_FFFF
        table.withUnsafeBufferPointer { table in
            for b in bytes { crc = table[Int((crc ^ UInt32(b)) & 0xFF)] ^ (crc >> 8) }
        }
        return crc ^ 0xFFFF_FFFF
    }

    /// TensorFlow's masked CRC of `bytes`: the CRC rotated right by 15 bits plus 0xa282ead8 (wrapping), so a CRC
    /// stored inside checksummed data does not checksum to a fixed value.
    public static func masked<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        mask(checksum(bytes))
    }

    /// The mask alone: `((crc >> 15) | (crc << 17)) &+ 0xa282ead8`.
    public static func mask(_ crc: UInt32) -> UInt32 { ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8 }
}
