import ArgumentParser
import Foundation
import Volt

/// `volt plot`: a run's loss and learning-rate curves as one SVG picture.
struct Plot: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw train/val loss and learning rate of a run's metrics.csv as an SVG picture.",
        discussion: """
            LOGDIR is a run's log directory (volt_logs/version_N). Loss columns go on the left axis against the step, \
            learning-rate columns (logged by the lr_monitor callback) on a right axis. volt fit writes the same picture \
            as metrics.svg at the end of every run.
            """
    )

    @Argument(help: "The run's log directory, holding metrics.csv.")
    var logdir: String

    @Option(help: "The picture to write (default: LOGDIR/metrics.svg).")
    var out: String?

    func run() throws {
        try runReportingErrors {
            print(try MetricsPlot.write(logDirectory: logdir, to: out))
        }
    }
}
