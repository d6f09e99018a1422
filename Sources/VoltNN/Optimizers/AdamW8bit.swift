import CVoltKernels
import Foundation
import VoltTensor

/// Adam with 8-bit moments, as bitsandbytes' `Adam8bit` / `AdamW8bit` (block-wise, `optim_bits=8`): each
/// parameter's first and second moments are stored in blocks of ``blockSize`` (2048) elements as one byte per
/// element — an index into the signed (m) or unsigned (v) ``DynamicQuantizationMap`` — plus a float32 absmax per
/// block: about 2 bytes of state per parameter instead of Adam's 8.
///
/// Each step dequantizes a block, applies PyTorch's Adam update in float32 (the parameter update reads the
/// float32 moments), and requantizes against the block's new absmax. As in bitsandbytes, tensors smaller than
/// ``minimum8BitSize`` (biases, layer norms) keep float32 moments. The state is checkpointed as it is held —
/// codes (packed four to an int32 word), absmax and step — so a resumed run continues bit for bit.
public class Adam8bit: Optimizer {
    public var parameterGroups: [ParameterGroup]
    /// Decay rates of the first and second moment estimates.
    public var betas: (Double, Double)
    /// Added to the denominator.
    public var eps: Double
    /// Whether weight decay is decoupled (AdamW) or added to the gradient (Adam's L2 penalty).
    public let decoupledWeightDecay: Bool
    /// Elements per quantization block (bitsandbytes: 2048).
    public let blockSize: Int
    /// Tensors with fewer elements keep float32 moments (bitsandbytes' `min_8bit_size`, 4096).
    public let minimum8BitSize: Int

    /// The signed map of the first moments.
    public let signedMap = DynamicQuantizationMap(signed: true)
    /// The unsigned map of the second moments.
    public let unsignedMap = DynamicQuantizationMap(signed: false)

    private enum Moments {
        case quantized(m: BlockwiseQuantized, v: BlockwiseQuantized)
        case full(m: Tensor, v: Tensor)
    }
    private var entries: [ObjectIdentifier: (moments: Moments, step: Int)] = [:]

    /// 8-bit Adam over parameter groups.
    public init(_ groups: [ParameterGroup], betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
                decoupledWeightDecay: Bool = false, blockSize: Int = 2048, minimum8BitSize: Int = 4096) {
        precondition(blockSize >= 1 && blockSize <= Int(VOLT_ADAM8_MAX_BLOCK), "block size \(blockSize) out of range")
        parameterGroups = groups
        self.betas = betas
        self.eps = eps
        self.decoupledWeightDecay = decoupledWeightDecay
        self.blockSize = blockSize
        self.minimum8BitSize = minimum8BitSize
    }

    /// The optimizer's name in checkpoints.
    public var typeName: String { decoupledWeightDecay ? "AdamW8bit" : "Adam8bit" }

    /// Bytes of optimizer state held now (codes, absmax and float32 moments of small tensors).
    public var stateBytes: Int {
        entries.values.reduce(0) { total, entry in
            switch entry.moments {
            case let .quantized(m, v): total + m.codes.count + v.codes.count + 4 * (m.absmax.count + v.absmax.count)
            case let .full(m, v): total + 4 * (m.count + v.count)
            }
        }
    }

    public func step() {
        for group in parameterGroups {
            for p in group.parameters {
                guard let g = p.grad else { continue }
                // Taken out of the table while it is updated, so the code arrays are not copied on write.
                var entry = entries.removeValue(forKey: ObjectIdentifier(p)) ?? (freshMoments(count: p.count), 0)
                entry.step += 1
                let bc1 = Float(1 - Foundation.pow(betas.0, Double(entry.step)))
                let bc2 = Float(1 - Foundation.pow(betas.1, Double(entry.step)))
                let lr = Float(group.learningRate), wd = Float(group.weightDecay)
                switch entry.moments {
                case var .quantized(m, v):
                    m.codes.withUnsafeMutableBufferPointer { q1 in
                        v.codes.withUnsafeMutableBufferPointer { q2 in
                            m.absmax.withUnsafeMutableBufferPointer { a1 in
                                v.absmax.withUnsafeMutableBufferPointer { a2 in
                                    signedMap.values.withUnsafeBufferPointer { c1 in
                                        unsignedMap.values.withUnsafeBufferPointer { c2 in
                                            volt_adam8bit_step(p.floatPointer, g.floatPointer, q1.baseAddress, q2.baseAddress,
                                                               a1.baseAddress, a2.baseAddress, c1.baseAddress, c2.baseAddress,
                                                               p.count, blockSize, lr, Float(betas.0), Float(betas.1),
                                                               Float(eps), wd, decoupledWeightDecay ? 1 : 0, bc1, bc2, 1)
                                        }
                                    }
                                }
                            }
                        }
                    }
                    entry.moments = .quantized(m: m, v: v)
                case let .full(m, v):
                    volt_adam_step_f32(p.floatPointer, g.floatPointer, m.floatPointer, v.floatPointer, p.count, lr,
                                       Float(betas.0), Float(betas.1), Float(eps), wd, decoupledWeightDecay ? 1 : 0,
                                       bc1, bc2, 1)
                }
                entries[ObjectIdentifier(p)] = entry
            }
        }
    }

