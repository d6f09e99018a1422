/// A pickle virtual machine for the streams `torch.save` writes (protocols 2 to 5), that can only build data.
///
/// Globals resolve through the allow-list ``TorchGlobal`` alone: a `GLOBAL`, `STACK_GLOBAL` or `INST` naming
/// anything else throws ``TorchImportError/forbiddenGlobal(path:name:)`` at that opcode, before any later opcode
/// is read, so a `REDUCE` of `os.system` is never reached. Calls (`REDUCE`, `NEWOBJ`) of allowed globals are
/// interpreted here as the value they would return; nothing is executed and no Python object is created.
/// Lengths are checked against the bytes left, so a hostile stream cannot make the reader allocate or loop
/// beyond its own size.
public struct Unpickler {
    private let bytes: [UInt8]
    private let path: String
    private var position = 0
    private var opcodeStart = 0
    private var stack: [PickleValue] = []
    private var marks: [Int] = []
    private var memo: [Int: PickleValue] = [:]

    /// A machine over `bytes`; `path` names the file in errors.
    public init(_ bytes: [UInt8], path: String) {
        self.bytes = bytes
        self.path = path
    }

    /// Runs the stream to its `STOP` and returns the value it leaves.
    ///
    /// - Throws: ``TorchImportError/forbiddenGlobal(path:name:)`` or ``TorchImportError/malformedPickle(path:offset:reason:)``.
    public mutating func load() throws(TorchImportError) -> PickleValue {
        while true {
            opcodeStart = position
            let op = try byte()
            if op == 0x2e { return try pop() }  // STOP
            try execute(op)
        }
    }

    // MARK: Opcodes

