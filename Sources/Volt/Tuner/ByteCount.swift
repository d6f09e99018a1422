import Foundation

/// Byte sizes as people write them (`16GiB`, `800MB`, `1.5G`) and as the tuner prints them.
public enum ByteCount {
    /// The bytes `text` names: a number followed by an optional unit. `KiB`/`MiB`/`GiB`/`TiB` and the bare letters
    /// `K`/`M`/`G`/`T` are powers of 1024; `KB`/`MB`/`GB`/`TB` powers of 1000; `B` or nothing is bytes.
    /// Units are case-insensitive.
    ///
    /// - Throws: ``TunerError/invalidArgument(_:)`` for anything else, or a size that is not positive.
    public static func parse(_ text: String) throws(TunerError) -> Int {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let numberPart = trimmed.prefix { $0.isNumber || $0 == "." }
        let unit = trimmed.dropFirst(numberPart.count).trimmingCharacters(in: .whitespaces).lowercased()
        let multipliers: [String: Double] = [
            "": 1, "b": 1, "k": 0x1p10, "kib": 0x1p10, "kb": 1e3, "m": 0x1p20, "mib": 0x1p20, "mb": 1e6,
            "g": 0x1p30, "gib": 0x1p30, "gb": 1e9, "t": 0x1p40, "tib": 0x1p40, "tb": 1e12,
        ]
        guard let value = Double(numberPart), let multiplier = multipliers[unit], value > 0,
              value * multiplier < Double(Int.max) else {
            throw .invalidArgument("\"\(text)\" is not a memory size such as 16GiB, 800MB or 1073741824")
        }
        return Int(value * multiplier)
    }

    /// `bytes` in the largest binary unit that keeps the number at least 1, e.g. `1.50 GiB`.
    public static func format(_ bytes: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes), index = 0
        while abs(value) >= 1024 && index < units.count - 1 { value /= 1024; index += 1 }
        return index == 0 ? "\(bytes) B" : String(format: "%.2f", value) + " " + units[index]
    }

    /// The machine's memory: `MemTotal` of `/proc/meminfo`, or what the operating system reports elsewhere.
    public static func physicalMemory() -> Int {
        if let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
           let line = text.split(separator: "\n").first(where: { $0.hasPrefix("MemTotal:") }),
           let kib = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) {
            return kib * 1024
        }
        return Int(ProcessInfo.processInfo.physicalMemory)
    }
}
