/// One tokenized (prompt, target) pair for a causal language model: the prompt's and the target's ids in one
/// sequence, with labels only on the target (``ignoreIndex`` elsewhere, as transformers' `-100`).
public struct TextPairExample: Sendable, Equatable {
    /// Token ids: the prompt, then the target.
    public var inputIDs: [Int32]
    /// ``ignoreIndex`` on prompt positions, the token ids on target positions.
    public var labels: [Int32]

    /// Labels with this value contribute no loss (PyTorch's and transformers' `-100`).
    public static let ignoreIndex: Int32 = -100

    /// An example from its parts (the two arrays have the same length).
    public init(inputIDs: [Int32], labels: [Int32]) {
        precondition(inputIDs.count == labels.count, "inputIDs and labels differ in length")
        self.inputIDs = inputIDs
        self.labels = labels
    }

    /// Number of tokens.
    public var count: Int { inputIDs.count }
}

/// Which end of the prompt loses tokens when the pair is longer than the window.
public enum TruncationSide: String, Sendable, Codable {
    /// Tokens are dropped from the prompt's start (transformers' `truncation_side="left"`).
    case left
    /// Tokens are dropped from the prompt's end.
    case right
}

/// Turns records into ``TextPairExample``s: the prompt (a template over the record's fields) is encoded with the
/// tokenizer's special tokens (LLaMA's BOS), the target without them and followed by `eosID` when given.
///
/// When the pair exceeds `maxLength`, the target is kept (cut from its end only when it alone exceeds
/// `maxTargetLength` or `maxLength`) and the prompt is truncated from `truncation`'s side to fill the rest.
public struct TextPairEncoder: Sendable {
    /// The tokenizer.
    public let tokenizer: HFTokenizer
    /// The prompt, e.g. `"Summarize:\n{document}\n\nSummary:\n"`.
    public let template: PromptTemplate
    /// The field holding the target (e.g. `summary`).
    public let targetField: String
    /// The window: tokens per example at most.
    public let maxLength: Int
    /// Target tokens at most (EOS included); nil = as many as `maxLength` allows.
    public let maxTargetLength: Int?
    /// Which end of the prompt is cut.
    public let truncation: TruncationSide
    /// Appended to every target when set.
    public let eosID: Int32?

    /// An encoder.
    public init(tokenizer: HFTokenizer, template: PromptTemplate, targetField: String, maxLength: Int,
                maxTargetLength: Int? = nil, truncation: TruncationSide = .left, eosID: Int32? = nil) {
        precondition(maxLength > 0, "maxLength must be positive")
        self.tokenizer = tokenizer
        self.template = template
        self.targetField = targetField
        self.maxLength = maxLength
        self.maxTargetLength = maxTargetLength
        self.truncation = truncation
        self.eosID = eosID
    }

    /// The example of `record`.
    ///
    /// - Throws: ``TextDataError/missingField(file:line:field:)`` naming the record's file and line.
    public func encode(_ record: TextRecord) throws -> TextPairExample {
        try encode([record])[0]
    }

    /// The examples of `records`, tokenized as one batch (sharing the tokenizer's word cache).
    public func encode(_ records: [TextRecord]) throws -> [TextPairExample] {
        let prompts = try records.map(template.render)
        let targets = try records.map { try $0.value(targetField) }
        let promptIDs = tokenizer.encode(batch: prompts, addSpecialTokens: true)
        let targetIDs = tokenizer.encode(batch: targets, addSpecialTokens: false)
        return zip(promptIDs, targetIDs).map { pair(prompt: $0, target: $1) }
    }

    /// Joins and truncates one pair.
    public func pair(prompt: [Int32], target: [Int32]) -> TextPairExample {
        var target = target
        if let eosID { target.append(eosID) }
        let targetLimit = min(maxTargetLength ?? maxLength, maxLength)
        if target.count > targetLimit { target.removeLast(target.count - targetLimit) }
        let budget = maxLength - target.count
        var prompt = prompt
        if prompt.count > budget {
            switch truncation {
            case .left: prompt.removeFirst(prompt.count - budget)
            case .right: prompt.removeLast(prompt.count - budget)
            }
        }
        return TextPairExample(inputIDs: prompt + target,
                               labels: [Int32](repeating: TextPairExample.ignoreIndex, count: prompt.count) + target)
    }
}
