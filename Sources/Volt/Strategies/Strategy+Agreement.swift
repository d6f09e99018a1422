/// Decisions every rank must take alike.
///
/// Any `if` that leads to a collective call or to a file must come from a value every rank agrees on; otherwise
/// one rank enters a collective alone and the job hangs. These helpers turn a per-rank value into an agreed one
/// (as Lightning's `broadcast` and `reduce_boolean_decision` do). On one process they return their input.
extension Strategy {
    /// Rank 0's `value`, on every rank (NaN and infinities pass through).
    public func rankZeroValue(_ value: Double) -> Double {
        guard worldSize > 1 else { return value }
        var slot = [rank == 0 ? value : 0]
        allReduceSum(&slot)
        return slot[0]
    }

    /// For each flag, whether it is set on any rank (`all: false`) or on every rank (`all: true`).
    public func agreedFlags(_ flags: [Bool], all: Bool = false) -> [Bool] {
        guard worldSize > 1 else { return flags }
        var counts = flags.map { $0 ? 1.0 : 0.0 }
        allReduceSum(&counts)
        return counts.map { all ? $0 == Double(worldSize) : $0 > 0 }
    }
}