    private func freshMoments(count: Int) -> Moments {
        guard count >= minimum8BitSize else { return .full(m: Tensor.zeros([count]), v: Tensor.zeros([count])) }
        return .quantized(m: BlockwiseQuantized(zerosOf: count, map: signedMap, blockSize: blockSize),
                          v: BlockwiseQuantized(zerosOf: count, map: unsignedMap, blockSize: blockSize))
    }

    public func state() -> OptimizerState {
        var tensors: [String: [String: Tensor]] = [:], scalars: [String: [String: Double]] = [:]
        for (name, p) in namedParameters {
            guard let e = entries[ObjectIdentifier(p)] else { continue }
            switch e.moments {
            case let .quantized(m, v):
                tensors[name] = ["state1": m.packedCodes, "state2": v.packedCodes,
                                 "absmax1": Tensor(shape: [m.absmax.count], scalars: m.absmax),
                                 "absmax2": Tensor(shape: [v.absmax.count], scalars: v.absmax)]
            case let .full(m, v):
                tensors[name] = ["exp_avg": m.reshaped(p.shape), "exp_avg_sq": v.reshaped(p.shape)]
            }
            scalars[name] = ["step": Double(e.step)]
        }
        let groups = parameterGroups.map {
            ["lr": $0.learningRate, "initial_lr": $0.initialLearningRate, "weight_decay": $0.weightDecay,
             "beta1": betas.0, "beta2": betas.1, "eps": eps, "block_size": Double(blockSize),
             "min_8bit_size": Double(minimum8BitSize)]
        }
        return OptimizerState(type: typeName, groups: groups, tensors: tensors, scalars: scalars)
    }

    public func load(state snapshot: OptimizerState) throws(OptimizerError) {
        try snapshot.validate(type: typeName, groupCount: parameterGroups.count)
        if let saved = snapshot.groups.first?["block_size"], Int(saved) != blockSize {
            throw .layoutMismatch("state was quantized in blocks of \(Int(saved)), this optimizer uses \(blockSize)")
        }
        var restored: [ObjectIdentifier: (moments: Moments, step: Int)] = [:]
        for (name, p) in namedParameters {
            guard let saved = snapshot.tensors[name] else { continue }
            let step = Int(snapshot.scalars[name]?["step"] ?? 0)
            if p.count >= minimum8BitSize {
                guard let s1 = saved["state1"], let s2 = saved["state2"], let a1 = saved["absmax1"], let a2 = saved["absmax2"],
                      let m = BlockwiseQuantized(packed: s1, absmax: a1, count: p.count, blockSize: blockSize),
                      let v = BlockwiseQuantized(packed: s2, absmax: a2, count: p.count, blockSize: blockSize) else {
                    throw .layoutMismatch("\(name): 8-bit state (state1, state2, absmax1, absmax2) missing or of the wrong size")
                }
                restored[ObjectIdentifier(p)] = (.quantized(m: m, v: v), step)
            } else {
                guard let m = try snapshot.tensor("exp_avg", of: name, shape: p.shape),
                      let v = try snapshot.tensor("exp_avg_sq", of: name, shape: p.shape) else {
                    throw .layoutMismatch("\(name): exp_avg / exp_avg_sq missing")
                }
                restored[ObjectIdentifier(p)] = (.full(m: m.reshaped([p.count]), v: v.reshaped([p.count])), step)
            }
        }
        snapshot.restoreGroups(into: &parameterGroups)
        entries = restored
    }
}

/// 8-bit AdamW: ``Adam8bit`` with decoupled weight decay (default 0.01, as bitsandbytes' `AdamW8bit`).
public final class AdamW8bit: Adam8bit {
    /// 8-bit AdamW over parameter groups.
    public init(_ groups: [ParameterGroup], betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
                blockSize: Int = 2048, minimum8BitSize: Int = 4096) {
        super.init(groups, betas: betas, eps: eps, decoupledWeightDecay: true, blockSize: blockSize,
                   minimum8BitSize: minimum8BitSize)
    }
}
