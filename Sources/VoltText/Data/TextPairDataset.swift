import VoltData

/// Tokenized (prompt, target) pairs held in memory, with their lengths for length-bucketed batching.
public struct TextPairDataset: LengthAwareDataset {
    /// The examples, in record order.
    public let examples: [TextPairExample]

    /// A dataset of `examples`.
    public init(_ examples: [TextPairExample]) { self.examples = examples }

    /// The records of `paths` (JSON Lines or CSV, in the order given) encoded by `encoder`.
    ///
    /// - Throws: ``TextDataError`` naming the file, line and field.
    public init(paths: [String], format: TextFileFormat? = nil, encoder: TextPairEncoder) throws {
        var records: [TextRecord] = []
        for path in paths { records += try TextRecordReader.read(path: path, format: format) }
        self.init(try encoder.encode(records))
    }

    public var count: Int { examples.count }
    public func element(at index: Int) throws -> TextPairExample { examples[index] }
    public func length(at index: Int) -> Int { examples[index].count }
}
