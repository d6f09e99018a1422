import Foundation
import VoltInterop
import XCTest
import GenSLM
import VoltApp
import VoltSearch

/// `volt tune` as a user runs it: the built command over genslm-tiny on a few rabies sequences.
final class TuneCommandTests: XCTestCase {
    static let volt = TuneFixtures.repository.appendingPathComponent(".build/release/volt").path
    static let rabies = "/usr/share/doc/beast-mcmc/examples/DiscreteTraits/phylogeneticGLM/batRABV.fas.gz"

    /// A configuration with tiny trials (2 training batches of 32 codons, 1 validation batch, 2 epochs).
    func writeConfiguration(root: String, nTrials: Int, heartbeat: Double = 60, extra: String = "") throws -> String {
        let yaml = """
            data: {path: \(Self.rabies), num_workers: 1, max_length: 32}
            module: {accumulation_steps: 1}
            trainer:
              max_epochs: 2
              limit_train_batches: 2
              limit_val_batches: 1
              num_sanity_val_steps: 0
              enable_progress_bar: false
              loggers: []
              default_root_dir: \(root)
            tune:
              study_name: tiny
              n_trials: \(nTrials)
              sampler: random
              pruner: median
              heartbeat_interval: \(heartbeat)
              space:
                module.lr: {type: float, low: 1.0e-5, high: 1.0e-2, log: true}
                module.optimizer: {type: categorical, choices: [adam, sgd]}
            \(extra)
            """
        let path = root + "/config.yaml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func launch(_ arguments: [String]) throws -> Process {
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: Self.volt), "build the volt command first (swift build -c release)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.volt)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.environment = ProcessInfo.processInfo.environment.merging(["OMP_NUM_THREADS": "1"]) { $1 }
        try process.run()
        return process
    }

    func trials(_ root: String) throws -> [TrialRecord] {
        let storage = try StudyStorage(path: root + "/study.db")
        return try storage.trials(studyID: try storage.createOrLoadStudy(name: "tiny", direction: .minimize))
    }

    /// Two `volt tune` processes started together on one study run 4 trials between them, numbered 0–3 without
    /// duplicates, each a real fit with a checkpoint in its own trial folder; a rerun adds nothing (the study is full).
    func testConcurrentTuneProcessesShareOneStudy() throws {
        let root = try TuneFixtures.temporaryDirectory("concurrent")
        let config = try writeConfiguration(root: root, nTrials: 4)
        let workers = try (0..<2).map { _ in try launch(["tune", "--config", config]) }
        for w in workers { w.waitUntilExit() }
        XCTAssertEqual(workers.map(\.terminationStatus), [0, 0])
        let all = try trials(root)
        XCTAssertEqual(all.map(\.number), [0, 1, 2, 3])
        XCTAssertEqual(Set(all.map(\.id)).count, 4)
        for t in all {
            XCTAssertTrue([.complete, .pruned].contains(t.state), "trial \(t.number) is \(t.state)")
            let checkpoint = try XCTUnwrap(t.userAttributes["best_checkpoint"].flatMap { try? JSONValue.parse($0) })
            guard case let .string(path) = checkpoint else { return XCTFail("best_checkpoint") }
            XCTAssertTrue(path.hasPrefix(root + "/trials/trial_\(t.number)/"), path)
            XCTAssertTrue(FileManager.default.fileExists(atPath: path), path)
            XCTAssertEqual(t.intermediateValues.count, 2, "one report per validation, 2 epochs")
        }
        let again = try launch(["tune", "--config", config])
        again.waitUntilExit()
        XCTAssertEqual(again.terminationStatus, 0)
        XCTAssertEqual(try trials(root).count, 4)
        XCTAssertTrue(FileManager.default.fileExists(atPath: root + "/tiny_history.svg"))
    }

    /// A `volt tune` killed with SIGKILL mid-trial leaves a RUNNING trial; once its heartbeat is older than the grace
    /// period the next `volt tune` marks it FAIL and runs the study on to n_trials.
    func testKilledTuneResumesAndFailsTheStaleTrial() throws {
        let root = try TuneFixtures.temporaryDirectory("killed")
        let config = try writeConfiguration(root: root, nTrials: 3, heartbeat: 1, extra: "  grace_period: 2")
        let first = try launch(["tune", "--config", config])
        let deadline = Date().addingTimeInterval(120)
        var killed = false
        while first.isRunning && Date() < deadline {
            if let running = try? trials(root).first(where: { $0.state == .running && $0.number == 1 }), running.start != nil {
                kill(first.processIdentifier, SIGKILL)
                killed = true
                break
            }
            usleep(20_000)
        }
        first.waitUntilExit()
        XCTAssertTrue(killed, "volt tune ended before trial 1 started")
        XCTAssertEqual(first.terminationReason, .uncaughtSignal)
        XCTAssertEqual(try trials(root).last?.state, .running, "the killed trial is left RUNNING")
        sleep(3)  // past the 2 s grace period
        let second = try launch(["tune", "--config", config, "--json"])
        second.waitUntilExit()
        XCTAssertEqual(second.terminationStatus, 0)
        let all = try trials(root)
        XCTAssertEqual(all.first { $0.number == 1 }?.state, .fail, "the stale trial is failed")
        XCTAssertEqual(all.filter { [.complete, .pruned].contains($0.state) }.count, 3, "the study runs on to n_trials")
        XCTAssertEqual(all.map(\.number), Array(0..<all.count))
    }

    /// DDP trials: `volt tune` with `strategy: ddp, devices: 2` re-launches itself as 2 MPI ranks; rank 0 runs the
    /// study and both ranks fit each trial together. With the median pruner after 1 complete trial, a trial whose first
    /// report is worse than trial 0's stops there on both ranks (the grid and seed make trial 1 the slow learning
    /// rate, so the pruning handshake runs).
    func testDDPTrialsRunOnTwoRanksAndPruneTogether() throws {
        let root = try TuneFixtures.temporaryDirectory("ddp")
        let config = try writeConfiguration(root: root, nTrials: 2)
        let run = try launch(["tune", "--config", config, "--trainer.strategy", "ddp", "--trainer.devices", "2",
                              "--tune.sampler", "grid", "--tune.pruner_startup_trials", "1", "--tune.space",
                              "{module.lr: {type: categorical, choices: [3.0e-3, 1.0e-6]}}"])
        run.waitUntilExit()
        XCTAssertEqual(run.terminationStatus, 0)
        let all = try trials(root)
        XCTAssertEqual(all.map(\.number), [0, 1])
        XCTAssertEqual(all[0].state, .complete)
        XCTAssertEqual(all[0].intermediateValues.count, 2)
        XCTAssertTrue(FileManager.default.fileExists(atPath: root + "/trials/trial_0"))
        let (first, second) = (all[0].intermediateValues[0] ?? .nan, all[1].intermediateValues[0] ?? .nan)
        if second > first {
            XCTAssertEqual(all[1].state, .pruned)
            XCTAssertEqual(all[1].intermediateValues.count, 1, "stopped after its first validation")
        } else {
            XCTAssertEqual(all[1].state, .complete)
        }
        XCTAssertEqual(all[1].params["module.lr"]?.value, .double(1e-6), "the seed's grid order puts the slow rate second")
    }

    /// Mistakes in `tune:` name the key: an unknown sampler, an unknown space key.
    func testBadTuneSectionsAreTypedErrors() throws {
        let root = try TuneFixtures.temporaryDirectory("bad")
        let config = try writeConfiguration(root: root, nTrials: 2)
        XCTAssertThrowsError(try FineTuneConfiguration.load(path: config, overrides: [("tune.sampler", "annealing")])) {
            XCTAssertTrue("\($0)".contains("tune.sampler") && "\($0)".contains("tpe, random, grid"), "\($0)")
        }
        try (try String(contentsOfFile: config, encoding: .utf8) + "    module.lrr: {type: float, low: 1, high: 2}\n")
            .write(toFile: config, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try FineTuneSearch(FineTuneConfiguration.load(path: config))) { XCTAssertTrue("\($0)".contains("module.lrr"), "\($0)") }
        let search = try FineTuneSearch(FineTuneConfiguration.load(path: try writeConfiguration(root: root, nTrials: 2)))
        let trial = try search.trialConfiguration(number: 3, params: ["module.lr": .double(0.5), "module.optimizer": .string("sgd")])
        XCTAssertEqual(trial.module.lr, 0.5)
        XCTAssertEqual(trial.module.optimizer, .sgd)
        XCTAssertEqual(trial.trainer.defaultRootDir, root + "/trials/trial_3")
    }
}
