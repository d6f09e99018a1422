import ArgumentParser
import GenSLM
import Volt

/// `volt generate`: samples codons from a checkpoint and prints FASTA.
struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Sample coding sequences from a checkpoint; prints FASTA.",
        discussion: "Lengths count codons with the prompt, as transformers' generate(max_length=…, min_length=…) in GenSLM's examples.")

    @Option(help: "The checkpoint.")
    var ckpt: String

    @Option(help: "DNA prompt, read in codons (default ATG).")
    var prompt: String?

    @Option(help: "FASTA file of prompts: one generation set per record, named after it.")
    var prompts: String?

    @Option(name: .customLong("max-codons"), help: "Codons to generate after the prompt (when --max-length is not given).")
    var maxCodons = 300

    @Option(name: .customLong("max-length"), help: "Length at which generation stops, in codons, prompt included.")
    var maxLength: Int?

    @Option(name: .customLong("min-length"), help: "No stop codon before the sequence is this long (codons, prompt included).")
    var minLength = 0

    @Flag(name: .customLong("stop-at-stop-codon"), help: "End a sequence at its first TAA, TAG or TGA (kept).")
    var stopAtStopCodon = false

    @Option(help: "Softmax temperature (0 = greedy).")
    var temperature: Float = 1

    @Option(name: .customLong("top-k"), help: "Sample among the k most likely codons (0 = all).")
    var topK = 0

    @Option(name: .customLong("top-p"), help: "Nucleus sampling: the most likely codons up to this probability mass (1 = all).")
    var topP = 1.0

    @Option(help: "Random seed (sequence i uses seed + i).")
    var seed: UInt64 = 0

    @Option(name: [.customLong("num-return-sequences"), .customLong("count")], help: "Sequences per prompt (--count is an alias).")
    var numReturnSequences = 1

    func validate() throws {
        guard prompt == nil || prompts == nil else { throw ValidationError("give --prompt or --prompts, not both") }
        guard maxCodons >= 0, topK >= 0, numReturnSequences >= 1, temperature >= 0, minLength >= 0 else {
            throw ValidationError("--max-codons, --top-k, --min-length and --temperature must be ≥ 0 and --num-return-sequences ≥ 1")
        }
        guard topP > 0, topP <= 1 else { throw ValidationError("--top-p must be in (0, 1]") }
        if let maxLength, maxLength < 1 { throw ValidationError("--max-length must be at least 1") }
    }

    func run() throws {
        try runReportingErrors {
            let module = try GenSLMModule.load(from: ckpt)
            let positions = module.model.configuration.maxPositionEmbeddings
            var sets: [(name: String?, ids: [Int32])] = []
            if let prompts {
                for record in try FASTAReader(path: prompts).readAll() {
                    sets.append((record.id, try GenerationPrompt.tokens(of: record.sequence, source: prompts, record: record.id,
                                                                        maxPositions: positions)))
                }
                guard !sets.isEmpty else { throw ValidationError("\(prompts): no FASTA records to use as prompts") }
            } else {
                sets = [(nil, try GenerationPrompt.tokens(of: prompt ?? "ATG", source: "--prompt", maxPositions: positions))]
            }
            let tokenizer = CodonTokenizer()
            var n: UInt64 = 0
            for (name, ids) in sets {
                for i in 0..<numReturnSequences {
                    let sampling = SamplingConfiguration(temperature: temperature, topK: topK, topP: topP, seed: seed &+ n,
                                                         excluded: Set(CodonTokenizer.specialIDs))
                    let generation = GenerationConfiguration(
                        sampling: sampling, maxLength: maxLength ?? ids.count + maxCodons, minLength: minLength,
                        stopTokens: stopAtStopCodon ? GenerationConfiguration.stopCodons : [])
                    let generated = try module.model.generate(prompt: ids, configuration: generation)
                    let label = name.map { "\($0)_generated_\(i + 1) prompt=\($0)" } ?? "generated_\(i + 1)"
                    print(">\(label) seed=\(seed &+ n) temperature=\(temperature) top_k=\(topK) top_p=\(topP)")
                    printWrapped(tokenizer.decode(generated))
                    n += 1
                }
            }
        }
    }

    /// `dna` in lines of 60 letters, as most FASTA writers.
    private func printWrapped(_ dna: String) {
        var start = dna.startIndex
        while start < dna.endIndex {
            let end = dna.index(start, offsetBy: 60, limitedBy: dna.endIndex) ?? dna.endIndex
            print(dna[start..<end])
            start = end
        }
    }
}
