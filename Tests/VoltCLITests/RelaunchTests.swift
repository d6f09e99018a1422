import Volt
import VoltCLI
import XCTest

/// The one decision every `volt` command takes before training or evaluating: run here, or as N ranks under mpirun.
final class RelaunchTests: XCTestCase {
    func testAPlainProcessAskingForSeveralDevicesRelaunchesAsThatManyRanks() {
        for strategy in [StrategyKind.ddp, .auto, .zero1, .zero2, .zero3] {
            XCTAssertEqual(VoltCLI.relaunchRanks(strategy: strategy, devices: 2, underMPI: false), 2, "\(strategy)")
            XCTAssertEqual(VoltCLI.relaunchRanks(strategy: strategy, devices: 4, underMPI: false), 4, "\(strategy)")
        }
    }

    func testOneDeviceStrategySingleOrAnExistingMPIWorldRunHere() {
        for strategy in StrategyKind.allCases {
            XCTAssertNil(VoltCLI.relaunchRanks(strategy: strategy, devices: 1, underMPI: false), "\(strategy) on 1 device")
            XCTAssertNil(VoltCLI.relaunchRanks(strategy: strategy, devices: 2, underMPI: true), "\(strategy) under mpirun")
        }
        XCTAssertNil(VoltCLI.relaunchRanks(strategy: .single, devices: 2, underMPI: false))
    }

    func testAConfigurationWithOneDeviceReturnsWithoutLaunching() throws {
        var trainer = TrainerConfiguration()
        trainer.strategy = .ddp
        trainer.devices = 1
        try VoltCLI.relaunchIfNeeded(for: trainer)  // would exit the test process if it launched
        trainer.devices = 2
        trainer.strategy = .single
        try VoltCLI.relaunchIfNeeded(for: trainer)
    }
}
