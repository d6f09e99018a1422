/// One FASTA record, with Biopython's meaning of each field.
public struct FASTARecord: Sendable, Equatable {
    /// The first word of the header (`Bio.SeqRecord.id`).
    public var id: String
    /// The whole header line after `>` (`Bio.SeqRecord.description`).
    public var description: String
    /// The sequence lines joined, spaces removed, case kept.
    public var sequence: String

    /// A record.
    public init(id: String, description: String, sequence: String) {
        self.id = id
        self.description = description
        self.sequence = sequence
    }
}
