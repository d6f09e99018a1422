import Foundation

/// A byte-pair-encoding model run the way Hugging Face `tokenizers` runs its `BPE`: a word starts as one symbol
/// per character (per byte for byte-level vocabularies), unknown characters become `<0xNN>` byte tokens
/// (`byte_fallback`) or the unknown token (fused when `fuse_unk`), and the adjacent pair with the lowest merge
/// rank — the leftmost among equals — is joined until no pair merges. With `ignore_merges` a word that is itself
/// in the vocabulary is one token.
struct BPEModel: Sendable {
    /// Token (its UTF-8, compared byte for byte: canonically equivalent spellings are different tokens) → id.
    let vocabulary: [[UInt8]: Int32]
    /// Id → token string.
    let tokens: [Int32: String]
    let merges: MergeTable
    /// Whether words are bytes spelled in the byte-level alphabet.
    let byteLevel: Bool
    let unknownID: Int32?
    let fuseUnknown: Bool
    let byteFallback: Bool
    let ignoreMerges: Bool
    /// Byte-level: the id of each byte's alphabet character (-1 when absent).
    private let byteIDs: [Int32]
    /// Whether every byte has its character in the vocabulary (the fast path of byte-level words).
    private let hasEveryByte: Bool
    /// Otherwise: the ids of single-character tokens.
    private let scalarIDs: [UInt32: Int32]
    /// The `<0xNN>` token of each byte (-1 when absent).
    private let fallbackIDs: [Int32]
    /// Whole tokens by the bytes they stand for (for `ignore_merges`).
    private let wholeWords: ByteStringTable

    init(vocabulary: [[UInt8]: Int32], merges: [(String, String)], byteLevel: Bool, unknownToken: String?,
         fuseUnknown: Bool, byteFallback: Bool, ignoreMerges: Bool, node: JSONNode) throws {
        self.vocabulary = vocabulary
        var tokens: [Int32: String] = [:]
        for (token, id) in vocabulary { tokens[id] = String(decoding: token, as: UTF8.self) }
        self.tokens = tokens
        self.byteLevel = byteLevel
        self.fuseUnknown = fuseUnknown
        self.byteFallback = byteFallback
        self.ignoreMerges = ignoreMerges
        if let unknownToken {
            guard let id = vocabulary[Array(unknownToken.utf8)] else {
                throw node["unk_token"].invalid("\"\(unknownToken)\" is not in model.vocab")
            }
            unknownID = id
        } else {
            unknownID = nil
        }
        var table = MergeTable(capacity: merges.count)
        for (rank, (left, right)) in merges.enumerated() {
            let l8 = Array(left.utf8), r8 = Array(right.utf8)
            guard let l = vocabulary[l8], let r = vocabulary[r8], let joined = vocabulary[l8 + r8] else {
                throw node["merges"].invalid("merge \(rank) (\"\(left)\" \"\(right)\") joins tokens not in model.vocab")
            }
            table.insert(l, r, rank: rank, id: joined)
        }
        self.merges = table
        byteIDs = ByteLevelAlphabet.scalarForByte.map { vocabulary[Array(String(Unicode.Scalar($0)!).utf8)] ?? -1 }
        hasEveryByte = !byteIDs.contains(-1)
        fallbackIDs = (0..<256).map { vocabulary[Array(String(format: "<0x%02X>", $0).utf8)] ?? -1 }
        var scalars: [UInt32: Int32] = [:]
        for (token, id) in vocabulary where !token.isEmpty {
            let (value, length) = token.withUnsafeBufferPointer { decodeScalar($0, at: 0) }
            if length == token.count { scalars[value] = id }
        }
        scalarIDs = scalars
        var words = ByteStringTable(capacity: ignoreMerges ? vocabulary.count : 0)
        if ignoreMerges {
            for (token, id) in vocabulary {
                let bytes = byteLevel ? ByteLevelAlphabet.bytes(of: String(decoding: token, as: UTF8.self)) : token
                guard let bytes else { continue }
                bytes.withUnsafeBufferPointer { key in
                    let hash = ByteStringTable.hash(key)
                    if words.find(key, hash: hash) == nil { words.insert(key, hash: hash, values: CollectionOfOne(id)) }
                }
            }
        }
        wholeWords = words
    }

    /// Appends the tokens of `word` (UTF-8, or raw bytes for a byte-level model) to `ids`; `symbols` is scratch.
    func tokenize(_ word: UnsafeBufferPointer<UInt8>, into ids: inout [Int32], symbols: inout [Int32]) {
        if ignoreMerges, let found = wholeWords.find(word, hash: ByteStringTable.hash(word)) {
            ids.append(wholeWords.id(at: found.lowerBound))
            return
        }
        symbols.removeAll(keepingCapacity: true)
        initialSymbols(word, into: &symbols)
        if symbols.count > 1 {
            if symbols.count <= 48 { mergeByScanning(&symbols) } else { mergeWithHeap(&symbols) }
        }
        ids.append(contentsOf: symbols)
    }

