import Foundation
import VoltNN
import VoltTensor

/// DeepSpeed ZeRO stage 1 over MPI: data parallelism in which each rank keeps optimizer state only for the
/// parameters it owns (about 1/N of Adam's two moments). Gradients are averaged as in ``DDPStrategy``; each rank
/// steps its own parameters and broadcasts them to the others. Checkpoints keep the state sharded: each rank
/// writes its own file of a ``ShardedCheckpoint``, which resumes on the same number of ranks (consolidated, on any).
public class ZeroStrategy: DDPStrategy {
    /// A parameter's owner; the weak reference tells a live entry from one whose tensor died and whose address
    /// a new tensor reuses (which happens on one rank and not another, so it must never decide an owner).
    private struct Ownership {
        weak var tensor: Tensor?
        var rank: Int
    }
    private var owners: [ObjectIdentifier: Ownership] = [:]

    private func assignedOwner(_ p: Tensor) -> Int? {
        guard let entry = owners[ObjectIdentifier(p)], entry.tensor === p else { return nil }
        return entry.rank
    }

    /// The owner of each parameter: greedily the rank with the fewest elements so far, in parameter order, so
    /// every rank computes the same assignment.
    func owner(_ p: Tensor, among parameters: [Tensor]) -> Int {
        if let r = assignedOwner(p) { return r }
        var load = [Int](repeating: 0, count: worldSize)
        for q in parameters where assignedOwner(q) == nil {
            let r = load.indices.min { load[$0] < load[$1] } ?? 0
            owners[ObjectIdentifier(q)] = Ownership(tensor: q, rank: r)
            load[r] += q.count
        }
        return assignedOwner(p) ?? 0
    }

    /// Each rank writes its own optimizer state.
    override public var shardsCheckpoints: Bool { true }

    override public func prepareStep(_ parameters: [Tensor]) {
        for p in parameters where owner(p, among: parameters) != rank { p.grad = nil }
    }

    override public func finishStep(_ parameters: [Tensor]) {
        for p in parameters {
            communicator.broadcast(p.rawPointer, byteCount: p.count * p.dtype.byteSize, root: owner(p, among: parameters))
        }
    }

    override public func localOptimizerState(_ state: OptimizerState, for optimizer: any Optimizer) -> OptimizerState {
        let parameters = optimizer.parameterGroups.flatMap(\.parameters)
        var local = state
        for (name, p) in optimizer.namedParameters where owner(p, among: parameters) != rank {
            local.tensors[name] = nil
            local.scalars[name] = nil
        }
        return local
    }

    override public func gatherOptimizerState(_ optimizer: any Optimizer) -> OptimizerState {
        var state = optimizer.state()
        let parameters = optimizer.parameterGroups.flatMap(\.parameters)
        for (name, p) in optimizer.namedParameters {
            let root = owner(p, among: parameters)
            // The owner describes its entry (keys, shapes, scalars) in JSON, then sends the tensors.
            var header = [UInt8]()
            if root == rank {
                let tensors = (state.tensors[name] ?? [:]).sorted { $0.key < $1.key }
                let description = Entry(keys: tensors.map(\.key), shapes: tensors.map(\.value.shape),
                                        scalars: state.scalars[name] ?? [:])
                header = Array((try? JSONEncoder().encode(description)) ?? Data())
            }
            var length = [UInt64(header.count)]
            length.withUnsafeMutableBytes { communicator.broadcast($0.baseAddress!, byteCount: 8, root: root) }
            if root != rank { header = [UInt8](repeating: 0, count: Int(length[0])) }
            header.withUnsafeMutableBytes { if $0.count > 0 { communicator.broadcast($0.baseAddress!, byteCount: $0.count, root: root) } }
            guard let entry = try? JSONDecoder().decode(Entry.self, from: Data(header)) else { continue }
            var tensors: [String: Tensor] = [:]
            for (key, shape) in zip(entry.keys, entry.shapes) {
                let t = root == rank ? (state.tensors[name]?[key] ?? Tensor.zeros(shape)) : Tensor.zeros(shape)
                communicator.broadcast(t.rawPointer, byteCount: t.count * 4, root: root)
                tensors[key] = t
            }
            state.tensors[name] = tensors.isEmpty ? nil : tensors
            state.scalars[name] = entry.scalars.isEmpty ? nil : entry.scalars
        }
        return state
    }

    private struct Entry: Codable {
        var keys: [String]
        var shapes: [[Int]]
        var scalars: [String: Double]
    }
}
