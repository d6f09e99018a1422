import Foundation
import XCTest
import GenSLM
import Volt
import VoltHDF5
import VoltNN
import VoltTensor
import VoltTestSupport

/// `volt embed`'s library against transformers' `output_hidden_states` on the neox_tiny weights (fixture made by
/// scripts/make_embedding_fixture.py), the HDF5 layout, MD5 and input errors.
final class EmbeddingTests: XCTestCase {
    struct Expected: Decodable {
        struct Record: Decodable { let id: String; let md5: String; let tokens: [Int32]; let truncated: Bool; let means: [[Float]] }
        let hidden_states: Int
        let records: [Record]
        let tokens_of_record_1: [String: [[Float]]]
    }
    struct Manifest: Decodable {
        struct Entry: Decodable { let name: String; let shape: [Int]; let offset: Int; let nbytes: Int }
        struct Config: Decodable {
            let hidden_size, num_hidden_layers, num_attention_heads, intermediate_size, max_position_embeddings, vocab_size: Int
        }
        let config: Config
        let weights: [Entry]
    }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static var fasta: String { fixtures.appendingPathComponent("embedding/records.fasta").path }

    /// The tiny GPT-NeoX of the neox_tiny fixture, with its committed weights.
    func tinyModel() throws -> GPTNeoX {
        let directory = Self.fixtures.appendingPathComponent("neox_tiny")
        let manifest = try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: directory.appendingPathComponent("manifest.json")))
        let weights = try Data(contentsOf: directory.appendingPathComponent("weights.bin"))
        let c = manifest.config
        let model = try GPTNeoX(GPTNeoXConfiguration(hiddenSize: c.hidden_size, layers: c.num_hidden_layers, heads: c.num_attention_heads,
                                                     intermediateSize: c.intermediate_size, maxPositions: c.max_position_embeddings,
                                                     vocabSize: c.vocab_size, hiddenDropout: 0, attentionDropout: 0))
        var state: [String: Tensor] = [:]
        for e in manifest.weights {
            let values = weights.subdata(in: e.offset..<(e.offset + e.nbytes)).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            state[GPTNeoX.canonicalKey(e.name)] = Tensor(shape: e.shape, scalars: values)
        }
        try model.load(stateDict: state)
        return model
    }

    func expected() throws -> Expected {
        try JSONDecoder().decode(Expected.self, from: Data(contentsOf: Self.fixtures.appendingPathComponent("embedding/expected.json")))
    }

    func output(_ name: String = #function) -> String {
        NSTemporaryDirectory() + "volt-embed-\(name.filter { $0.isLetter })-\(UUID().uuidString).h5"
    }

    func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
        XCTAssertEqual(a.count, b.count)
        return zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
    }

    func testMeanEmbeddingsOfEveryLayerEqualTransformersHiddenStates() throws {
        let expected = try expected(), model = try tinyModel(), out = output()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let records = try FASTAReader(path: Self.fasta).readAll()
        XCTAssertEqual(records.map { CodonTokenizer().encode($0.sequence).prefix(64).map { $0 } }, expected.records.map(\.tokens),
                       "the tokens transformers saw (GenSLM's tokenizer file through the tokenizers library)")
        // Batches of 3: records of different lengths share a padded batch with an attention mask.
        let summary = try SequenceEmbedder.embed(records: records, fasta: Self.fasta, model: model,
                                                 options: EmbeddingOptions(layers: [0, 1, -1], pooling: .mean, batchSize: 3),
                                                 to: out, progress: false)
        XCTAssertEqual(summary.layers, [0, 1, 2])
        XCTAssertEqual(summary.sequences, 4)
        XCTAssertEqual(summary.truncated, expected.records.filter(\.truncated).count)
        XCTAssertEqual(summary.truncated, 1)
        let file = try EmbeddingFile.read(from: out)
        var worst: Float = 0
        for layer in 0..<expected.hidden_states {
            let matrix = try XCTUnwrap(file.pooled[layer])
            XCTAssertEqual(matrix.shape, [4, 64])
            for (i, record) in expected.records.enumerated() {
                worst = max(worst, maxDifference(Array(matrix.scalars[(i * 64)..<((i + 1) * 64)]), record.means[layer]))
            }
        }
        XCTAssertLessThan(worst, 1e-4, "max |Δ| against transformers' hidden_states means: \(worst)")
        print("embedding parity: max |Δ mean hidden state| = \(worst)")
    }

    func testFileLayoutReadsBackWithIdsIndicesMD5AndConfig() throws {
        let expected = try expected(), model = try tinyModel(), out = output()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let records = try FASTAReader(path: Self.fasta).readAll()
        _ = try SequenceEmbedder.embed(records: records, fasta: Self.fasta, model: model,
                                       options: EmbeddingOptions(layers: [-1], pooling: .none, batchSize: 4), to: out,
                                       checkpoint: "tiny.h5", progress: false)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + ".tmp"))
        let file = try EmbeddingFile.read(from: out)
        XCTAssertEqual(file.ids, expected.records.map(\.id))
        XCTAssertEqual(file.indices, [0, 1, 2, 3])
        XCTAssertEqual(file.md5, expected.records.map(\.md5), "hashlib.md5 of each upper-case sequence")
        XCTAssertEqual(file.configuration, model.configuration)
        XCTAssertEqual(file.pooling, .none)
        XCTAssertEqual(file.layers, [2])
        XCTAssertEqual(file.truncated, 1)
        let perRecord = try XCTUnwrap(file.tokens[2])
        XCTAssertEqual(perRecord.map(\.shape), expected.records.map { [$0.tokens.count, 64] }, "padding trimmed per record")
        let reference = try XCTUnwrap(expected.tokens_of_record_1["2"]).flatMap { $0 }
        XCTAssertLessThan(maxDifference(perRecord[1].scalars, reference), 1e-4, "every token of record 1, last layer")
    }

    func testLogitsOfEachRecordEqualTheModelsOwnForThatRecordAlone() throws {
        let model = try tinyModel(), tokenizer = CodonTokenizer()
        let records = try FASTAReader(path: Self.fasta).readAll()
        for pooling in EmbeddingPooling.allCases {
            let out = output()
            defer { try? FileManager.default.removeItem(atPath: out) }
            _ = try SequenceEmbedder.embed(records: records, fasta: Self.fasta, model: model,
                                           options: EmbeddingOptions(layers: [0, -1], pooling: pooling, batchSize: 3, logits: true),
                                           to: out, progress: false)
            let file = try EmbeddingFile.read(from: out)
            XCTAssertEqual(file.logits.count, records.count)
            for (i, record) in records.enumerated() {
                let ids = Array(tokenizer.encode(record.sequence).prefix(model.configuration.maxPositionEmbeddings))
                let alone = try withNoGrad { try model.logits(Tensor(shape: [1, ids.count], indices: ids)) }
                XCTAssertEqual(file.logits[i].shape, [ids.count, 69], "record \(i), \(pooling)")
                XCTAssertLessThan(maxDifference(file.logits[i].scalars, alone.contiguous().scalars), 1e-4,
                                  "record \(i), \(pooling): batched with padding vs alone")
            }
            let plain = output()
            defer { try? FileManager.default.removeItem(atPath: plain) }
            _ = try SequenceEmbedder.embed(records: records, fasta: Self.fasta, model: model,
                                           options: EmbeddingOptions(layers: [0, -1], pooling: pooling, batchSize: 3),
                                           to: plain, progress: false)
            let without = try EmbeddingFile.read(from: plain)
            XCTAssertTrue(without.logits.isEmpty)
            XCTAssertEqual(without.pooled.mapValues(\.scalars), file.pooled.mapValues(\.scalars), "the hidden states are unchanged by --logits")
            XCTAssertEqual(without.tokens.mapValues { $0.map(\.scalars) }, file.tokens.mapValues { $0.map(\.scalars) })
        }
    }

    func testEmptyFASTAIsAnErrorNamingTheFile() throws {
        let path = NSTemporaryDirectory() + "volt-empty-\(UUID().uuidString).fasta"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data()))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let records = try FASTAReader(path: path).readAll()
        let out = output()
        XCTAssertThrowsError(try SequenceEmbedder.embed(records: records, fasta: path, model: try tinyModel(),
                                                        options: EmbeddingOptions(), to: out, progress: false)) { error in
            XCTAssertEqual(error as? EmbeddingError, .noRecords(file: path))
            XCTAssertTrue("\(error)".contains(path))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "nothing written")
    }

    func testLayersOutsideTheModelAreRejected() throws {
        let options = EmbeddingOptions(layers: [0, -4])
        XCTAssertThrowsError(try options.resolvedLayers(numHiddenLayers: 2)) { error in
            XCTAssertEqual(error as? EmbeddingError, .layerOutOfRange(layer: -4, available: 3))
        }
        XCTAssertEqual(try EmbeddingOptions(layers: [-1, 2, 0, -3]).resolvedLayers(numHiddenLayers: 2), [2, 0])
    }

    func testMD5MatchesRFC1321Vectors() {
        let vectors = [
            "": "d41d8cd98f00b204e9800998ecf8427e", "a": "0cc175b9c0f1b6a831c399e269772661",
            "abc": "900150983cd24fb0d6963f7d28e17f72", "message digest": "f96b697d7cb7938d525a2f31aaf161d0",
            "abcdefghijklmnopqrstuvwxyz": "c3fcd3d76192e4007dfb496cca67e13b",
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789": "d174ab98d277d9f5a5611c2c9f419d9f",
            String(repeating: "1234567890", count: 8): "57edf4a22be3c955ac49da2e2107b67a",
        ]
        for (text, digest) in vectors { XCTAssertEqual(MD5.hex(text), digest, "md5(\"\(text)\")") }
    }

    func testHiddenStatesFollowTransformersNumbering() throws {
        let model = try tinyModel()
        let ids = Tensor(shape: [1, 5], indices: [10, 11, 12, 13, 14])
        let output = try model.forward(ids, outputHiddenStates: true)
        XCTAssertEqual(output.hiddenStates.count, 3, "embedding output, layer 0's output, final layer norm")
        XCTAssertEqual(output.hiddenStates[2].scalars, output.lastHiddenState.scalars)
        XCTAssertEqual(output.hiddenStates[0].scalars, try model.gptNeox.embedIn(ids).scalars)
        XCTAssertTrue(try model.forward(ids).hiddenStates.isEmpty, "collected only when asked")
    }
}

