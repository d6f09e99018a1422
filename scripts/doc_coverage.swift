// Lists the public symbols that have no documentation comment, reading the symbol graphs that
// `swift package generate-documentation` extracted (scripts/docs.sh passes them), and exits 1 if there is one.
//   swift scripts/doc_coverage.swift ROOT FILE.symbols.json...
// Prints `path:line: Module.Type.member (kind)` per symbol, paths relative to ROOT.
//
// A symbol counts as documented when its own `///` comment has text, or when it needs none:
// - members the compiler synthesizes or copies in from a protocol extension (`::SYNTHESIZED::` identifiers:
//   `!=`, `hashValue`, Codable's `init(from:)` when not written out), which are documented where they are declared;
// - implementations of a protocol requirement (a `memberOf` relationship with a `sourceOrigin`), default
//   implementations (`defaultImplementationOf`) and overrides (`overrides`): DocC shows the requirement's or the
//   overridden member's documentation for them, so `Sampler.indices(epoch:)` is documented once, on the protocol.
// - symbols without a source location, which the compiler generates (a property wrapper's `$projection`, such as
//   the `$current` of a `@TaskLocal` property, documented by the property's own comment).
import Foundation

struct SymbolGraph: Decodable {
    struct Symbol: Decodable {
        struct Identifier: Decodable { let precise: String }
        struct Kind: Decodable { let displayName: String }
        struct DocComment: Decodable {
            struct Line: Decodable { let text: String }
            let lines: [Line]
        }
        struct Location: Decodable {
            struct Position: Decodable { let line: Int }
            let uri: String
            let position: Position
        }
        let identifier: Identifier
        let kind: Kind
        let pathComponents: [String]
        let docComment: DocComment?
        let location: Location?
    }
    struct Relationship: Decodable {
        struct Origin: Decodable { let identifier: String }
        let kind: String
        let source: String
        let sourceOrigin: Origin?
    }
    struct Module: Decodable { let name: String }
    let module: Module
    let symbols: [Symbol]
    let relationships: [Relationship]
}

let arguments = CommandLine.arguments.dropFirst()
guard let root = arguments.first, arguments.count > 1 else {
    FileHandle.standardError.write(Data("usage: swift scripts/doc_coverage.swift ROOT FILE.symbols.json...\n".utf8))
    exit(2)
}
let rootPrefix = "file://" + URL(fileURLWithPath: root).standardizedFileURL.path + "/"
var missing: [String] = []
var seen = Set<String>()
for path in arguments.dropFirst() {
    let graph: SymbolGraph
    do {
        graph = try JSONDecoder().decode(SymbolGraph.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    } catch {
        FileHandle.standardError.write(Data("doc_coverage: cannot read \(path): \(error)\n".utf8))
        exit(2)
    }
    let inherits = Set(graph.relationships.filter {
        ($0.kind == "memberOf" && $0.sourceOrigin != nil)
            || $0.kind == "defaultImplementationOf" || $0.kind == "overrides"
    }.map(\.source))
    for symbol in graph.symbols where seen.insert(symbol.identifier.precise).inserted {
        let id = symbol.identifier.precise
        if id.contains("::SYNTHESIZED::") || inherits.contains(id) { continue }
        let text = symbol.docComment?.lines.map(\.text).joined().trimmingCharacters(in: .whitespaces) ?? ""
        if !text.isEmpty { continue }
        guard let location = symbol.location else { continue }
        let file = location.uri.hasPrefix(rootPrefix) ? String(location.uri.dropFirst(rootPrefix.count)) : location.uri
        let name = graph.module.name + "." + symbol.pathComponents.joined(separator: ".")
        missing.append("\(file):\(location.position.line + 1): \(name) (\(symbol.kind.displayName))")
    }
}
for line in missing.sorted() { print(line) }
exit(missing.isEmpty ? 0 : 1)
