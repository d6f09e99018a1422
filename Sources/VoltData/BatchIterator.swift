import Foundation

/// The batches of one epoch, loaded in order, optionally by background threads.
///
/// Workers take batch numbers round-robin and stay at most `2 · workers` batches ahead of the consumer; the
/// consumer receives batches strictly in order. Dropping the iterator stops the workers.
public final class BatchIterator<Batch: Sendable>: @unchecked Sendable {
    /// Batches in this pass.
    public let count: Int
    private let load: @Sendable (Int) throws -> Batch
    private let queue: PrefetchQueue<Batch>?
    private var position = 0

    init(count: Int, workers: Int, load: @escaping @Sendable (Int) throws -> Batch) {
        self.count = count
        self.load = load
        guard workers > 0 else { queue = nil; return }
        let queue = PrefetchQueue<Batch>(window: 2 * workers)
        self.queue = queue
        for w in 0..<workers {
            let thread = Thread { queue.produce(first: w, stride: workers, count: count, load: load) }
            thread.name = "volt-data-\(w)"
            thread.start()
        }
    }

    deinit { queue?.cancel() }

    /// The next batch, or `nil` at the end of the epoch.
    ///
    /// - Throws: whatever loading or collating that batch threw.
    public func next() throws -> Batch? {
        guard position < count else { return nil }
        defer { position += 1 }
        guard let queue else { return try load(position) }
        return try queue.take(position).get()
    }
}

/// Batches loaded ahead by worker threads, handed out in order.
final class PrefetchQueue<Batch: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var ready: [Int: Result<Batch, any Error>] = [:]
    private var consumed = 0
    private var cancelled = false
    private let window: Int

    init(window: Int) { self.window = window }

    /// Loads batches first, first + stride, … while staying within the window ahead of the consumer.
    func produce(first: Int, stride: Int, count: Int, load: @Sendable (Int) throws -> Batch) {
        var b = first
        while b < count {
            condition.lock()
            while !cancelled && b - consumed >= window { condition.wait() }
            let stop = cancelled
            condition.unlock()
            if stop { return }
            let result = Result { try load(b) }
            condition.lock()
            ready[b] = result
            condition.broadcast()
            condition.unlock()
            b += stride
        }
    }

    /// Waits for batch `index` and removes it.
    func take(_ index: Int) -> Result<Batch, any Error> {
        condition.lock()
        defer { condition.unlock() }
        while ready[index] == nil { condition.wait() }
        consumed = index + 1
        condition.broadcast()
        return ready.removeValue(forKey: index)!
    }

    /// Stops the workers at their next check.
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }
}
