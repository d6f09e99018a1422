import Volt
import VoltData

/// Points x in [0, 1): the first 80 % train, the next 10 % validate, the last 10 % test.
final class LineData: ConfigurableDataModule {
    /// The `data:` section of the configuration (`--data.batch_size 16`).
    struct Configuration: ConfigurationSection {
        var points = 64
        var batchSize = 8
        var seed = 1

        /// Checked when the configuration is read: the error names the file, line and key.
        func validate() throws {
            if points < 10 { throw ConfigurationValueError(key: "points", reason: "data.points must be at least 10") }
            if batchSize < 1 { throw ConfigurationValueError(key: "batch_size", reason: "data.batch_size must be at least 1") }
        }
    }

    let configuration: Configuration

    init(configuration: Configuration) { self.configuration = configuration }

    private func loader(_ range: Range<Double>, shuffle: Bool) -> DataLoader<ArrayDataset<Float>, [Float]> {
        let n = Double(configuration.points)
        let xs = (0..<configuration.points).filter { range.contains(Double($0) / n) }.map { Float($0) / Float(n) }
        return DataLoader(ArrayDataset(xs), batchSize: configuration.batchSize, shuffle: shuffle, seed: UInt64(configuration.seed)) { $0 }
    }

    func trainLoader() throws -> DataLoader<ArrayDataset<Float>, [Float]> { loader(0..<0.8, shuffle: true) }
    func valLoader() throws -> DataLoader<ArrayDataset<Float>, [Float]>? { loader(0.8..<0.9, shuffle: false) }
    func testLoader() throws -> DataLoader<ArrayDataset<Float>, [Float]>? { loader(0.9..<1, shuffle: false) }
    func predictLoader() throws -> DataLoader<ArrayDataset<Float>, [Float]>? { loader(0..<1, shuffle: false) }
}
