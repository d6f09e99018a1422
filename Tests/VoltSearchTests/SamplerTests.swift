import Foundation
import VoltInterop
import XCTest
import VoltSearch

final class SamplerTests: XCTestCase {
    /// Runs `nTrials` trials of `objective` with `sampler` in a fresh database and returns the values in trial order.
    func run(_ sampler: any Sampler, space: SearchSpace, nTrials: Int, objective: @escaping ([String: JSONValue]) -> Double) throws -> [Double] {
        let storage = try StudyStorage(path: try TuneFixtures.temporaryDirectory("sampler") + "/study.db")
        let study = try Study(storage: storage, settings: StudySettings(name: "s", direction: .minimize, nTrials: nTrials, space: space,
                                                                        sampler: sampler, pruner: NoPruner()))
        try study.optimize { objective($0.params) }
        return try study.trials().compactMap(\.value)
    }

    static let space2D = try! SearchSpace(["x": .float(low: -5, high: 10, step: nil, log: false),
                                            "y": .float(low: 0, high: 15, step: nil, log: false)])

    /// Branin's function (minimum 0.397887 at three points).
    static func branin(_ p: [String: JSONValue]) -> Double {
        let x = p["x"]?.double ?? 0, y = p["y"]?.double ?? 0
        let b = 5.1 / (4 * Double.pi * Double.pi), c = 5 / Double.pi, t = 1 / (8 * Double.pi)
        return pow(y - b * x * x + c * x - 6, 2) + 10 * (1 - t) * cos(x) + 10
    }

    /// On Branin's function TPE gets within 0.1 of the minimum (0.398) in fewer trials than random search, for each
    /// of three fixed seeds (random search does not get there in 100 trials).
    func testTPEReachesBraninThresholdInFewerTrialsThanRandom() throws {
        func trialsToReach(_ values: [Double], _ threshold: Double) -> Int { (values.firstIndex { $0 < threshold } ?? values.count) + 1 }
        for seed: UInt64 in [0, 1, 2] {
            let tpe = try run(TPESampler(seed: seed), space: Self.space2D, nTrials: 100, objective: Self.branin)
            let random = try run(RandomSampler(seed: seed), space: Self.space2D, nTrials: 100, objective: Self.branin)
            let (t, r) = (trialsToReach(tpe, 0.5), trialsToReach(random, 0.5))
            print("seed \(seed): TPE reached 0.5 at trial \(t), random at \(r); best TPE \(tpe.min() ?? .nan), random \(random.min() ?? .nan)")
            XCTAssertLessThan(t, r, "seed \(seed)")
        }
    }

    /// The same seed draws the same parameters; another seed draws others.
    func testSamplersAreSeededAndReproducible() throws {
        for make in [{ (s: UInt64) -> any Sampler in RandomSampler(seed: s) }, { TPESampler(seed: $0, startupTrials: 3) }] {
            let a = try run(make(7), space: Self.space2D, nTrials: 8, objective: Self.branin)
            let b = try run(make(7), space: Self.space2D, nTrials: 8, objective: Self.branin)
            let c = try run(make(8), space: Self.space2D, nTrials: 8, objective: Self.branin)
            XCTAssertEqual(a, b)
            XCTAssertNotEqual(a, c)
        }
    }

