import Volt

/// Writes the embedding file from the gathered predictions, on global rank 0 at the end of prediction.
public final class EmbeddingWriter: PredictionWriter {
    /// The records being embedded.
    public let input: EmbeddingInput
    /// The module that predicts.
    public let module: EmbeddingModule
    /// Output file.
    public let path: String
    /// Checkpoint path recorded in the file.
    public let checkpoint: String
    /// Records written (0 until the end).
    public private(set) var written = 0

    /// A writer of `input`'s embeddings by `module` to `path`.
    public init(input: EmbeddingInput, module: EmbeddingModule, path: String, checkpoint: String = "") {
        self.input = input
        self.module = module
        self.path = path
        self.checkpoint = checkpoint
    }

    public var writeInterval: PredictionWriteInterval { .epoch }

    public func writeOnEpochEnd(_ trainer: Trainer, predictions: [Prediction]) throws {
        let embeddings = try Embeddings(input: input, predictions: predictions, module: module)
        try EmbeddingFile.write(embeddings, to: path, checkpoint: checkpoint)
        written = embeddings.ids.count
    }
}
