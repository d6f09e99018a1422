/// What PyTorch Lightning stores beside the weights of a `.ckpt`/`.pt`.
public struct LightningMetadata: Codable, Sendable, Equatable {
    /// `epoch`.
    public var epoch: Int?
    /// `global_step`.
    public var globalStep: Int?
    /// `pytorch-lightning_version`.
    public var lightningVersion: String?
    /// The other top-level keys (`hyper_parameters`, `optimizer_states`, …), which the import does not use.
    public var otherKeys: [String]

    enum CodingKeys: String, CodingKey {
        case epoch, globalStep = "global_step", lightningVersion = "pytorch_lightning_version", otherKeys = "other_keys"
    }
}
