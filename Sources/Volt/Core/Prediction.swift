import VoltTensor

/// One example's output of ``TrainingModule/predictStep(_:index:context:)``: its row of the step's tensor.
public struct Prediction {
    /// The example's index in the loader's dataset.
    public var index: Int
    /// Its output, float32, with the batch axis removed (a step returning [batch, 3] gives [3] per example).
    public var output: Tensor

    /// A prediction.
    public init(index: Int, output: Tensor) {
        self.index = index
        self.output = output
    }
}

extension Prediction {
    /// `predictions` as 64-bit words (count; then per prediction index, rank, shape, and the float32 values two
    /// per word), so ranks can exchange them.
    static func encode(_ predictions: [Prediction]) -> [UInt64] {
        var words: [UInt64] = [UInt64(predictions.count)]
        for p in predictions {
            let values = p.output.float32().contiguous().scalars
            words.append(UInt64(p.index))
            words.append(UInt64(p.output.shape.count))
            words += p.output.shape.map { UInt64($0) }
            var i = 0
            while i < values.count {
                let low = UInt64(values[i].bitPattern), high = i + 1 < values.count ? UInt64(values[i + 1].bitPattern) : 0
                words.append(low | high << 32)
                i += 2
            }
        }
        return words
    }

    /// The predictions of ``encode(_:)``.
    static func decode(_ words: [UInt64]) -> [Prediction] {
        guard let first = words.first else { return [] }
        var position = 1
        return (0..<Int(first)).map { _ in
            let index = Int(words[position]), rank = Int(words[position + 1])
            let shape = words[(position + 2)..<(position + 2 + rank)].map { Int($0) }
            position += 2 + rank
            let count = shape.reduce(1, *)
            var values = [Float](repeating: 0, count: count)
            for i in 0..<count {
                let word = words[position + i / 2]
                values[i] = Float(bitPattern: UInt32(truncatingIfNeeded: i % 2 == 0 ? word : word >> 32))
            }
            position += (count + 1) / 2
            return Prediction(index: index, output: Tensor(shape: shape, scalars: values))
        }
    }
}
