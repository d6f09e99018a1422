import VoltTensor

/// A safetensors file as a ``WeightFile``.
struct SafetensorsWeights: WeightFile {
    let file: SafetensorsFile

    var listing: [WeightListing] {
        file.entries.map { WeightListing(name: $0.name, shape: $0.shape, dtype: Self.torchName($0.dtype)) }
    }

    func read(_ names: Set<String>) throws -> [(name: String, tensor: Tensor)] {
        try file.entries.filter { names.contains($0.name) }.map { (name: $0.name, tensor: try file.read($0)) }
    }

    static func torchName(_ dtype: String) -> String {
        switch dtype {
        case "F32": "float32"
        case "F16": "float16"
        case "BF16": "bfloat16"
        case "F64": "float64"
        case "I64": "int64"
        case "I32": "int32"
        case "U8": "uint8"
        case "BOOL": "bool"
        default: dtype
        }
    }
}
