import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
import Volt

/// What an SVG file holds, read back with Foundation's XML parser (which fails on anything not well-formed).
final class SVGContents: NSObject, XMLParserDelegate {
    var polylinePoints: [String: Int] = [:]
    var texts: [String] = []
    var circles = 0
    private var currentSeries: String?
    private var currentText: String?

    static func parse(_ path: String) throws -> SVGContents {
        let contents = SVGContents()
        let parser = try XCTUnwrap(XMLParser(contentsOf: URL(fileURLWithPath: path)))
        parser.delegate = contents
        XCTAssertTrue(parser.parse(), "not well-formed XML: \(String(describing: parser.parserError))")
        return contents
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        switch name {
        case "g" where attributes["class"] == "series": currentSeries = attributes["data-name"]
        case "polyline":
            let count = (attributes["points"] ?? "").split(separator: " ").count
            polylinePoints[currentSeries ?? "?", default: 0] += count
        case "circle": circles += 1
        case "text": currentText = ""
        default: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { currentText?.append(string) }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "text", let text = currentText { texts.append(text); currentText = nil }
        if name == "g" { currentSeries = nil }
    }
}

final class PlotTests: XCTestCase {
    func testMetricsPlotDrawsLossesAndTheLearningRateWithAxesAndLegend() throws {
        let root = temporaryDirectory()
        let logger = try CSVLogger(rootDirectory: root)
        for step in 0..<40 {
            try logger.logMetrics(["train_loss_step": 4 - Double(step) / 20, "lr-Adam": 1e-3 * Double(40 - step) / 40,
                                   "epoch": Double(step / 10)], step: step)
            if step % 10 == 9 { try logger.logMetrics(["val_loss": 3.5 - Double(step) / 40, "epoch": Double(step / 10)], step: step) }
        }
        try logger.logMetrics(["train_loss_step": .nan], step: 40)  // not drawn
        try logger.logMetrics(["train_loss_step": 1.0], step: 41)
        try logger.logMetrics(["train_loss_step": 3.0], step: 41)  // a second row at step 41: drawn as the mean, 2
        try logger.finalize(status: "success")
        let path = try MetricsPlot.write(logDirectory: logger.logDirectory)
        XCTAssertEqual(path, logger.logDirectory + "/metrics.svg")
        let svg = try SVGContents.parse(path)
        XCTAssertEqual(svg.polylinePoints, ["train_loss_step (mean per step)": 41, "val_loss": 4, "lr-Adam": 40],
                       "one line per series, finite points only, one point per step")
        for label in ["step (optimizer steps)", "loss", "learning rate", "train_loss_step (mean per step)", "val_loss",
                      "lr-Adam (right axis)"] {
            XCTAssertTrue(svg.texts.contains(label), "missing text \(label): \(svg.texts)")
        }
        XCTAssertTrue(svg.texts.contains { $0.hasPrefix("Training curves") })
        XCTAssertTrue(svg.texts.contains("0.0010"), "right-axis tick numbers: \(svg.texts)")
        XCTAssertTrue(svg.texts.contains("30"), "x-axis tick numbers: \(svg.texts)")
    }

    func testMetricsPlotReportsWhatIsWrongWithTheFile() throws {
        let root = temporaryDirectory()
        XCTAssertThrowsError(try MetricsPlot.write(logDirectory: root)) { error in
            guard case .unreadable(let path, _)? = error as? PlotError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, root + "/metrics.csv")
        }
        try "step,loss\r\n0,1.5\r\n1,x\r\n".write(toFile: root + "/metrics.csv", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try MetricsPlot.write(logDirectory: root)) {
            XCTAssertEqual($0 as? PlotError, .malformed(path: root + "/metrics.csv", line: 3, reason: "loss \"x\" is not a number"))
        }
        try "step,accuracy\r\n0,0.5\r\n".write(toFile: root + "/metrics.csv", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try MetricsPlot.write(logDirectory: root)) {
            XCTAssertEqual($0 as? PlotError, .nothingToPlot(path: root + "/metrics.csv", columns: ["step", "accuracy"]))
        }
    }

    func testLRFinderPlotHasALogAxisAndMarksTheSuggestion() throws {
        let sweep = try LearningRateSweep(minLR: 1e-6, maxLR: 1, numTraining: 30)
        let points = (0..<30).map { k -> LearningRateFinderResult.Point in
            let loss = k == 3 ? Double.nan : 2 - tanh(Double(k - 15) / 3)
            return .init(step: k, lr: sweep.learningRate(at: k), loss: loss, rawLoss: loss)
        }
        let result = LearningRateFinderResult(sweep: sweep, points: points, stoppedEarly: false)
        let suggestion = try XCTUnwrap(result.suggestion)
        let root = temporaryDirectory()
        try result.write(csvPath: root + "/lr_find.csv", plotPath: root + "/lr_find.svg")
        let svg = try SVGContents.parse(root + "/lr_find.svg")
        XCTAssertEqual(svg.polylinePoints, ["smoothed loss": 29])
        XCTAssertTrue(svg.texts.contains("learning rate") && svg.texts.contains("loss (smoothed)"))
        XCTAssertTrue(svg.texts.contains("1e-6") && svg.texts.contains("0.001") && svg.texts.contains("1"), "decade ticks: \(svg.texts)")
        XCTAssertTrue(svg.texts.contains("suggestion " + String(format: "%.3g", suggestion)), "\(svg.texts)")
        let csv = try String(contentsOfFile: root + "/lr_find.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(csv.count, 31)
        XCTAssertEqual(csv[0], "step,lr,loss,raw_loss")
        XCTAssertTrue(csv[4].hasPrefix("3,") && csv[4].hasSuffix(",nan,nan"), "a skipped step is NaN: \(csv[4])")
    }
}
