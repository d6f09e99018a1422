/// Whether operations record the graph for ``Tensor/backward(_:)``.
///
/// The setting is task-local (and so thread-local outside Swift concurrency): a `withNoGrad` block in one task
/// does not turn recording off in another.
public enum GradMode {
    /// `true` unless inside ``withNoGrad(_:)``.
    @TaskLocal public static var isEnabled = true
}

/// Runs `body` without recording operations for differentiation, like `torch.no_grad()`.
@discardableResult
public func withNoGrad<T>(_ body: () throws -> T) rethrows -> T {
    try GradMode.$isEnabled.withValue(false, operation: body)
}
