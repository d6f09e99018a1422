import Foundation
import XCTest
import VoltNN
import VoltTensor

/// Optimizers against straightforward Double implementations of PyTorch's update rules.
final class OptimizerTests: XCTestCase {
    let initial: [Float] = [0.5, -1.0, 2.0, 0.25]
    let gradients: [[Float]] = [[0.1, -0.2, 0.3, 0.0], [0.05, 0.1, -0.4, 0.2], [-0.3, 0.2, 0.1, 0.1]]

    func run(_ optimizer: (Tensor) -> any Optimizer) -> [Float] {
        let p = Tensor(shape: [4], scalars: initial, requiresGrad: true)
        let opt = optimizer(p)
        for g in gradients {
            p.grad = Tensor(shape: [4], scalars: g)
            opt.step()
        }
        return p.scalars
    }

    func referenceAdam(lr: Double, wd: Double, decoupled: Bool) -> [Float] {
        var p = initial.map(Double.init), m = [Double](repeating: 0, count: 4), v = m
        for (t, g32) in gradients.enumerated() {
            let step = Double(t + 1)
            for i in 0..<4 {
                var g = Double(g32[i])
                if decoupled { p[i] *= 1 - lr * wd } else { g += wd * p[i] }
                m[i] = 0.9 * m[i] + 0.1 * g
                v[i] = 0.999 * v[i] + 0.001 * g * g
                let denom = v[i].squareRoot() / (1 - pow(0.999, step)).squareRoot() + 1e-8
                p[i] -= lr / (1 - pow(0.9, step)) * m[i] / denom
            }
        }
        return p.map { Float($0) }
    }

    func testAdamMatchesReferenceAfterThreeSteps() {
        assertEqualArrays(run { Adam([$0], lr: 0.1, weightDecay: 0.01) }, referenceAdam(lr: 0.1, wd: 0.01, decoupled: false))
    }

    func testAdamWMatchesReferenceAfterThreeSteps() {
        assertEqualArrays(run { AdamW([$0], lr: 0.1, weightDecay: 0.1) }, referenceAdam(lr: 0.1, wd: 0.1, decoupled: true))
    }

    func testSGDWithNesterovMomentumMatchesReference() {
        var p = initial.map(Double.init), buf = [Double](repeating: 0, count: 4)
        for (t, g32) in gradients.enumerated() {
            for i in 0..<4 {
                let d = Double(g32[i]) + 0.01 * p[i]
                buf[i] = t == 0 ? d : 0.9 * buf[i] + d
                p[i] -= 0.1 * (d + 0.9 * buf[i])
            }
        }
        assertEqualArrays(run { SGD([$0], lr: 0.1, momentum: 0.9, weightDecay: 0.01, nesterov: true) }, p.map { Float($0) })
    }

    func testAdafactorMatchesReferenceOnAMatrix() {
        // transformers' Adafactor defaults: relative step, parameter scaling, factored second moments.
        let rows = 2, cols = 2
        var p = initial.map(Double.init), r = [0.0, 0.0], c = [0.0, 0.0]
        for (t, g32) in gradients.enumerated() {
            let step = Double(t + 1)
            let g = g32.map(Double.init)
            let rms = (p.map { $0 * $0 }.reduce(0, +) / 4).squareRoot()
            let lr = max(1e-3, rms) * min(1e-2, 1 / step.squareRoot())
            let beta2 = 1 - pow(step, -0.8)
            func square(_ k: Int) -> Double { g[k] * g[k] + 1e-30 }
            for i in 0..<rows {
                let mean: Double = (0..<cols).map { square(i * cols + $0) }.reduce(0, +) / Double(cols)
                r[i] = beta2 * r[i] + (1 - beta2) * mean
            }
            for j in 0..<cols {
                let mean: Double = (0..<rows).map { square($0 * cols + j) }.reduce(0, +) / Double(rows)
                c[j] = beta2 * c[j] + (1 - beta2) * mean
            }
            let rMean = r.reduce(0, +) / 2
            var u = (0..<4).map { k in 1 / (r[k / cols] / rMean).squareRoot() / c[k % cols].squareRoot() * g[k] }
            let uRMS = (u.map { $0 * $0 }.reduce(0, +) / 4).squareRoot()
            u = u.map { $0 / max(1, uRMS) * lr }
            for k in 0..<4 { p[k] -= u[k] }
        }
        let got: [Float] = {
            let t = Tensor(shape: [2, 2], scalars: initial, requiresGrad: true)
            let opt = Adafactor([ParameterGroup([("w", t)], learningRate: 0)])
            for g in gradients { t.grad = Tensor(shape: [2, 2], scalars: g); opt.step() }
            return t.scalars
        }()
        assertEqualArrays(got, p.map { Float($0) }, accuracy: 1e-6)
    }

