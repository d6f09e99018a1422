/// A `tokenizer.json` decoder: turns the tokens of a sequence back into text, one step of the chain at a time.
indirect enum TokenizerDecoder: Sendable {
    case sequence([TokenizerDecoder])
    /// Tokens spelled in the byte-level alphabet back to bytes, read as UTF-8 (invalid bytes become U+FFFD).
    case byteLevel
    case replace(pattern: String, content: String)
    /// Runs of `<0xNN>` tokens become the text of their bytes (one U+FFFD per byte when not valid UTF-8).
    case byteFallback
    /// All tokens joined into one.
    case fuse
    /// Up to `start` leading and `stop` trailing `content` characters removed from each token.
    case strip(content: Unicode.Scalar, start: Int, stop: Int)
    /// `replacement` back to spaces; the first token loses its prepended one.
    case metaspace(replacement: Unicode.Scalar, prepend: PrependScheme)

    init(_ node: JSONNode) throws {
        switch try node.type() {
        case "Sequence": self = .sequence(try node["decoders"].array().map(TokenizerDecoder.init))
        case "ByteLevel": self = .byteLevel
        case "Replace":
            guard let pattern = node["pattern"]["String"].stringValue, !pattern.isEmpty else {
                throw node["pattern"].unsupported("a pattern other than a non-empty {\"String\": …}")
            }
            self = .replace(pattern: pattern, content: try node["content"].string())
        case "ByteFallback": self = .byteFallback
        case "Fuse": self = .fuse
        case "Strip":
            let content = try node["content"].string()
            guard content.unicodeScalars.count == 1 else { throw node["content"].invalid("expected one character") }
            self = .strip(content: content.unicodeScalars.first!, start: try node["start"].int(), stop: try node["stop"].int())
        case "Metaspace":
            let replacement = try node["replacement"].string()
            guard replacement.unicodeScalars.count == 1 else { throw node["replacement"].invalid("expected one character") }
            var scheme = PrependScheme.always
            if let name = try node["prepend_scheme"].optionalString() {
                guard let parsed = PrependScheme(rawValue: name) else { throw node["prepend_scheme"].unsupported(name) }
                scheme = parsed
            } else if try !node["add_prefix_space"].bool(default: true) {
                scheme = .never
            }
            self = .metaspace(replacement: replacement.unicodeScalars.first!, prepend: scheme)
        case let other: throw node["type"].unsupported("decoder \"\(other)\"")
        }
    }

    func decodeChain(_ tokens: [String]) -> [String] {
        switch self {
        case let .sequence(steps):
            return steps.reduce(tokens) { $1.decodeChain($0) }
        case .byteLevel:
            var bytes: [UInt8] = []
            for token in tokens {
                if let decoded = ByteLevelAlphabet.bytes(of: token) { bytes += decoded } else { bytes += token.utf8 }
            }
            return [String(decoding: bytes, as: UTF8.self)]
        case let .replace(pattern, content):
            let pattern = Array(pattern.utf8), content = Array(content.utf8)
            return tokens.map { String(decoding: replacing(Array($0.utf8), pattern, content), as: UTF8.self) }
        case .byteFallback:
            return fallbackBytes(tokens)
        case .fuse:
            return [tokens.joined()]
        case let .strip(content, start, stop):
            return tokens.map { token in
                var scalars = Substring(token).unicodeScalars
                var removed = 0
                while removed < start, scalars.first == content { scalars.removeFirst(); removed += 1 }
                removed = 0
                while removed < stop, scalars.last == content { scalars.removeLast(); removed += 1 }
                return String(scalars)
            }
        case let .metaspace(replacement, prepend):
            return tokens.enumerated().map { index, token in
                var out = String.UnicodeScalarView()
                for scalar in token.unicodeScalars {
                    if scalar == replacement {
                        if !(index == 0 && prepend != .never) { out.append(" ") }
                    } else {
                        out.append(scalar)
                    }
                }
                return String(out)
            }
        }
    }

    private func fallbackBytes(_ tokens: [String]) -> [String] {
        var out: [String] = [], pending: [UInt8] = []
        func flush() {
            guard !pending.isEmpty else { return }
            if let text = String(validating: pending, as: UTF8.self) {
                out.append(text)
            } else {
                out += repeatElement("\u{FFFD}", count: pending.count)
            }
            pending.removeAll()
        }
        for token in tokens {
            let utf8 = Array(token.utf8)
            if utf8.count == 6, utf8.starts(with: [0x3C, 0x30, 0x78]), utf8[5] == 0x3E,
               let byte = UInt8(String(decoding: utf8[3..<5], as: UTF8.self), radix: 16) {
                pending.append(byte)
            } else {
                flush()
                out.append(token)
            }
        }
        flush()
        return out
    }
}
