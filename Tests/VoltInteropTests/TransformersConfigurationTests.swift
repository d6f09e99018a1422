import Foundation
import VoltInterop
import XCTest

/// transformers' `config.json`, read and written as one JSON object whatever the model family.
final class TransformersConfigurationTests: XCTestCase {
    typealias Fixtures = TorchImportFixtures

    func testTransformersOwnFileIsReadWithTypedValues() throws {
        let path = Fixtures.path("config.json")
        let config = try TransformersConfiguration(contentsOf: path)
        XCTAssertEqual(config.source, path)
        XCTAssertEqual(config.modelType, "gpt_neox")
        XCTAssertEqual(try config.requiredInteger("hidden_size"), 32)
        XCTAssertEqual(try config.integer("vocab_size"), 69)
        XCTAssertEqual(try config.number("layer_norm_eps"), 1e-5)
        XCTAssertEqual(try config.string("hidden_act"), "gelu_fast")
        XCTAssertEqual(try config.boolean("use_parallel_residual"), true)
        XCTAssertNil(try config.integer("no_such_key"))
        XCTAssertNil(try config.integer("pad_token_id"), "null counts as absent")
        XCTAssertEqual(config["pad_token_id"], .null)
        XCTAssertEqual(try config.object("rope_parameters")?.number("partial_rotary_factor"), 0.25)
        XCTAssertEqual(try config.object("rope_parameters")?.string("rope_type"), "default")
    }

    func testWritingKeepsEveryKeyIncludingOnesNoModelReads() throws {
        let original = try TransformersConfiguration(contentsOf: Fixtures.path("config.json"))
        let path = Fixtures.temporaryPath("config.json")
        try original.write(to: path)
        let again = try TransformersConfiguration(contentsOf: path)
        XCTAssertEqual(again, original)
        XCTAssertEqual(Set(again.values.keys), Set(original.values.keys))

        var llama = TransformersConfiguration(["model_type": "llama", "rope_scaling": .null,
                                               "rope_parameters": ["rope_theta": 500_000.0, "rope_type": "llama3"]])
        llama["num_key_value_heads"] = .int(8)
        let text = String(decoding: try llama.jsonData(), as: UTF8.self)
        XCTAssertLessThan(try XCTUnwrap(text.range(of: "model_type")).lowerBound,
                          try XCTUnwrap(text.range(of: "num_key_value_heads")).lowerBound, "keys are sorted")
        let decoded = try TransformersConfiguration(json: Data(text.utf8), source: "llama.json")
        XCTAssertEqual(decoded, llama)
        XCTAssertEqual(try decoded.object("rope_parameters")?.number("rope_theta"), 500_000)
        XCTAssertNil(try decoded.object("rope_scaling"), "null counts as absent")
        XCTAssertEqual(try JSONDecoder().decode(TransformersConfiguration.self, from: JSONEncoder().encode(llama)), llama)
    }

    func testFloatsAreWrittenAsPythonWritesThem() throws {
        let config = TransformersConfiguration(["dropout": 0.0, "eps": 1e-06, "theta": 500_000.0, "big": 1e16, "n": 3,
                                                "name": "a\"b/c", "list": [], "nested": ["x": 0.5]])
        XCTAssertEqual(String(decoding: try config.jsonData(), as: UTF8.self), """
        {
          "big": 1e+16,
          "dropout": 0.0,
          "eps": 1e-06,
          "list": [],
          "n": 3,
          "name": "a\\"b/c",
          "nested": {
            "x": 0.5
          },
          "theta": 500000.0
        }

        """)
        XCTAssertThrowsError(try TransformersConfiguration(["x": .double(.nan)]).jsonData())
    }

    func testErrorsNameTheFileAndTheKey() throws {
        let config = try TransformersConfiguration(json: Data(#"{"hidden_size": "512", "eps": 1.5, "rope": {"theta": true}}"#.utf8),
                                                   source: "model/config.json")
        func reason(_ body: () throws -> Any?) -> String {
            do {
                _ = try body()
                XCTFail("no error")
                return ""
            } catch let TorchImportError.badConfiguration(path, reason) {
                XCTAssertEqual(path, "model/config.json")
                return reason
            } catch {
                XCTFail("\(error)")
                return ""
            }
        }
        XCTAssertEqual(reason { try config.integer("hidden_size") },
                       "key hidden_size has the wrong type: a string where an integer is needed")
        XCTAssertEqual(reason { try config.integer("eps") }, "key eps has the wrong type: a number where an integer is needed")
        XCTAssertEqual(reason { try config.requiredInteger("vocab_size") }, "key vocab_size is missing")
        XCTAssertEqual(reason { try config.object("rope")?.number("theta") },
                       "key rope.theta has the wrong type: a boolean where a number is needed")
        XCTAssertEqual(reason { try config.string("eps") }, "key eps has the wrong type: a number where a string is needed")

        XCTAssertThrowsError(try TransformersConfiguration(json: Data("[1, 2]".utf8), source: "list.json")) { error in
            guard case let .badConfiguration(path, reason)? = error as? TorchImportError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, "list.json")
            XCTAssertTrue(reason.hasPrefix("not a JSON object"), reason)
        }
        let absent = Fixtures.temporaryPath("absent.json")
        XCTAssertThrowsError(try TransformersConfiguration(contentsOf: absent)) { error in
            XCTAssertEqual(error as? TorchImportError, .unreadable(path: absent, reason: "no such file"))
        }
    }
}
