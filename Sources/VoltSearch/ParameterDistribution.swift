import Foundation
import VoltInterop

/// The range a parameter is searched in: Optuna's `FloatDistribution`, `IntDistribution` and
/// `CategoricalDistribution`, stored in `trial_params.distribution_json` exactly as Optuna writes them.
///
/// Values have an external form (what the objective sees: a Double, an Int, or one of the choices) and an
/// internal form (the Double in `trial_params.param_value`: the number itself, or the index of the choice).
public enum ParameterDistribution: Equatable, Sendable {
    /// A real in `[low, high]`; on a grid `low + k·step` when `step` is set; log-uniform when `log`.
    case float(low: Double, high: Double, step: Double?, log: Bool)
    /// An integer in `[low, high]` on the grid `low + k·step`; log-uniform when `log` (then `step` is 1).
    case int(low: Int, high: Int, step: Int, log: Bool)
    /// One of `choices` (null, bool, int, float or string).
    case categorical([JSONValue])

    /// Checks Optuna's constraints and lowers `high` onto the step grid as Optuna does.
    ///
    /// - Throws: ``TuneError/invalidDistribution(name:reason:)`` naming `name`.
    public func validated(name: String) throws -> ParameterDistribution {
        func fail(_ reason: String) -> TuneError { .invalidDistribution(name: name, reason: reason) }
        switch self {
        case let .float(low, high, step, log):
            guard low.isFinite, high.isFinite, low <= high else { throw fail("low (\(low)) must be ≤ high (\(high))") }
            if log && low <= 0 { throw fail("log needs low > 0, got \(low)") }
            if let step {
                guard !log else { throw fail("step and log cannot be used together") }
                guard step > 0 else { throw fail("step must be > 0") }
                let k = (high - low) / step
                if abs(k - k.rounded()) < 1e-9 { return self }  // divisible: keep high exactly, as Optuna's Decimal check does
                return .float(low: low, high: low + k.rounded(.down) * step, step: step, log: false)
            }
            return self
        case let .int(low, high, step, log):
            guard low <= high else { throw fail("low (\(low)) must be ≤ high (\(high))") }
            guard step >= 1 else { throw fail("step must be ≥ 1") }
            if log && low < 1 { throw fail("log needs low ≥ 1, got \(low)") }
            if log && step != 1 { throw fail("step and log cannot be used together") }
            return .int(low: low, high: low + (high - low) / step * step, step: step, log: log)
        case let .categorical(choices):
            guard !choices.isEmpty else { throw fail("choices must not be empty") }
            for c in choices {
                switch c {
                case .array, .object: throw fail("a choice must be null, a bool, a number or a string, not \(c.text)")
                default: break
                }
            }
            return self
        }
    }

    /// `json.dumps` of Optuna's `distribution_to_json`.
    public var json: String {
        switch self {
        case let .float(low, high, step, log):
            return JSONValue.object([("name", .string("FloatDistribution")), ("attributes", .object([
                ("step", step.map { .double($0) } ?? .null), ("low", .double(low)), ("high", .double(high)), ("log", .bool(log)),
            ]))]).text
        case let .int(low, high, step, log):
            return JSONValue.object([("name", .string("IntDistribution")), ("attributes", .object([
                ("log", .bool(log)), ("step", .int(step)), ("low", .int(low)), ("high", .int(high)),
            ]))]).text
        case let .categorical(choices):
            return JSONValue.object([("name", .string("CategoricalDistribution")),
                                     ("attributes", .object([("choices", .array(choices))]))]).text
        }
    }

