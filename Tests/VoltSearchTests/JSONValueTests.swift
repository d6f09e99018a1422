import VoltInterop
import XCTest
import VoltSearch

final class JSONValueTests: XCTestCase {
    /// Optuna's distribution JSON round-trips byte for byte, and a choice 1 stays apart from 1.0.
    func testOptunaDistributionJSONRoundTrips() throws {
        let texts = [
            #"{"name": "FloatDistribution", "attributes": {"step": null, "low": 1e-05, "high": 0.1, "log": true}}"#,
            #"{"name": "CategoricalDistribution", "attributes": {"choices": [1, 5, 10]}}"#,
            #"{"name": "IntDistribution", "attributes": {"log": false, "step": 4, "low": 4, "high": 32}}"#,
            #"{"name": "FloatDistribution", "attributes": {"step": 0.5, "low": -1.0, "high": 1.0, "log": false}}"#,
            #"{"name": "CategoricalDistribution", "attributes": {"choices": ["adam", 1.0, null, true, "caf\u00e9"]}}"#,
        ]
        for text in texts {
            let d = try ParameterDistribution(json: text, parameter: "p")
            XCTAssertEqual(d.json, text)
        }
        XCTAssertNotEqual(try JSONValue.parse("[1]"), try JSONValue.parse("[1.0]"))
        XCTAssertThrowsError(try ParameterDistribution(json: #"{"name": "Bogus", "attributes": {}}"#, parameter: "p")) { error in
            XCTAssertTrue("\(error)".contains("tune.space.p"), "\(error)")
        }
        XCTAssertThrowsError(try JSONValue.parse("{\"a\": "))
    }
}
