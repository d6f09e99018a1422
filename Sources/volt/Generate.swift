import ArgumentParser
import GenSLM
import Volt

/// `volt generate`: samples codons from a checkpoint and prints FASTA.
struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Sample a coding sequence from a checkpoint; prints FASTA.")

    @Option(help: "The checkpoint.")
    var ckpt: String

    @Option(help: "DNA prompt, read in codons (default ATG).")
    var prompt = "ATG"

    @Option(name: .customLong("max-codons"), help: "Codons to generate after the prompt.")
    var maxCodons = 300

    @Option(help: "Softmax temperature (0 = greedy).")
    var temperature: Float = 1

    @Option(name: .customLong("top-k"), help: "Sample among the k most likely codons (0 = all).")
    var topK = 0

    @Option(help: "Random seed.")
    var seed: UInt64 = 0

    @Option(help: "Sequences to generate.")
    var count = 1

    func validate() throws {
        guard !prompt.isEmpty, prompt.count % 3 == 0, prompt.uppercased().allSatisfy({ "ACGT".contains($0) }) else {
            throw ValidationError("--prompt must be whole codons of A, C, G and T, have \"\(prompt)\"")
        }
        guard maxCodons >= 0, topK >= 0, count >= 1, temperature >= 0 else {
            throw ValidationError("--max-codons, --top-k and --temperature must be ≥ 0 and --count ≥ 1")
        }
    }

    func run() throws {
        try runReportingErrors {
            let module = try GenSLMModule.load(from: ckpt)
            let tokenizer = CodonTokenizer()
            let promptIds = tokenizer.encode(prompt)
            guard !promptIds.isEmpty else { throw ValidationError("the prompt must hold at least one codon") }
            for i in 0..<count {
                let sampling = SamplingConfiguration(temperature: temperature, topK: topK, seed: seed &+ UInt64(i),
                                                     excluded: Set(CodonTokenizer.specialIDs))
                let ids = try module.model.generate(prompt: promptIds, maxNewTokens: maxCodons, sampling: sampling)
                print(">generated_\(i + 1) seed=\(seed &+ UInt64(i)) temperature=\(temperature) top_k=\(topK)")
                let dna = tokenizer.decode(ids)
                var start = dna.startIndex
                while start < dna.endIndex {  // 60 columns, as most FASTA writers
                    let end = dna.index(start, offsetBy: 60, limitedBy: dna.endIndex) ?? dna.endIndex
                    print(dna[start..<end])
                    start = end
                }
            }
        }
    }
}
