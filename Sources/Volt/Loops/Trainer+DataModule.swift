import VoltData

extension Trainer {
    /// Trains `module` on `datamodule`'s training and validation loaders — Lightning's
    /// `trainer.fit(model, datamodule=dm)`. The data module's ``DataModule/state()`` goes into every checkpoint and
    /// comes back on resume.
    public func fit<M: TrainingModule, D: DataModule>(_ module: M, datamodule: D, ckptPath: String? = nil) throws
        where D.Batch == M.Batch {
        try prepare(datamodule, stage: .training)
        dataModuleState = DataModuleStateHooks(save: { try datamodule.state() }, load: { try datamodule.load(state: $0) })
        defer { dataModuleState = nil }
        try fit(module, train: try datamodule.trainLoader(), val: try datamodule.valLoader(), ckptPath: ckptPath)
    }

    /// The validation loop over `datamodule`'s validation loader.
    @discardableResult
    public func validate<M: TrainingModule, D: DataModule>(_ module: M, datamodule: D, ckptPath: String? = nil) throws
        -> [String: Double] where D.Batch == M.Batch {
        try prepare(datamodule, stage: .validating)
        guard let loader = try datamodule.valLoader() else {
            throw TrainerError.misconfiguration("the DataModule has no validation split (valLoader returned nil)")
        }
        return try validate(module, val: loader, ckptPath: ckptPath)
    }

    /// The test loop over `datamodule`'s test loader (its held-out split).
    @discardableResult
    public func test<M: TrainingModule, D: DataModule>(_ module: M, datamodule: D, ckptPath: String? = nil) throws
        -> [String: Double] where D.Batch == M.Batch {
        try prepare(datamodule, stage: .testing)
        guard let loader = try datamodule.testLoader() else {
            throw TrainerError.misconfiguration("the DataModule has no test split (testLoader returned nil)")
        }
        return try test(module, test: loader, ckptPath: ckptPath)
    }

    /// ``predict(_:_:ckptPath:returnPredictions:)`` over `datamodule`'s predict loader.
    @discardableResult
    public func predict<M: TrainingModule, D: DataModule>(_ module: M, datamodule: D, ckptPath: String? = nil,
                                                          returnPredictions: Bool = true) throws -> [Prediction]
        where D.Batch == M.Batch {
        try prepare(datamodule, stage: .predicting)
        guard let loader = try datamodule.predictLoader() else {
            throw TrainerError.misconfiguration("the DataModule has nothing to predict on (predictLoader returned nil)")
        }
        return try predict(module, loader, ckptPath: ckptPath, returnPredictions: returnPredictions)
    }

    /// `prepareData` on global rank 0 (the others wait, however long it takes; a failure there fails every rank),
    /// then `setup(stage:)` on every rank.
    func prepare<D: DataModule>(_ datamodule: D, stage: Stage) throws {
        var failure: (any Error)?
        if strategy.isGlobalZero {
            do { try datamodule.prepareData() } catch { failure = error }
        }
        strategy.barrierWhileWriting()
        let failed = strategy.agreedFlags([failure != nil])[0]
        if let failure { throw failure }
        if failed { throw TrainerError.misconfiguration("the DataModule's prepareData failed on rank 0") }
        try datamodule.setup(stage: stage)
    }
}
