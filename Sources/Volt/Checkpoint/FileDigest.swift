import CVoltSystem
import Foundation

/// SHA-256 of files and bytes, as lowercase hex (what `sha256sum` prints).
public enum FileDigest {
    /// The SHA-256 of the file at `path`, read in 8 MiB pieces.
    ///
    /// - Throws: ``CheckpointError/notFound(path:)`` or ``CheckpointError/unreadable(path:object:reason:)``.
    public static func sha256(ofFile path: String) throws -> String {
        guard FileManager.default.fileExists(atPath: path) else { throw CheckpointError.notFound(path: path) }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CheckpointError.unreadable(path: path, object: "/", reason: "cannot open for reading")
        }
        defer { try? handle.close() }
        var context = volt_sha256_ctx()
        volt_sha256_init(&context)
        while true {
            let chunk: Data
            do { chunk = try handle.read(upToCount: 8 << 20) ?? Data() } catch {
                throw CheckpointError.unreadable(path: path, object: "/", reason: "\(error)")
            }
            if chunk.isEmpty { break }
            chunk.withUnsafeBytes { volt_sha256_update(&context, $0.baseAddress, $0.count) }
        }
        return finish(&context)
    }

    /// The SHA-256 of `data`.
    public static func sha256(of data: Data) -> String {
        var context = volt_sha256_ctx()
        volt_sha256_init(&context)
        data.withUnsafeBytes { volt_sha256_update(&context, $0.baseAddress, $0.count) }
        return finish(&context)
    }

    private static func finish(_ context: inout volt_sha256_ctx) -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        volt_sha256_final(&context, &digest)
        return digest.map { String(format: "%02x", $0) }.joined()
    }
}
