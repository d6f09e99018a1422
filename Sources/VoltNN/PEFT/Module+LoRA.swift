import VoltTensor

extension Module {
    /// Attaches a LoRA adapter to every `Linear` layer whose name matches `configuration.targetModules`, freezes
    /// every other tensor, and leaves trainable only the adapters, the biases `configuration.bias` names and the
    /// modules of `configuration.modulesToSave` — PEFT's `get_peft_model` over this module.
    ///
    /// As in PEFT, A (`lora_A.weight`, [r, in]) is drawn Kaiming-uniform with a = √5, that is U(−1/√in, 1/√in),
    /// and B (`lora_B.weight`, [out, r]) is zero, so the adapted module computes exactly what the base did until
    /// B trains. Frozen tensors have `requiresGrad` false: the backward pass makes no gradient for them and
    /// optimizers built from ``parameters`` never see them.
    ///
    /// - Parameters:
    ///   - configuration: the rank, scaling, dropout, target layers, trainable biases and modules to save.
    ///   - stream: the random stream of the adapters' dropout; default: the module's first stream (so gradient
    ///     checkpointing replays the same masks), or a new one seeded with `seed`.
    ///   - seed: seed of the A initialisation.
    /// - Returns: the names of the adapted layers, in module order.
    /// - Throws: ``LoRAError`` for an invalid configuration, no matching layer, or a layer already adapted.
    @discardableResult
    public func applyLoRA(_ configuration: LoRAConfiguration, stream: RandomStream? = nil,
                          seed: UInt64 = 0) throws(LoRAError) -> [String] {
        try configuration.validate()
        let modules = namedModules()
        let targets = modules.compactMap { name, module in
            configuration.targetModules.matches(name) ? (module as? Linear).map { (name, $0) } : nil
        }
        guard !targets.isEmpty else { throw .noTargetModules("\(configuration.targetModules)") }
        if let adapted = targets.first(where: { $0.1.loraA != nil }) { throw .alreadyAdapted(adapted.0) }
        for name in configuration.modulesToSave where !modules.contains(where: { TargetModules.names([name]).matches($0.0) }) {
            throw .noModuleToSave(name)
        }

        for (_, tensor) in namedTensors() { tensor.requiresGrad = false }
        let dropoutStream = stream ?? namedRandomStreams().first?.1 ?? RandomStream(seed: seed &+ 0x10AA)
        var generator = RandomGenerator(seed: seed)
        for (_, layer) in targets {
            let bound = 1 / Float(layer.inFeatures).squareRoot()
            let a = Tensor.uniform([configuration.r, layer.inFeatures], low: -bound, high: bound, generator: &generator)
            let b = Tensor.zeros([layer.outFeatures, configuration.r])
            a.requiresGrad = true
            b.requiresGrad = true
            layer.loraA = Linear(weight: a, bias: nil)
            layer.loraB = Linear(weight: b, bias: nil)
            layer._loraDropout = Dropout(Float(configuration.dropout), stream: dropoutStream)
            layer._lora = LoRAState(scaling: Float(configuration.scaling))
            layer.loraA?.train(training)
            layer.loraB?.train(training)
            layer._loraDropout?.train(training)
            if configuration.bias == .loraOnly { layer.bias?.requiresGrad = true }
        }
        if configuration.bias == .all {
            for (name, tensor) in namedTensors() where name == "bias" || name.hasSuffix(".bias") { tensor.requiresGrad = true }
        }
        let saved = TargetModules.names(configuration.modulesToSave)
        for (name, module) in modules where !configuration.modulesToSave.isEmpty && saved.matches(name) {
            for (_, tensor) in module.namedTensors() { tensor.requiresGrad = true }
        }
        return targets.map(\.0)
    }

    /// The `Linear` layers that carry a LoRA adapter, with their names.
    public func loraLayers() -> [(String, Linear)] {
        namedModules().compactMap { name, module in (module as? Linear).flatMap { $0.loraA != nil ? (name, $0) : nil } }
    }

    /// Adds s·B·A into each adapted layer's base weight (PEFT's `merge_adapter`); the forward pass then skips the
    /// adapters and computes the same function with one product per layer. Layers already merged are left alone.
    /// A bfloat16 base weight is merged in float32 and rounded back.
    public func mergeLoRA() { shiftLoRA(by: 1, merged: true) }

    /// Subtracts s·B·A from each merged layer's base weight again (PEFT's `unmerge_adapter`), restoring the base
    /// up to float32 rounding (bfloat16 rounding for a bfloat16 base).
    public func unmergeLoRA() { shiftLoRA(by: -1, merged: false) }

    private func shiftLoRA(by sign: Float, merged: Bool) {
        withNoGrad {
            for (_, layer) in loraLayers() {
                guard let a = layer.loraA, let b = layer.loraB, var state = layer._lora, state.merged != merged else { continue }
                let delta = b.weight.matmul(a.weight) * (sign * state.scaling)
                layer.weight.assign((layer.weight.float32() + delta).to(layer.weight.dtype))
                state.merged = merged
                layer._lora = state
            }
        }
    }

    /// Stores the weights of frozen `Linear` layers (those without `requiresGrad`) as `dtype` — bfloat16 for a
    /// bf16 run, half the memory of float32. Products read them as they are under bfloat16 autocast and widen
    /// them to float32 otherwise. The float32 buffers go back to the system (the buffer pool is trimmed). Returns
    /// the number of layers converted.
    @discardableResult
    public func storeFrozenWeights(as dtype: DType) -> Int {
        var converted = 0
        withNoGrad {
            for (_, module) in namedModules() {
                guard let layer = module as? Linear, !layer.weight.requiresGrad, layer.weight.dtype != dtype else { continue }
                layer.weight = layer.weight.to(dtype)
                converted += 1
            }
        }
        // The float32 buffers just released would otherwise wait in the pool for reuse that never comes.
        if converted > 0 { BufferPool.shared.trim() }
        return converted
    }
}
