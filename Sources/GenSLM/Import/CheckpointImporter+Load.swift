import VoltInterop
import VoltNN
import VoltTensor

extension CheckpointImporter {
    /// Loads the weights at `path` into `model`, one tensor at a time: each is read in its stored type, converted
    /// to the type of the model's tensor (float32, or bfloat16 for a base built in bfloat16) and copied in before
    /// the next is read, so the import holds at most one file tensor beside the model — never a float32 copy of
    /// the whole file. The model's configuration decides the shapes; every name and shape is checked before any
    /// data is read, so a file that does not fit leaves the model as it was.
    ///
    /// - Throws: as ``read(_:shape:)``; `.stateDictMismatch` when the file does not fit the model.
    public static func load(_ path: String, into model: GPTNeoX) throws {
        let plan = try ImportPlan(path, shape: .configuration(model.configuration))
        let targets = model.stateDict(), names = Set(plan.canonicalNames.values)
        let missing = targets.keys.filter { !names.contains($0) }.sorted(), unexpected = names.filter { targets[$0] == nil }.sorted()
        guard missing.isEmpty, unexpected.isEmpty else {
            throw TorchImportError.stateDictMismatch(path: path, missing: missing, unexpected: unexpected, wrongShape: [])
        }
        for (raw, name) in plan.canonicalNames.sorted(by: { $0.value < $1.value }) {
            guard let target = targets[name] else { continue }
            for (_, tensor) in try plan.source.read([raw]) {
                withNoGrad { target.assign(tensor.to(target.dtype)) }
            }
        }
    }
}
