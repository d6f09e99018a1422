import Foundation

/// A tokenizer read from a Hugging Face `tokenizer.json`, encoding and decoding as the `tokenizers` library does.
///
/// Implemented: the BPE model (byte-level as GPT-2 and LLaMA 3, or SentencePiece-style with `byte_fallback` as
/// LLaMA 2); normalizers `Prepend`, `Replace` (string patterns), `NFC`/`NFD`/`NFKC`/`NFKD`, `Lowercase` and
/// `Sequence`; pre-tokenizers `ByteLevel` (with or without GPT-2's regex and `add_prefix_space`), `Split` with
/// GPT-2's or LLaMA 3's regex, `Metaspace` and `Sequence`; decoders `ByteLevel`, `Metaspace`, `Replace`,
/// `ByteFallback`, `Fuse`, `Strip` and `Sequence`; post-processors `TemplateProcessing` (single sequences),
/// `ByteLevel` and `Sequence`; and added tokens, matched before normalization (or after it, for those marked
/// `normalized`). Anything else is a ``TokenizerError/unsupported(file:key:value:)`` naming the key, at load time.
///
/// A value type, safe to share between threads; encoding keeps its word cache per call, so batch encoding
/// (``encode(batch:addSpecialTokens:)``) is where repeated words are cheapest.
public struct HFTokenizer: Sendable {
    let model: BPEModel
    let normalizer: Normalizer?
    let preTokenizer: PreTokenizer?
    let postProcessor: PostProcessor?
    let decoder: TokenizerDecoder?
    let rawAddedTokens: AddedTokenMatcher
    let normalizedAddedTokens: AddedTokenMatcher
    /// The tokens of `added_tokens`, in file order.
    public let addedTokens: [AddedToken]
    private let addedByID: [Int32: AddedToken]
    /// How each added token is spelled in decoding: its content, normalized when the token is (as `tokenizers`).
    private let addedSpelling: [Int32: String]

