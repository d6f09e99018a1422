import Foundation
import VoltHDF5

/// The tree of an HDF5 checkpoint file — groups with their attributes, datasets with shape and element type —
/// as `volt checkpoint inspect [--json]` prints it. Reading it touches no dataset's data.
public struct CheckpointSummary: Codable, Sendable, CustomStringConvertible {
    /// A dataset: where it is, its shape and element type, and its attributes.
    public struct Dataset: Codable, Sendable, Equatable {
        /// Link name (escaped as stored).
        public var name: String
        /// Absolute path in the file.
        public var path: String
        /// Extent of each dimension; `[]` for a scalar.
        public var shape: [Int]
        /// Element type: `float32`, `float16`, `bfloat16`, `int32`, `uint64`, … (see `volt checkpoint inspect`).
        public var dtype: String
        /// Attributes by name.
        public var attributes: [String: HDF5AttributeValue]
    }

    /// A group: its attributes and members, in the order they were written.
    public struct Group: Codable, Sendable, Equatable {
        /// Link name (`/` for the root).
        public var name: String
        /// Absolute path in the file.
        public var path: String
        /// Attributes by name.
        public var attributes: [String: HDF5AttributeValue]
        /// Subgroups.
        public var groups: [Group]
        /// Datasets.
        public var datasets: [Dataset]
    }

    /// The file.
    public var path: String
    /// The root group `/` and everything under it.
    public var root: Group

    /// The root attributes (format, format_version, epoch, …).
    public var attributes: [String: HDF5AttributeValue] { root.attributes }

    /// The group at absolute `path` (`/optimizers/0`), if there is one.
    public func group(at path: String) -> Group? {
        var group = root
        for part in path.split(separator: "/") {
            guard let child = group.groups.first(where: { $0.name == part }) else { return nil }
            group = child
        }
        return group
    }

    /// The dataset at absolute `path` (`/state_dict/embed_out.weight`), if there is one.
    public func dataset(at path: String) -> Dataset? {
        let parent = (path as NSString).deletingLastPathComponent, name = (path as NSString).lastPathComponent
        return group(at: parent)?.datasets.first { $0.name == name }
    }

    /// An indented tree like `h5ls -r`: `name/` for groups, `@name = value` for attributes (long values cut at
    /// 160 characters), `name  dtype [shape]` for datasets.
    public var description: String {
        var lines = [path]
        func visit(_ group: Group, depth: Int) {
            let indent = String(repeating: "  ", count: depth)
            lines.append(indent + (group.path == "/" ? "/" : group.name + "/"))
            for (name, value) in group.attributes.sorted(by: { $0.key < $1.key }) {
                lines.append(indent + "  @\(name) = " + Self.shortened("\(value)"))
            }
            for child in group.groups { visit(child, depth: depth + 1) }
            for d in group.datasets {
                let extra = d.attributes.filter { $0.key != "dtype" }.sorted { $0.key < $1.key }.map { "@\($0.key)=\($0.value)" }
                lines.append(indent + "  \(d.name)  \(d.dtype) \(d.shape)" + (extra.isEmpty ? "" : "  " + extra.joined(separator: " ")))
            }
        }
        visit(root, depth: 0)
        return lines.joined(separator: "\n")
    }

    private static func shortened(_ text: String) -> String {
        text.count <= 160 ? text : String(text.prefix(159)) + "…"
    }
}

extension Checkpoint {
    /// The tree of the HDF5 file at `path`: every group's attributes and every dataset's shape and element type.
    ///
    /// Works on any HDF5 file, Volt checkpoint or not; data is not read, so checksums are not verified (use
    /// ``read(from:weightsOnly:)`` for that).
    ///
    /// - Throws: ``CheckpointError``: `.notFound`, `.notHDF5` (truncated), or a failure reading the tree.
    public static func inspect(_ path: String) throws -> CheckpointSummary {
        try hdf5Lock.withLock {
            let root = try openForReading(path)
            do {
                return CheckpointSummary(path: path, root: try summarize(root))
            } catch let error as HDF5Error {
                throw CheckpointError(reading: path, error)
            }
        }
    }

    private static func summarize(_ group: HDF5Group) throws -> CheckpointSummary.Group {
        var summary = CheckpointSummary.Group(name: group.path == "/" ? "/" : (group.path as NSString).lastPathComponent,
                                              path: group.path, attributes: try attributes(of: group), groups: [], datasets: [])
        for name in try group.memberNames() {
            switch try group.member(name) {
            case let .group(child): summary.groups.append(try summarize(child))
            case let .dataset(d):
                summary.datasets.append(.init(name: name, path: d.path, shape: try d.shape(), dtype: try d.typeName(),
                                              attributes: try attributes(of: d)))
            }
        }
        return summary
    }

    /// Attributes by name; one of a type Volt does not read shows as a string saying so.
    private static func attributes(of object: HDF5Object) throws -> [String: HDF5AttributeValue] {
        var result: [String: HDF5AttributeValue] = [:]
        for name in try object.attributeNames() {
            do {
                if let value = try object.attribute(name) { result[name] = value }
            } catch let error as HDF5Error where error.kind == .unsupported {
                result[name] = .string("<\(error.detail)>")
            }
        }
        return result
    }
}
