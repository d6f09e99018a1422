/// A token shard set that cannot be written or read, naming the file and, where there is one, the record.
public enum TokenShardError: Error, Equatable, CustomStringConvertible {
    /// The output folder already holds a shard set.
    case exists(folder: String)
    /// A file could not be written (or made durable).
    case cannotWrite(file: String, reason: String)
    /// The folder has no readable `index.json`, or the index is not a Volt shard index.
    case badIndex(file: String, reason: String)
    /// A shard file does not match its index, or holds data that cannot be read in place.
    case badShard(file: String, reason: String)
    /// A record's offsets point outside its shard's tokens.
    case badRecord(file: String, record: Int, reason: String)

    public var description: String {
        switch self {
        case let .exists(folder): "\(folder): already holds a token shard set (index.json); remove it or choose another --out"
        case let .cannotWrite(file, reason): "\(file): cannot write: \(reason)"
        case let .badIndex(file, reason): "\(file): not a Volt token shard index: \(reason)"
        case let .badShard(file, reason): "\(file): bad token shard: \(reason)"
        case let .badRecord(file, record, reason): "\(file): record \(record): \(reason)"
        }
    }
}