    private mutating func execute(_ op: UInt8) throws(TorchImportError) {
        switch op {
        case 0x80: _ = try byte()                                        // PROTO
        case 0x95: _ = try take(8)                                       // FRAME (frames are read inline)
        case 0x4e: stack.append(.none)                                   // NONE
        case 0x88: stack.append(.bool(true))                             // NEWTRUE
        case 0x89: stack.append(.bool(false))                            // NEWFALSE
        case 0x4a: stack.append(.int(Int(Int32(bitPattern: UInt32(try littleEndian(4))))))  // BININT
        case 0x4b: stack.append(.int(Int(try byte())))                   // BININT1
        case 0x4d: stack.append(.int(Int(try littleEndian(2))))          // BININT2
        case 0x8a: stack.append(.int(try long(Int(try byte()))))         // LONG1
        case 0x8b: stack.append(.int(try long(try length(4))))           // LONG4
        case 0x47: stack.append(.float(Double(bitPattern: try bigEndian64())))  // BINFLOAT
        case 0x8c: stack.append(.string(try text(Int(try byte()))))      // SHORT_BINUNICODE
        case 0x58: stack.append(.string(try text(try length(4))))        // BINUNICODE
        case 0x8d: stack.append(.string(try text(try length(8))))        // BINUNICODE8
        case 0x55: stack.append(.string(try latin1(Int(try byte()))))    // SHORT_BINSTRING
        case 0x54: stack.append(.string(try latin1(try length(4))))      // BINSTRING
        case 0x43: stack.append(.bytes(Array(try take(Int(try byte()))))) // SHORT_BINBYTES
        case 0x42: stack.append(.bytes(Array(try take(try length(4)))))  // BINBYTES
        case 0x8e, 0x96: stack.append(.bytes(Array(try take(try length(8)))))  // BINBYTES8, BYTEARRAY8
        case 0x7d: stack.append(.dict(PickleDict()))                     // EMPTY_DICT
        case 0x5d, 0x8f: stack.append(.list(PickleList()))               // EMPTY_LIST, EMPTY_SET
        case 0x29: stack.append(.tuple([]))                              // EMPTY_TUPLE
        case 0x85: stack.append(.tuple(try pop(1)))                      // TUPLE1
        case 0x86: stack.append(.tuple(try pop(2)))                      // TUPLE2
        case 0x87: stack.append(.tuple(try pop(3)))                      // TUPLE3
        case 0x74: stack.append(.tuple(try popMark()))                   // TUPLE
        case 0x6c, 0x91: stack.append(.list(PickleList(try popMark())))  // LIST, FROZENSET
        case 0x64: stack.append(.dict(try dict(fromPairs: try popMark())))  // DICT
        case 0x28: marks.append(stack.count)                             // MARK
        case 0x30: _ = try pop()                                         // POP
        case 0x31: _ = try popMark()                                     // POP_MARK
        case 0x32: stack.append(try top())                               // DUP
        case 0x73: try setItems(try pop(2))                              // SETITEM
        case 0x75: try setItems(try popMark())                           // SETITEMS
        case 0x61: try append(try pop(1))                                // APPEND
        case 0x65, 0x90: try append(try popMark())                       // APPENDS, ADDITEMS
        case 0x71: memo[Int(try byte())] = try top()                     // BINPUT
        case 0x72: memo[try length(4)] = try top()                       // LONG_BINPUT
        case 0x94: memo[memo.count] = try top()                          // MEMOIZE
        case 0x68: stack.append(try recall(Int(try byte())))             // BINGET
        case 0x6a: stack.append(try recall(try length(4)))               // LONG_BINGET
        case 0x63:                                                       // GLOBAL
            let module = try line(), name = try line()
            stack.append(.global(try resolve(module, name)))
        case 0x93:                                                       // STACK_GLOBAL
            let pair = try pop(2)
            guard let module = pair[0].stringValue, let name = pair[1].stringValue else {
                throw malformed("STACK_GLOBAL needs two strings, got \(pair[0].kindName) and \(pair[1].kindName)")
            }
            stack.append(.global(try resolve(module, name)))
        case 0x69:                                                       // INST
            let module = try line(), name = try line()
            _ = try resolve(module, name)
            throw malformed("INST (protocol 0 instance creation) is not used by torch.save")
        case 0x52:                                                       // REDUCE
            let pair = try pop(2)
            stack.append(try call(pair[0], arguments: pair[1]))
        case 0x81:                                                       // NEWOBJ
            let pair = try pop(2)
            stack.append(try construct(pair[0], arguments: pair[1]))
        case 0x62:                                                       // BUILD
            let state = try pop()
            try build(try top(), state: state)
        case 0x51: stack.append(try persistentLoad(try pop()))           // BINPERSID
        default:
            throw malformed(String(format: "opcode 0x%02x is not one torch.save writes for a state dict", op))
        }
    }

    // MARK: Calls of allow-listed globals

    private func resolve(_ module: String, _ name: String) throws(TorchImportError) -> TorchGlobal {
        guard let global = TorchGlobal(module: module, name: name) else {
            throw .forbiddenGlobal(path: path, name: module + "." + name)
        }
        return global
    }

