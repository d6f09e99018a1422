import VoltTensor

extension LlamaForCausalLM {
    /// New token ids for each prompt, by greedy search or sampling (``LlamaGenerationOptions``) with a key/value
    /// cache: the prompt runs through the model in one pass, then each new token alone.
    ///
    /// Prompts of different lengths need no padding: each runs on its own, one after another (a single-sequence
    /// cache; the per-token cost is a matrix–vector pass either way at these sizes). A sequence ends after
    /// `maxNewTokens` new tokens, after an id of `eosTokenIds` (kept as its last new token), or when the model's
    /// `max_position_embeddings` are used up. The result excludes the prompt, as
    /// `generate(...)[:, prompt_length:]` in transformers without the padding after an end-of-sequence id.
    /// Runs in evaluation mode without recording gradients; the model's mode is restored afterwards.
    ///
    /// - Throws: ``LlamaError/invalidInput(_:)`` for an empty prompt, an id outside the vocabulary or options out
    ///   of range; ``LlamaError/sequenceTooLong(length:maximum:)`` for a prompt longer than the model's positions.
    public func generate(prompts: [[Int32]], options: LlamaGenerationOptions = .init()) throws -> [[Int32]] {
        try options.validate()
        for prompt in prompts { try checkPrompt(prompt) }
        let wasTraining = training
        eval()
        defer { if wasTraining { train() } }
        return try prompts.enumerated().map { index, prompt in
            let sampler = TokenSampler(options: options, generator: RandomGenerator(seed: options.seed, offset: UInt64(index) << 40))
            return try generate(prompt: prompt, sampler: sampler)
        }
    }

    /// One prompt's new tokens.
    private func generate(prompt: [Int32], sampler: TokenSampler) throws -> [Int32] {
        var sampler = sampler
        let limit = Swift.min(prompt.count + sampler.options.maxNewTokens, configuration.maxPositionEmbeddings)
        guard prompt.count < limit else { return [] }
        var cache = LlamaKeyValueCache(for: self, capacity: limit)
        let stop = Set(sampler.options.eosTokenIds)
        var input = prompt, generated: [Int32] = []
        while true {
            let logits = try self.logits(Tensor(shape: [1, input.count], indices: input), cache: &cache).float32().contiguous()
            let vocab = configuration.vocabSize
            let token = withExtendedLifetime(logits) {
                sampler.next(UnsafeBufferPointer(start: logits.floatPointer + (logits.count - vocab), count: vocab))
            }
            generated.append(token)
            if stop.contains(token) || prompt.count + generated.count >= limit { break }
            input = [token]
        }
        return generated
    }

    private func checkPrompt(_ prompt: [Int32]) throws(LlamaError) {
        guard !prompt.isEmpty else { throw .invalidInput("generation needs at least one prompt token") }
        if let bad = prompt.first(where: { $0 < 0 || Int($0) >= configuration.vocabSize }) {
            throw .invalidInput("prompt token id \(bad) is outside the vocabulary of \(configuration.vocabSize)")
        }
        guard prompt.count <= configuration.maxPositionEmbeddings else {
            throw .sequenceTooLong(length: prompt.count, maximum: configuration.maxPositionEmbeddings)
        }
    }
}
