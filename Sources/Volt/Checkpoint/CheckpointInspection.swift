import Foundation

/// The tree of a checkpoint file, as `volt checkpoint inspect` prints it.
public struct CheckpointSummary: Codable, Sendable, CustomStringConvertible {
    /// One group or dataset.
    public struct Node: Codable, Sendable {
        public var path: String
        public var kind: String
        public var shape: [Int]?
        public var dtype: String?
        public var attributes: [String: String]
    }

    /// The file.
    public var path: String
    /// Every object, depth first, in file order.
    public var nodes: [Node]

    public var description: String {
        nodes.map { node in
            let depth = node.path == "/" ? 0 : node.path.split(separator: "/").count
            let indent = String(repeating: "  ", count: depth)
            let name = node.path == "/" ? "/" : String(node.path.split(separator: "/").last ?? "")
            var line = indent + name
            if let shape = node.shape { line += "  \(node.dtype ?? "") \(shape)" }
            let attrs = node.attributes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            if !attrs.isEmpty { line += "  {" + attrs.joined(separator: ", ") + "}" }
            return line
        }.joined(separator: "\n")
    }
}

extension Checkpoint {
    /// The tree of groups, datasets (shape, dtype) and attributes of the checkpoint at `path`.
    public static func inspect(_ path: String) throws -> CheckpointSummary {
        let file = try HDF5File.open(path)
        var nodes: [CheckpointSummary.Node] = []
        func attributes(_ object: String) throws -> [String: String] {
            var result: [String: String] = [:]
            for name in file.attributeNames(on: object) {
                switch try file.attribute(name, on: object) {
                case let .string(s)?: result[name] = s
                case let .int(v)?: result[name] = String(v)
                case let .double(v)?: result[name] = String(v)
                case nil: continue
                }
            }
            return result
        }
        func visit(_ object: String) throws {
            if file.isGroup(object) {
                nodes.append(.init(path: object, kind: "group", shape: nil, dtype: nil, attributes: try attributes(object)))
                for member in try file.members(object) { try visit(object == "/" ? "/" + member : object + "/" + member) }
            } else {
                let (shape, dtype) = try file.datasetInfo(object)
                nodes.append(.init(path: object, kind: "dataset", shape: shape, dtype: dtype, attributes: try attributes(object)))
            }
        }
        try visit("/")
        return CheckpointSummary(path: path, nodes: nodes)
    }
}
