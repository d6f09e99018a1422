import VoltInterop
import Foundation

/// Writes predictions to one HDF5 file that h5py reads: a group `predictions` with one float32 dataset per
/// example, named by its index in the dataset (`predictions/0`, `predictions/1`, …), written atomically.
public enum PredictionFile {
    /// Writes `predictions` to `path`.
    ///
    /// - Throws: ``CheckpointError/cannotWrite(path:object:reason:)`` naming the file when it cannot be written.
    public static func write(_ predictions: [Prediction], to path: String) throws {
        try DurableFile.writeHDF5(to: path, failure: { object, reason in
            CheckpointError.cannotWrite(path: path, object: object, reason: reason)
        }) { root in
            try root.setAttribute("count", .int(Int64(predictions.count)))
            let group = try root.createGroup("predictions")
            for prediction in predictions { _ = try group.createDataset(String(prediction.index), tensor: prediction.output.float32()) }
        }
    }
}
