import XCTest
import VoltTensor

final class AutogradTests: XCTestCase {
    func testGradientsAccumulateAcrossBackwardPasses() {
        let w = Tensor(shape: [2], scalars: [1, 2], requiresGrad: true)
        (w * w).sum().backward()
        (w * 3).sum().backward()
        XCTAssertEqual(w.grad?.scalars, [2 + 3, 4 + 3])
    }

    func testSharedSubexpressionsSumTheirGradients() {
        let x = Tensor(shape: [1], scalars: [3], requiresGrad: true)
        let y = x * x
        (y + y * x).sum().backward()  // d/dx (x² + x³) = 2x + 3x²
        XCTAssertEqual(x.grad?.scalars, [6 + 27])
    }

    func testNoGradDisablesRecordingAndDetachCutsTheGraph() {
        let x = Tensor(shape: [2], scalars: [1, 2], requiresGrad: true)
        let y = withNoGrad { x * 2 }
        XCTAssertFalse(y.requiresGrad)
        let z = (x.detached() * x).sum()
        z.backward()
        XCTAssertEqual(x.grad?.scalars, [1, 2], "the detached factor acts as a constant")
    }

    func testBackwardFreesWhatTheGraphSaved() {
        let x = random([512, 512], seed: 1)
        x.requiresGrad = true
        let before = BufferPool.shared.usage.live
        var loss: Tensor? = (0..<3).reduce(x) { h, _ in h.tanh() }.sum()
        XCTAssertGreaterThan(BufferPool.shared.usage.live - before, 3 << 20, "three saved 1 MiB outputs")
        loss?.backward()
        XCTAssertTrue(loss?.isLeaf ?? false)
        loss = nil
        XCTAssertLessThanOrEqual(BufferPool.shared.usage.live - before, 1 << 20, "only x.grad remains")
    }

    func testGraphKeepsOnlyWhatBackwardNeeds() {
        // Additions and subtractions need only their operands' shapes: the graph must not keep the 1 MiB
        // intermediates of this chain alive (it used to, through the backward closures).
        let x = random([512, 512], seed: 2), bias = random([512], seed: 3)
        x.requiresGrad = true
        bias.requiresGrad = true
        let before = BufferPool.shared.usage.live
        let loss = (0..<4).reduce(x) { h, _ in (h + bias) - bias }.sum()
        XCTAssertLessThan(BufferPool.shared.usage.live - before, 1 << 20, "no 1 MiB intermediate is held by the graph")
        loss.backward()
        XCTAssertEqual(x.grad?.scalars.allSatisfy { $0 == 1 }, true)
    }

    func testBufferPoolReusesFreedBuffers() {
        let pool = BufferPool(capacity: 1 << 20)
        let a = pool.allocate(byteCount: 10_000)
        pool.release(a, byteCount: 10_000)
        let b = pool.allocate(byteCount: 9_000)  // same size class
        XCTAssertEqual(a, b)
        pool.release(b, byteCount: 9_000)
        XCTAssertEqual(BufferPool.sizeClass(4097), 5120)
        XCTAssertEqual(BufferPool.sizeClass(1 << 20), 1 << 20)
        XCTAssertEqual(BufferPool.sizeClass((1 << 20) + 1), (1 << 20) + (1 << 18))
        pool.trim()
        XCTAssertEqual(pool.usage.idle, 0)
    }
    /// A leaf's first gradient takes over the storage of a gradient nothing else refers to (a product's output)
    /// instead of copying it, and copies whenever anything else shares it: the same gradient sent to two inputs,
    /// a view of the seed, the caller's seed itself.
    func testFirstGradientIsTakenOverOnlyWhenNothingElseSharesIt() {
        let x = random([8, 512], seed: 61), w = random([512, 512], seed: 62), dy = random([8, 512], seed: 63)
        w.requiresGrad = true
        let before = BufferPool.shared.usage.live
        BufferPool.shared.resetPeak()
        x.matmul(w).backward(dy)
        let held = BufferPool.shared.usage.peak - before
        XCTAssertLessThan(held, (1 << 20) + (256 << 10), "one 1 MiB weight gradient at a time, no copy (\(held) bytes)")
        XCTAssertEqual(w.grad!.scalars, x.transposed().matmul(dy).scalars)

        // The same gradient to both inputs of an addition: the second accumulation must not see the first.
        let v = random([4, 6], seed: 64), seed = random([4, 6], seed: 65)
        v.requiresGrad = true
        (v + v).backward(seed)
        XCTAssertEqual(v.grad!.scalars, (seed * 2).scalars)
        // A reshape hands back a view of the seed: accumulating twice must leave the caller's seed as it was.
        let u = random([4, 6], seed: 66), kept = seed.scalars
        u.requiresGrad = true
        u.reshaped([24]).backward(seed.reshaped([24]))
        u.reshaped([24]).backward(seed.reshaped([24]))
        XCTAssertEqual(seed.scalars, kept, "the seed is not the gradient's storage")
        XCTAssertEqual(u.grad!.scalars, (seed * 2).scalars)
        u.grad = nil
        u.backward(seed)
        u.backward(seed)
        XCTAssertEqual(seed.scalars, kept, "a leaf's own seed is copied too")
    }
}
