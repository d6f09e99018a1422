import LLaMA
import VoltNN
import VoltTensor
import XCTest

/// Logits, loss and every parameter gradient against transformers' LlamaForCausalLM / MixtralForCausalLM on the
/// same random weights (Fixtures, written by scripts/make_llama_fixtures.py).
final class TransformersParityTests: XCTestCase {
    static let tolerance: Float = 1e-4

    /// Loads `name`, runs forward and backward, and compares; returns the largest errors for the report.
    @discardableResult
    func checkParity(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws
        -> (logits: Float, loss: Float, gradient: Float) {
        let fixture = try TransformersFixture(name)
        let model = try LlamaForCausalLM(fixture.configuration)
        let state = fixture.stateDict
        XCTAssertEqual(Set(model.stateDict().keys), Set(state.keys), "state-dict keys", file: file, line: line)
        try model.load(stateDict: state)
        XCTAssertEqual(model.namedParameters().map(\.0).sorted(), fixture.gradientNames, "parameter names",
                       file: file, line: line)

        let mask = fixture.has("attention_mask") ? fixture.ids("attention_mask") : nil
        let output = try model.forward(fixture.ids("input_ids"), attentionMask: mask, labels: fixture.ids("labels"))
        let logitsError = maxAbsDifference(output.logits.scalars, fixture.tensor("logits").scalars)
        let lossError = abs(output.loss!.item() - fixture.tensor("loss").item())
        XCTAssertLessThan(logitsError, Self.tolerance, "\(name) logits", file: file, line: line)
        XCTAssertLessThan(lossError, Self.tolerance, "\(name) loss", file: file, line: line)
        if fixture.has("aux_loss") {
            let auxError = abs(output.auxLoss!.item() - fixture.tensor("aux_loss").item())
            XCTAssertLessThan(auxError, Self.tolerance, "\(name) aux loss", file: file, line: line)
        }

        output.loss!.backward()
        var gradientError: Float = 0
        for (key, parameter) in model.namedParameters() {
            guard let grad = parameter.grad else { XCTFail("\(key) has no gradient", file: file, line: line); continue }
            let error = maxAbsDifference(grad.scalars, fixture.tensor("grad/" + key).scalars)
            XCTAssertLessThan(error, Self.tolerance, "\(name) gradient of \(key)", file: file, line: line)
            gradientError = max(gradientError, error)
        }
        print("\(name): max |Δ| logits \(logitsError), loss \(lossError), gradients \(gradientError)")
        return (logitsError, lossError, gradientError)
    }

    func testLlamaWithGroupedQueryAttentionMatchesTransformers() throws { try checkParity("llama") }

    func testLlama3RopeScalingWithTiedEmbeddingsMatchesTransformers() throws { try checkParity("llama3_tied") }

    func testLinearRopeScalingWithExplicitHeadDimMatchesTransformers() throws { try checkParity("llama_linear") }

    func testMixtralWithRouterAuxLossAndPaddingMatchesTransformers() throws { try checkParity("mixtral") }
}
