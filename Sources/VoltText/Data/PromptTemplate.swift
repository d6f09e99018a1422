/// A prompt or chat template as a plain format string: `{name}` is replaced by the record's field `name`, and
/// `{{` / `}}` stand for literal braces.
///
/// ```swift
/// let template = try PromptTemplate("Summarize:\n{document}\n\nSummary:\n")
/// let prompt = try template.render(record)
/// ```
public struct PromptTemplate: Sendable, Equatable, Codable {
    enum Part: Sendable, Equatable {
        case text(String)
        case field(String)
    }

    /// The format string.
    public let source: String
    let parts: [Part]

    /// Parses `source`.
    ///
    /// - Throws: ``TextDataError/badTemplate(template:reason:)`` for an unclosed `{`, a lone `}` or an empty name.
    public init(_ source: String) throws {
        self.source = source
        var parts: [Part] = [], text = "", name: String?
        var characters = source.makeIterator()
        var pending = characters.next()
        while let c = pending {
            pending = characters.next()
            if var current = name {
                if c == "}" {
                    guard !current.isEmpty else { throw TextDataError.badTemplate(template: source, reason: "an empty field name {}") }
                    parts.append(.field(current))
                    name = nil
                } else {
                    current.append(c)
                    name = current
                }
            } else if c == "{" {
                if pending == "{" { text.append("{"); pending = characters.next(); continue }
                if !text.isEmpty { parts.append(.text(text)); text = "" }
                name = ""
            } else if c == "}" {
                guard pending == "}" else { throw TextDataError.badTemplate(template: source, reason: "a lone '}' (write '}}')") }
                text.append("}")
                pending = characters.next()
            } else {
                text.append(c)
            }
        }
        if name != nil { throw TextDataError.badTemplate(template: source, reason: "a '{' is not closed") }
        if !text.isEmpty { parts.append(.text(text)) }
        self.parts = parts
    }

    /// The field names the template uses, in order.
    public var fieldNames: [String] {
        parts.compactMap { if case let .field(name) = $0 { name } else { nil } }
    }

    /// The template with each `{name}` replaced by `record`'s field.
    ///
    /// - Throws: ``TextDataError/missingField(file:line:field:)`` naming the record's file and line.
    public func render(_ record: TextRecord) throws -> String {
        var out = ""
        for part in parts {
            switch part {
            case let .text(text): out += text
            case let .field(name): out += try record.value(name)
            }
        }
        return out
    }

    public init(from decoder: any Decoder) throws {
        try self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(source)
    }
}
