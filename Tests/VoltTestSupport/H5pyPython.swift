import Foundation

/// The Python that reads Volt's HDF5 files with h5py in the tests that compare them against h5py's reading
/// (checkpoints, embedding files).
public enum H5pyPython {
    /// A Python run that exited with a non-zero status.
    public struct Failure: Error, CustomStringConvertible {
        /// The interpreter and its arguments.
        public var command: [String]
        /// The exit status.
        public var status: Int32
        /// What it wrote on standard error.
        public var standardError: String

        /// The command, its status and its standard error.
        public var description: String { "\(command.joined(separator: " ")) exited with status \(status): \(standardError)" }
    }

    /// The first interpreter that imports h5py: Debian's python3-h5py (`/usr/bin/python3`, installed by
    /// scripts/setup.sh), then whatever `python3` is on the PATH; `nil` when neither does.
    public static let interpreter: String? = ["/usr/bin/python3", "python3"].first {
        (try? run($0, ["-c", "import h5py"])) != nil
    }

    /// The file `name` in the repository's `scripts` folder.
    public static func script(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts").appendingPathComponent(name).path
    }

    /// Runs `python` (a path, or a name looked up on the PATH) with `arguments`; its standard output.
    ///
    /// - Throws: ``Failure`` when it exits with a non-zero status; the error of `Process.run()` when it cannot start.
    public static func run(_ python: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python] + arguments
        // Standard error goes to a file, so that a chatty script cannot fill a pipe nobody reads.
        let errorPath = NSTemporaryDirectory() + "volt-python-\(UUID().uuidString).err"
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errorPath) }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(command: [python] + arguments, status: process.terminationStatus,
                          standardError: (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