    func testOptimizerStateRoundTripsByParameterName() throws {
        let p = Tensor(shape: [4], scalars: initial, requiresGrad: true)
        let opt = AdamW([ParameterGroup([("w", p)], learningRate: 0.1)])
        p.grad = Tensor(shape: [4], scalars: gradients[0])
        opt.step()
        let saved = opt.state()
        let q = Tensor(shape: [4], scalars: p.scalars, requiresGrad: true)
        let restored = AdamW([ParameterGroup([("w", q)], learningRate: 0.5)])
        try restored.load(state: saved)
        XCTAssertEqual(restored.learningRate, 0.1)
        for o in [opt, restored] as [any Optimizer] {
            o.parameterGroups[0].parameters[0].grad = Tensor(shape: [4], scalars: gradients[1])
            o.step()
        }
        XCTAssertEqual(p.scalars, q.scalars, "a restored optimizer continues identically")
        XCTAssertThrowsError(try SGD([q], lr: 1).load(state: saved)) {
            XCTAssertEqual($0 as? OptimizerError, .typeMismatch(expected: "SGD", found: "AdamW"))
        }
    }

    func testParameterGroupsExcludeBiasAndLayerNormFromDecay() {
        var gen = RandomGenerator(seed: 1)
        final class Net: Module {
            let proj: Linear
            let norm = LayerNorm(3)
            init(_ g: inout RandomGenerator) { proj = Linear(3, 3, generator: &g); super.init() }
        }
        let groups = ParameterGroup.decayAndNoDecay(Net(&gen), learningRate: 1e-3, weightDecay: 0.1)
        XCTAssertEqual(groups.map(\.names), [["proj.weight"], ["proj.bias", "norm.weight", "norm.bias"]])
        XCTAssertEqual(groups.map(\.weightDecay), [0.1, 0])
    }

    func testSchedulesMatchTransformersFormulas() {
        let linear = LearningRateSchedule.linearWarmupDecay(warmupSteps: 10, totalSteps: 110)
        XCTAssertEqual(linear.factor(at: 0), 0)
        XCTAssertEqual(linear.factor(at: 5), 0.5)
        XCTAssertEqual(linear.factor(at: 60), 0.5)
        XCTAssertEqual(linear.factor(at: 200), 0)
        let cosine = LearningRateSchedule.cosineWithWarmup(warmupSteps: 10, totalSteps: 110)
        XCTAssertEqual(cosine.factor(at: 60), 0.5, accuracy: 1e-12)
        XCTAssertEqual(cosine.factor(at: 110), 0, accuracy: 1e-12)
        XCTAssertEqual(LearningRateSchedule.step(stepSize: 3, gamma: 0.1).factor(at: 7), 0.01, accuracy: 1e-15)

        let p = Tensor.zeros([1], requiresGrad: true)
        let opt = SGD([p], lr: 2)
        let scheduler = LearningRateScheduler(opt, schedule: linear)
        XCTAssertEqual(opt.learningRate, 0)
        for _ in 0..<5 { scheduler.step() }
        XCTAssertEqual(opt.learningRate, 1)
        let resumed = LearningRateScheduler(SGD([p], lr: 2), schedule: linear)
        resumed.load(state: scheduler.state)
        XCTAssertEqual(resumed.learningRates, [1])
    }

    func testClippingScalesToTheMaximumNorm() {
        let a = Tensor.zeros([2], requiresGrad: true), b = Tensor.zeros([1], requiresGrad: true)
        a.grad = Tensor(shape: [2], scalars: [3, 0])
        b.grad = Tensor(shape: [1], scalars: [4])
        XCTAssertEqual(clipGradNorm([a, b], maxNorm: 1), 5, accuracy: 1e-6)
        assertEqualArrays(a.grad!.scalars + b.grad!.scalars, [0.6, 0, 0.8], accuracy: 1e-6)
        clipGradValue([a, b], value: 0.7)
        assertEqualArrays(a.grad!.scalars + b.grad!.scalars, [0.6, 0, 0.7], accuracy: 1e-6)
    }
}

func assertEqualArrays(_ a: [Float], _ b: [Float], accuracy: Float = 2e-6, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, file: file, line: line)
    for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: accuracy, file: file, line: line) }
}
