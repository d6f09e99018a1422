import XCTest
import VoltNN
import VoltTensor

final class AdamW8bitTests: XCTestCase {
    /// The maps have bitsandbytes' layout: 256 sorted values with 0 and 1; signed: 127 negatives down to −0.99297
    /// (the midpoint of the last two of 65 points from 0.1 to 1), smallest positive 0.55e−6; unsigned: none negative,
    /// smallest positive 0.325e−6.
    func testDynamicMapsHaveBitsandbytesLayout() {
        let signed = DynamicQuantizationMap(signed: true).values, unsigned = DynamicQuantizationMap(signed: false).values
        XCTAssertEqual(signed.count, 256)
        XCTAssertEqual(signed, signed.sorted())
        XCTAssertTrue(signed.contains(0) && signed.contains(1))
        XCTAssertEqual(signed.filter { $0 < 0 }.count, 127)
        XCTAssertEqual(signed.first!, -(0.98593750 + 1) / 2, accuracy: 1e-6)
        XCTAssertEqual(signed.filter { $0 > 0 }.min()!, 1e-6 * 0.55, accuracy: 1e-12)
        XCTAssertEqual(unsigned.count, 256)
        XCTAssertEqual(unsigned.filter { $0 < 0 }.count, 0)
        XCTAssertEqual(unsigned.filter { $0 > 0 }.min()!, 0.325e-6, accuracy: 1e-12)
        XCTAssertEqual(Set(unsigned).count, 256, "the unsigned map has no duplicate")
    }

    /// Block-wise round trip: every element lands within half the largest code gap of its block's absmax, the
    /// absmax itself is exact, and zeros stay zero.
    func testBlockwiseQuantizationErrorIsWithinTheStatedBound() {
        var g = RandomGenerator(seed: 3)
        let n = 3 * 2048 + 100
        var values = Tensor.randn([n], generator: &g).scalars
        for i in 2048..<4096 { values[i] *= 1e-4 }           // a block of small values keeps its relative precision
        for i in 4096..<(4096 + 50) { values[i] = 0 }
        for map in [DynamicQuantizationMap(signed: true)] {
            let q = BlockwiseQuantized(values, map: map, blockSize: 2048)
            XCTAssertEqual(q.absmax.count, 4)
            let back = q.dequantized(map: map)
            let bound = map.largestGap / 2
            XCTAssertLessThan(bound, 0.0071, "the signed map's largest gap is 0.9/64 near ±1")
            for b in 0..<4 {
                let range = (b * 2048)..<min(n, (b + 1) * 2048)
                let absmax = range.map { abs(values[$0]) }.max()!
                XCTAssertEqual(q.absmax[b], absmax)
                let worst = range.map { abs(back[$0] - values[$0]) }.max()!
                XCTAssertLessThanOrEqual(worst, bound * absmax * 1.0001, "block \(b)")
            }
            XCTAssertTrue((4096..<(4096 + 50)).allSatisfy { back[$0] == 0 })
        }
        let squares = values.map { $0 * $0 }
        let unsigned = DynamicQuantizationMap(signed: false)
        let q = BlockwiseQuantized(squares, map: unsigned, blockSize: 2048), back = q.dequantized(map: unsigned)
        for b in 0..<4 {
            let range = (b * 2048)..<min(n, (b + 1) * 2048)
            let worst = range.map { abs(back[$0] - squares[$0]) }.max()!
            XCTAssertLessThanOrEqual(worst, unsigned.largestGap / 2 * q.absmax[b] * 1.0001)
        }
    }

    /// A least-squares problem: y = X·w* with 6000 weights (above bitsandbytes' 4096-element threshold).
    struct Problem {
        let x: Tensor, y: Tensor
        init() {
            var g = RandomGenerator(seed: 11)
            x = Tensor.randn([32, 6000], generator: &g)
            y = x.matmul(Tensor.randn([6000, 1], std: 0.1, generator: &g))
        }
        func loss(_ w: Tensor) -> Tensor { let d = x.matmul(w) - y; return (d * d).mean() }
    }

