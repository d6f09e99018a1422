import ArgumentParser
import GenSLM

/// `volt data`: tools for FASTA inputs.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "data", abstract: "Inspect FASTA data.",
                                                    subcommands: [Stats.self])

    /// `volt data stats FILE`.
    struct Stats: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Records, ids, lengths, codons and problems of a FASTA file.")

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
                if let lo = stats.lengths.min(), let hi = stats.lengths.max() { print("lengths: \(lo)–\(hi) nt") }
                print(stats.problems.isEmpty ? "problems: none" : "problems:\n  " + stats.problems.joined(separator: "\n  "))
            }
        }
    }
}
