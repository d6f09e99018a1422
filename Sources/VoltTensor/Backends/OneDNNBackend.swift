import CDNNL
import Synchronization

/// Matrix products through oneDNN's matmul primitive (the library PyTorch uses on CPUs).
///
/// Primitives are created once per shape and layout and cached; transposed operands are described by strides, so
/// no copy is made. On CPUs with AVX512_BF16, ``multiplyBF16(_:a:b:c:)`` runs oneDNN's native bfloat16 kernels
/// (float32 accumulation).
public final class OneDNNBackend: MatMulBackend, @unchecked Sendable {
    private let engine: dnnl_engine_t
    private let stream: dnnl_stream_t
    private let cache = Mutex<[CacheKey: Primitive]>([:])

    private struct CacheKey: Hashable {
        var shape: GEMMShape
        var bf16: Bool
        var bias: Bool
    }

    private struct Primitive: @unchecked Sendable {
        let handle: dnnl_primitive_t
        var src: dnnl_memory_desc_t
        var weights: dnnl_memory_desc_t
        var dst: dnnl_memory_desc_t
        var bias: dnnl_memory_desc_t?
    }

    /// Opens oneDNN's CPU engine; `nil` if it cannot.
    public init?() {
        var engine: dnnl_engine_t?
        guard dnnl_engine_create(&engine, dnnl_cpu, 0) == dnnl_success, let engine else { return nil }
        var stream: dnnl_stream_t?
        guard dnnl_stream_create(&stream, engine, UInt32(dnnl_stream_default_flags.rawValue)) == dnnl_success,
              let stream else {
            dnnl_engine_destroy(engine)
            return nil
        }
        self.engine = engine
        self.stream = stream
    }

    deinit {
        for p in cache.withLock({ Array($0.values) }) { dnnl_primitive_destroy(p.handle) }
        dnnl_stream_destroy(stream)
        dnnl_engine_destroy(engine)
    }

    public var name: String { "onednn" }

    /// The instruction set oneDNN dispatches to on this CPU.
    public static var effectiveISA: dnnl_cpu_isa_t { dnnl_get_effective_cpu_isa() }

    /// A readable name of ``effectiveISA``.
    public static var isaName: String {
        let isa = effectiveISA.rawValue
        let known: [(dnnl_cpu_isa_t, String)] = [
            (dnnl_cpu_isa_avx512_core_amx, "avx512_core_amx"), (dnnl_cpu_isa_avx512_core_bf16, "avx512_core_bf16"),
            (dnnl_cpu_isa_avx512_core_vnni, "avx512_core_vnni"), (dnnl_cpu_isa_avx512_core, "avx512_core"),
            (dnnl_cpu_isa_avx2_vnni, "avx2_vnni"), (dnnl_cpu_isa_avx2, "avx2"), (dnnl_cpu_isa_avx, "avx"),
            (dnnl_cpu_isa_sse41, "sse41"),
        ]
        return known.first { isa & $0.0.rawValue == $0.0.rawValue }?.1 ?? "generic"
    }

    /// Whether the CPU has native bfloat16 dot products (AVX512_BF16 or AMX).
    public var supportsBF16: Bool {
        let bf16 = dnnl_cpu_isa_avx512_core_bf16.rawValue
        return Self.effectiveISA.rawValue & bf16 == bf16
    }

    public func multiply(_ shape: GEMMShape, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                         c: UnsafeMutablePointer<Float>) {
        execute(shape, bf16: false, a: UnsafeRawPointer(a), b: UnsafeRawPointer(b), bias: nil, c: c)
    }

    /// `C = A · B + bias` with the bias added inside oneDNN's kernel (no second pass over C).
    public func multiply(_ shape: GEMMShape, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                         bias: UnsafePointer<Float>?, c: UnsafeMutablePointer<Float>) {
        execute(shape, bf16: false, a: UnsafeRawPointer(a), b: UnsafeRawPointer(b), bias: bias, c: c)
    }

    public func multiplyBF16(_ shape: GEMMShape, a: UnsafePointer<UInt16>, b: UnsafePointer<UInt16>,
                             c: UnsafeMutablePointer<Float>) {
        multiplyBF16(shape, a: a, b: b, bias: nil, c: c)
    }

    /// The bfloat16 product plus a float32 bias added inside oneDNN's kernel.
    public func multiplyBF16(_ shape: GEMMShape, a: UnsafePointer<UInt16>, b: UnsafePointer<UInt16>,
                             bias: UnsafePointer<Float>?, c: UnsafeMutablePointer<Float>) {
        guard supportsBF16 else {  // no AVX512_BF16 here
            multiplyWidening(shape, a: a, b: b, c: c)
            if let bias { Self.addRows(bias, to: c, shape) }
            return
        }
        execute(shape, bf16: true, a: UnsafeRawPointer(a), b: UnsafeRawPointer(b), bias: bias, c: c)
    }