    /// Parses Optuna's distribution JSON, including the pre-3.0 names (`UniformDistribution`,
    /// `LogUniformDistribution`, `DiscreteUniformDistribution`, `IntUniformDistribution`, `IntLogUniformDistribution`).
    ///
    /// - Throws: ``TuneError/invalidDistribution(name:reason:)`` naming `parameter`.
    public init(json text: String, parameter: String) throws {
        func fail(_ reason: String) -> TuneError { .invalidDistribution(name: parameter, reason: reason + " in \(text)") }
        let value: JSONValue
        do { value = try JSONValue.parse(text) } catch { throw fail("\(error)") }
        guard case let .string(name)? = value["name"], let a = value["attributes"] else { throw fail("no name or attributes") }
        func number(_ key: String) throws -> Double {
            guard let v = a[key]?.double else { throw fail("attribute \(key) missing") }
            return v
        }
        func integer(_ key: String) throws -> Int {
            guard let v = a[key]?.double, v == v.rounded(), abs(v) < 9e15 else { throw fail("attribute \(key) is not an integer") }
            return Int(v)
        }
        switch name {
        case "FloatDistribution":
            let step = a["step"].flatMap { $0 == .null ? nil : $0.double }
            self = .float(low: try number("low"), high: try number("high"), step: step, log: a["log"] == .bool(true))
        case "IntDistribution":
            self = .int(low: try integer("low"), high: try integer("high"), step: a["step"] == nil ? 1 : try integer("step"),
                        log: a["log"] == .bool(true))
        case "CategoricalDistribution":
            guard case let .array(choices)? = a["choices"] else { throw fail("choices missing") }
            self = .categorical(choices)
        case "UniformDistribution": self = .float(low: try number("low"), high: try number("high"), step: nil, log: false)
        case "LogUniformDistribution": self = .float(low: try number("low"), high: try number("high"), step: nil, log: true)
        case "DiscreteUniformDistribution": self = .float(low: try number("low"), high: try number("high"), step: try number("q"), log: false)
        case "IntUniformDistribution":
            self = .int(low: try integer("low"), high: try integer("high"), step: a["step"] == nil ? 1 : try integer("step"), log: false)
        case "IntLogUniformDistribution": self = .int(low: try integer("low"), high: try integer("high"), step: 1, log: true)
        default: throw fail("unknown distribution \(name)")
        }
    }

    /// The external value of an internal one (a choice for its index).
    public func externalValue(_ x: Double) -> JSONValue {
        switch self {
        case .float: return .double(x)
        case .int: return .int(Int(x.rounded()))
        case let .categorical(choices):
            let i = Int(x.rounded())
            return choices.indices.contains(i) ? choices[i] : .null
        }
    }

    /// The internal value of an external one, or `nil` when it is not in the distribution.
    public func internalValue(_ external: JSONValue) -> Double? {
        switch self {
        case .float, .int:
            guard let v = external.double, contains(v) else { return nil }
            return v
        case let .categorical(choices):
            return choices.firstIndex(of: external).map(Double.init)
        }
    }

    /// Whether the internal value lies in the distribution (Optuna's `_contains`).
    public func contains(_ x: Double) -> Bool {
        switch self {
        case let .float(low, high, step, _):
            guard low <= x && x <= high else { return false }
            guard let step else { return true }
            let k = (x - low) / step
            return abs(k - k.rounded()) < 1e-8
        case let .int(low, high, step, _):
            guard x == x.rounded() else { return false }
            let v = Int(x)
            return low <= v && v <= high && (v - low) % step == 0
        case let .categorical(choices):
            return x == x.rounded() && x >= 0 && Int(x) < choices.count
        }
    }

    /// Whether two distributions of the same parameter are compatible (Optuna's
    /// `check_distribution_compatibility`: same kind, same log flag, and the same choices for categoricals).
    public func isCompatible(with other: ParameterDistribution) -> Bool {
        switch (self, other) {
        case let (.float(_, _, _, a), .float(_, _, _, b)), let (.int(_, _, _, a), .int(_, _, _, b)): a == b
        case let (.categorical(a), .categorical(b)): a == b
        default: false
        }
    }

    /// Every value on the grid, or `nil` for a continuous float (grid search needs a step).
    public var gridValues: [Double]? {
        switch self {
        case let .float(low, high, step?, _):
            let n = Int(((high - low) / step + 1e-9).rounded(.down))
            return (0...n).map { low + Double($0) * step }
        case .float: return nil
        case let .int(low, high, step, _): return stride(from: low, through: high, by: step).map(Double.init)
        case let .categorical(choices): return choices.indices.map(Double.init)
        }
    }
}
