import Foundation

/// A `tokenizer.json` normalizer: rewrites each stretch of text between added tokens before pre-tokenization.
indirect enum Normalizer: Sendable {
    case sequence([Normalizer])
    /// `Prepend`: the text, unless empty, gets this prefix (SentencePiece's "▁").
    case prepend([UInt8])
    /// `Replace` with a string pattern.
    case replace(pattern: [UInt8], content: [UInt8])
    case nfc, nfd, nfkc, nfkd, lowercase

    init(_ node: JSONNode) throws {
        switch try node.type() {
        case "Sequence": self = .sequence(try node["normalizers"].array().map(Normalizer.init))
        case "Prepend": self = .prepend(Array(try node["prepend"].string().utf8))
        case "Replace":
            guard let pattern = node["pattern"]["String"].stringValue, !pattern.isEmpty else {
                throw node["pattern"].unsupported("a pattern other than a non-empty {\"String\": …}")
            }
            self = .replace(pattern: Array(pattern.utf8), content: Array(try node["content"].string().utf8))
        case "NFC": self = .nfc
        case "NFD": self = .nfd
        case "NFKC": self = .nfkc
        case "NFKD": self = .nfkd
        case "Lowercase": self = .lowercase
        case let other: throw node["type"].unsupported("normalizer \"\(other)\"")
        }
    }

    func apply(_ text: [UInt8]) -> [UInt8] {
        switch self {
        case let .sequence(steps): return steps.reduce(text) { $1.apply($0) }
        case let .prepend(prefix): return text.isEmpty ? text : prefix + text
        case let .replace(pattern, content): return replacing(text, pattern, content)
        case .nfc: return Array(String(decoding: text, as: UTF8.self).precomposedStringWithCanonicalMapping.utf8)
        case .nfd: return Array(String(decoding: text, as: UTF8.self).decomposedStringWithCanonicalMapping.utf8)
        case .nfkc: return Array(String(decoding: text, as: UTF8.self).precomposedStringWithCompatibilityMapping.utf8)
        case .nfkd: return Array(String(decoding: text, as: UTF8.self).decomposedStringWithCompatibilityMapping.utf8)
        case .lowercase: return Array(String(decoding: text, as: UTF8.self).lowercased().utf8)
        }
    }
}

/// `text` with every non-overlapping occurrence of `pattern`, left to right, replaced by `content`.
func replacing(_ text: [UInt8], _ pattern: [UInt8], _ content: [UInt8]) -> [UInt8] {
    guard pattern.count <= text.count, let first = pattern.first else { return text }
    var out: [UInt8] = []
    out.reserveCapacity(text.count + text.count / 4)
    var i = 0
    let last = text.count - pattern.count
    while i < text.count {
        if i <= last, text[i] == first, pattern.count == 1 || text[i..<(i + pattern.count)].elementsEqual(pattern) {
            out += content
            i += pattern.count
        } else {
            out.append(text[i])
            i += 1
        }
    }
    return out
}
