import Foundation

extension LogFiles {
    /// Replaces the file at `path` with `text` (UTF-8), atomically, creating its directory when missing.
    static func writeText(_ text: String, to path: String) throws(LoggerError) {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try createDirectory(directory) }
        try write(Data(text.utf8), to: path)
    }
}