    /// One symbol per character (per byte when byte-level), with byte fallback and unknown tokens.
    private func initialSymbols(_ word: UnsafeBufferPointer<UInt8>, into symbols: inout [Int32]) {
        if byteLevel, hasEveryByte {
            for byte in word { symbols.append(byteIDs[Int(byte)]) }
            return
        }
        var pendingUnknown = 0   // unknown characters not yet written (fused into one when fuseUnknown)
        var i = 0
        while i < word.count {
            let (value, length) = byteLevel ? (ByteLevelAlphabet.scalarForByte[Int(word[i])], 1) : decodeScalar(word, at: i)
            defer { i += length }
            let known: Int32? = byteLevel ? (byteIDs[Int(word[i])] >= 0 ? byteIDs[Int(word[i])] : nil) : scalarIDs[value]
            if let known {
                flushUnknown(&pendingUnknown, into: &symbols)
                symbols.append(known)
                continue
            }
            if byteFallback, (i..<(i + length)).allSatisfy({ fallbackIDs[Int(word[$0])] >= 0 }) {
                for k in i..<(i + length) { symbols.append(fallbackIDs[Int(word[k])]) }
                continue
            }
            guard unknownID != nil else { continue }
            if pendingUnknown > 0 && !fuseUnknown { flushUnknown(&pendingUnknown, into: &symbols) }
            pendingUnknown += 1
        }
        flushUnknown(&pendingUnknown, into: &symbols)
    }

    @inline(__always)
    private func flushUnknown(_ pending: inout Int, into symbols: inout [Int32]) {
        if pending > 0, let unknownID { symbols.append(unknownID) }
        pending = 0
    }

    /// Joins the lowest-ranked pair (leftmost among equals) until none merges: quadratic, fast for short words.
    private func mergeByScanning(_ symbols: inout [Int32]) {
        while symbols.count > 1 {
            var best = UInt64.max, at = -1
            for i in 0..<(symbols.count - 1) {
                if let merge = merges.lookup(symbols[i], symbols[i + 1]), merge >> 32 < best >> 32 {
                    best = merge
                    at = i
                }
            }
            guard at >= 0 else { return }
            symbols[at] = Int32(bitPattern: UInt32(truncatingIfNeeded: best))
            symbols.remove(at: at + 1)
        }
    }

    /// The same merges in O(n log n), with a priority queue of (rank, position) as `tokenizers`' `Word::merge_all`.
    private func mergeWithHeap(_ symbols: inout [Int32]) {
        let n = symbols.count
        var ids = symbols
        var next = Array(1...n), previous = Array(-1..<(n - 1))
        next[n - 1] = -1
        var alive = [Bool](repeating: true, count: n)
        var heap = MinHeap()
        for i in 0..<(n - 1) {
            if let merge = merges.lookup(ids[i], ids[i + 1]) { heap.push((merge & 0xFFFF_FFFF_0000_0000) | UInt64(i)) }
        }
        while let top = heap.pop() {
            let rank = top >> 32, at = Int(top & 0xFFFF_FFFF)
            guard alive[at], next[at] >= 0 else { continue }
            let right = next[at]
            guard let merge = merges.lookup(ids[at], ids[right]), merge >> 32 == rank else { continue }
            ids[at] = Int32(bitPattern: UInt32(truncatingIfNeeded: merge))
            alive[right] = false
            next[at] = next[right]
            if next[at] >= 0 { previous[next[at]] = at }
            if previous[at] >= 0, let m = merges.lookup(ids[previous[at]], ids[at]) {
                heap.push((m & 0xFFFF_FFFF_0000_0000) | UInt64(previous[at]))
            }
            if next[at] >= 0, let m = merges.lookup(ids[at], ids[next[at]]) { heap.push((m & 0xFFFF_FFFF_0000_0000) | UInt64(at)) }
        }
        symbols.removeAll(keepingCapacity: true)
        var i = 0
        while i >= 0 {
            symbols.append(ids[i])
            i = next[i]
        }
    }
}

/// A binary min-heap of packed (rank, position) keys.
struct MinHeap {
    private var items: [UInt64] = []

    mutating func push(_ item: UInt64) {
        items.append(item)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child] < items[parent] else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> UInt64? {
        guard let first = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var smallest = parent
                if left < items.count && items[left] < items[smallest] { smallest = left }
                if right < items.count && items[right] < items[smallest] { smallest = right }
                if smallest == parent { break }
                items.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return first
    }
}
