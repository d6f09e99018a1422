import VoltInterop
import Foundation

extension HFTokenizer {
    /// Reads `tokenizer.json` at `url`.
    ///
    /// - Throws: ``TokenizerError``: the file unreadable, a key missing or malformed, or a component this library
    ///   does not implement — each naming the file and the JSON key.
    public init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw TokenizerError.unreadable(file: url.path, reason: error.localizedDescription)
        }
        try self.init(data: data, file: url.path)
    }

    /// Reads a `tokenizer.json` document; `file` names it in errors.
    public init(data: Data, file: String = "tokenizer.json") throws {
        let parsed: JSONValue
        do {
            parsed = try JSONValue.parse(bytes: Array(data))
        } catch let failure as JSONValueError {
            throw TokenizerError.unreadable(file: file, reason: "not valid JSON at byte \(failure.offset): \(failure.reason)")
        }
        let root = JSONNode(value: parsed, path: "", file: file)
        _ = try root.members()
        let normalizer = root["normalizer"].isNull ? nil : try Normalizer(root["normalizer"])
        let preTokenizer = root["pre_tokenizer"].isNull ? nil : try PreTokenizer(root["pre_tokenizer"])
        let postProcessor = root["post_processor"].isNull ? nil : try PostProcessor(root["post_processor"])
        let decoder = root["decoder"].isNull ? nil : try TokenizerDecoder(root["decoder"])
        let model = try Self.model(root["model"], byteLevel: preTokenizer?.isByteLevel ?? false)
        let added = root["added_tokens"].isNull ? [] : try root["added_tokens"].array().map(Self.addedToken)
        self.init(model: model, normalizer: normalizer, preTokenizer: preTokenizer, postProcessor: postProcessor,
                  decoder: decoder, addedTokens: added)
    }

    private static func model(_ node: JSONNode, byteLevel: Bool) throws -> BPEModel {
        let type = node["type"].isNull ? "BPE" : try node.type()
        guard type == "BPE" else { throw node["type"].unsupported("model \"\(type)\" (BPE is)") }
        if let dropout = node["dropout"].doubleValue, dropout > 0 {
            throw node["dropout"].unsupported("\(dropout)")
        }
        for key in ["continuing_subword_prefix", "end_of_word_suffix"] {
            if let affix = try node[key].optionalString(), !affix.isEmpty { throw node[key].unsupported("\"\(affix)\"") }
        }
        var vocabulary: [[UInt8]: Int32] = [:]
        let entries = try node["vocab"].members()
        vocabulary.reserveCapacity(entries.count)
        for entry in entries {
            vocabulary[Array(entry.key.utf8)] = try JSONNode(value: entry.value, path: node["vocab"].path + "." + entry.key, file: node.file).tokenID()
        }
        let merges = try node["merges"].array().map { merge -> (String, String) in
            if let pair = merge.stringValue {
                let parts = pair.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
                guard parts.count == 2 else { throw merge.invalid("expected \"left right\"") }
                return (String(parts[0]), String(parts[1]))
            }
            guard let pair = try? merge.array(), pair.count == 2, let left = pair[0].stringValue, let right = pair[1].stringValue
            else { throw merge.invalid("expected \"left right\" or [left, right]") }
            return (left, right)
        }
        return try BPEModel(vocabulary: vocabulary, merges: merges, byteLevel: byteLevel,
                            unknownToken: try node["unk_token"].optionalString(),
                            fuseUnknown: try node["fuse_unk"].bool(default: false),
                            byteFallback: try node["byte_fallback"].bool(default: false),
                            ignoreMerges: try node["ignore_merges"].bool(default: false), node: node)
    }

    private static func addedToken(_ node: JSONNode) throws -> AddedToken {
        for key in ["single_word", "lstrip", "rstrip"] where try node[key].bool(default: false) {
            throw node[key].unsupported("true")
        }
        let special = try node["special"].bool(default: false)
        return AddedToken(content: try node["content"].string(), id: try node["id"].tokenID(), special: special,
                          normalized: try node["normalized"].bool(default: !special))
    }
}
