import CVoltZlib
import Foundation

/// Decompresses a gzip file on a background thread, a few blocks ahead of the parser, so inflating and parsing
/// overlap on two cores. zlib decodes one gzip member strictly in order, so this is the parallelism a single
/// `.gz` allows: one thread inflating, one scanning.
///
/// Memory is `slots` blocks of `blockSize` bytes. The first error zlib reports is handed over in order, after the
/// data before it, so the parser's line number in the error is exact.
final class BackgroundInflater: @unchecked Sendable {
    private struct Block {
        var bytes: UnsafeMutablePointer<UInt8>
        var count = 0
        var error: String?
    }

    private let file: gzFile
    private let condition = NSCondition()
    private var blocks: [Block]
    private let blockSize: Int
    private var produced = 0  // blocks filled so far
    private var consumed = 0  // blocks handed over so far
    private var finished = false  // the producer stopped (end of data or error)
    private var cancelled = false
    private var exited = false
    private var current: Block?
    private var offset = 0

    /// Starts inflating `file` (which the inflater then owns and closes).
    init(file: gzFile, slots: Int = 4, blockSize: Int = 1 << 20) {
        self.file = file
        self.blockSize = blockSize
        blocks = (0..<slots).map { _ in Block(bytes: .allocate(capacity: blockSize)) }
        let thread = Thread { [self] in produce() }
        thread.name = "volt-inflate"
        thread.start()
    }

    deinit {
        blocks.forEach { $0.bytes.deallocate() }
    }

    /// Copies up to `capacity` inflated bytes into `buffer`; 0 at the end of the data.
    ///
    /// - Throws: the zlib message of a corrupt or truncated stream, as ``FASTAError/corruptCompression(file:line:detail:)``.
    func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int, path: String, line: Int) throws -> Int {
        while true {
            if let block = current {
                if offset < block.count {
                    let n = Swift.min(capacity, block.count - offset)
                    buffer.update(from: block.bytes + offset, count: n)
                    offset += n
                    return n
                }
                if let error = block.error { throw FASTAError.corruptCompression(file: path, line: line, detail: error) }
                condition.lock()
                consumed += 1
                current = nil
                condition.broadcast()
                condition.unlock()
            }
            condition.lock()
            while consumed == produced && !finished { condition.wait() }
            let available = consumed < produced
            if available { current = blocks[consumed % blocks.count] }
            condition.unlock()
            guard available else { return 0 }
            offset = 0
        }
    }

    /// Stops the producer, waits for it, and closes the file.
    func close() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        while !exited { condition.wait() }
        condition.unlock()
        gzclose(file)
    }

    private func produce() {
        while true {
            condition.lock()
            while !cancelled && produced - consumed >= blocks.count { condition.wait() }
            let stop = cancelled
            let slot = produced % blocks.count
            condition.unlock()
            if stop { break }
            var block = blocks[slot]
            let n = gzread(file, block.bytes, UInt32(blockSize))
            var code: Int32 = 0
            let message = gzerror(file, &code).map { String(cString: $0) } ?? ""
            block.count = Swift.max(0, Int(n))
            // zlib reports a gzip stream cut short only once reading reaches its end (Z_BUF_ERROR with 0 bytes).
            let failed = n < 0 || (code != Z_OK && code != Z_STREAM_END) || (n == 0 && code == Z_BUF_ERROR)
            block.error = failed ? message : nil
            condition.lock()
            blocks[slot] = block
            if block.count > 0 || failed { produced += 1 }
            if n <= 0 || failed { finished = true }
            condition.broadcast()
            condition.unlock()
            if n <= 0 || failed { break }
        }
        condition.lock()
        exited = true
        finished = true
        condition.broadcast()
        condition.unlock()
    }
}
