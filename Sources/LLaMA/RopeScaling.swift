import Foundation

/// transformers' `rope_scaling`: how the rotary frequencies are stretched for contexts longer than training's.
///
/// `linear` divides every inverse frequency by `factor`. `llama3` (LLaMA 3.1) divides only the low frequencies
/// (wavelengths above `original_max_position_embeddings / low_freq_factor`) by `factor`, keeps the high ones
/// (wavelengths below `original_max_position_embeddings / high_freq_factor`) and blends in between.
public struct RopeScaling: Codable, Sendable, Equatable {
    /// `linear` or `llama3` (`rope_type`; older files say `type`).
    public var ropeType: String
    /// The stretch (`factor`).
    public var factor: Double
    /// `llama3`: the low-frequency boundary's divisor (`low_freq_factor`).
    public var lowFreqFactor: Double?
    /// `llama3`: the high-frequency boundary's divisor (`high_freq_factor`).
    public var highFreqFactor: Double?
    /// `llama3`: the context length of pre-training (`original_max_position_embeddings`).
    public var originalMaxPositionEmbeddings: Int?

    enum CodingKeys: String, CodingKey {
        case ropeType = "rope_type", type, factor, lowFreqFactor = "low_freq_factor", highFreqFactor = "high_freq_factor"
        case originalMaxPositionEmbeddings = "original_max_position_embeddings"
    }

    /// Linear scaling by `factor`.
    public static func linear(factor: Double) -> RopeScaling {
        RopeScaling(ropeType: "linear", factor: factor)
    }

    /// LLaMA 3.1's scaling (its published values: factor 8, low 1, high 4, original context 8192).
    public static func llama3(factor: Double = 8, lowFreqFactor: Double = 1, highFreqFactor: Double = 4,
                              originalMaxPositionEmbeddings: Int = 8192) -> RopeScaling {
        RopeScaling(ropeType: "llama3", factor: factor, lowFreqFactor: lowFreqFactor, highFreqFactor: highFreqFactor,
                    originalMaxPositionEmbeddings: originalMaxPositionEmbeddings)
    }

    /// A scaling with every field given.
    public init(ropeType: String, factor: Double, lowFreqFactor: Double? = nil, highFreqFactor: Double? = nil,
                originalMaxPositionEmbeddings: Int? = nil) {
        self.ropeType = ropeType
        self.factor = factor
        self.lowFreqFactor = lowFreqFactor
        self.highFreqFactor = highFreqFactor
        self.originalMaxPositionEmbeddings = originalMaxPositionEmbeddings
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guard let type = try c.decodeIfPresent(String.self, forKey: .ropeType) ?? c.decodeIfPresent(String.self, forKey: .type) else {
            throw DecodingError.keyNotFound(CodingKeys.ropeType, .init(codingPath: c.codingPath, debugDescription: "rope_scaling needs rope_type"))
        }
        ropeType = type
        factor = try c.decode(Double.self, forKey: .factor)
        lowFreqFactor = try c.decodeIfPresent(Double.self, forKey: .lowFreqFactor)
        highFreqFactor = try c.decodeIfPresent(Double.self, forKey: .highFreqFactor)
        originalMaxPositionEmbeddings = try c.decodeIfPresent(Int.self, forKey: .originalMaxPositionEmbeddings)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(ropeType, forKey: .ropeType)
        try c.encode(factor, forKey: .factor)
        try c.encodeIfPresent(lowFreqFactor, forKey: .lowFreqFactor)
        try c.encodeIfPresent(highFreqFactor, forKey: .highFreqFactor)
        try c.encodeIfPresent(originalMaxPositionEmbeddings, forKey: .originalMaxPositionEmbeddings)
    }

    /// Checks the type is one this model implements and `llama3` has its fields.
    public func validate() throws(LlamaError) {
        guard factor > 0 else { throw .invalidConfiguration("rope_scaling factor must be positive") }
        switch ropeType {
        case "linear": return
        case "llama3":
            guard let low = lowFreqFactor, let high = highFreqFactor, let original = originalMaxPositionEmbeddings,
                  high > low, original > 0 else {
                throw .invalidConfiguration("llama3 rope_scaling needs low_freq_factor < high_freq_factor and original_max_position_embeddings")
            }
        default: throw .invalidConfiguration("rope_scaling rope_type \"\(ropeType)\" is not supported (linear, llama3)")
        }
    }

    /// `inverseFrequencies` rescaled, computed in float32 as transformers' rope initialization functions do.
    func apply(to inverseFrequencies: [Float]) -> [Float] {
        let factor = Float(factor)
        guard ropeType == "llama3", let low = lowFreqFactor.map(Float.init), let high = highFreqFactor.map(Float.init),
              let original = originalMaxPositionEmbeddings.map(Float.init) else {
            return inverseFrequencies.map { $0 / factor }
        }
        let lowWavelength = original / low, highWavelength = original / high
        return inverseFrequencies.map { f in
            let wavelength = 2 * Float.pi / f
            if wavelength > lowWavelength { return f / factor }
            if wavelength < highWavelength { return f }
            let smooth = (original / wavelength - low) / (high - low)
            return (1 - smooth) * f / factor + smooth * f
        }
    }
}

extension LlamaConfiguration {
    /// The rotary inverse frequencies, one per pair of head dimensions: 1 / θ^(2i / headDim), rescaled by
    /// ``ropeScaling``, in float32 as transformers computes its `inv_freq` buffer.
    public var inverseFrequencies: [Float] {
        let dim = Float(headDim), base = Float(ropeTheta)
        let plain = stride(from: 0, to: headDim, by: 2).map { i in 1 / powf(base, Float(i) / dim) }
        return ropeScaling?.apply(to: plain) ?? plain
    }
}
