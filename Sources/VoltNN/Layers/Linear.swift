import VoltTensor

/// y = x·Wᵀ + b, with W stored [out, in] as in PyTorch.
///
/// With a LoRA adapter attached (``Module/applyLoRA(_:stream:seed:)``), y = x·Wᵀ + b + s·B·A·dropout(x), with the
/// adapter's factors named `lora_A.weight` [r, in] and `lora_B.weight` [out, r] as in PEFT.
public final class Linear: Module {
    /// [outFeatures, inFeatures]. Float32, or bfloat16 when frozen and stored in half precision (built so with
    /// `weightDType`, or converted by ``Module/storeFrozenWeights(as:)``).
    public internal(set) var weight: Tensor
    /// [outFeatures], if any.
    public let bias: Tensor?
    /// LoRA's down-projection A (in → r), when an adapter is attached.
    public internal(set) var loraA: Linear?
    /// LoRA's up-projection B (r → out), when an adapter is attached.
    public internal(set) var loraB: Linear?
    /// The attached adapter's scaling and merge state.
    var _lora: LoRAState?
    /// Dropout on the adapter's input (p = 0 when the configuration has none).
    var _loraDropout: Dropout?

    override public class var keyOverrides: [String: String] { ["loraA": "lora_A", "loraB": "lora_B"] }

    /// A layer initialized from N(0, `std`²) with a zero bias (GPT-NeoX's `initializer_range` scheme).
    ///
    /// With a half-precision `weightDType` the weight is drawn straight into that storage (the float32 draws,
    /// rounded to nearest even, chunk by chunk) and created frozen — the weight ``Module/storeFrozenWeights(as:)``
    /// would leave, without ever holding its float32 copy. Only frozen weights are stored in half precision: the
    /// optimizers keep float32 weights. The bias stays float32 and trainable.
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, std: Float = 0.02,
                weightDType: DType = .float32, generator: inout RandomGenerator) {
        weight = Tensor.randn([outFeatures, inFeatures], std: std, generator: &generator, dtype: weightDType,
                              requiresGrad: weightDType == .float32)
        self.bias = bias ? Tensor.zeros([outFeatures], requiresGrad: true) : nil
        super.init()
    }

    /// A layer holding `weight` (and `bias`) as they are.
    init(weight: Tensor, bias: Tensor?) {
        self.weight = weight
        self.bias = bias
        super.init()
    }

    /// Input features.
    public var inFeatures: Int { weight.shape[1] }
    /// Output features.
    public var outFeatures: Int { weight.shape[0] }

    /// Applies the layer to [..., inFeatures].
    public func callAsFunction(_ x: Tensor) -> Tensor {
        var y = x.linear(weight, bias: bias)
        if let a = loraA, let b = loraB, let state = _lora, !state.merged {
            let input = _loraDropout.map { $0(x) } ?? x
            y = y + b(a(input)) * state.scaling
        }
        return y
    }
}
