import XCTest
import GenSLM
import VoltTensor

final class SequenceDatasetTests: XCTestCase {
    func testDynamicPaddingMasksPadsAndFixedPaddingMatchesGenSLM() {
        let sequences = ["ATGGCC", "ATGGCCGGCTAG", "ATG"]
        let dynamic = SequenceDataset(sequences, maxLength: 3)
        XCTAssertEqual(dynamic.sequences.map(\.ids.count), [2, 3, 1], "truncated to maxLength codons")
        let batch = dynamic.collate(dynamic.sequences)
        XCTAssertEqual(batch.inputIds.shape, [3, 3], "padded to the longest in the batch")
        XCTAssertEqual(batch.attentionMask.scalars, [1, 1, 0, 1, 1, 1, 1, 0, 0])
        let labels = batch.labels.indices
        XCTAssertEqual(labels[2], TokenBatch.ignoreIndex)
        XCTAssertEqual(batch.inputIds.indices[2], CodonTokenizer.padID)
        XCTAssertEqual(batch.tokenCount, 6)

        let fixed = SequenceDataset(sequences, maxLength: 5, padding: .fixed, countPadInLoss: true)
        let genslm = fixed.collate([fixed.sequences[2]])
        XCTAssertEqual(genslm.inputIds.shape, [1, 5])
        XCTAssertEqual(genslm.labels.indices, genslm.inputIds.indices, "GenSLM: labels = input_ids, pads included")
    }
}
