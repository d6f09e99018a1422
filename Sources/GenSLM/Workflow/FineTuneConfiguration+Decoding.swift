import VoltNN
import VoltTune

// Decoding with defaults: a missing key keeps the value the property is declared with.

extension KeyedDecodingContainer {
    /// The value at `key`, or `fallback` when the key is absent.
    func value<T: Decodable>(_ key: Key, or fallback: T) throws -> T { try decodeIfPresent(T.self, forKey: key) ?? fallback }
}

extension FineTuneConfiguration {
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self), d = FineTuneConfiguration()
        seed = try c.value(.seed, or: d.seed)
        data = try c.value(.data, or: d.data)
        model = try c.value(.model, or: d.model)
        module = try c.value(.module, or: d.module)
        trainer = try c.value(.trainer, or: d.trainer)
        peft = try c.decodeIfPresent(PEFTSection.self, forKey: .peft)
        tune = try c.decodeIfPresent(TuneSection.self, forKey: .tune)
    }
}

extension FineTuneConfiguration.PEFTSection {
    /// Any key, to see which options were given.
    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.value(.type, or: Self().type)
        guard let allowed = Self.optionKeys[type] else {
            throw DecodingError.dataCorruptedError(forKey: .type, in: c,
                                                   debugDescription: "peft.type \"\(type)\" is not lora or prompt_tuning")
        }
        let given = try decoder.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue)
        if let stray = given.first(where: { $0 != "type" && !allowed.contains($0) }) {
            throw DecodingError.dataCorruptedError(forKey: .type, in: c,
                                                   debugDescription: "peft.\(stray) does not apply to type \(type)")
        }
        if type == "lora" { lora = try LoRAConfiguration(from: decoder) }
        if type == "prompt_tuning" { promptTuning = try PromptTuningConfiguration(from: decoder) }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(type, forKey: .type)
        if type == "prompt_tuning" { try promptTuning.encode(to: encoder) } else { try lora.encode(to: encoder) }
    }
}

extension FineTuneConfiguration.TuneSection {
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self), d = Self()
        studyName = try c.value(.studyName, or: d.studyName)
        storage = try c.decodeIfPresent(String.self, forKey: .storage)
        nTrials = try c.value(.nTrials, or: d.nTrials)
        direction = try c.value(.direction, or: d.direction)
        metric = try c.value(.metric, or: d.metric)
        sampler = try c.value(.sampler, or: d.sampler)
        pruner = try c.value(.pruner, or: d.pruner)
        seed = try c.value(.seed, or: d.seed)
        nStartupTrials = try c.value(.nStartupTrials, or: d.nStartupTrials)
        prunerStartupTrials = try c.value(.prunerStartupTrials, or: d.prunerStartupTrials)
        prunerWarmupSteps = try c.value(.prunerWarmupSteps, or: d.prunerWarmupSteps)
        heartbeatInterval = try c.value(.heartbeatInterval, or: d.heartbeatInterval)
        gracePeriod = try c.decodeIfPresent(Double.self, forKey: .gracePeriod)
        space = try c.value(.space, or: d.space)
    }
}

extension FineTuneConfiguration.SearchParameterSection {
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self), d = Self()
        type = try c.value(.type, or: d.type)
        low = try c.decodeIfPresent(Double.self, forKey: .low)
        high = try c.decodeIfPresent(Double.self, forKey: .high)
        step = try c.decodeIfPresent(Double.self, forKey: .step)
        log = try c.value(.log, or: d.log)
        choices = try c.decodeIfPresent([JSONValue].self, forKey: .choices)
    }
}

extension FineTuneConfiguration.DataSection {
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self), d = Self()
        if c.contains(.path), c.contains(.fasta) {
            throw DecodingError.dataCorruptedError(forKey: .fasta, in: c,
                                                   debugDescription: "data.fasta is the old name of data.path; give only data.path")
        }
        path = try c.decodeIfPresent(String.self, forKey: .path) ?? c.value(.fasta, or: d.path)
        split = try c.value(.split, or: d.split)
        batchSize = try c.value(.batchSize, or: d.batchSize)
        guard batchSize >= 1 else {
            throw DecodingError.dataCorruptedError(forKey: .batchSize, in: c, debugDescription: "data.batch_size must be at least 1")
        }
        numWorkers = try c.value(.numWorkers, or: d.numWorkers)
        maxLength = try c.decodeIfPresent(Int.self, forKey: .maxLength)
        if let maxLength, maxLength < 1 {
            throw DecodingError.dataCorruptedError(forKey: .maxLength, in: c, debugDescription: "data.max_length must be at least 1")
        }
        padding = try c.value(.padding, or: d.padding)
        countPadInLoss = try c.value(.countPadInLoss, or: d.countPadInLoss)
        sampler = try c.value(.sampler, or: d.sampler)
        bucketWindow = try c.value(.bucketWindow, or: d.bucketWindow)
        guard bucketWindow > 0 else {
            throw DecodingError.dataCorruptedError(forKey: .bucketWindow, in: c, debugDescription: "data.bucket_window must be positive")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(path, forKey: .path)
        try c.encode(split, forKey: .split)
        try c.encode(batchSize, forKey: .batchSize)
        try c.encode(numWorkers, forKey: .numWorkers)
        try c.encodeIfPresent(maxLength, forKey: .maxLength)
        try c.encode(padding, forKey: .padding)
        try c.encode(countPadInLoss, forKey: .countPadInLoss)
        try c.encode(sampler, forKey: .sampler)
        try c.encode(bucketWindow, forKey: .bucketWindow)
    }
}

