extension CodonTokenizer {
    /// Index of A, C, G, T (either case) as 0–3; 4 for any other byte.
    private static let baseIndex: [UInt8] = (0..<256).map { c in
        switch UInt8(c) {
        case UInt8(ascii: "A"), UInt8(ascii: "a"): 0
        case UInt8(ascii: "C"), UInt8(ascii: "c"): 1
        case UInt8(ascii: "G"), UInt8(ascii: "g"): 2
        case UInt8(ascii: "T"), UInt8(ascii: "t"): 3
        default: 4
        }
    }

    /// The token id of each of the 64 codons, indexed by 16·first + 4·second + third (A=0, C=1, G=2, T=3).
    private static let codonIDs: [UInt8] = (0..<64).map { i in
        let letters = Array("ACGT")
        let codon = String([letters[i / 16], letters[(i / 4) % 4], letters[i % 4]])
        return UInt8(CodonTokenizer().id(for: codon))
    }

    /// Token ids of an ASCII DNA sequence, appended to `output`, at most `limit` of them; returns how many.
    ///
    /// The same ids as ``encode(_:)`` for ASCII text (FASTA sequences are ASCII): a codon of A/C/G/T is one table
    /// lookup, and any other 3-mer (ambiguity codes, gaps, a short last piece) goes through the general rules.
    @discardableResult
    public func encode(ascii sequence: UnsafeBufferPointer<UInt8>, into output: inout [UInt8], limit: Int = .max) -> Int {
        let before = output.count
        Self.baseIndex.withUnsafeBufferPointer { base in
            Self.codonIDs.withUnsafeBufferPointer { codons in
                var start = 0
                while start < sequence.count, output.count - before < limit {
                    if start + 3 <= sequence.count {
                        let a = base[Int(sequence[start])], b = base[Int(sequence[start + 1])], c = base[Int(sequence[start + 2])]
                        if (a | b | c) < 4 {
                            output.append(codons[Int(a) << 4 | Int(b) << 2 | Int(c)])
                            start += 3
                            continue
                        }
                    }
                    let end = Swift.min(start + 3, sequence.count)
                    let upper = sequence[start..<end].map { $0 >= 97 && $0 <= 122 ? $0 - 32 : $0 }
                    for piece in Self.pretokenize(upper[...]) where output.count - before < limit {
                        output.append(UInt8(id(for: String(decoding: piece, as: UTF8.self))))
                    }
                    start = end
                }
            }
        }
        return output.count - before
    }
}
