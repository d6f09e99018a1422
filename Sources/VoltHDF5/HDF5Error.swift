import CHDF5
import Foundation

/// A failure of the HDF5 library, naming the file and the object (`/optimizers/0/state/…`) it happened on.
///
/// HDF5 prints nothing itself (its automatic error printing is turned off); its error stack is kept in
/// ``detail`` instead.
public struct HDF5Error: Error, CustomStringConvertible, Sendable {
    /// What went wrong, coarsely: enough to choose a message a person can act on.
    public enum Kind: Sendable, Equatable {
        /// The file could not be opened or created (missing, truncated, not HDF5, no permission).
        case cannotOpen
        /// A named group, dataset or attribute does not exist.
        case notFound
        /// Stored data or metadata does not match its checksum (Fletcher32 on data, Jenkins on headers).
        case checksumMismatch
        /// The object exists but holds a type or shape this wrapper does not read.
        case unsupported
        /// Any other library failure.
        case failed
    }

    /// The kind of failure.
    public var kind: Kind
    /// The HDF5 file.
    public var file: String
    /// The object inside the file, as an absolute HDF5 path.
    public var object: String
    /// What was being done ("create dataset", "read", …).
    public var operation: String
    /// HDF5's most specific message, or a sentence of our own.
    public var detail: String

    /// An error with an explicit kind and detail.
    public init(_ kind: Kind, file: String, object: String, operation: String, detail: String) {
        self.kind = kind
        self.file = file
        self.object = object
        self.operation = operation
        self.detail = detail
    }

    /// An error for the call that just failed, its kind read from HDF5's error stack.
    ///
    /// Must be made right after the failing call: the next HDF5 call clears the stack.
    /// The detail is the innermost (most specific) message on the stack, e.g. "name already exists".
    public static func current(file: String, object: String, operation: String,
                                default kind: Kind = .failed) -> HDF5Error {
        let stack = hdf5ErrorStackText()
        let found: Kind = stack.localizedCaseInsensitiveContains("checksum") ? .checksumMismatch : kind
        let innermost = stack.components(separatedBy: "; ").last ?? stack
        return HDF5Error(found, file: file, object: object, operation: operation, detail: innermost)
    }

    /// `file:object: operation failed: detail`.
    public var description: String {
        "\(file):\(object): \(operation) failed" + (detail.isEmpty ? "" : ": \(detail)")
    }
}

/// The descriptions on HDF5's current error stack, joined by "; ".
func hdf5ErrorStackText() -> String {
    var buffer = [CChar](repeating: 0, count: 4096)
    buffer.withUnsafeMutableBufferPointer { b in
        if let base = b.baseAddress { volt_H5_error_text(base, b.count) }
    }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
