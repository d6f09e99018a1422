/// A value rebuilt from a pickle stream by ``Unpickler``: plain data, the allow-listed globals, and the tensors
/// and storages they build. Nothing in it can run code.
///
/// Lists and dicts are reference types (``PickleList``, ``PickleDict``) because pickle's memo shares them: an
/// `APPEND` or `SETITEMS` after a `BINPUT` must be seen through every later `BINGET`.
public indirect enum PickleValue {
    /// Python's `None`.
    case none
    /// A `bool`.
    case bool(Bool)
    /// An `int` that fits in 64 bits.
    case int(Int)
    /// A `float`.
    case float(Double)
    /// A `str`.
    case string(String)
    /// A `bytes` object.
    case bytes([UInt8])
    /// A `tuple`.
    case tuple([PickleValue])
    /// A `list`, shared through the memo.
    case list(PickleList)
    /// A `dict`, shared through the memo.
    case dict(PickleDict)
    /// An allow-listed global, not yet called.
    case global(TorchGlobal)
    /// A storage named by a persistent id.
    case storage(TorchStorageReference)
    /// A tensor rebuilt by `torch._utils._rebuild_tensor_v2` (data not read yet).
    case tensor(TorchTensorReference)

    /// A short name of the kind of value, for error messages.
    public var kindName: String {
        switch self {
        case .none: "None"
        case .bool: "bool"
        case .int: "int"
        case .float: "float"
        case .string: "str"
        case .bytes: "bytes"
        case .tuple: "tuple"
        case .list: "list"
        case .dict: "dict"
        case let .global(g): g.qualifiedName
        case .storage: "storage"
        case .tensor: "tensor"
        }
    }

    /// The integer, if this is one (`True`/`False` count as 1/0, as in Python).
    public var intValue: Int? {
        switch self {
        case let .int(v): v
        case let .bool(b): b ? 1 : 0
        default: nil
        }
    }

    /// The text, if this is a string.
    public var stringValue: String? { if case let .string(s) = self { s } else { nil } }

    /// The elements, if this is a tuple or a list.
    public var elements: [PickleValue]? {
        switch self {
        case let .tuple(items): items
        case let .list(list): list.items
        default: nil
        }
    }
}
