import CVoltKernels
import Foundation
import VoltTensor

/// The dynamic (non-linear) 8-bit data type of bitsandbytes' 8-bit optimizers (`create_dynamic_map`): a sign
/// (for the signed map), a run of zero bits giving a decimal exponent 10⁰ … 10⁻⁶, and the remaining bits a linear
/// fraction in [0.1, 1] — fine steps near zero and coarse ones near ±1. 256 values, sorted ascending, including 0
/// and 1 (the signed map runs from −0.993 to 1).
public struct DynamicQuantizationMap: Sendable, Equatable {
    /// The 256 code values, ascending.
    public let values: [Float]

    /// The map for signed values (first moments) or unsigned ones (second moments).
    public init(signed: Bool) {
        let maxExponentBits = 7, nonSignBits = 7
        var data: [Float] = []
        for i in 0..<maxExponentBits {
            let fractionItems = signed ? (1 << (i + nonSignBits - maxExponentBits)) + 1
                                       : (1 << (i + nonSignBits - maxExponentBits + 1)) + 1
            // torch.linspace(0.1, 1, fractionItems) in float32, then the midpoints.
            let boundaries = (0..<fractionItems).map { Float(0.1) + Float($0) * (Float(0.9) / Float(fractionItems - 1)) }
            let scale = Float(Foundation.pow(10.0, Double(-(maxExponentBits - 1) + i)))
            for j in 0..<(fractionItems - 1) {
                let mean = (boundaries[j] + boundaries[j + 1]) / 2
                data.append(scale * mean)
                if signed { data.append(-scale * mean) }
            }
        }
        data.append(0)
        data.append(1)
        data += [Float](repeating: 0, count: 256 - data.count)
        values = data.sorted()
    }

    /// The largest distance between neighbouring values: a value in [min, max] rounds to a code within half of it.
    public var largestGap: Float { zip(values.dropFirst(), values).map { $0 - $1 }.max() ?? 0 }
}

/// A float32 buffer stored block-wise in 8 bits: per block, the absolute maximum, and per element the index of the
/// nearest ``DynamicQuantizationMap`` value to element ÷ absmax. 1 byte per element plus 4 per block.
public struct BlockwiseQuantized: Sendable, Equatable {
    /// Code indices, one per element.
    public var codes: [UInt8]
    /// Absolute maximum of each block.
    public var absmax: [Float]
    /// Elements per block.
    public let blockSize: Int

    /// All-zero storage for `count` elements.
    public init(zerosOf count: Int, map: DynamicQuantizationMap, blockSize: Int) {
        let zero = UInt8(map.values.firstIndex(of: 0) ?? 0)
        codes = [UInt8](repeating: zero, count: count)
        absmax = [Float](repeating: 0, count: (count + blockSize - 1) / blockSize)
        self.blockSize = blockSize
    }

    /// `values` quantized.
    public init(_ values: [Float], map: DynamicQuantizationMap, blockSize: Int) {
        precondition(blockSize >= 1 && blockSize <= Int(VOLT_ADAM8_MAX_BLOCK), "block size \(blockSize) out of range")
        var codes = [UInt8](repeating: 0, count: values.count)
        var absmax = [Float](repeating: 0, count: (values.count + blockSize - 1) / blockSize)
        values.withUnsafeBufferPointer { x in
            codes.withUnsafeMutableBufferPointer { q in
                absmax.withUnsafeMutableBufferPointer { a in
                    map.values.withUnsafeBufferPointer { code in
                        volt_quantize_blockwise(x.baseAddress, q.baseAddress, a.baseAddress, code.baseAddress,
                                                values.count, blockSize)
                    }
                }
            }
        }
        self.codes = codes
        self.absmax = absmax
        self.blockSize = blockSize
    }

    /// The stored values, dequantized.
    public func dequantized(map: DynamicQuantizationMap) -> [Float] {
        var out = [Float](repeating: 0, count: codes.count)
        codes.withUnsafeBufferPointer { q in
            absmax.withUnsafeBufferPointer { a in
                map.values.withUnsafeBufferPointer { code in
                    out.withUnsafeMutableBufferPointer { x in
                        volt_dequantize_blockwise(q.baseAddress, a.baseAddress, code.baseAddress, x.baseAddress,
                                                  codes.count, blockSize)
                    }
                }
            }
        }
        return out
    }

    /// The codes packed four to an int32 word (little-endian byte order), the form checkpoints hold them in:
    /// Volt tensors have no 8-bit type, and this keeps the file at one byte per element.
    public var packedCodes: Tensor {
        let words = (codes.count + 3) / 4
        let t = Tensor(uninitializedShape: [words], dtype: .int32)
        let raw = t.rawPointer
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: words * 4)
        codes.withUnsafeBytes { raw.copyMemory(from: $0.baseAddress!, byteCount: codes.count) }
        return t
    }

    /// Storage rebuilt from ``packedCodes`` and the absmax tensor of `count` elements.
    ///
    /// - Returns: `nil` when the tensors' sizes do not fit `count` and `blockSize`.
    public init?(packed: Tensor, absmax: Tensor, count: Int, blockSize: Int) {
        let blocks = (count + blockSize - 1) / blockSize
        guard packed.dtype == .int32, packed.count == (count + 3) / 4, absmax.count == blocks else { return nil }
        let p = packed.contiguous()
        codes = Array(UnsafeRawBufferPointer(start: p.rawPointer, count: count).bindMemory(to: UInt8.self))
        self.absmax = absmax.scalars
        self.blockSize = blockSize
    }
}
