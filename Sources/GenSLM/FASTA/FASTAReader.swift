/// Reads FASTA files record by record as ``FASTARecord`` values, plain or gzip-compressed.
///
/// A thin layer over ``FASTAStream`` (one parser for both): the stream's borrowed records are copied into
/// `String`s here. Use the stream directly to scan large files without making strings.
public final class FASTAReader: Sequence, IteratorProtocol {
    /// The file being read.
    public var path: String { stream.path }
    private let stream: FASTAStream
    /// The error that ended iteration through `next()`, if any.
    public private(set) var error: FASTAError?

    /// Opens `path`.
    ///
    /// - Throws: ``FASTAError/cannotOpen(file:)``.
    public init(path: String, chunkSize: Int = FASTAStream.defaultChunkSize) throws {
        stream = try FASTAStream(path: path, chunkSize: chunkSize)
    }

    /// Every record of the file.
    public func readAll() throws -> [FASTARecord] {
        var records: [FASTARecord] = []
        while let record = try nextRecord() { records.append(record) }
        return records
    }

    /// The next record; iteration stops at the first error, which ``error`` then holds.
    public func next() -> FASTARecord? {
        do { return try nextRecord() } catch let e as FASTAError { error = e; return nil } catch { return nil }
    }

    /// The next record, or `nil` at the end of the file.
    public func nextRecord() throws -> FASTARecord? { try stream.next()?.record }
}