    func train(_ optimizer: Optimizer, _ w: Tensor, _ problem: Problem, steps: Int) -> [Float] {
        (0..<steps).map { _ in
            let loss = problem.loss(w)
            loss.backward()
            optimizer.step()
            optimizer.zeroGrad()
            return loss.item()
        }
    }

    /// 8-bit AdamW's loss curve stays within 1 % of the initial loss of float32 AdamW's at every one of 60 steps
    /// (the curves oscillate towards 0, so a relative bound per step would measure the phase, not the optimizer),
    /// and both end below 0.1 % of where they started.
    func testLossCurveTracksFloat32AdamW() {
        let problem = Problem()
        let w8 = Tensor.zeros([6000, 1], requiresGrad: true), w32 = Tensor.zeros([6000, 1], requiresGrad: true)
        let eight = AdamW8bit([ParameterGroup([("w", w8)], learningRate: 2e-3, weightDecay: 0.01)])
        let full = AdamW([ParameterGroup([("w", w32)], learningRate: 2e-3, weightDecay: 0.01)])
        let b = train(full, w32, problem, steps: 60), a = train(eight, w8, problem, steps: 60)
        XCTAssertLessThan(b.last!, 1e-3 * b.first!, "the reference itself learns")
        XCTAssertLessThan(a.last!, 1e-3 * a.first!)
        for (step, (l8, l32)) in zip(a, b).enumerated() {
            XCTAssertEqual(l8, l32, accuracy: 0.01 * b.first!, "step \(step)")
        }
        XCTAssertEqual(Double(eight.stateBytes) / 6000, 2.0 + 24.0 / 6000, accuracy: 1e-9, "≈ 2 bytes per parameter")
    }

    /// State saved after 5 steps and loaded into a fresh optimizer continues bit for bit like the original; the
    /// snapshot holds codes (packed) and absmax, not float moments.
    func testStateSaveAndRestoreContinuesBitIdentically() throws {
        let problem = Problem()
        let bias = Tensor.zeros([1], requiresGrad: true)  // small: keeps float32 moments, as in bitsandbytes
        let w = Tensor.zeros([6000, 1], requiresGrad: true)
        func optimizer(_ w: Tensor, _ b: Tensor) -> Adam8bit {
            Adam8bit([ParameterGroup([("w", w), ("b", b)], learningRate: 1e-2, weightDecay: 0.001)])
        }
        func loss(_ w: Tensor, _ b: Tensor) -> Tensor { let d = problem.x.matmul(w) + b - problem.y; return (d * d).mean() }
        func run(_ o: Adam8bit, _ w: Tensor, _ b: Tensor, _ steps: Int) {
            for _ in 0..<steps { loss(w, b).backward(); o.step(); o.zeroGrad() }
        }
        let original = optimizer(w, bias)
        run(original, w, bias, 5)
        let snapshot = original.state()
        XCTAssertEqual(snapshot.type, "Adam8bit")
        XCTAssertEqual(snapshot.tensors["w"]?["state1"]?.shape, [1500])
        XCTAssertEqual(snapshot.tensors["w"]?["absmax2"]?.shape, [3])
        XCTAssertEqual(snapshot.tensors["b"]?["exp_avg"]?.shape, [1])

        let w2 = w.clone(), b2 = bias.clone()
        w2.requiresGrad = true
        b2.requiresGrad = true
        let resumed = optimizer(w2, b2)
        try resumed.load(state: snapshot)
        run(original, w, bias, 7)
        run(resumed, w2, b2, 7)
        XCTAssertEqual(w.scalars, w2.scalars, "bit-identical continuation")
        XCTAssertEqual(bias.scalars, b2.scalars)

        XCTAssertThrowsError(try AdamW8bit([ParameterGroup([("w", w), ("b", bias)], learningRate: 1e-2)]).load(state: snapshot))
        var damaged = snapshot
        damaged.tensors["w"]?["absmax1"] = Tensor.zeros([2])
        XCTAssertThrowsError(try optimizer(w2, b2).load(state: damaged))
    }
}
