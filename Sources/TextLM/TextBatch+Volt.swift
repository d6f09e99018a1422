import Volt
import VoltText

/// Epoch means weight each batch by its examples.
extension TextBatch: BatchSizeProviding {}

/// The progress bar's tokens/s counts the unpadded tokens.
extension TextBatch: TokenCounting {}