    init(model: BPEModel, normalizer: Normalizer?, preTokenizer: PreTokenizer?, postProcessor: PostProcessor?,
         decoder: TokenizerDecoder?, addedTokens: [AddedToken]) {
        self.model = model
        self.normalizer = normalizer
        self.preTokenizer = preTokenizer
        self.postProcessor = postProcessor
        self.decoder = decoder
        self.addedTokens = addedTokens
        rawAddedTokens = AddedTokenMatcher(addedTokens.filter { !$0.normalized })
        // As `tokenizers`, a normalized added token is looked for as the normalizer writes it (LLaMA 2's
        // Prepend makes "x" into "▁x", so the space before it becomes part of the token).
        normalizedAddedTokens = AddedTokenMatcher(addedTokens.filter(\.normalized)) {
            normalizer?.apply(Array($0.content.utf8)) ?? Array($0.content.utf8)
        }
        addedByID = Dictionary(addedTokens.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        addedSpelling = addedByID.mapValues { token in
            guard token.normalized, let normalizer else { return token.content }
            return String(decoding: normalizer.apply(Array(token.content.utf8)), as: UTF8.self)
        }
    }

    /// Number of ids: the model's vocabulary and the added tokens (the largest id plus one).
    public var vocabularySize: Int {
        Int(max(model.tokens.keys.max() ?? -1, addedByID.keys.max() ?? -1)) + 1
    }

    /// The id of `token` (an added token or a vocabulary entry, spelled as in the file).
    public func id(of token: String) -> Int32? {
        addedTokens.first(where: { $0.content.utf8.elementsEqual(token.utf8) })?.id ?? model.vocabulary[Array(token.utf8)]
    }

    /// The token of `id` as `tokenizers`' `id_to_token` spells it: the vocabulary entry, or an added token's
    /// content (passed through the normalizer when the token is `normalized`).
    public func token(of id: Int32) -> String? { addedSpelling[id] ?? model.tokens[id] }

    /// The token ids of `text`; with `addSpecialTokens` the post-processor adds its tokens (LLaMA's BOS).
    public func encode(_ text: String, addSpecialTokens: Bool = true) -> [Int32] {
        var scratch = EncodingScratch(capacity: 64)
        return encode(text, addSpecialTokens: addSpecialTokens, scratch: &scratch)
    }

    /// The token ids of each text, sharing one word cache across the batch.
    public func encode(batch texts: [String], addSpecialTokens: Bool = true) -> [[Int32]] {
        var scratch = EncodingScratch()
        return texts.map { encode($0, addSpecialTokens: addSpecialTokens, scratch: &scratch) }
    }

    func encode(_ text: String, addSpecialTokens: Bool, scratch: inout EncodingScratch) -> [Int32] {
        var ids: [Int32] = []
        ids.reserveCapacity(text.utf8.count / 3 + 2)
        let raw = Array(text.utf8)
        for (range, addedID) in rawAddedTokens.split(raw) {
            if let addedID {
                ids.append(addedID)
                continue
            }
            let segment = Array(raw[range])
            let normalized = normalizer?.apply(segment) ?? segment
            for (part, partID) in normalizedAddedTokens.split(normalized) {
                if let partID {
                    ids.append(partID)
                } else {
                    tokenize(Array(normalized[part]), startsText: range.lowerBound == 0 && part.lowerBound == 0,
                             into: &ids, scratch: &scratch)
                }
            }
        }
        if addSpecialTokens, let postProcessor { return postProcessor.apply(ids) }
        return ids
    }

    /// Pre-tokenizes one stretch of normalized text and runs the model on each word.
    private func tokenize(_ text: [UInt8], startsText: Bool, into ids: inout [Int32], scratch: inout EncodingScratch) {
        guard !text.isEmpty else { return }
        var pieces = Pieces(bytes: text, ranges: [0..<text.count])
        if let preTokenizer { pieces = preTokenizer.apply(pieces, startsText: startsText) }
        pieces.bytes.withUnsafeBufferPointer { bytes in
            for range in pieces.ranges where !range.isEmpty {
                let word = UnsafeBufferPointer(rebasing: bytes[range])
                scratch.tokenize(word, model: model, into: &ids)
            }
        }
    }

    /// The text of `ids`, through the decoder; `skipSpecialTokens` leaves out special added tokens.
    public func decode(_ ids: [Int32], skipSpecialTokens: Bool = false) -> String {
        let tokens: [String] = ids.compactMap { id in
            if let added = addedByID[id] { return skipSpecialTokens && added.special ? nil : addedSpelling[id] }
            return model.tokens[id]
        }
        guard let decoder else { return tokens.joined(separator: " ") }
        return decoder.decodeChain(tokens).joined()
    }
}

/// Per-call state of encoding: the cache of words already tokenized and a scratch symbol buffer.
struct EncodingScratch {
    private var cache: ByteStringTable
    private var symbols: [Int32] = []
    private var wordIDs: [Int32] = []
    /// Words longer than this are not cached (as `tokenizers`, which caches short words only).
    private static let longestCachedWord = 256
    private static let capacity = 1 << 18

    /// Scratch whose cache starts with room for `capacity` words (it grows up to 2¹⁸).
    init(capacity: Int = 4096) { cache = ByteStringTable(capacity: capacity) }

    mutating func tokenize(_ word: UnsafeBufferPointer<UInt8>, model: BPEModel, into ids: inout [Int32]) {
        guard word.count <= Self.longestCachedWord else {
            model.tokenize(word, into: &ids, symbols: &symbols)
            return
        }
        let hash = ByteStringTable.hash(word)
        if let found = cache.find(word, hash: hash) {
            for k in found { ids.append(cache.id(at: k)) }
            return
        }
        wordIDs.removeAll(keepingCapacity: true)
        model.tokenize(word, into: &wordIDs, symbols: &symbols)
        ids += wordIDs
        if cache.count < Self.capacity { cache.insert(word, hash: hash, values: wordIDs) }
    }
}
