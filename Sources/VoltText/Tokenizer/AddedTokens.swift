import Foundation

/// A token of `added_tokens`: matched in the text before the model runs, so it never splits.
public struct AddedToken: Sendable, Equatable {
    /// The token's text.
    public let content: String
    /// Its id.
    public let id: Int32
    /// Whether it is a special token (left out by `decode(_:skipSpecialTokens: true)`).
    public let special: Bool
    /// Whether it is matched in normalized text (otherwise in the raw text).
    public let normalized: Bool
}

/// Finds added tokens in text, leftmost first and longest among those starting at the same place, as
/// `tokenizers`' Aho–Corasick search does.
struct AddedTokenMatcher: Sendable {
    /// Token indices by first byte, longest first.
    private let byFirstByte: [[Int]]
    private let contents: [[UInt8]]
    private let ids: [Int32]
    let isEmpty: Bool

    /// A matcher for `tokens`, each found by the bytes `pattern` gives (its content, or the normalized content).
    init(_ tokens: [AddedToken], pattern: (AddedToken) -> [UInt8] = { Array($0.content.utf8) }) {
        let contents = tokens.map(pattern)
        self.contents = contents
        ids = tokens.map(\.id)
        var table = [[Int]](repeating: [], count: 256)
        for (i, bytes) in contents.enumerated() where !bytes.isEmpty { table[Int(bytes[0])].append(i) }
        byFirstByte = table.map { $0.sorted { contents[$0].count > contents[$1].count } }
        isEmpty = tokens.isEmpty
    }

    /// `text` cut into stretches of plain text (id nil) and added tokens.
    func split(_ text: [UInt8]) -> [(range: Range<Int>, id: Int32?)] {
        guard !isEmpty else { return [(0..<text.count, nil)] }
        var out: [(range: Range<Int>, id: Int32?)] = []
        var plainStart = 0, i = 0
        text.withUnsafeBufferPointer { bytes in
            while i < bytes.count {
                var matched = false
                for candidate in byFirstByte[Int(bytes[i])] {
                    let token = contents[candidate]
                    guard i + token.count <= bytes.count,
                          token.withUnsafeBufferPointer({ memcmp($0.baseAddress!, bytes.baseAddress! + i, token.count) == 0 })
                    else { continue }
                    if i > plainStart { out.append((plainStart..<i, nil)) }
                    out.append((i..<(i + token.count), ids[candidate]))
                    i += token.count
                    plainStart = i
                    matched = true
                    break
                }
                if !matched { i += 1 }
            }
        }
        if text.count > plainStart { out.append((plainStart..<text.count, nil)) }
        return out
    }
}
