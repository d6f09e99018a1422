import Foundation
import LLaMA
import XCTest

final class LlamaConfigurationTests: XCTestCase {
    func testConfigJSONWithRopeScalingDecodesAndMissingKeysTakeTransformersDefaults() throws {
        let json = """
        {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 64, "num_attention_heads": 4,
         "num_hidden_layers": 2, "intermediate_size": 128, "vocab_size": 97, "rope_theta": 500000.0,
         "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                          "original_max_position_embeddings": 8192}, "torch_dtype": "bfloat16"}
        """
        let c = try JSONDecoder().decode(LlamaConfiguration.self, from: Data(json.utf8))
        XCTAssertEqual(c.numKeyValueHeads, 4)
        XCTAssertEqual(c.headDim, 16)
        XCTAssertEqual(c.rmsNormEps, 1e-6)
        XCTAssertEqual(c.ropeScaling, .llama3())
        XCTAssertFalse(c.tieWordEmbeddings)
        XCTAssertFalse(c.isMixtureOfExperts)
        let again = try JSONDecoder().decode(LlamaConfiguration.self, from: JSONEncoder().encode(c))
        XCTAssertEqual(again, c)
    }

    func testTransformers5RopeParametersAndOlderTypeKeyDecode() throws {
        let v5 = #"{"model_type": "mixtral", "rope_parameters": {"rope_type": "linear", "rope_theta": 1000.0, "factor": 2.0}}"#
        let c = try JSONDecoder().decode(LlamaConfiguration.self, from: Data(v5.utf8))
        XCTAssertEqual(c.ropeTheta, 1000)
        XCTAssertEqual(c.ropeScaling, .linear(factor: 2))
        XCTAssertEqual(c.numLocalExperts, 8)
        XCTAssertEqual(c.numKeyValueHeads, 8)
        let plain = #"{"rope_parameters": {"rope_type": "default", "rope_theta": 10000.0}, "rope_scaling": null}"#
        XCTAssertNil(try JSONDecoder().decode(LlamaConfiguration.self, from: Data(plain.utf8)).ropeScaling)
        let old = #"{"rope_scaling": {"type": "linear", "factor": 4.0}}"#
        XCTAssertEqual(try JSONDecoder().decode(LlamaConfiguration.self, from: Data(old.utf8)).ropeScaling, .linear(factor: 4))
    }

    func testInverseFrequenciesFollowLlama3Regimes() {
        var c = LlamaConfiguration(vocabSize: 8, hiddenSize: 32, intermediateSize: 8, layers: 1, heads: 4)
        XCTAssertEqual(c.inverseFrequencies, [1, 0.1, 0.01, 0.001].map { Float($0) })
        c.ropeScaling = .llama3(factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 64)
        let f = c.inverseFrequencies
        XCTAssertEqual(f[0], 1)  // wavelength 2π < 16: kept
        XCTAssertEqual(f[2], 0.01 / 8, accuracy: 1e-9)  // wavelength 628 > 64: divided
        let smooth = Float((64 / (2 * Double.pi / 0.1) - 1) / 3)
        XCTAssertEqual(f[1], (1 - smooth) * 0.1 / 8 + smooth * 0.1, accuracy: 1e-7)
    }

    func testInvalidConfigurationsAreRejectedWithTheReason() {
        var c = LlamaConfiguration(vocabSize: 8, hiddenSize: 32, intermediateSize: 8, layers: 1, heads: 4, kvHeads: 3)
        XCTAssertThrowsError(try c.validate()) { XCTAssertTrue("\($0)".contains("num_key_value_heads")) }
        c.numKeyValueHeads = 2
        c.ropeScaling = RopeScaling(ropeType: "yarn", factor: 2)
        XCTAssertThrowsError(try c.validate()) { XCTAssertTrue("\($0)".contains("yarn")) }
        c.ropeScaling = nil
        XCTAssertThrowsError(try c.mixtral(experts: 2, perToken: 3).validate())
        XCTAssertNoThrow(try c.mixtral(experts: 4).validate())
    }
}
