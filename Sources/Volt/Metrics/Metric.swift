/// A metric accumulated over an epoch and computed once at its end — torchmetrics' `Metric`: `update` per batch
/// (in the concrete type), ``compute(state:)`` at the end, ``reset()`` before the next epoch.
///
/// The accumulated state is a fixed-length vector of sums (counts, totals of per-example scores), so that the
/// state of several ranks is their elementwise sum. Logged through ``StepContext/log(_:progressBar:logger:)``, a
/// metric's state is summed across ranks through the strategy's all-reduce before ``compute(state:)``, so every rank
/// gets the same value (what `syncDist` gives a logged scalar), and the metric is reset after the epoch.
public protocol Metric: AnyObject {
    /// The accumulated sums; every rank's vector has the same length (``stateCount``).
    var state: [Double] { get }
    /// The length of ``state``, the same on every rank and in every epoch.
    var stateCount: Int { get }
    /// The metric's values by logged name (`val_rouge1`, …) for a state — one rank's or the sum over ranks.
    /// An empty state (nothing updated) gives NaN values.
    func compute(state: [Double]) -> [String: Double]
    /// Forgets everything accumulated.
    func reset()
}

extension Metric {
    /// This rank's values, unsynchronized.
    public func compute() -> [String: Double] { compute(state: state) }

    /// The values of the state summed over every rank of `strategy` (a collective: every rank must call it).
    public func synchronizedCompute(_ strategy: any Strategy) -> [String: Double] {
        var summed = state
        strategy.allReduceSum(&summed)
        return compute(state: summed)
    }
}
