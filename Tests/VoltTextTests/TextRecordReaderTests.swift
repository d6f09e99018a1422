import Foundation
import XCTest
import VoltText

final class TextRecordReaderTests: XCTestCase {
    func csv(_ text: String) throws -> [TextRecord] { try TextRecordReader.parse(Array(text.utf8), format: .csv, file: "t.csv") }

    func testCSVFollowsRFC4180Quoting() throws {
        let records = try csv("document,summary\r\n\"a, \"\"quoted\"\"\nline\",short\r\nplain,\"\"\n\nlast,x")
        XCTAssertEqual(records.map(\.fields), [["document": "a, \"quoted\"\nline", "summary": "short"],
                                               ["document": "plain", "summary": ""], ["document": "last", "summary": "x"]])
        XCTAssertEqual(records.map(\.line), [2, 4, 6])
    }

    func testCSVErrorsNameTheLine() {
        XCTAssertThrowsError(try csv("a,b\n1,2\n3\n")) {
            XCTAssertEqual($0 as? TextDataError, .malformed(file: "t.csv", line: 3, reason: "1 fields where the header has 2"))
        }
        XCTAssertThrowsError(try csv("a,b\n1,\"open\n")) {
            XCTAssertEqual($0 as? TextDataError, .malformed(file: "t.csv", line: 2, reason: "a quoted field is not closed"))
        }
    }

    func testJSONLinesKeepTextExactlyAndNameBadLines() throws {
        let text = "{\"document\": \"n\\u0303 \\ufeffx\", \"summary\": \"s\", \"n\": 3}\n\n{\"document\": \"d\"}\n"
        let records = try TextRecordReader.parse(Array(text.utf8), format: .jsonl, file: "t.jsonl")
        XCTAssertEqual(Array(records[0].fields["document"]!.unicodeScalars), Array("n\u{0303} \u{FEFF}x".unicodeScalars))
        XCTAssertEqual(records[0].fields["n"], "3")
        XCTAssertEqual(records[1].line, 3)
        XCTAssertThrowsError(try records[1].value("summary")) {
            XCTAssertEqual($0 as? TextDataError, .missingField(file: "t.jsonl", line: 3, field: "summary"))
        }
        XCTAssertThrowsError(try TextRecordReader.parse(Array("{\"a\": 1}\n{\"a\": [1]}\n".utf8), format: .jsonl, file: "t.jsonl")) {
            XCTAssertEqual($0 as? TextDataError, .notText(file: "t.jsonl", line: 2, field: "a"))
        }
        XCTAssertThrowsError(try TextRecordReader.parse(Array("{\"a\": 1,}\n".utf8), format: .jsonl, file: "t.jsonl")) {
            guard case let .malformed(file, line, _)? = $0 as? TextDataError else { return XCTFail("\($0)") }
            XCTAssertEqual(file, "t.jsonl")
            XCTAssertEqual(line, 1)
        }
    }

    func testPromptTemplateFillsFieldsAndEscapesBraces() throws {
        let template = try PromptTemplate("Summarize:\n{document}\n\n{{Summary}}:\n")
        XCTAssertEqual(template.fieldNames, ["document"])
        XCTAssertEqual(try template.render(TextRecord(fields: ["document": "D"])), "Summarize:\nD\n\n{Summary}:\n")
        XCTAssertThrowsError(try PromptTemplate("open {document"))
        XCTAssertThrowsError(try PromptTemplate("lone } brace"))
        XCTAssertThrowsError(try template.render(TextRecord(fields: [:], file: "f.csv", line: 7))) {
            XCTAssertEqual($0 as? TextDataError, .missingField(file: "f.csv", line: 7, field: "document"))
        }
    }
}
