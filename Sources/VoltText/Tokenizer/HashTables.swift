import Foundation

/// An open-addressing map from a pair of token ids to the merge that joins them (its rank and the new id):
/// the BPE inner loop asks it for every adjacent pair, so it hashes with one multiplication instead of SipHash.
struct MergeTable: Sendable {
    private var keys: [UInt64]
    private var values: [UInt64]
    private let mask: Int
    private static let empty = UInt64.max

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        keys = [UInt64](repeating: Self.empty, count: size)
        values = [UInt64](repeating: 0, count: size)
        mask = size - 1
    }

    @inline(__always)
    private static func key(_ left: Int32, _ right: Int32) -> UInt64 { UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right)) }

    @inline(__always)
    private func slot(_ key: UInt64) -> Int { Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask }

    /// Records that `left right` merges into `id` with priority `rank` (lower first); an earlier rank for the same
    /// pair is kept, as Hugging Face's loader does.
    mutating func insert(_ left: Int32, _ right: Int32, rank: Int, id: Int32) {
        let key = Self.key(left, right)
        var s = slot(key)
        while keys[s] != Self.empty {
            if keys[s] == key { return }
            s = (s + 1) & mask
        }
        keys[s] = key
        values[s] = UInt64(rank) << 32 | UInt64(UInt32(bitPattern: id))
    }

    /// The merge of `left right`: rank in the high 32 bits, new id in the low; nil when the pair does not merge.
    @inline(__always)
    func lookup(_ left: Int32, _ right: Int32) -> UInt64? {
        let key = Self.key(left, right)
        return keys.withUnsafeBufferPointer { k in
            var s = slot(key)
            while true {
                let found = k[s]
                if found == key { return values.withUnsafeBufferPointer { $0[s] } }
                if found == Self.empty { return nil }
                s = (s + 1) & mask
            }
        }
    }
}

/// An open-addressing map from byte strings to lists of token ids, with keys and values in two flat arenas: the
/// vocabulary by bytes, and the per-call cache of words already tokenized.
struct ByteStringTable: Sendable {
    private var slots: [Int32]
    private var keyBytes: [UInt8] = []
    private var entries: [(hash: UInt64, keyStart: Int32, keyLength: Int32, valueStart: Int32, valueLength: Int32)] = []
    private var valueIds: [Int32] = []
    private var mask: Int
    /// Number of keys.
    var count: Int { entries.count }

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Int32](repeating: -1, count: size)
        mask = size - 1
    }

    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        return h ^ (h >> 29)
    }

    /// The ids stored for `key`, as a range of ``ids``.
    @inline(__always)
    func find(_ key: UnsafeBufferPointer<UInt8>, hash: UInt64) -> Range<Int>? {
        slots.withUnsafeBufferPointer { slots in
            keyBytes.withUnsafeBufferPointer { arena in
                var s = Int(truncatingIfNeeded: hash) & mask
                while true {
                    let e = Int(slots[s])
                    if e < 0 { return nil }
                    let entry = entries[e]
                    if entry.hash == hash && Int(entry.keyLength) == key.count
                        && memcmp(arena.baseAddress! + Int(entry.keyStart), key.baseAddress!, key.count) == 0 {
                        return Int(entry.valueStart)..<Int(entry.valueStart + entry.valueLength)
                    }
                    s = (s + 1) & mask
                }
            }
        }
    }

    /// The stored ids.
    var ids: [Int32] { valueIds }

    @inline(__always)
    func id(at index: Int) -> Int32 { valueIds.withUnsafeBufferPointer { $0[index] } }

    /// Stores `values` under `key` (the key must be absent); grows the table as needed.
    mutating func insert(_ key: UnsafeBufferPointer<UInt8>, hash: UInt64, values: some Collection<Int32>) {
        if entries.count * 2 >= slots.count { grow() }
        let entry = (hash: hash, keyStart: Int32(keyBytes.count), keyLength: Int32(key.count),
                     valueStart: Int32(valueIds.count), valueLength: Int32(values.count))
        keyBytes.append(contentsOf: key)
        valueIds.append(contentsOf: values)
        place(Int32(entries.count), hash: hash)
        entries.append(entry)
    }

    private mutating func place(_ entry: Int32, hash: UInt64) {
        var s = Int(truncatingIfNeeded: hash) & mask
        while slots[s] >= 0 { s = (s + 1) & mask }
        slots[s] = entry
    }

    private mutating func grow() {
        slots = [Int32](repeating: -1, count: slots.count * 2)
        mask = slots.count - 1
        for (i, entry) in entries.enumerated() { place(Int32(i), hash: entry.hash) }
    }
}