    private func call(_ callable: PickleValue, arguments: PickleValue) throws(TorchImportError) -> PickleValue {
        guard case let .global(global) = callable else { throw malformed("REDUCE of a \(callable.kindName), not a global") }
        guard case let .tuple(args) = arguments else { throw malformed("REDUCE arguments are a \(arguments.kindName), not a tuple") }
        switch global {
        case .rebuildTensorV2:
            guard args.count >= 4, case let .storage(storage) = args[0], let offset = args[1].intValue,
                  let shape = args[2].elements?.compactMap(\.intValue), shape.count == args[2].elements?.count,
                  let strides = args[3].elements?.compactMap(\.intValue), strides.count == shape.count else {
                throw malformed("_rebuild_tensor_v2 needs (storage, offset, size, stride, …)")
            }
            guard offset >= 0, shape.allSatisfy({ $0 >= 0 }), strides.allSatisfy({ $0 >= 0 }) else {
                throw malformed("_rebuild_tensor_v2 with a negative offset, size or stride")
            }
            // Sizes that overflow cannot describe data in a file; refuse them before any arithmetic on them.
            let limit = 1 << 48
            guard offset < limit, strides.allSatisfy({ $0 < limit }),
                  shape.reduce(1, { $0 == 0 || $1 == 0 ? 0 : ($0 < limit / max($1, 1) ? $0 * $1 : limit) }) < limit,
                  storage.count < limit else {
                throw malformed("_rebuild_tensor_v2 with sizes beyond 2^48 elements")
            }
            return .tensor(TorchTensorReference(storage: storage, offset: offset, shape: shape, strides: strides))
        case .rebuildParameter:
            guard let first = args.first, case .tensor = first else { throw malformed("_rebuild_parameter needs a tensor") }
            return first
        case .orderedDict:
            guard let pairs = args.first else { return .dict(PickleDict()) }
            return .dict(try dict(fromPairs: pairs.elements?.flatMap { $0.elements ?? [] } ?? []))
        case .device:
            return .string(args.map { $0.stringValue ?? $0.intValue.map(String.init) ?? "?" }.joined(separator: ":"))
        case .codecsEncode:
            guard let text = args.first?.stringValue else { throw malformed("_codecs.encode needs a string") }
            var out: [UInt8] = []
            for scalar in text.unicodeScalars {
                guard scalar.value < 256 else { throw malformed("_codecs.encode of a non-latin-1 string") }
                out.append(UInt8(scalar.value))
            }
            return .bytes(out)
        case .path:
            // Python pickles a path as its parts: ("/", "tmp", "run1") is /tmp/run1.
            return .string(args.compactMap(\.stringValue).reduce("") { $0.isEmpty || $0.hasSuffix("/") ? $0 + $1 : $0 + "/" + $1 })
        case let .storageType(type):
            throw malformed("a call of torch.\(type.className) (storages come only from persistent ids)")
        }
    }

    private func construct(_ cls: PickleValue, arguments: PickleValue) throws(TorchImportError) -> PickleValue {
        guard case let .global(global) = cls else { throw malformed("NEWOBJ of a \(cls.kindName), not a class") }
        switch global {
        case .orderedDict: return .dict(PickleDict())
        case .path: return try call(cls, arguments: arguments)
        default: throw malformed("NEWOBJ of \(global.qualifiedName)")
        }
    }

    /// `BUILD` sets an object's attributes; on the dicts and tensors of a checkpoint those (`_metadata`,
    /// tensor metadata) carry nothing Volt uses, so they are accepted and dropped.
    private func build(_ object: PickleValue, state: PickleValue) throws(TorchImportError) {
        switch (object, state) {
        case (.dict, .dict), (.dict, .none), (.dict, .tuple), (.tensor, .dict), (.tensor, .none), (.tensor, .tuple): return
        default: throw malformed("BUILD of a \(object.kindName) with a \(state.kindName)")
        }
    }

    private func persistentLoad(_ id: PickleValue) throws(TorchImportError) -> PickleValue {
        guard case let .tuple(fields) = id, fields.count == 5, fields[0].stringValue == "storage",
              case let .global(.storageType(type)) = fields[1], let key = fields[2].stringValue,
              let location = fields[3].stringValue, let count = fields[4].intValue, count >= 0 else {
            throw malformed("persistent id is not (\"storage\", torch.<Type>Storage, key, location, numel)")
        }
        return .storage(TorchStorageReference(key: key, type: type, location: location, count: count))
    }

    // MARK: Containers

    private func dict(fromPairs items: [PickleValue]) throws(TorchImportError) -> PickleDict {
        guard items.count % 2 == 0 else { throw malformed("odd number of items for a dict") }
        let dict = PickleDict()
        for i in stride(from: 0, to: items.count, by: 2) { dict.set(items[i], items[i + 1]) }
        return dict
    }

