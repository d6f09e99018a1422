import VoltInterop

/// A value of a parsed JSON document together with its key path, so that every complaint names where it is.
struct JSONNode {
    /// The value (nil when the key is absent).
    let value: JSONValue?
    /// Key path from the document root, e.g. `model.merges[3]`.
    let path: String
    /// The file the document came from.
    let file: String

    var isNull: Bool {
        if case .null = value ?? .null { return true }
        return false
    }

    func invalid(_ reason: String) -> TokenizerError { .invalid(file: file, key: path.isEmpty ? "(root)" : path, reason: reason) }
    func unsupported(_ value: String) -> TokenizerError { .unsupported(file: file, key: path.isEmpty ? "(root)" : path, value: value) }

    /// The member `key` of this object (absent when this is not an object or has no such member).
    subscript(key: String) -> JSONNode {
        var member: JSONValue?
        if case let .object(members) = value { member = members.first(where: { $0.0.utf8.elementsEqual(key.utf8) })?.1 }
        return JSONNode(value: member, path: path.isEmpty ? key : path + "." + key, file: file)
    }

    func members() throws -> [(key: String, value: JSONValue)] {
        guard case let .object(members) = value else { throw invalid("expected an object") }
        return members.map { (key: $0.0, value: $0.1) }
    }

    func array() throws -> [JSONNode] {
        guard case let .array(items) = value else { throw invalid("expected an array") }
        return items.enumerated().map { JSONNode(value: $1, path: "\(path)[\($0)]", file: file) }
    }

    func string() throws -> String {
        guard case let .string(text) = value else { throw invalid("expected a string") }
        return text
    }

    /// The string value, or nil when this is not a string.
    var stringValue: String? {
        if case let .string(text) = value { return text }
        return nil
    }

    func int() throws -> Int {
        guard case let .int(number) = value else { throw invalid("expected an integer") }
        return number
    }

    /// A token id: an integer in 0 ..< 2³¹.
    func tokenID() throws -> Int32 {
        guard case let .int(number) = value, number >= 0, let id = Int32(exactly: number) else {
            throw invalid("expected a token id (an integer from 0 to 2147483647)")
        }
        return id
    }

    /// The numeric value, or nil when this is not a number.
    var doubleValue: Double? {
        switch value {
        case let .int(number): Double(number)
        case let .double(number): number
        default: nil
        }
    }

    func bool(default fallback: Bool) throws -> Bool {
        if isNull { return fallback }
        guard case let .bool(flag) = value else { throw invalid("expected true or false") }
        return flag
    }

    func optionalString() throws -> String? { isNull ? nil : try string() }

    /// The `type` member of a component object.
    func type() throws -> String { try self["type"].string() }
}
