/// A piece of text on its way to the model: ranges over one byte buffer.
struct Pieces {
    var bytes: [UInt8]
    var ranges: [Range<Int>]
}

/// When the Metaspace pre-tokenizer puts its replacement character before the text.
enum PrependScheme: String, Sendable {
    case always, first, never
}

/// A `tokenizer.json` pre-tokenizer: cuts normalized text into the words the model tokenizes one by one.
indirect enum PreTokenizer: Sendable {
    case sequence([PreTokenizer])
    /// `Split` with one of the patterns of ``SplitPattern``, behavior `Isolated`.
    case split(SplitPattern)
    /// `ByteLevel`: words are bytes in the byte-level alphabet; optionally a space before each piece and GPT-2's split.
    case byteLevel(addPrefixSpace: Bool, useRegex: Bool)
    /// `Metaspace`: spaces become `replacement`, which is optionally prepended, and each replacement starts a word.
    case metaspace(replacement: [UInt8], prepend: PrependScheme, split: Bool)

    init(_ node: JSONNode) throws {
        switch try node.type() {
        case "Sequence": self = .sequence(try node["pretokenizers"].array().map(PreTokenizer.init))
        case "Split":
            guard let source = node["pattern"]["Regex"].stringValue else {
                throw node["pattern"].unsupported("a Split pattern other than {\"Regex\": …}")
            }
            guard let pattern = SplitPattern(source: source) else {
                throw node["pattern"]["Regex"].unsupported("the regular expression \(source.debugDescription) (GPT-2's and LLaMA 3's are)")
            }
            guard try node["behavior"].string() == "Isolated" else { throw node["behavior"].unsupported(try node["behavior"].string()) }
            guard try !node["invert"].bool(default: false) else { throw node["invert"].unsupported("true") }
            self = .split(pattern)
        case "ByteLevel":
            self = .byteLevel(addPrefixSpace: try node["add_prefix_space"].bool(default: true),
                              useRegex: try node["use_regex"].bool(default: true))
        case "Metaspace":
            let replacement = try node["replacement"].string()
            var scheme = PrependScheme.always
            if let name = try node["prepend_scheme"].optionalString() {
                guard let parsed = PrependScheme(rawValue: name) else { throw node["prepend_scheme"].unsupported(name) }
                scheme = parsed
            } else if try !node["add_prefix_space"].bool(default: true) {
                scheme = .never
            }
            self = .metaspace(replacement: Array(replacement.utf8), prepend: scheme, split: try node["split"].bool(default: true))
        case let other: throw node["type"].unsupported("pre-tokenizer \"\(other)\"")
        }
    }

    /// Whether words reach the model as raw bytes (a ByteLevel step is present).
    var isByteLevel: Bool {
        switch self {
        case let .sequence(steps): steps.contains(where: \.isByteLevel)
        case .byteLevel: true
        default: false
        }
    }

    /// Cuts every piece of `input`; `startsText` says whether the input's first byte is the first of the text.
    func apply(_ input: Pieces, startsText: Bool) -> Pieces {
        switch self {
        case let .sequence(steps):
            return steps.reduce(input) { $1.apply($0, startsText: startsText) }
        case let .split(pattern):
            var out: [Range<Int>] = []
            out.reserveCapacity(input.ranges.count * 4)
            input.bytes.withUnsafeBufferPointer { bytes in
                for range in input.ranges { pattern.split(bytes, range, into: &out) }
            }
            return Pieces(bytes: input.bytes, ranges: out)
        case let .byteLevel(addPrefixSpace, useRegex):
            var pieces = input
            if addPrefixSpace && input.ranges.contains(where: { input.bytes[$0.lowerBound] != 0x20 }) {
                pieces = rebuild(input) { piece, out in
                    if piece.first != 0x20 { out.append(0x20) }
                    out += piece
                }
            }
            return useRegex ? PreTokenizer.split(.gpt2).apply(pieces, startsText: startsText) : pieces
        case let .metaspace(replacement, prepend, split):
            var pieces = rebuild(input) { piece, out in
                let replaced = replacing(Array(piece), [0x20], replacement)
                let isFirst = startsText && piece.startIndex == 0
                if (prepend == .always || (prepend == .first && isFirst)) && !replaced.starts(with: replacement) {
                    out += replacement
                }
                out += replaced
            }
            if split { pieces.ranges = pieces.ranges.flatMap { splitBefore(replacement, in: pieces.bytes, $0) } }
            return pieces
        }
    }

    /// A new buffer holding each piece as `transform` writes it.
    private func rebuild(_ input: Pieces, _ transform: (ArraySlice<UInt8>, inout [UInt8]) -> Void) -> Pieces {
        var bytes: [UInt8] = [], ranges: [Range<Int>] = []
        bytes.reserveCapacity(input.bytes.count + input.ranges.count * 3)
        for range in input.ranges {
            let start = bytes.count
            transform(input.bytes[range], &bytes)
            if bytes.count > start { ranges.append(start..<bytes.count) }
        }
        return Pieces(bytes: bytes, ranges: ranges)
    }

    /// `range` cut before every occurrence of `delimiter` (the delimiter merged with what follows it).
    private func splitBefore(_ delimiter: [UInt8], in bytes: [UInt8], _ range: Range<Int>) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var start = range.lowerBound, i = range.lowerBound
        while i < range.upperBound {
            if i + delimiter.count <= range.upperBound, bytes[i..<(i + delimiter.count)].elementsEqual(delimiter) {
                if i > start { out.append(start..<i) }
                start = i
                i += delimiter.count
            } else {
                i += 1
            }
        }
        if range.upperBound > start { out.append(start..<range.upperBound) }
        return out
    }
}