extension FineTuneConfiguration.ModelSection {
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self), d = Self()
        preset = try c.value(.preset, or: d.preset)
        initialization = try c.value(.initialization, or: d.initialization)
        gradientCheckpointing = try c.value(.gradientCheckpointing, or: d.gradientCheckpointing)
        dropout = try c.decodeIfPresent(Double.self, forKey: .dropout)
        adapter = try c.decodeIfPresent(String.self, forKey: .adapter)
    }
}

extension FineTuneConfiguration.ModuleSection {
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self), d = Self()
        accumulationSteps = try c.value(.accumulationSteps, or: d.accumulationSteps)
        lr = try c.value(.lr, or: d.lr)
        optimization = try c.value(.optimization, or: d.optimization)
        optimizer = try c.value(.optimizer, or: d.optimizer)
        weightDecay = try c.value(.weightDecay, or: d.weightDecay)
    }
}

extension FineTuneConfiguration.TrainerSection {
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self), d = Self()
        maxEpochs = try c.value(.maxEpochs, or: d.maxEpochs)
        maxSteps = try c.value(.maxSteps, or: d.maxSteps)
        precision = try c.value(.precision, or: d.precision)
        strategy = try c.value(.strategy, or: d.strategy)
        devices = try c.value(.devices, or: d.devices)
        accumulateGradBatches = try c.value(.accumulateGradBatches, or: d.accumulateGradBatches)
        gradientClipVal = try c.decodeIfPresent(Double.self, forKey: .gradientClipVal)
        gradientClipAlgorithm = try c.value(.gradientClipAlgorithm, or: d.gradientClipAlgorithm)
        valCheckInterval = try c.value(.valCheckInterval, or: d.valCheckInterval)
        checkValEveryNEpoch = try c.value(.checkValEveryNEpoch, or: d.checkValEveryNEpoch)
        limitTrainBatches = try c.value(.limitTrainBatches, or: d.limitTrainBatches)
        limitValBatches = try c.value(.limitValBatches, or: d.limitValBatches)
        limitTestBatches = try c.value(.limitTestBatches, or: d.limitTestBatches)
        numSanityValSteps = try c.value(.numSanityValSteps, or: d.numSanityValSteps)
        logEveryNSteps = try c.value(.logEveryNSteps, or: d.logEveryNSteps)
        // Lightning takes a bool or an int: true is one batch.
        if let flag = try? c.decodeIfPresent(Bool.self, forKey: .fastDevRun) { fastDevRun = flag ? 1 : 0 }
        else { fastDevRun = try c.value(.fastDevRun, or: d.fastDevRun) }
        maxTime = try c.decodeIfPresent(String.self, forKey: .maxTime)
        collectiveTimeout = try c.value(.collectiveTimeout, or: d.collectiveTimeout)
        overfitBatches = try c.value(.overfitBatches, or: d.overfitBatches)
        deterministic = try c.value(.deterministic, or: d.deterministic)
        defaultRootDir = try c.value(.defaultRootDir, or: d.defaultRootDir)
        enableProgressBar = try c.value(.enableProgressBar, or: d.enableProgressBar)
        enableCheckpointing = try c.value(.enableCheckpointing, or: d.enableCheckpointing)
        callbacks = try c.value(.callbacks, or: d.callbacks)
        loggers = try c.value(.loggers, or: d.loggers)
    }
}

extension FineTuneConfiguration.ModelCheckpointSection {
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self), d = Self()
        dirpath = try c.decodeIfPresent(String.self, forKey: .dirpath)
        filename = try c.decodeIfPresent(String.self, forKey: .filename)
        monitor = try c.decodeIfPresent(String.self, forKey: .monitor)
        mode = try c.value(.mode, or: d.mode)
        saveTopK = try c.value(.saveTopK, or: d.saveTopK)
        saveLast = try c.value(.saveLast, or: d.saveLast)
        everyNEpochs = try c.value(.everyNEpochs, or: d.everyNEpochs)
        everyNTrainSteps = try c.value(.everyNTrainSteps, or: d.everyNTrainSteps)
        autoInsertMetricName = try c.value(.autoInsertMetricName, or: d.autoInsertMetricName)
        saveWeightsOnly = try c.value(.saveWeightsOnly, or: d.saveWeightsOnly)
    }
}

extension FineTuneConfiguration.EarlyStoppingSection {
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self), d = Self()
        monitor = try c.value(.monitor, or: d.monitor)
        minDelta = try c.value(.minDelta, or: d.minDelta)
        patience = try c.value(.patience, or: d.patience)
        mode = try c.value(.mode, or: d.mode)
        stoppingThreshold = try c.decodeIfPresent(Double.self, forKey: .stoppingThreshold)
        divergenceThreshold = try c.decodeIfPresent(Double.self, forKey: .divergenceThreshold)
        checkFinite = try c.value(.checkFinite, or: d.checkFinite)
    }
}

extension FineTuneConfiguration.LRMonitorSection {
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        loggingInterval = try c.value(.loggingInterval, or: Self().loggingInterval)
    }
}
