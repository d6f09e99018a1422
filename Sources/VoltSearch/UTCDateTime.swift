import Foundation

/// Naive UTC datetimes as SQLAlchemy stores them in SQLite: `YYYY-MM-DD HH:MM:SS.ffffff` (the fraction optional
/// when read, as in `CURRENT_TIMESTAMP`).
enum UTCDateTime {
    /// `date` with microseconds.
    static func format(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        var whole = time_t(seconds.rounded(.down))
        var micro = Int(((seconds - Double(whole)) * 1_000_000).rounded())
        if micro >= 1_000_000 { whole += 1; micro -= 1_000_000 }
        var t = tm()
        gmtime_r(&whole, &t)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d.%06d", Int(t.tm_year) + 1900, Int(t.tm_mon) + 1, Int(t.tm_mday),
                      Int(t.tm_hour), Int(t.tm_min), Int(t.tm_sec), micro)
    }

    /// The date of `text`, or `nil` when it is not of that form.
    static func parse(_ text: String) -> Date? {
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "T" })
        guard parts.count == 2 else { return nil }
        let day = parts[0].split(separator: "-").compactMap { Int($0) }
        let clock = parts[1].split(separator: ":")
        guard day.count == 3, clock.count == 3, let hour = Int(clock[0]), let minute = Int(clock[1]),
              let second = Double(clock[2]) else { return nil }
        var t = tm()
        t.tm_year = Int32(day[0] - 1900)
        t.tm_mon = Int32(day[1] - 1)
        t.tm_mday = Int32(day[2])
        t.tm_hour = Int32(hour)
        t.tm_min = Int32(minute)
        t.tm_sec = 0
        let whole = timegm(&t)
        guard whole != -1 else { return nil }
        return Date(timeIntervalSince1970: Double(whole) + second)
    }
}
