import ArgumentParser
import GenSLM

/// `volt data`: tools for FASTA inputs.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "data", abstract: "Inspect FASTA data and tokenize it into shards.",
                                                    subcommands: [Stats.self, Tokenize.self])

    /// `volt data stats FILE`.
    struct Stats: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Records, lengths (min, max, mean, N50), codons and problems of a FASTA file, in one streaming pass.")

        @Argument(help: "FASTA file (plain or .gz).")
        var file: String

        @Flag(help: "Print one JSON object.")
        var json = false

        func run() throws {
            try runReportingErrors {
                let stats = try FASTAStatistics(path: file)
                if json { try printJSON(stats); return }
                print("records: \(stats.records)")
                print("total length: \(stats.totalLength) nt, \(stats.codons) codons")
                if stats.records > 0 {
                    print("lengths: \(stats.minLength)–\(stats.maxLength) nt, mean \(Int(stats.meanLength.rounded())), N50 \(stats.n50)")
                }
                print(stats.problems.isEmpty ? "problems: none" : "problems:\n  " + stats.problems.joined(separator: "\n  "))
            }
        }
    }

    /// `volt data tokenize FASTA… --out DIR`.
    struct Tokenize: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Tokenize FASTA files into HDF5 token shards (tokens, offsets, lengths, ids, md5) with an index.json.",
            discussion: "The folder can then be given as data.path to volt fit; shards are read on demand.")

        @Argument(help: "FASTA files (plain or .gz), in order.")
        var files: [String]

        @Option(help: "Output folder (created; must not already hold an index.json).")
        var out: String

        @Option(help: "Records per shard file.")
        var shardSize = 100_000

        @Option(help: "Tokens kept per record (default: all).")
        var maxLength: Int?

        @Flag(help: "Print one JSON object.")
        var json = false

        func validate() throws {
            guard shardSize > 0 else { throw ValidationError("--shard-size must be positive") }
            if let maxLength, maxLength < 1 { throw ValidationError("--max-length must be positive") }
            guard !files.isEmpty else { throw ValidationError("give at least one FASTA file") }
        }

        func run() throws {
            try runReportingErrors {
                let index = try TokenShardWriter(shardSize: shardSize, maxLength: maxLength).tokenize(files, into: out)
                if json { try printJSON(index); return }
                print("\(index.records) records, \(index.tokens) tokens in \(index.shards.count) shards: \(out)/\(TokenShardIndex.fileName)")
            }
        }
    }
}
