import ArgumentParser
import Foundation
import Volt

/// A command line for any training module — Lightning's `LightningCLI`. In a package's `main.swift`:
///
/// ```swift
/// VoltCLI.main(module: Classifier.self, data: DigitsData.self)
/// ```
///
/// gives `fit`, `validate`, `test` and `predict`, each reading `--config FILE` (repeatable: later files win),
/// `--section.key value` overrides typed by the configuration (`--module.lr 3e-4`, `--trainer.max_epochs 1`),
/// and `--print-config`, which prints the complete configuration (every default included) as YAML that runs as
/// it is. The configuration's layout is `ModuleConfiguration`'s: `trainer:`, `module:` and `data:`.
public enum VoltCLI {
    /// Runs the command line of `module` fed by `data`, and exits.
    public static func main<Module: TrainingModule, Data: ConfigurableDataModule>(module: Module.Type, data: Data.Type,
                                                                                  arguments: [String]? = nil) -> Never
        where Module.Hyperparameters: ConfigurationSection, Data.Batch == Module.Batch {
        main(configuration: ModuleConfiguration<Module, Data>.self, arguments: arguments)
    }

    /// Runs the command line of a configuration root of its own layout, and exits.
    public static func main<Configuration: TrainingConfiguration>(configuration: Configuration.Type,
                                                                  arguments: [String]? = nil) -> Never {
        Root<Configuration>.main(arguments)
        exit(0)
    }

    /// The command that holds the four subcommands.
    public struct Root<Configuration: TrainingConfiguration>: ParsableCommand {
        /// Its subcommands.
        public static var configuration: CommandConfiguration {
            CommandConfiguration(
                commandName: (CommandLine.arguments.first as NSString?)?.lastPathComponent,
                abstract: "Train \(Configuration.Module.self) on \(Configuration.Data.self) from YAML configuration.",
                subcommands: [Fit<Configuration>.self, Validate<Configuration>.self, Test<Configuration>.self,
                              Predict<Configuration>.self])
        }

        /// For the argument parser.
        public init() {}
    }

    /// Runs `body`; an error ends the process with one line on standard error and exit code 1 — and, under MPI,
    /// ends every rank of the job so none is left waiting. A preempted fit exits 128 + the signal, as Slurm's
    /// requeue expects.
    public static func reportingErrors(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as ExitCode {
            throw error
        } catch let error as CleanExit {
            throw error
        } catch let TrainerError.preempted(signal, checkpoint) {
            if MPICommunicator.world.map({ $0.rank == 0 }) ?? true {
                FileHandle.standardError.write(Data("\(name): \(TrainerError.preempted(signal: signal, checkpoint: checkpoint))\n".utf8))
            }
            throw ExitCode(128 + signal)
        } catch {
            if let world = MPICommunicator.world, world.size > 1 { world.abort("\(error)") }
            FileHandle.standardError.write(Data("\(name): error: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }

    /// The program's name, for messages.
    static var name: String { (CommandLine.arguments.first as NSString?)?.lastPathComponent ?? "volt" }
}
