import Foundation

/// The files scripts/make_torch_checkpoint_fixtures.py wrote with torch 2.15, transformers 5.24 and safetensors:
/// one tiny GPT-NeoX state dict saved as a Lightning `.pt` (float16, with constant buffers), a plain `.pth`
/// (float32, a transposed head), a sharded transformers folder (float32), a bfloat16 safetensors file with
/// `module.` prefixes, a pre-1.6 file, and three hostile pickles.
enum TorchImportFixtures {
    /// What the generator recorded beside the files.
    struct Expected: Decodable {
        let embed_in_float16_bits: [UInt16]
        let counts: [Int64]
        let flags: [Bool]
        let parameter_count: Int
    }

    /// Tests/VoltInteropTests/Fixtures/torch_import.
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/torch_import").path

    /// The fixture file `name`.
    static func path(_ name: String) -> String { directory + "/" + name }

    /// expected.json.
    static func expected() throws -> Expected {
        try JSONDecoder().decode(Expected.self, from: Data(contentsOf: URL(fileURLWithPath: path("expected.json"))))
    }

    /// A fresh path in the temporary folder.
    static func temporaryPath(_ name: String) -> String { NSTemporaryDirectory() + "volt-interop-\(UUID().uuidString)-" + name }
}
