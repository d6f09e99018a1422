import Foundation
import VoltInterop
import XCTest
import VoltSearch

/// Volt's study database against one that Optuna 5 wrote (scripts/make_optuna_fixture.py).
final class OptunaInteropTests: XCTestCase {
    /// A database Volt creates has Optuna's schema statement for statement, and the version rows Optuna checks.
    func testVoltSchemaEqualsOptunaFixture() throws {
        let fixture = try TuneFixtures.json("optuna_study.json")
        let storage = try StudyStorage(path: try TuneFixtures.temporaryDirectory("schema") + "/study.db")
        let volt = try storage.schemaStatements()
        var optuna: [String: String] = [:]
        for (name, sql) in fixture["schema"]?.members ?? [] { if case let .string(s) = sql { optuna[name] = s } }
        XCTAssertEqual(optuna.count, 15, "Optuna 5 creates 13 tables and 2 indexes")
        XCTAssertEqual(volt, optuna)
        let version = try storage.versionRows()
        XCTAssertEqual(version.schemaVersion, fixture["schema_version"].flatMap { $0.double }.map { Int($0) })
        XCTAssertEqual(version.libraryVersion.map(JSONValue.string), fixture["library_version"])
        XCTAssertEqual(version.alembicRevision.map(JSONValue.string), fixture["alembic_version"])
    }

    /// Every trial Optuna wrote reads back with its number, state, value, parameters (internal and external),
    /// distribution JSON, intermediate values and user attributes.
    func testReadsOptunaStudy() throws {
        let fixture = try TuneFixtures.json("optuna_study.json")
        let storage = try StudyStorage(path: try TuneFixtures.optunaStudyCopy())
        XCTAssertEqual(try storage.studyNames(), ["optuna-fixture"])
        let id = try storage.createOrLoadStudy(name: "optuna-fixture", direction: .minimize)
        XCTAssertThrowsError(try storage.createOrLoadStudy(name: "optuna-fixture", direction: .maximize))
        let trials = try storage.trials(studyID: id)
        let expected = fixture["trials"]?.items ?? []
        XCTAssertEqual(trials.count, 12)
        XCTAssertEqual(trials.count, expected.count)
        for (t, e) in zip(trials, expected) {
            XCTAssertEqual(Double(t.number), e["number"]?.double)
            XCTAssertEqual(.string(t.state.rawValue), e["state"])
            XCTAssertEqual(t.value, e["value"]?.double, "trial \(t.number)")
            let params = e["params"]?.members ?? []
            XCTAssertEqual(Set(t.params.keys), Set(params.map(\.0)))
            for (name, pair) in params {
                let p = try XCTUnwrap(t.params[name])
                XCTAssertEqual(p.value, pair.items[0], "trial \(t.number) \(name)")
                XCTAssertEqual(p.internalValue, pair.items[1].double)
                XCTAssertEqual(.string(p.distribution.json), e["distributions"]?[name], "Volt writes Optuna's distribution JSON back unchanged")
            }
            let steps = e["intermediate_values"]?.members ?? []
            XCTAssertEqual(t.intermediateValues.count, steps.count)
            for (step, value) in steps { XCTAssertEqual(t.intermediateValues[Int(step) ?? -1], value.double) }
            for (key, value) in e["user_attrs"]?.members ?? [] { XCTAssertEqual(t.userAttributes[key], value.text) }
        }
        XCTAssertEqual(trials.filter { $0.state == .pruned }.count, 6)
        XCTAssertEqual(trials.first { $0.state == .fail }?.number, 5)
    }

    /// Volt continues the Optuna study: new trials take numbers 12, 13, 14, TPE models Optuna's trials (past its 10
    /// startup trials), and the old rows stay as they were.
    func testContinuesOptunaStudy() throws {
        let path = try TuneFixtures.optunaStudyCopy()
        let storage = try StudyStorage(path: path)
        let before = try storage.trials(studyID: try storage.createOrLoadStudy(name: "optuna-fixture", direction: .minimize))
        let space = try SearchSpace(Dictionary(uniqueKeysWithValues: before[0].params.map { ($0.key, $0.value.distribution) }))
        // 11 COMPLETE/PRUNED trials are there; a total of 14 leaves room for 3.
        let settings = StudySettings(name: "optuna-fixture", direction: .minimize, nTrials: 14, space: space,
                                     sampler: TPESampler(seed: 3), pruner: MedianPruner())
        let study = try Study(storage: storage, settings: settings)
        let (ran, stale) = try study.optimize { trial in
            let lr = try XCTUnwrap(trial.params["module.lr"]?.double)
            return (log10(lr) + 4) * (log10(lr) + 4)
        }
        XCTAssertEqual(ran, [12, 13, 14])
        XCTAssertEqual(stale, [])
        let after = try study.trials()
        XCTAssertEqual(after.map(\.number), Array(0...14))
        XCTAssertEqual(Array(after.prefix(12)), before)
        for t in after.suffix(3) {
            XCTAssertEqual(t.state, .complete)
            XCTAssertEqual(Set(t.params.keys), Set(space.parameters.map(\.name)))
            for (name, p) in t.params {
                XCTAssertTrue(p.distribution.contains(p.internalValue), "\(name) = \(p.internalValue) outside \(p.distribution.json)")
            }
        }
        XCTAssertThrowsError(try Study(storage: storage, settings: StudySettings(
            name: "optuna-fixture", direction: .minimize, nTrials: 20,
            space: try SearchSpace(["module.optimizer": .categorical([.string("adam")])]), sampler: RandomSampler(seed: 0),
            pruner: NoPruner()))) { error in
            XCTAssertTrue("\(error)".contains("incompatible"), "\(error)")
        }
    }
}
