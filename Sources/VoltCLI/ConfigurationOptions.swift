import ArgumentParser
import Volt

/// `--config` (repeatable), `--print-config` and the `--section.key value` overrides every subcommand takes.
public struct ConfigurationOptions: ParsableArguments {
    /// The configuration files, in order.
    @Option(help: "A configuration file (defaults apply to every missing key); repeat it to layer files, later ones winning.")
    public var config: [String] = []

    /// Print and exit.
    @Flag(name: .customLong("print-config"), help: "Print the complete configuration, every default included, as YAML, and exit.")
    public var printConfig = false

    /// The overrides, unparsed.
    @Argument(parsing: .allUnrecognized, help: "Overrides such as --trainer.max_epochs 1 or --module.lr 3e-4.")
    public var overrides: [String] = []

    /// For the argument parser.
    public init() {}

    /// The configuration the files and overrides give; with `--print-config`, prints it and exits.
    ///
    /// - Throws: `ConfigurationError` naming the file, line and key of a bad value; `CleanExit` after printing.
    public func load<Configuration: TrainingConfiguration>(_ type: Configuration.Type) throws -> Configuration {
        let loaded = try ConfigurationLoader.load(type, paths: config, overrides: try parsedOverrides())
        if printConfig {
            print(try loaded.resolvedYAML(), terminator: "")
            throw CleanExit.message("")
        }
        return loaded.value
    }

    /// The overrides as `(dotted key, YAML value)` pairs, for a command that re-reads the configuration itself.
    ///
    /// - Throws: `ConfigurationError` for an argument that is not `--section.key value`.
    public func parsedOverrides() throws -> [(key: String, value: String)] {
        try ConfigurationLoader.parseOverrides(overrides)
    }
}
