import VoltTensor

/// A layer or model: a class whose stored properties hold its parameters and sub-modules.
///
/// Parameter names come from the property names, converted to snake_case (`queryKeyValue` →
/// `query_key_value`), joined with dots along the module tree, with array elements numbered
/// (`layers.0.attention.dense.weight`) — the naming of PyTorch state dicts. A subclass whose checkpoint names
/// differ overrides ``keyOverrides``. Every `Tensor` property is state (saved and loaded) unless its name starts
/// with `_` (a cache); those with `requiresGrad` are the trainable ``parameters``. Sub-modules in `_` properties
/// (dropout layers) follow ``train(_:)`` but hold no state.
open class Module {
    /// Whether the module is in training mode (dropout active). Set with ``train(_:)`` / ``eval()``.
    public private(set) var training = true

    /// Creates a module in training mode.
    public init() {}

    /// Checkpoint names for properties whose snake_case name is not the right one: Swift name → key.
    open class var keyOverrides: [String: String] { [:] }

    /// Sets training mode on this module and every sub-module.
    public func train(_ on: Bool = true) {
        training = on
        for (_, child) in children() { child.train(on) }
    }

    /// Sets evaluation mode (dropout off) on this module and every sub-module.
    public func eval() { train(false) }

    /// Direct sub-modules with their keys, in declaration order.
    public func children() -> [(String, Module)] {
        reflectedProperties().flatMap { key, value -> [(String, Module)] in
            if let module = value as? Module { return [(key, module)] }
            if let modules = value as? [Module] { return modules.enumerated().map { ("\(key).\($0.offset)", $0.element) } }
            return []
        }
    }

    /// Every tensor of the module tree with its dotted name, in declaration order.
    public func namedTensors() -> [(String, Tensor)] {
        reflectedProperties().flatMap { key, value -> [(String, Tensor)] in
            if let tensor = value as? Tensor { return key.hasPrefix("_") ? [] : [(key, tensor)] }
            if let module = value as? Module { return module.namedTensors().map { ("\(key).\($0.0)", $0.1) } }
            if let modules = value as? [Module] {
                return modules.enumerated().flatMap { i, m in m.namedTensors().map { ("\(key).\(i).\($0.0)", $0.1) } }
            }
            return []
        }
    }

    /// Trainable tensors (those with `requiresGrad`) with their names.
    public func namedParameters() -> [(String, Tensor)] { namedTensors().filter { $0.1.requiresGrad } }

    /// Trainable tensors, in ``namedParameters()`` order.
    public var parameters: [Tensor] { namedParameters().map(\.1) }

    /// Number of scalars in trainable tensors.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// The module's state: every tensor by name (values shared, not copied).
    public func stateDict() -> [String: Tensor] { Dictionary(namedTensors(), uniquingKeysWith: { a, _ in a }) }

    /// Copies values into the module's tensors by name.
    ///
    /// Nothing is written unless every check passes: with `strict`, the names must match exactly; in any mode,
    /// each loaded tensor must have its target's shape.
    ///
    /// - Throws: ``ModuleError`` naming the missing, unexpected or mismatched keys.
    public func load(stateDict: [String: Tensor], strict: Bool = true) throws(ModuleError) {
        let own = namedTensors()
        let ownKeys = Set(own.map(\.0))
        if strict {
            let missing = own.map(\.0).filter { stateDict[$0] == nil }
            let unexpected = stateDict.keys.filter { !ownKeys.contains($0) }.sorted()
            if !missing.isEmpty || !unexpected.isEmpty { throw .keyMismatch(missing: missing, unexpected: unexpected) }
        }
        for (key, tensor) in own {
            if let source = stateDict[key], source.shape != tensor.shape {
                throw .shapeMismatch(key: key, expected: tensor.shape, found: source.shape)
            }
        }
        withNoGrad {
            for (key, tensor) in own {
                guard let source = stateDict[key] else { continue }
                tensor.assign(source.to(tensor.dtype))
            }
        }
    }

    /// Stored properties of this instance and its superclasses up to `Module`, with their checkpoint keys.
    private func reflectedProperties() -> [(String, Any)] {
        var result: [(String, Any)] = []
        var mirror: Mirror? = Mirror(reflecting: self)
        var chain: [Mirror] = []
        while let m = mirror, m.subjectType != Module.self {
            chain.append(m)
            mirror = m.superclassMirror
        }
        let overrides = type(of: self).keyOverrides
        for m in chain.reversed() {
            for child in m.children {
                guard let label = child.label else { continue }
                result.append((overrides[label] ?? snakeCase(label), child.value))
            }
        }
        return result
    }
}

/// `camelCase` → `camel_case`.
func snakeCase(_ name: String) -> String {
    var out = ""
    for ch in name {
        if ch.isUppercase {
            if !out.isEmpty { out.append("_") }
            out.append(contentsOf: ch.lowercased())
        } else {
            out.append(ch)
        }
    }
    return out
}

/// Errors of loading state into a module.
public enum ModuleError: Error, Equatable, CustomStringConvertible {
    /// Keys the module has that the state lacks, and keys of the state the module does not have.
    case keyMismatch(missing: [String], unexpected: [String])
    /// A tensor whose shape differs from the module's.
    case shapeMismatch(key: String, expected: [Int], found: [Int])

    public var description: String {
        switch self {
        case let .keyMismatch(missing, unexpected):
            "state dict does not fit the module: missing \(missing), unexpected \(unexpected)"
        case let .shapeMismatch(key, expected, found):
            "state dict does not fit the module: \(key) has shape \(found), the module expects \(expected)"
        }
    }
}

extension Module {
    /// The random streams (dropout) reachable from this module, each once, named by the first path it is found
    /// at — the generator state a checkpoint must hold for an exact resume.
    public func namedRandomStreams() -> [(String, RandomStream)] {
        var seen: Set<ObjectIdentifier> = []
        var result: [(String, RandomStream)] = []
        func visit(_ module: Module, prefix: String) {
            for child in Self.allChildren(of: module) {
                let key = prefix.isEmpty ? child.0 : prefix + "." + child.0
                if let stream = child.1 as? RandomStream, seen.insert(ObjectIdentifier(stream)).inserted {
                    result.append((key, stream))
                } else if let m = child.1 as? Module {
                    visit(m, prefix: key)
                } else if let ms = child.1 as? [Module] {
                    for (i, m) in ms.enumerated() { visit(m, prefix: "\(key).\(i)") }
                }
            }
        }
        visit(self, prefix: "")
        return result
    }

    private static func allChildren(of module: Module) -> [(String, Any)] {
        var out: [(String, Any)] = []
        var mirror: Mirror? = Mirror(reflecting: module)
        while let m = mirror, m.subjectType != Module.self {
            out = m.children.compactMap { c in c.label.map { ($0, c.value) } } + out
            mirror = m.superclassMirror
        }
        return out
    }
}