extension EmbeddingTests {
    struct H5pyView: Decodable {
        struct Dataset: Decodable { let shape: [Int]; let dtype: String; let sum: Double }
        let ids: [String], indices: [Int], indices_dtype: String, md5: [String]
        let datasets: [String: Dataset]
        let attrs: [String: HDF5AttributeValue]
    }

    func testH5pyReadsTheEmbeddingFile() throws {
        let script = H5pyPython.script("verify_embeddings_h5py.py")
        guard FileManager.default.fileExists(atPath: script), let python = H5pyPython.interpreter else {
            throw XCTSkip("python3 with h5py, or scripts/verify_embeddings_h5py.py, not available")
        }
        let records = try FASTAReader(path: Self.fasta).readAll(), model = try tinyModel()
        for pooling in EmbeddingPooling.allCases {
            let out = output()
            defer { try? FileManager.default.removeItem(atPath: out) }
            _ = try SequenceEmbedder.embed(records: records, fasta: Self.fasta, model: model,
                                           options: EmbeddingOptions(layers: [0, -1], pooling: pooling, batchSize: 2), to: out,
                                           progress: false)
            let view = try JSONDecoder().decode(H5pyView.self, from: Data(try H5pyPython.run(python, [script, out]).utf8))
            let file = try EmbeddingFile.read(from: out)
            XCTAssertEqual(view.ids, file.ids)
            XCTAssertEqual(view.indices, [0, 1, 2, 3])
            XCTAssertEqual(view.indices_dtype, "int64")
            XCTAssertEqual(view.md5, try expected().records.map(\.md5))
            XCTAssertEqual(view.attrs["pooling"], .string(pooling.rawValue))
            XCTAssertEqual(view.attrs["hidden_size"], .int(64))
            XCTAssertEqual(view.attrs["layers"], .ints([0, 2]))
            for layer in [0, 2] {
                let tensors = pooling == .mean ? [("embeddings/layer_\(layer)", file.pooled[layer]!)]
                    : file.tokens[layer]!.enumerated().map { ("embeddings/layer_\(layer)/\($0.offset)", $0.element) }
                for (path, tensor) in tensors {
                    let seen = try XCTUnwrap(view.datasets[path], "h5py sees \(path)")
                    XCTAssertEqual(seen.shape, tensor.shape)
                    XCTAssertEqual(seen.dtype, "float32")
                    XCTAssertEqual(seen.sum, tensor.scalars.reduce(0) { $0 + Double($1) }, accuracy: 1e-3)
                }
            }
        }
    }
}
