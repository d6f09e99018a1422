/// The globals a PyTorch checkpoint's pickle may name: the allow-list of `torch.load(weights_only=True)` that a
/// state dict needs. ``Unpickler`` resolves a `GLOBAL`/`STACK_GLOBAL` only through ``init(module:name:)`` and
/// refuses every other name (`os.system`, `builtins.eval`, `subprocess.Popen`, …) before anything is built.
/// None of these is ever *run*: each is interpreted by the reader as the data it would rebuild.
public enum TorchGlobal: Equatable, Sendable {
    /// `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata])`.
    case rebuildTensorV2
    /// `torch._utils._rebuild_parameter(data, requires_grad, hooks)`: the tensor `data`.
    case rebuildParameter
    /// `collections.OrderedDict`.
    case orderedDict
    /// A typed storage class such as `torch.HalfStorage`, or `torch.UntypedStorage` (bytes).
    case storageType(TorchStorageType)
    /// `torch.device` (a device name kept as text).
    case device
    /// `_codecs.encode(text, "latin1")`, how protocol 2 pickles `bytes`.
    case codecsEncode
    /// `pathlib.PosixPath` / `PurePosixPath` / `WindowsPath` / `PureWindowsPath`: kept as their path text
    /// (Lightning stores paths among `hyper_parameters`).
    case path(String)

    /// The global `module.name`, if it is on the allow-list.
    public init?(module: String, name: String) {
        switch (module, name) {
        case ("torch._utils", "_rebuild_tensor_v2"): self = .rebuildTensorV2
        case ("torch._utils", "_rebuild_parameter"): self = .rebuildParameter
        case ("collections", "OrderedDict"): self = .orderedDict
        case ("torch", "device"): self = .device
        case ("_codecs", "encode"): self = .codecsEncode
        case ("pathlib", "PosixPath"), ("pathlib", "PurePosixPath"), ("pathlib", "WindowsPath"),
             ("pathlib", "PureWindowsPath"), ("pathlib", "Path"):
            self = .path(name)
        case ("torch", _), ("torch.storage", _):
            guard let type = TorchStorageType(className: name) else { return nil }
            self = .storageType(type)
        default: return nil
        }
    }

    /// `module.name` as Python spells it.
    public var qualifiedName: String {
        switch self {
        case .rebuildTensorV2: "torch._utils._rebuild_tensor_v2"
        case .rebuildParameter: "torch._utils._rebuild_parameter"
        case .orderedDict: "collections.OrderedDict"
        case let .storageType(type): "torch." + type.className
        case .device: "torch.device"
        case .codecsEncode: "_codecs.encode"
        case let .path(name): "pathlib." + name
        }
    }
}
