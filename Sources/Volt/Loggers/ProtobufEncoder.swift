/// Protobuf's binary wire format, written by hand for the few TensorBoard messages Volt writes.
///
/// Volt does not depend on swift-protobuf: it would need generated code (and a code-generator plugin build of
/// about ten minutes on a clean checkout) for three small messages — `Event`, `Summary` and the hparams plugin's
/// data — whose encoding is a few varints, length-delimited fields and fixed-width numbers.
///
/// Fields are written in the order of the calls; callers write them in field-number order, as protobuf's own
/// serializers do, so the bytes equal Python protobuf's `SerializeToString()`. Proto3 scalars equal to their
/// default (0, empty, false) are omitted unless `always` is set — the rule for fields inside a `oneof` and for
/// map entries, which have presence.
struct ProtobufEncoder {
    /// The encoded bytes.
    private(set) var bytes: [UInt8] = []

    /// The wire types Volt uses.
    enum WireType: UInt64 { case varint = 0, fixed64 = 1, lengthDelimited = 2, fixed32 = 5 }

    /// An unsigned LEB128 varint.
    mutating func appendVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 { bytes.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
        bytes.append(UInt8(v))
    }

    /// A field's key: `field << 3 | wireType`.
    mutating func appendKey(_ field: Int, _ wireType: WireType) { appendVarint(UInt64(field) << 3 | wireType.rawValue) }

    /// An `int64`, `int32` or enum field (negative values take ten bytes, as protobuf sign-extends them).
    mutating func int64(_ field: Int, _ value: Int64, always: Bool = false) {
        guard value != 0 || always else { return }
        appendKey(field, .varint)
        appendVarint(UInt64(bitPattern: value))
    }

    /// A `bool` field.
    mutating func bool(_ field: Int, _ value: Bool, always: Bool = false) {
        guard value || always else { return }
        appendKey(field, .varint)
        appendVarint(value ? 1 : 0)
    }

    /// A `double` field (fixed64, little-endian); -0.0 is not the default and is written, as upb does.
    mutating func double(_ field: Int, _ value: Double, always: Bool = false) {
        guard value.bitPattern != 0 || always else { return }
        appendKey(field, .fixed64)
        appendLittleEndian(value.bitPattern)
    }

    /// A `float` field (fixed32, little-endian).
    mutating func float(_ field: Int, _ value: Float, always: Bool = false) {
        guard value.bitPattern != 0 || always else { return }
        appendKey(field, .fixed32)
        appendLittleEndian(value.bitPattern)
    }

    /// A `string` field (UTF-8).
    mutating func string(_ field: Int, _ value: String, always: Bool = false) {
        bytes(field, Array(value.utf8), always: always)
    }

    /// A `bytes` field.
    mutating func bytes(_ field: Int, _ value: [UInt8], always: Bool = false) {
        guard !value.isEmpty || always else { return }
        appendKey(field, .lengthDelimited)
        appendVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// An embedded message field, written even when empty (a set message field has presence).
    mutating func message(_ field: Int, _ build: (inout ProtobufEncoder) -> Void) {
        var inner = ProtobufEncoder()
        build(&inner)
        bytes(field, inner.bytes, always: true)
    }

    private mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
}
