import Foundation

/// Scalars in TensorBoard event files (`tensorboard --logdir <root>`), as Lightning's `TensorBoardLogger`;
/// hyper-parameters in `hparams.yaml` beside them.
public final class TensorBoardLogger: Logger {
    public let name: String
    public let version: Int
    public let logDirectory: String
    private let writer: TFEventWriter

    /// A logger under `rootDirectory/name/version_N`.
    public init(rootDirectory: String, name: String = "", version: Int? = nil) throws {
        self.name = name
        (self.version, self.logDirectory) = try makeVersionDirectory(root: rootDirectory, name: name, version: version)
        writer = try TFEventWriter(directory: logDirectory)
    }

    /// The event file being written.
    public var eventFile: String { writer.path }

    public func logMetrics(_ metrics: [String: Double], step: Int) throws {
        for (tag, value) in metrics.sorted(by: { $0.key < $1.key }) where tag != "step" {
            try writer.addScalar(tag, value: Float(value), step: step)
        }
    }

    public func logHyperparameters(_ hparams: [String: HParam]) throws {
        try writeHyperparameters(hparams, to: logDirectory + "/hparams.yaml")
    }

    public func save() throws { try writer.flush() }
    public func finalize(status: String) throws { try writer.flush() }
}
