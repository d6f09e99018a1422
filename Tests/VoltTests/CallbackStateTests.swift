import Foundation
import Volt
import XCTest

/// The callbacks' checkpoint state: JSON with sorted keys, infinities and NaN as strings, as Lightning writes them.
final class CallbackStateTests: XCTestCase {
    func testEarlyStoppingKeepsAnInfiniteBestScore() throws {
        let fresh = EarlyStopping(monitor: "val_loss", patience: 5)
        let state = try fresh.state()
        XCTAssertEqual(state, #"{"best_score":"inf","patience":5,"wait_count":0}"#)
        let restored = EarlyStopping(monitor: "val_loss", mode: .max)
        try restored.load(state: state)
        XCTAssertEqual(restored.bestScore, .infinity)
        try restored.load(state: #"{"best_score":"-inf","patience":5,"wait_count":2,"stopped_epoch":3}"#)
        XCTAssertEqual(restored.bestScore, -.infinity)
        XCTAssertEqual(restored.waitCount, 2)
        XCTAssertEqual(restored.stoppedEpoch, 3)
        XCTAssertThrowsError(try restored.load(state: #"{"best_score":"infinite","patience":5,"wait_count":0}"#))
    }

    func testModelCheckpointKeepsInfiniteAndNaNScores() throws {
        let checkpoint = ModelCheckpoint(dirpath: "ckpts", monitor: "val_loss")
        let state = #"{"best_k_models":{"ckpts-a.ckpt":"nan","ckpts-b.ckpt":"-inf"},"best_model_path":"ckpts-b.ckpt","best_model_score":"-inf","dirpath":"ckpts","kth_best_model_path":"ckpts-a.ckpt","last_model_path":"","monitor":"val_loss"}"#
        try checkpoint.load(state: state)
        XCTAssertEqual(checkpoint.bestModelScore, -.infinity)
        XCTAssertEqual(checkpoint.bestKModels["ckpts-b.ckpt"], -.infinity)
        XCTAssertTrue(checkpoint.bestKModels["ckpts-a.ckpt"]?.isNaN ?? false)
        XCTAssertEqual(try checkpoint.state(), state, "written back the same, keys sorted")
    }
}
