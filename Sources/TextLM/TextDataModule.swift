import Foundation
import Volt
import VoltData
import VoltText

/// VoltText's `TextPairDataModule` as a Volt data module built from a `data:` section: JSONL or CSV
/// (prompt, target) pairs, tokenized with the configured `tokenizer.json`, split, and batched with dynamic padding.
///
/// The tokenizer is read when the module is made (so that a ``CausalLMModule`` can decode its generations); the
/// files are read and tokenized in ``setup(stage:)``.
public final class TextDataModule: ConfigurableDataModule {
    /// Padded (prompt, target) batches.
    public typealias Batch = TextBatch
    /// VoltText's loaders.
    public typealias Loader = TextPairDataModule.Loader

    /// The `data:` section.
    public let configuration: TextDataConfiguration
    /// The tokenizer of `data.tokenizer`.
    public let tokenizer: HFTokenizer
    /// The token ending each target (`data.eos_token`), if set.
    public let eosID: Int32?
    /// The pairs, once ``setup(stage:)`` has read them.
    public private(set) var pairs: TextPairDataModule?

    /// Reads the tokenizer of `configuration`.
    ///
    /// - Throws: `TokenizerError` for an unreadable `tokenizer.json`; `TextDataError` naming
    ///   `data.eos_token` when the tokenizer lacks it.
    public init(configuration: TextDataConfiguration) throws {
        self.configuration = configuration
        tokenizer = try HFTokenizer(contentsOf: URL(fileURLWithPath: configuration.tokenizer))
        if let eos = configuration.eosToken {
            guard let id = tokenizer.id(of: eos) else {
                throw TextDataError.invalidConfiguration(key: "data.eos_token", reason: "the tokenizer has no token \(eos.debugDescription)")
            }
            eosID = id
        } else {
            eosID = nil
        }
    }

    /// Reads, tokenizes and splits the files (once).
    ///
    /// - Throws: `TextDataError` naming the file, line, field or configuration key.
    public func setup(stage: Stage) throws {
        if pairs == nil { pairs = try TextPairDataModule(configuration, tokenizer: tokenizer) }
    }

    /// The training part: shuffled, or length-bucketed with `sampler: bucketed`.
    public func trainLoader() throws -> Loader { try ready().trainLoader() }
    /// The validation part, in order.
    public func valLoader() throws -> Loader? { try ready().valLoader() }
    /// The test part (with three split fractions), in order.
    public func testLoader() throws -> Loader? { try ready().testLoader() }

    private func ready() throws -> TextPairDataModule {
        if pairs == nil { try setup(stage: .training) }
        return pairs!
    }
}

/// `data:` as a configuration section. `path` and `tokenizer` have no default: leaving them out is an error naming
/// the key.
extension TextDataConfiguration: ConfigurationSection {
    /// No files and no tokenizer (the section's decoder requires both).
    public init() { self.init(path: [], tokenizer: "") }
}


/// The checks of a `data:` section.
extension TextDataConfiguration {
    /// `path` and `tokenizer` must be given.
    public func validate() throws {
        if path.isEmpty { throw ConfigurationValueError(key: "path", reason: "data.path must name at least one JSONL or CSV file") }
        if tokenizer.isEmpty { throw ConfigurationValueError(key: "tokenizer", reason: "data.tokenizer must name a tokenizer.json file") }
    }
}
