
/// Text from rank 0 to every rank (MPI broadcasts of a length, then the bytes): how rank 0 hands the other ranks
/// a decision it alone can take (a search's next trial and its pruning verdicts), so that every rank acts on the
/// same value.
public struct RankChannel {
    /// The ranks it reaches.
    public let world: MPICommunicator

    /// A channel over `world`; every rank must make the same calls in the same order.
    public init(world: MPICommunicator) { self.world = world }

    /// Rank 0: sends `text`.
    public func send(_ text: String) {
        var bytes = Array(text.utf8)
        var count = Int64(bytes.count)
        world.broadcast(&count, byteCount: 8, root: 0)
        bytes.withUnsafeMutableBytes { if let base = $0.baseAddress { world.broadcast(base, byteCount: Int(count), root: 0) } }
    }

    /// Other ranks: the next text rank 0 sends (empty when it sends an empty text).
    public func receive() -> String {
        var count: Int64 = 0
        world.broadcast(&count, byteCount: 8, root: 0)
        guard count > 0 else { return "" }
        var bytes = [UInt8](repeating: 0, count: Int(count))
        bytes.withUnsafeMutableBytes { if let base = $0.baseAddress { world.broadcast(base, byteCount: Int(count), root: 0) } }
        return String(decoding: bytes, as: UTF8.self)
    }
}