    /// Random and TPE draws stay in range and on the step grid, for every kind of distribution.
    func testDrawsRespectRangesStepsAndLog() throws {
        let space = try SearchSpace([
            "f": .float(low: 1e-6, high: 1e-2, step: nil, log: true), "s": .float(low: 0, high: 0.5, step: 0.1, log: false),
            "i": .int(low: 4, high: 30, step: 4, log: false), "l": .int(low: 1, high: 1000, step: 1, log: true),
            "c": .categorical([.string("adam"), .int(1), .null]),
        ])
        XCTAssertEqual(space.parameters.first { $0.name == "i" }?.distribution, .int(low: 4, high: 28, step: 4, log: false),
                       "high is lowered onto the step grid, as Optuna does")
        XCTAssertEqual(try ParameterDistribution.float(low: 0.1, high: 0.7, step: 0.2, log: false).validated(name: "a"),
                       .float(low: 0.1, high: 0.7, step: 0.2, log: false), "a divisible range keeps its high")
        guard case let .float(_, high, _, _) = try ParameterDistribution.float(low: 0, high: 1, step: 0.3, log: false).validated(name: "b") else {
            return XCTFail("float")
        }
        XCTAssertEqual(high, 0.9, accuracy: 1e-12)
        XCTAssertThrowsError(try ParameterDistribution.float(low: 0, high: 1, step: nil, log: true).validated(name: "c"))
        XCTAssertThrowsError(try ParameterDistribution.int(low: 1, high: 10, step: 2, log: true).validated(name: "d"))
        XCTAssertThrowsError(try ParameterDistribution.categorical([]).validated(name: "e"))
        for sampler in [RandomSampler(seed: 1) as any Sampler, TPESampler(seed: 1, startupTrials: 5)] {
            let storage = try StudyStorage(path: try TuneFixtures.temporaryDirectory("ranges") + "/study.db")
            let study = try Study(storage: storage, settings: StudySettings(name: "r", direction: .minimize, nTrials: 40, space: space,
                                                                            sampler: sampler, pruner: NoPruner()))
            try study.optimize { t in (t.params["f"]?.double ?? 0) * 100 + Double(t.params["i"]?.double ?? 0) }
            var seenChoices = Set<String>()
            for t in try study.trials() {
                for (name, p) in t.params {
                    XCTAssertTrue(p.distribution.contains(p.internalValue), "\(name) = \(p.internalValue) outside \(p.distribution.json)")
                }
                seenChoices.insert(t.params["c"]?.value.text ?? "")
                if case let .int(v)? = t.params["l"]?.value { XCTAssertTrue((1...1000).contains(v)) } else { XCTFail("l is an int") }
            }
            XCTAssertEqual(seenChoices, ["\"adam\"", "1", "null"])
        }
    }

    /// The grid sampler visits every point once, then the study stops.
    func testGridSamplerVisitsEachPointOnce() throws {
        let space = try SearchSpace(["a": .int(low: 1, high: 3, step: 1, log: false), "b": .categorical([.string("x"), .string("y")])])
        let storage = try StudyStorage(path: try TuneFixtures.temporaryDirectory("grid") + "/study.db")
        let study = try Study(storage: storage, settings: StudySettings(name: "g", direction: .minimize, nTrials: 100, space: space,
                                                                        sampler: GridSampler(seed: 0), pruner: NoPruner()))
        let (ran, _) = try study.optimize { _ in 1 }
        XCTAssertEqual(ran.count, 6)
        let points = Set(try study.trials().map { t in t.params.sorted { $0.key < $1.key }.map { $0.value.value.text }.joined(separator: ",") })
        XCTAssertEqual(points.count, 6)
    }

    /// The Parzen estimator's log density equals Optuna's `_ParzenEstimator.log_pdf` (TPE's defaults) for float,
    /// log-float, stepped float, stepped int, log int and categorical parameters, with 0, 1, 3 and 20 (stepped) or 30 observations.
    func testParzenEstimatorMatchesOptuna() throws {
        let cases = try TuneFixtures.json("parzen_estimator.json").items
        XCTAssertEqual(cases.count, 24)
        var worst = 0.0
        for c in cases {
            guard case let .string(json)? = c["distribution"] else { return XCTFail("fixture") }
            let distribution = try ParameterDistribution(json: json, parameter: "p")
            let estimator = ParzenEstimator(observations: (c["observations"]?.items ?? []).compactMap(\.double), distribution: distribution)
            let points = (c["points"]?.items ?? []).compactMap(\.double)
            let expected = (c["log_pdf"]?.items ?? []).compactMap(\.double)
            XCTAssertEqual(points.count, expected.count)
            for (x, e) in zip(points, expected) {
                let got = estimator.logPDF(x)
                worst = max(worst, abs(got - e))
                XCTAssertEqual(got, e, accuracy: 1e-9, "\(json) n=\(c["observations"]?.items.count ?? 0) x=\(x)")
            }
        }
        print("Parzen estimator: max |Δ log pdf| against Optuna = \(worst)")
    }
}