    private mutating func setItems(_ items: [PickleValue]) throws(TorchImportError) {
        guard case let .dict(dict) = try top() else { throw malformed("SETITEM(S) on a \(try top().kindName)") }
        guard items.count % 2 == 0 else { throw malformed("SETITEMS with an odd number of items") }
        for i in stride(from: 0, to: items.count, by: 2) { dict.set(items[i], items[i + 1]) }
    }

    private mutating func append(_ items: [PickleValue]) throws(TorchImportError) {
        guard case let .list(list) = try top() else { throw malformed("APPEND(S) on a \(try top().kindName)") }
        list.items += items
    }

    // MARK: Stack and memo

    private func top() throws(TorchImportError) -> PickleValue {
        guard let value = stack.last, (marks.last ?? 0) < stack.count else { throw malformed("stack underflow") }
        return value
    }

    private mutating func pop() throws(TorchImportError) -> PickleValue {
        _ = try top()
        return stack.removeLast()
    }

    private mutating func pop(_ n: Int) throws(TorchImportError) -> [PickleValue] {
        guard stack.count - (marks.last ?? 0) >= n else { throw malformed("stack underflow") }
        defer { stack.removeLast(n) }
        return Array(stack.suffix(n))
    }

    private mutating func popMark() throws(TorchImportError) -> [PickleValue] {
        guard let mark = marks.popLast() else { throw malformed("no MARK on the stack") }
        defer { stack.removeSubrange(mark...) }
        return Array(stack[mark...])
    }

    private func recall(_ index: Int) throws(TorchImportError) -> PickleValue {
        guard let value = memo[index] else { throw malformed("memo index \(index) was never stored") }
        return value
    }

    // MARK: Bytes

    private func malformed(_ reason: String) -> TorchImportError {
        .malformedPickle(path: path, offset: opcodeStart, reason: reason)
    }

    private mutating func take(_ n: Int) throws(TorchImportError) -> ArraySlice<UInt8> {
        guard n >= 0, n <= bytes.count - position else {
            throw malformed(position >= bytes.count ? "stream ends without STOP" : "length \(n) runs past the end")
        }
        defer { position += n }
        return bytes[position..<(position + n)]
    }

    private mutating func byte() throws(TorchImportError) -> UInt8 {
        guard position < bytes.count else { throw malformed("stream ends without STOP") }
        defer { position += 1 }
        return bytes[position]
    }

    private mutating func littleEndian(_ n: Int) throws(TorchImportError) -> UInt64 {
        try take(n).reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }

    private mutating func bigEndian64() throws(TorchImportError) -> UInt64 {
        try take(8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    private mutating func length(_ n: Int) throws(TorchImportError) -> Int {
        let value = try littleEndian(n)
        guard value <= UInt64(bytes.count) else { throw malformed("length \(value) runs past the end") }
        return Int(value)
    }

    /// A little-endian two's-complement integer of `n` bytes (`LONG1`/`LONG4`); at most 8 bytes.
    private mutating func long(_ n: Int) throws(TorchImportError) -> Int {
        guard n <= 8 else { throw malformed("integer of \(n) bytes does not fit 64 bits") }
        guard n > 0 else { return 0 }
        let raw = try littleEndian(n)
        let shift = UInt64(64 - 8 * n)
        return Int(Int64(bitPattern: raw << shift) >> Int64(shift))
    }

    private mutating func text(_ n: Int) throws(TorchImportError) -> String {
        let slice = try take(n)
        guard let s = String(validating: slice, as: UTF8.self) else { throw malformed("string is not UTF-8") }
        return s
    }

    private mutating func latin1(_ n: Int) throws(TorchImportError) -> String {
        String(String.UnicodeScalarView(try take(n).map { Unicode.Scalar($0) }))
    }

    private mutating func line() throws(TorchImportError) -> String {
        guard let end = bytes[position...].firstIndex(of: 0x0a) else { throw malformed("GLOBAL name without a newline") }
        let name = try text(end - position)
        position += 1
        return name
    }
}
