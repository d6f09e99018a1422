/// A `tokenizer.json` post-processor: adds special tokens around an encoded sequence (`add_special_tokens`).
indirect enum PostProcessor: Sendable {
    case sequence([PostProcessor])
    /// `ByteLevel`: changes offsets only, so nothing here.
    case byteLevel
    /// `TemplateProcessing`'s single-sequence template: each item is special-token ids or the sequence (nil).
    case template([[Int32]?])

    init(_ node: JSONNode) throws {
        switch try node.type() {
        case "Sequence": self = .sequence(try node["processors"].array().map(PostProcessor.init))
        case "ByteLevel": self = .byteLevel
        case "TemplateProcessing":
            let specials = node["special_tokens"]
            self = .template(try node["single"].array().map { item in
                if !item["Sequence"].isNull {
                    guard try item["Sequence"]["id"].string() == "A" else { throw item["Sequence"]["id"].invalid("expected \"A\"") }
                    return nil
                }
                let name = try item["SpecialToken"]["id"].string()
                let entry = specials[name]
                guard !entry.isNull else { throw specials.invalid("no entry for \"\(name)\" used by the template") }
                return try entry["ids"].array().map { try $0.tokenID() }
            })
        case let other: throw node["type"].unsupported("post-processor \"\(other)\"")
        }
    }

    func apply(_ ids: [Int32]) -> [Int32] {
        switch self {
        case let .sequence(steps): return steps.reduce(ids) { $1.apply($0) }
        case .byteLevel: return ids
        case let .template(items):
            var out: [Int32] = []
            out.reserveCapacity(ids.count + items.count)
            for item in items { out += item ?? ids }
            return out
        }
    }
}
