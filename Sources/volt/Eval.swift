import ArgumentParser
import GenSLM
import Volt

/// `volt eval`: mean token loss and perplexity of a checkpoint on a FASTA file.
struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Mean next-codon cross-entropy and perplexity of a checkpoint on a FASTA file (no padding counted).")

    @Option(help: "The checkpoint.")
    var ckpt: String

    @Option(help: "FASTA file (plain or .gz).")
    var fasta: String

    @Flag(help: "Print {\"loss\", \"perplexity\", \"tokens\", \"sequences\"} as JSON.")
    var json = false

    func run() throws {
        try runReportingErrors {
            let module = try GenSLMModule.load(from: ckpt)
            let records = try FASTAReader(path: fasta).readAll()
            let result: EvaluationResult
            do { result = try module.model.evaluate(records.map(\.sequence)) } catch let error as EvaluationError {
                throw ValidationError("\(fasta): \(error)")
            }
            if json { try printJSON(result) } else {
                print("loss: \(result.loss)\nperplexity: \(result.perplexity)\ntokens: \(result.tokens)\nsequences: \(result.sequences)")
            }
        }
    }
}
