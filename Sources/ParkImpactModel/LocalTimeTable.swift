import Foundation
import Synchronization

/// Converts local wall-clock times of one time zone to UTC instants and back, without `Calendar` on the hot path.
///
/// Built once per zone from Foundation's transition list (1970–2100). A local time resolves to one instant, to two
/// (the repeated hour of an autumn clock change: first pass on the earlier offset) or to none (the spring gap).
public final class LocalTimeTable: Sendable {
    public let identifier: String
    /// UTC start (seconds since 1970) of each segment with a constant offset; the first starts at `Int64.min`.
    private let starts: [Int64]
    private let offsets: [Int64]

    public enum Resolution: Equatable, Sendable {
        case unique(Int64)
        /// The local time occurs twice: `first` on the earlier (summer) offset, `second` after falling back.
        case ambiguous(first: Int64, second: Int64)
        /// The local time does not exist (clocks jumped over it).
        case gap
    }

    /// nil when the identifier is not a known IANA time zone.
    public init?(identifier: String) {
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        self.identifier = identifier
        var starts: [Int64] = [Int64.min]
        var offsets: [Int64] = [Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: 0)))]
        var cursor = Date(timeIntervalSince1970: 0)
        let end = Date(timeIntervalSince1970: 4_102_444_800)  // 2100-01-01
        while let next = zone.nextDaylightSavingTimeTransition(after: cursor), next < end {
            let offset = Int64(zone.secondsFromGMT(for: next))
            if offset != offsets.last {
                starts.append(Int64(next.timeIntervalSince1970.rounded()))
                offsets.append(offset)
            }
            cursor = next
        }
        self.starts = starts
        self.offsets = offsets
    }

    /// Index of the segment containing the UTC instant.
    @inline(__always)
    private func segment(containingUTC instant: Int64) -> Int {
        var low = 0, high = starts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if starts[mid] <= instant { low = mid } else { high = mid - 1 }
        }
        return low
    }

    /// A stretch of time with one UTC offset: `start..<end` in UTC seconds.
    public struct Segment: Sendable, Equatable {
        public let start: Int64
        public let end: Int64
        public let offset: Int64

        package init(start: Int64, end: Int64, offset: Int64) {
            self.start = start
            self.end = end
            self.offset = offset
        }
    }

    /// The stretch with a constant offset that contains the UTC instant (callers cache it: the offset changes
    /// twice a year, so a reader looks it up again only when an instant falls outside the cached stretch).
    public func offsetSegment(containingUTC instant: Int64) -> Segment {
        let index = segment(containingUTC: instant)
        return Segment(start: starts[index], end: index + 1 < starts.count ? starts[index + 1] : Int64.max,
                       offset: offsets[index])
    }

    /// The UTC offset in seconds at an instant.
    public func offset(atUTC instant: Int64) -> Int64 { offsets[segment(containingUTC: instant)] }

    /// Local seconds since 1970 (wall clock read as if it were UTC) → the instant(s) it denotes.
    public func resolve(localSeconds local: Int64) -> Resolution {
        // The instant if the offset in force were that of segment i: local - offsets[i]. A segment matches when
        // that instant lies inside it. At most two segments match (autumn), possibly none (spring).
        let guess = segment(containingUTC: local - offsets[segment(containingUTC: local)])
        // No array on this hot path: at most two matches, kept in two variables.
        var first: Int64?, second: Int64?
        for index in max(0, guess - 1)...min(starts.count - 1, guess + 1) {
            let instant = local - offsets[index]
            let segmentEnd = index + 1 < starts.count ? starts[index + 1] : Int64.max
            guard instant >= starts[index], instant < segmentEnd else { continue }
            if first == nil { first = instant } else { second = instant }
        }
        guard let first else { return .gap }
        guard let second else { return .unique(first) }
        return .ambiguous(first: min(first, second), second: max(first, second))
    }

    /// The local day number (days since 1970-01-01) of a UTC instant.
    @inline(__always)
    public func localDay(ofUTC instant: Int64) -> Int {
        let local = instant + offset(atUTC: instant)
        return Int(local >= 0 ? local / 86_400 : (local - 86_399) / 86_400)
    }

    /// The UTC instant at which a local day starts (00:00 local; the first instant of that day).
    public func startOfDay(_ dayNumber: Int) -> Int64 {
        switch resolve(localSeconds: Int64(dayNumber) * 86_400) {
        case .unique(let instant): return instant
        case .ambiguous(let first, _): return first
        case .gap:
            // Midnight skipped (zones that change at 00:00): the day starts at the first instant after the gap.
            var local = Int64(dayNumber) * 86_400
            while true {
                local += 60
                if case .unique(let instant) = resolve(localSeconds: local) { return instant - 60 }
            }
        }
    }

    /// Seconds in a local day: 86,400 except on clock-change days (82,800 / 90,000 in Europe).
    public func secondsIn(day dayNumber: Int) -> Int64 { startOfDay(dayNumber + 1) - startOfDay(dayNumber) }
}

extension LocalTimeTable {
    private static let cache = Mutex<[String: LocalTimeTable?]>([:])

    /// One table per zone per process (building one walks 130 years of transitions).
    public static func cached(_ identifier: String) -> LocalTimeTable? {
        cache.withLock { tables in
            if let table = tables[identifier] { return table }
            let table = LocalTimeTable(identifier: identifier)
            tables[identifier] = table
            return table
        }
    }
}
