/// A request for embeddings that cannot be served.
public enum EmbeddingError: Error, Equatable, CustomStringConvertible {
    /// The FASTA file holds no records.
    case noRecords(file: String)
    /// A layer outside the model's hidden states.
    case layerOutOfRange(layer: Int, available: Int)
    /// No layer was asked for.
    case noLayers
    /// A batch size below one.
    case invalidBatchSize(Int)
    /// An embedding file that is not what ``EmbeddingFile`` writes.
    case malformedFile(file: String, detail: String)

    public var description: String {
        switch self {
        case let .noRecords(file): "\(file): no FASTA records to embed"
        case let .layerOutOfRange(layer, available):
            "layer \(layer) does not exist: the model has \(available) hidden states (0 … \(available - 1), or −\(available) … −1)"
        case .noLayers: "no layers asked for (e.g. --layers -1)"
        case let .invalidBatchSize(size): "batch size must be at least 1, have \(size)"
        case let .malformedFile(file, detail): "\(file): not a Volt embedding file: \(detail)"
        }
    }
}
