import Foundation

/// The standard normal distribution truncated to `[a, b]`, in the log-space forms Optuna's `_truncnorm` uses,
/// stable in the tails.
enum TruncatedNormal {
    static let logSqrt2Pi = 0.5 * Foundation.log(2 * Double.pi)

    /// log Φ(z).
    static func logNdtr(_ z: Double) -> Double {
        if z > 6 { return -0.5 * erfc(z / 2.0.squareRoot()) }  // log(1 − ε) ≈ −ε
        if z > -20 { return Foundation.log(0.5 * erfc(-z / 2.0.squareRoot())) }
        // Asymptotic series of the Mills ratio, accurate to double precision here.
        let z2 = z * z
        let series = 1 - 1 / z2 + 3 / (z2 * z2) - 15 / (z2 * z2 * z2)
        return -0.5 * z2 - Foundation.log(-z) - logSqrt2Pi + Foundation.log(series)
    }

    /// log(Φ(b) − Φ(a)) for a ≤ b.
    static func logMass(_ a: Double, _ b: Double) -> Double {
        if b <= 0 { return logDiff(logNdtr(b), logNdtr(a)) }
        if a > 0 { return logDiff(logNdtr(-a), logNdtr(-b)) }
        // central: 1 − Φ(a) − Φ(−b)
        return Foundation.log1p(-0.5 * erfc(-a / 2.0.squareRoot()) - 0.5 * erfc(b / 2.0.squareRoot()))
    }

    /// log(e^x − e^y) for x ≥ y.
    static func logDiff(_ x: Double, _ y: Double) -> Double {
        if y == -.infinity { return x }
        return x + Foundation.log(-Foundation.expm1(y - x))
    }

    /// Φ⁻¹(p) for p in (0, 1): Acklam's rational approximation refined by one Halley step.
    static func ndtri(_ p: Double) -> Double {
        if p <= 0 { return -.infinity }
        if p >= 1 { return .infinity }
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
                 -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
                 -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
                 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        var x: Double
        if p < 0.02425 {
            let q = (-2 * Foundation.log(p)).squareRoot()
            x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        } else if p > 1 - 0.02425 {
            let q = (-2 * Foundation.log(1 - p)).squareRoot()
            x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        } else {
            let q = p - 0.5, r = q * q
            x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
                / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
        }
        let e = 0.5 * erfc(-x / 2.0.squareRoot()) - p
        let u = e * (2 * Double.pi).squareRoot() * Foundation.exp(x * x / 2)
        x -= u / (1 + x * u / 2)
        return x
    }

    /// A draw from N(0, 1) truncated to `[a, b]` by inversion, taken in the upper tail's mirror when `a > 0` so the
    /// CDF values keep their precision.
    static func sample(_ a: Double, _ b: Double, _ u: Double) -> Double {
        if a > 0 { return -sample(-b, -a, 1 - u) }
        let pa = 0.5 * erfc(-a / 2.0.squareRoot()), pb = 0.5 * erfc(-b / 2.0.squareRoot())
        guard pb > pa else { return Swift.min(Swift.max(0, a), b) }
        return Swift.min(Swift.max(ndtri(pa + u * (pb - pa)), a), b)
    }

    /// log density at standardized `z` of N(0, 1) truncated to `[a, b]`, −∞ outside.
    static func logPDF(_ z: Double, _ a: Double, _ b: Double) -> Double {
        guard z >= a && z <= b else { return -.infinity }
        return -0.5 * z * z - logSqrt2Pi - logMass(a, b)
    }
}