    private func execute(_ shape: GEMMShape, bf16: Bool, a: UnsafeRawPointer, b: UnsafeRawPointer,
                         bias: UnsafePointer<Float>?, c: UnsafeMutablePointer<Float>) {
        var primitive = self.primitive(for: CacheKey(shape: shape, bf16: bf16, bias: bias != nil))
        var memories: [dnnl_memory_t?] = [nil, nil, nil, nil]
        check(dnnl_memory_create(&memories[0], &primitive.src, engine, UnsafeMutableRawPointer(mutating: a)), "memory")
        check(dnnl_memory_create(&memories[1], &primitive.weights, engine, UnsafeMutableRawPointer(mutating: b)), "memory")
        check(dnnl_memory_create(&memories[2], &primitive.dst, engine, UnsafeMutableRawPointer(c)), "memory")
        defer { for m in memories where m != nil { dnnl_memory_destroy(m) } }
        var args = [
            dnnl_exec_arg_t(arg: volt_dnnl_arg_src(), memory: memories[0]),
            dnnl_exec_arg_t(arg: volt_dnnl_arg_weights(), memory: memories[1]),
            dnnl_exec_arg_t(arg: volt_dnnl_arg_dst(), memory: memories[2]),
        ]
        if let bias, primitive.bias != nil {
            check(dnnl_memory_create(&memories[3], &primitive.bias!, engine, UnsafeMutableRawPointer(mutating: bias)),
                  "memory")
            args.append(dnnl_exec_arg_t(arg: volt_dnnl_arg_bias(), memory: memories[3]))
        }
        check(dnnl_primitive_execute(primitive.handle, stream, Int32(args.count), args), "execute")
        check(dnnl_stream_wait(stream), "wait")
    }

    private func primitive(for key: CacheKey) -> Primitive {
        if let cached = cache.withLock({ $0[key] }) { return cached }
        let made = makePrimitive(key)
        return cache.withLock { cache in
            if let raced = cache[key] {
                dnnl_primitive_destroy(made.handle)
                return raced
            }
            cache[key] = made
            return made
        }
    }

    private func makePrimitive(_ key: CacheKey) -> Primitive {
        let s = key.shape
        let inType = key.bf16 ? dnnl_bf16 : dnnl_f32
        var src = Self.descriptor(rows: s.m, cols: s.k, operand: s.a, batch: s.batch, type: inType)
        var weights = Self.descriptor(rows: s.k, cols: s.n, operand: s.b, batch: s.batch, type: inType)
        var dst = Self.descriptor(rows: s.m, cols: s.n,
                                  operand: GEMMOperand(transposed: false, leadingDimension: s.n, batchStride: s.m * s.n),
                                  batch: s.batch, type: dnnl_f32)
        // A bias is one row of n float32 values, broadcast over the batch and the rows.
        var bias: dnnl_memory_desc_t? = key.bias
            ? Self.descriptor(rows: 1, cols: s.n, operand: GEMMOperand(transposed: false, leadingDimension: s.n,
                                                                       batchStride: 0),
                              batch: 1, type: dnnl_f32)
            : nil
        var desc = dnnl_matmul_desc_t()
        if bias != nil {
            check(dnnl_matmul_desc_init(&desc, &src, &weights, &bias!, &dst), "matmul descriptor for \(s) with bias")
        } else {
            check(dnnl_matmul_desc_init(&desc, &src, &weights, nil, &dst), "matmul descriptor for \(s)")
        }
        var pd: dnnl_primitive_desc_t?
        check(dnnl_primitive_desc_create(&pd, &desc, nil, engine, nil), "primitive descriptor for \(s)")
        defer { dnnl_primitive_desc_destroy(pd) }
        var handle: dnnl_primitive_t?
        check(dnnl_primitive_create(&handle, pd), "primitive for \(s)")
        guard let handle else { fatalError("oneDNN returned no primitive for \(s)") }
        return Primitive(handle: handle, src: src, weights: weights, dst: dst, bias: bias)
    }

    /// A 3-D [batch, rows, cols] memory descriptor whose strides express the operand's layout.
    private static func descriptor(rows: Int, cols: Int, operand: GEMMOperand, batch: Int,
                                   type: dnnl_data_type_t) -> dnnl_memory_desc_t {
        let batchExtent = operand.batchStride == 0 ? 1 : batch
        let rowStride = operand.transposed ? 1 : operand.leadingDimension
        let colStride = operand.transposed ? operand.leadingDimension : 1
        let batchStride = operand.batchStride == 0 ? rows * cols : operand.batchStride
        var dims = dnnl_dims_t(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var strides = dims
        withUnsafeMutableBytes(of: &dims) { d in
            let p = d.bindMemory(to: Int64.self)
            (p[0], p[1], p[2]) = (Int64(batchExtent), Int64(rows), Int64(cols))
        }
        withUnsafeMutableBytes(of: &strides) { d in
            let p = d.bindMemory(to: Int64.self)
            (p[0], p[1], p[2]) = (Int64(batchStride), Int64(rowStride), Int64(colStride))
        }
        var md = dnnl_memory_desc_t()
        withUnsafeBytes(of: dims) { d in
            withUnsafeBytes(of: strides) { s in
                check(dnnl_memory_desc_init_by_strides(&md, 3, d.bindMemory(to: Int64.self).baseAddress, type,
                                                       s.bindMemory(to: Int64.self).baseAddress), "memory descriptor")
            }
        }
        return md
    }
}

/// Stops with oneDNN's status when a call that cannot fail on valid input fails.
private func check(_ status: dnnl_status_t, _ what: @autoclosure () -> String) {
    if status != dnnl_success { fatalError("oneDNN \(what()) failed with status \(status.rawValue)") }
}
