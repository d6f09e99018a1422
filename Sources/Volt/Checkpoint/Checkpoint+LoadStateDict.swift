import VoltHDF5
import VoltNN
import VoltTensor

extension Checkpoint {
    /// Loads the state dict of the checkpoint at `path` into `module` one tensor at a time: each is read in its
    /// stored type, converted to the type of the module's tensor and copied in before the next is read, so no
    /// second copy of the weights is held (a module whose frozen weights are bfloat16 loads a float32 checkpoint
    /// without a float32 copy). Names and shapes are checked first, as `Module.load(stateDict:strict:)` checks
    /// them, so a checkpoint that does not fit leaves the module as it was.
    ///
    /// - Throws: `ModuleError` when the names (with `strict`) or shapes do not fit; ``CheckpointError`` as
    ///   ``read(from:weightsOnly:)``.
    public static func loadStateDict(from path: String, into module: Module, strict: Bool = true) throws {
        try hdf5Lock.withLock {
            let root = try openForReading(path)
            do {
                try checkFormat(root)
                let group = try root.group("state_dict")
                let members = try group.memberNames()
                var shapes: [String: [Int]] = [:]
                for member in members { shapes[CheckpointNames.unescape(member)] = try group.dataset(member).shape() }
                let named = module.namedTensors()
                let own = Dictionary(named, uniquingKeysWith: { a, _ in a })
                if strict {
                    let missing = named.map(\.0).filter { shapes[$0] == nil }
                    let unexpected = shapes.keys.filter { own[$0] == nil }.sorted()
                    if !missing.isEmpty || !unexpected.isEmpty { throw ModuleError.keyMismatch(missing: missing, unexpected: unexpected) }
                }
                for (key, tensor) in named {
                    if let shape = shapes[key], shape != tensor.shape {
                        throw ModuleError.shapeMismatch(key: key, expected: tensor.shape, found: shape)
                    }
                }
                for member in members {
                    guard let target = own[CheckpointNames.unescape(member)] else { continue }
                    let stored = try group.dataset(member).readTensor()
                    withNoGrad { target.assign(stored.to(target.dtype)) }
                }
            } catch let error as HDF5Error {
                throw CheckpointError(reading: path, error)
            }
        }
    }
}
