import ArgumentParser
import Foundation

/// `volt new`: a project from one of the templates.
struct New: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create a Swift package with a TrainingModule from a template.")

    @Argument(help: "Name of the new project (a folder of that name is created).")
    var name: String

    @Option(help: "genslm-finetune, text-summarization or minimal.")
    var template = "genslm-finetune"

    @Option(name: .customLong("volt-path"), help: "Path of the Volt package the project depends on.")
    var voltPath: String = Self.voltRoot

    /// The Volt checkout this binary was built from.
    static var voltRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    func run() throws {
        try runReportingErrors {
            let source = voltPath + "/Templates/" + template
            let fm = FileManager.default
            guard fm.fileExists(atPath: source) else {
                let available = (try? fm.contentsOfDirectory(atPath: voltPath + "/Templates").sorted()) ?? []
                throw ValidationError("no template \"\(template)\" in \(voltPath)/Templates (available: \(available.joined(separator: ", ")))")
            }
            guard !fm.fileExists(atPath: name) else { throw ValidationError("\(name) already exists") }
            guard name.range(of: "^[A-Za-z][A-Za-z0-9_-]*$", options: .regularExpression) != nil else {
                throw ValidationError("the name must start with a letter and hold only letters, digits, - and _")
            }
            try fm.copyItem(atPath: source, toPath: name)
            // Rename paths that carry the placeholder (deepest first, so parents move after their children).
            let placeholders = (fm.enumerator(atPath: name)?.allObjects as? [String] ?? [])
                .filter { ($0 as NSString).lastPathComponent.contains("__PROJECT_NAME__") }
                .sorted { $0.count > $1.count }
            for relative in placeholders {
                let renamed = (relative as NSString).deletingLastPathComponent + "/"
                    + (relative as NSString).lastPathComponent.replacingOccurrences(of: "__PROJECT_NAME__", with: name)
                try fm.moveItem(atPath: name + "/" + relative, toPath: name + "/" + renamed)
            }
            let enumerator = fm.enumerator(atPath: name)
            while let relative = enumerator?.nextObject() as? String {
                let path = name + "/" + relative
                guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
                let filled = text.replacingOccurrences(of: "__PROJECT_NAME__", with: name)
                    .replacingOccurrences(of: "__VOLT_PATH__", with: voltPath)
                try filled.write(toFile: path, atomically: true, encoding: .utf8)
            }
            print("created \(name) from \(template); build and run it with: cd \(name) && swift run -c release")
        }
    }
}
