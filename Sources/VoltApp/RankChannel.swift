import GenSLM
import Volt

/// Text from rank 0 to every rank (MPI broadcasts of a length, then the bytes).
struct RankChannel {
    let world: MPICommunicator

    /// Rank 0: sends `text`.
    func send(_ text: String) {
        var bytes = Array(text.utf8)
        var count = Int64(bytes.count)
        world.broadcast(&count, byteCount: 8, root: 0)
        bytes.withUnsafeMutableBytes { if let base = $0.baseAddress { world.broadcast(base, byteCount: Int(count), root: 0) } }
    }

    /// Other ranks: the next text rank 0 sends.
    func receive() -> String {
        var count: Int64 = 0
        world.broadcast(&count, byteCount: 8, root: 0)
        guard count > 0 else { return "" }
        var bytes = [UInt8](repeating: 0, count: Int(count))
        bytes.withUnsafeMutableBytes { if let base = $0.baseAddress { world.broadcast(base, byteCount: Int(count), root: 0) } }
        return String(decoding: bytes, as: UTF8.self)
    }
}
