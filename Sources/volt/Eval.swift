import ArgumentParser
import GenSLM
import Volt
import VoltApp
import VoltCLI

/// `volt eval`: a checkpoint's mean token loss and perplexity on a FASTA file (GenSLM), or the ROUGE of a text
/// checkpoint's generations on the test split of its configuration.
struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate a checkpoint: --metric loss (default) gives a GenSLM checkpoint's mean next-codon cross-entropy and perplexity on --fasta (no padding counted); --metric rouge gives a text checkpoint's ROUGE-1/2/L/Lsum (rouge-score's F-measure, averaged) and loss on the test split of --config.")

    /// What `volt eval` measures.
    enum Metric: String, ExpressibleByArgument, CaseIterable {
        case loss, rouge
    }

    @Option(name: [.customLong("ckpt"), .customLong("ckpt-path")], help: "The checkpoint.")
    var ckpt: String

    @Option(help: "loss (GenSLM, on --fasta) or rouge (text, on the test split of --config).")
    var metric: Metric = .loss

    @Option(help: "FASTA file (plain or .gz), for --metric loss.")
    var fasta: String?

    @OptionGroup var options: ConfigurationOptions

    @Flag(help: "Print the result as one JSON object.")
    var json = false

    func validate() throws {
        switch metric {
        case .loss: guard fasta != nil else { throw ValidationError("--metric loss needs --fasta FILE") }
        case .rouge: guard !options.config.isEmpty else { throw ValidationError("--metric rouge needs --config (a text layout with data:)") }
        }
    }

    func run() throws {
        switch metric {
        case .rouge:
            // The test loop of the text layout: test_loss and test_rouge1/2/L/Lsum of greedy (or configured) generations.
            try VoltCLI.Test<TextFineTuneConfiguration>.parse(passedArguments(options, ckptPath: ckpt, json: json)).run()
        case .loss:
            guard let fasta else { return }
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
}
