import ArgumentParser
import Foundation
import Volt

/// The `volt` command: the GenSLM workflow from a YAML file, evaluation, generation, data and checkpoint tools,
/// project templates and benchmarks.
@main
struct VoltCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "volt",
        abstract: "Lightning-style training for codon language models, in Swift.",
        subcommands: [Fit.self, Validate.self, Test.self, Eval.self, Embed.self, Generate.self, DataCommand.self,
                      CheckpointCommand.self, New.self, Bench.self, LRFind.self, BatchSizeFind.self, Plot.self, Tune.self]
    )
}

/// Runs `body`; an error ends the process with one line on standard error and exit code 1 — and, under MPI,
/// ends every rank of the job so none is left waiting.
func runReportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ExitCode {
        throw error
    } catch let TrainerError.preempted(signal, checkpoint) {
        // Every rank agreed on this stop and saved together: exit 128 + signal (Slurm's RequeueExit can match it).
        if MPICommunicator.world.map({ $0.rank == 0 }) ?? true {
            FileHandle.standardError.write(Data("volt: \(TrainerError.preempted(signal: signal, checkpoint: checkpoint))\n".utf8))
        }
        throw ExitCode(128 + signal)
    } catch {
        if let world = MPICommunicator.world, world.size > 1 { world.abort("\(error)") }
        FileHandle.standardError.write(Data("volt: error: \(error)\n".utf8))
        throw ExitCode.failure
    }
}

/// Prints `value` as one line of JSON with sorted keys.
func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// `%.1f`.
func format(_ value: Double) -> String { String(format: "%.1f", value) }
