import Foundation

/// Times repeated runs of a closure with a monotonic clock.
public enum Stopwatch {
    /// Seconds per run: the fastest of `repeats` runs after `warmup` untimed ones, and the median.
    public static func measure(warmup: Int = 2, repeats: Int = 10, _ body: () -> Void) -> (best: Double, median: Double) {
        for _ in 0..<warmup { body() }
        var times: [Double] = []
        for _ in 0..<Swift.max(repeats, 1) {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        times.sort()
        return (times[0], times[times.count / 2])
    }
}
