import Volt

extension FASTADataModule {
    /// `data:` — where sequences come from and how they are batched.
    public struct Configuration: ConfigurationSection, Sendable, Equatable {
        /// The defaults.
        public init() {}
        /// A FASTA file (plain or .gz), a glob of FASTA files (`data/*.fasta.gz`), or a token shard folder made by
        /// `volt data tokenize`. Default: the rabies nucleoprotein genes of Debian's beast-mcmc-examples.
        public var path = "/usr/share/doc/beast-mcmc/examples/DiscreteTraits/phylogeneticGLM/batRABV.fas.gz"
        /// `fasta:` is now `path:`.
        public static var renamedKeys: [String: String] { ["fasta": "path"] }
        /// Seed of the split and the shuffle; default: the configuration's `seed` (42).
        public var seed: Int?
        /// `random` (a seeded shuffle per epoch) or `bucketed` (`BucketedSampler`: similar lengths batched
        /// together). Default random.
        public var sampler = SamplerKind.random
        /// Batches per sorting window of the bucketed sampler. Default 100.
        public var bucketWindow = 100
        /// Train/validation fractions. Default [0.8, 0.2].
        public var split = [0.8, 0.2]
        /// Sequences per batch. Default 1.
        public var batchSize = 1
        /// Data-loading threads. Default 2.
        public var numWorkers = 2
        /// Tokens per sequence (truncation); default: the model's maximum positions.
        public var maxLength: Int?
        /// `dynamic` (pad to the longest in the batch) or `fixed` (pad to max_length, as GenSLM). Default dynamic.
        public var padding = PaddingStrategy.dynamic
        /// Count padding positions as loss targets (GenSLM's behaviour). Default false.
        public var countPadInLoss = false

        /// Checks the values that have a range.
        public func validate() throws {
            if batchSize < 1 { throw ConfigurationValueError(key: "batch_size", reason: "data.batch_size must be at least 1") }
            if let maxLength, maxLength < 1 { throw ConfigurationValueError(key: "max_length", reason: "data.max_length must be at least 1") }
            if bucketWindow < 1 { throw ConfigurationValueError(key: "bucket_window", reason: "data.bucket_window must be positive") }
        }

        /// The training sampler of `data.sampler`.
        public enum SamplerKind: String, ConfigurationChoice, Sendable {
            /// A seeded shuffle per epoch.
            case random
            /// Length-bucketed batches.
            case bucketed
        }
    }
}
