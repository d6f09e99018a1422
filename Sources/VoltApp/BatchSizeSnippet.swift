import VoltInterop
import GenSLM
import Foundation
import Volt

/// The configuration fragment `volt batch-size-find` writes — `data: {batch_size: N}` — to layer over a
/// configuration: `volt fit --config config.yaml --config batch_size.yaml`.
public struct BatchSizeSnippet: Sendable, Equatable {
    /// The batch size.
    public var batchSize: Int

    /// A fragment setting `data.batch_size`.
    public init(batchSize: Int) { self.batchSize = batchSize }

    /// The YAML text.
    public var yaml: String { "# written by volt batch-size-find\ndata:\n  batch_size: \(batchSize)\n" }

    /// Writes ``yaml`` to `path` atomically (a crash leaves the old file or the new one, never half of one).
    ///
    /// - Throws: `LoggerError/cannotWrite(path:reason:)` naming the path.
    public func write(to path: String) throws(LoggerError) {
        do { try DurableFile.write(Data(yaml.utf8), to: path) } catch {
            throw .cannotWrite(path: path, reason: "\(error)")
        }
    }
}
