import CSVReading
import ParkImpactModel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif



/// Fixed-layout date and time parsing straight from field bytes (no `DateFormatter` per row).
package enum TimeParsing {
    /// `dd-MM-yyyy`, `dd/MM/yyyy`, `dd.MM.yyyy` or `yyyy-MM-dd` → local day number.
    @inline(__always)
    package static func day(_ bytes: UnsafeRawBufferPointer) -> Int? {
        let field = trimmed(bytes)
        guard field.count == 10 else { return nil }
        let year: Int, month: Int, day: Int
        if field[4] == UInt8(ascii: "-"), field[7] == UInt8(ascii: "-") {
            guard let y = FieldParsing.digits(field, 0, 4), let m = FieldParsing.digits(field, 5, 2),
                  let d = FieldParsing.digits(field, 8, 2) else { return nil }
            (year, month, day) = (y, m, d)
        } else {
            let separator = field[2]
            guard separator == UInt8(ascii: "-") || separator == UInt8(ascii: "/") || separator == UInt8(ascii: "."),
                  field[5] == separator,
                  let d = FieldParsing.digits(field, 0, 2), let m = FieldParsing.digits(field, 3, 2),
                  let y = FieldParsing.digits(field, 6, 4) else { return nil }
            (year, month, day) = (y, m, d)
        }
        guard month >= 1, month <= 12, day >= 1, day <= CivilDate.daysIn(month: month, year: year) else { return nil }
        return CivilDate.dayNumber(year: year, month: month, day: day)
    }

    /// `HH:mm:ss` or `HH:mm` → seconds after midnight (24:00 allowed as an interval end).
    @inline(__always)
    package static func timeOfDay(_ bytes: UnsafeRawBufferPointer) -> Int? {
        let field = trimmed(bytes)
        guard field.count == 5 || field.count == 8, field[2] == UInt8(ascii: ":"),
              let hours = FieldParsing.digits(field, 0, 2), let minutes = FieldParsing.digits(field, 3, 2),
              minutes < 60 else { return nil }
        var seconds = 0
        if field.count == 8 {
            guard field[5] == UInt8(ascii: ":"), let s = FieldParsing.digits(field, 6, 2), s < 60 else { return nil }
            seconds = s
        }
        guard hours < 24 || (hours == 24 && minutes == 0 && seconds == 0) else { return nil }
        return hours * 3600 + minutes * 60 + seconds
    }

    /// A day-first date as a spreadsheet re-saves it: `1/03/2023`, `01/3/2023`, `1-3-2023`, `1.03.2023` (day and month
    /// of one or two digits, a four-digit year; `-`, `/` or `.`), besides everything ``day(_:)`` reads. For exports
    /// whose dates are day first by definition (Fluvius), never for guessing an order.
    @inline(__always)
    package static func dayFirstUnpadded(_ bytes: UnsafeRawBufferPointer) -> Int? {
        let field = trimmed(bytes)
        if field.count == 10, let day = day(field) { return day }
        guard field.count >= 8, field.count <= 10 else { return nil }
        var index = 0
        func number(maxDigits: Int) -> Int? {
            var value = 0, digits = 0
            while index < field.count, digits < maxDigits, field[index] &- 0x30 < 10 {
                value = value * 10 + Int(field[index] &- 0x30)
                index += 1
                digits += 1
            }
            return digits == 0 ? nil : value
        }
        guard let d = number(maxDigits: 2), index < field.count else { return nil }
        let separator = field[index]
        guard separator == UInt8(ascii: "-") || separator == UInt8(ascii: "/") || separator == UInt8(ascii: ".") else {
            return nil
        }
        index += 1
        guard let m = number(maxDigits: 2), index < field.count, field[index] == separator else { return nil }
        index += 1
        let yearStart = index
        guard let y = number(maxDigits: 4), index == field.count, index - yearStart == 4 else { return nil }
        guard m >= 1, m <= 12, d >= 1, d <= CivilDate.daysIn(month: m, year: y) else { return nil }
        return CivilDate.dayNumber(year: y, month: m, day: d)
    }

    /// A time of day with a one-digit hour as a spreadsheet writes it (`0:00:00`, `9:15`), besides everything
    /// ``timeOfDay(_:)`` reads.
    @inline(__always)
    package static func timeOfDayUnpadded(_ bytes: UnsafeRawBufferPointer) -> Int? {
        let field = trimmed(bytes)
        if let seconds = timeOfDay(field) { return seconds }
        guard field.count == 4 || field.count == 7, field[1] == UInt8(ascii: ":"),
              let hours = FieldParsing.digits(field, 0, 1), let minutes = FieldParsing.digits(field, 2, 2),
              minutes < 60 else { return nil }
        var seconds = 0
        if field.count == 7 {
            guard field[4] == UInt8(ascii: ":"), let s = FieldParsing.digits(field, 5, 2), s < 60 else { return nil }
            seconds = s
        }
        return hours * 3600 + minutes * 60 + seconds
    }

    /// ISO 8601 with offset or `Z`: `2024-03-31T01:45:00+01:00`, `2024-03-31 01:45Z`, ... → UTC seconds.
    package static func isoInstant(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        isoInstant(bytes, day: { day($0) })
    }

    /// ``isoInstant(_:)`` with the day numbers of dates remembered in `days` (rows share their date).
    @inline(__always)
    package static func isoInstant(_ bytes: UnsafeRawBufferPointer, days: inout DayCache) -> Int64? {
        isoInstant(bytes, day: { days.day($0) })
    }

    @inline(__always)
    private static func isoInstant(
        _ bytes: UnsafeRawBufferPointer, day: (UnsafeRawBufferPointer) -> Int?
    ) -> Int64? {
        let field = trimmed(bytes)
        guard field.count >= 16, let day = day(UnsafeRawBufferPointer(rebasing: field[0..<10])),
              field[10] == UInt8(ascii: "T") || field[10] == UInt8(ascii: " ") else { return nil }
        var index = 16
        guard field[13] == UInt8(ascii: ":"), let hours = FieldParsing.digits(field, 11, 2),
              let minutes = FieldParsing.digits(field, 14, 2), hours < 24, minutes < 60 else { return nil }
        var seconds = 0
        if index < field.count, field[index] == UInt8(ascii: ":") {
            guard let s = FieldParsing.digits(field, 17, 2), s < 61 else { return nil }
            seconds = s
            index = 19
            if index < field.count, field[index] == UInt8(ascii: ".") {  // fractional seconds: ignored
                index += 1
                while index < field.count, field[index] &- 0x30 < 10 { index += 1 }
            }
        }
        guard index < field.count else { return nil }  // an offset is required
        var offset = 0
        if field[index] == UInt8(ascii: "Z") || field[index] == UInt8(ascii: "z") {
            guard index + 1 == field.count else { return nil }
        } else {
            let sign = field[index]
            guard sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-"),
                  let offsetHours = FieldParsing.digits(field, index + 1, 2) else { return nil }
            var offsetMinutes = 0
            if field.count == index + 6, field[index + 3] == UInt8(ascii: ":") {
                guard let m = FieldParsing.digits(field, index + 4, 2) else { return nil }
                offsetMinutes = m
            } else if field.count == index + 5 {
                guard let m = FieldParsing.digits(field, index + 3, 2) else { return nil }
                offsetMinutes = m
            } else if field.count != index + 3 {
                return nil
            }
            offset = (offsetHours * 3600 + offsetMinutes * 60) * (sign == UInt8(ascii: "-") ? -1 : 1)
        }
        return Int64(day) * 86_400 + Int64(hours * 3600 + minutes * 60 + seconds) - Int64(offset)
    }

    @inline(__always)
    package static func trimmed(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var start = 0, end = bytes.count
        while start < end, bytes[start] == 0x20 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 { end -= 1 }
        return UnsafeRawBufferPointer(rebasing: bytes[start..<end])
    }
}

/// The day number of the last date field parsed (``TimeParsing/day(_:)``), by its ten bytes: consecutive rows share
/// their date, so most rows compare two words instead of parsing.
package struct DayCache {
    private var head: UInt64 = 0
    private var tail: UInt16 = 0
    private var dayNumber = 0
    private var valid = false

    @inline(__always)
    package mutating func day(_ bytes: UnsafeRawBufferPointer) -> Int? {
        guard bytes.count == 10, let base = bytes.baseAddress else { return TimeParsing.day(bytes) }
        let head = base.loadUnaligned(as: UInt64.self)
        let tail = base.loadUnaligned(fromByteOffset: 8, as: UInt16.self)
        if valid, head == self.head, tail == self.tail { return dayNumber }
        guard let parsed = TimeParsing.day(bytes) else { return nil }
        (self.head, self.tail, dayNumber, valid) = (head, tail, parsed, true)
        return parsed
    }
}

/// Remembers byte strings already seen (registers, statuses, units, EANs, meter names), so the hot path compares
/// bytes with the values a file uses instead of creating a `String` per field.
///
/// A memo: callers insert a key only after a `lookup` with the same `where` missed it, so at most one entry matches a
/// lookup and the order in which entries are tried does not matter. The keys live back to back in one arena; the
/// entry inserted last is tried first. Up to `linearLimit` entries are compared one by one; beyond that a hash
/// index finds them, so a file whose rows cycle through hundreds of meters (a time-ordered export: every EAN at
/// 00:00, then at 00:15) costs one hash per row, not a scan. Past `capacity` entries the memo starts over, which
/// bounds its memory.
struct ByteKeyCache<Value> {
    private var arena: [UInt8] = []
    /// Start of each key in `arena`; its length in `lengths`, its hash (`ByteInterner.hash`) in `hashes`.
    private var starts: [Int] = []
    private var lengths: [Int] = []
    private var hashes: [UInt64] = []
    private var values: [Value] = []
    /// The entry inserted last: tried first.
    private var lastHit = 0
    /// Entry index + 1 per bucket, 0 = empty; empty while there are at most `linearLimit` entries. A power of two
    /// kept under 50 % load.
    private var buckets: [Int32] = []

    static var capacity: Int { 1 << 16 }
    static var linearLimit: Int { 8 }

    @inline(__always)
    package func lookup(_ bytes: UnsafeRawBufferPointer) -> Value? {
        lookup(bytes, where: { _ in true })
    }

    /// The value of the first entry with these bytes that `accepts`, nil when there is none.
    @inline(__always)
    func lookup(_ bytes: UnsafeRawBufferPointer, where accepts: (Value) -> Bool) -> Value? {
        if let index = index(of: bytes, accepts) { return values[index] }
        return nil
    }

    @inline(__always)
    private func index(of bytes: UnsafeRawBufferPointer, _ accepts: (Value) -> Bool) -> Int? {
        let count = bytes.count
        return arena.withUnsafeBytes { stored -> Int? in
            @inline(__always) func matches(_ index: Int) -> Bool {
                lengths[index] == count
                    && Bytes.equal(stored.baseAddress! + starts[index], bytes.baseAddress, count)
                    && accepts(values[index])
            }
            if lastHit < values.count, matches(lastHit) { return lastHit }
            if buckets.isEmpty {
                for index in 0..<values.count where index != lastHit && matches(index) { return index }
                return nil
            }
            let hash = ByteInterner<Value>.hash(bytes)
            let mask = buckets.count - 1
            var bucket = Int(truncatingIfNeeded: hash) & mask
            while true {
                let index = Int(buckets[bucket]) - 1
                if index < 0 { return nil }
                if hashes[index] == hash, matches(index) { return index }
                bucket = (bucket + 1) & mask
            }
        }
    }

    /// Forgets every entry.
    mutating func removeAll() {
        arena.removeAll(keepingCapacity: true)
        starts.removeAll(keepingCapacity: true)
        lengths.removeAll(keepingCapacity: true)
        hashes.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        buckets.removeAll()
    }

    /// Whether the next `insert` starts the memo over (`capacity`).
    var isFull: Bool { values.count >= Self.capacity }

    package mutating func insert(_ bytes: UnsafeRawBufferPointer, _ value: Value) {
        if isFull { removeAll() }  // a file with very many distinct values: start over, keep the memo small
        starts.append(arena.count)
        lengths.append(bytes.count)
        hashes.append(ByteInterner<Value>.hash(bytes))
        arena.append(contentsOf: bytes)
        values.append(value)
        lastHit = values.count - 1
        if values.count > Self.linearLimit {
            if values.count * 2 > buckets.count {
                buckets = [Int32](repeating: 0, count: max(32, buckets.count * 2))
                for entry in values.indices { place(entry) }
            } else {
                place(values.count - 1)
            }
        }
    }

    private mutating func place(_ entry: Int) {
        let mask = buckets.count - 1
        var bucket = Int(truncatingIfNeeded: hashes[entry]) & mask
        while buckets[bucket] != 0 { bucket = (bucket + 1) & mask }
        buckets[bucket] = Int32(entry + 1)
    }
}

/// Byte strings → values by hash (series keys of a file with thousands of meters): no `String` or `Array` per
/// lookup, unlike `ByteKeyCache` not limited to a few values. Open addressing; entries are numbered in the order
/// they were inserted.
struct ByteInterner<Value> {
    private var arena: [UInt8] = []
    private var offsets: [Int] = []
    private var hashes: [UInt64] = []
    private var values: [Value] = []
    /// Per entry, the lengths of its three NUL-separated fields (`packedLengths`), `UInt64.max` for a key that is not
    /// three such fields.
    private var fieldLengths: [UInt64] = []
    /// Entry index + 1 per bucket, 0 = empty; the bucket count is a power of two kept under 50 % load.
    private var buckets = [Int32](repeating: 0, count: 64)

    /// Three field lengths in one word (21 bits each); a field of 2 MiB or more gives a value no entry has.
    @inline(__always)
    static func packedLengths(_ first: Int, _ second: Int, _ third: Int) -> UInt64 {
        guard first < 1 << 21, second < 1 << 21, third < 1 << 21 else { return UInt64.max - 1 }
        return UInt64(first) | UInt64(second) << 21 | UInt64(third) << 42
    }

    /// Eight bytes at a time (a key of 40 bytes takes 5 multiplications, not 40), then mixed (MurmurHash3's
    /// finaliser) so that the low bits that pick the bucket depend on every byte.
    @inline(__always)
    package static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let count = bytes.count
        var hash: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: count)
        guard let base = bytes.baseAddress else { return hash }
        var offset = 0
        while offset + 8 <= count {
            hash = (hash ^ base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
            hash ^= hash >> 32
            offset += 8
        }
        if offset < count {
            var tail: UInt64 = 0
            for index in offset..<count {
                tail |= UInt64(base.load(fromByteOffset: index, as: UInt8.self)) << UInt64((index - offset) * 8)
            }
            hash = (hash ^ tail) &* 0xFF51_AFD7_ED55_8CCD
        }
        hash ^= hash >> 33
        hash &*= 0xC4CE_B9FE_1A85_EC53
        hash ^= hash >> 33
        return hash
    }

    /// The entry of these bytes, or nil.
    @inline(__always)
    func find(_ bytes: UnsafeRawBufferPointer, hash: UInt64) -> Int? {
        let mask = buckets.count - 1
        var bucket = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = Int(buckets[bucket]) - 1
            if entry < 0 { return nil }
            if hashes[entry] == hash, offsets[entry + 1] - offsets[entry] == bytes.count {
                let equal = arena.withUnsafeBytes { stored in
                    Bytes.equal(stored.baseAddress! + offsets[entry], bytes.baseAddress, bytes.count)
                }
                if equal { return entry }
            }
            bucket = (bucket + 1) & mask
        }
    }

    @inline(__always)
    func lookup(_ bytes: UnsafeRawBufferPointer, hash: UInt64) -> Value? {
        find(bytes, hash: hash).map { values[$0] }
    }

    @inline(__always)
    func value(at entry: Int) -> Value { values[entry] }

    /// True when `entry` holds the three fields joined with NUL bytes (as `JoinedKey` builds them). With equal field
    /// lengths the entry's two NULs are where the joined fields have theirs, so comparing the fields is enough.
    @inline(__always)
    func matches(entry: Int, _ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer,
                 _ third: UnsafeRawBufferPointer) -> Bool {
        guard fieldLengths[entry] == Self.packedLengths(first.count, second.count, third.count) else { return false }
        return arena.withUnsafeBytes { stored in
            let base = stored.baseAddress.unsafelyUnwrapped + offsets[entry]
            // The middle field (the series name) first: it is the one that differs between neighbouring rows.
            return Bytes.equal(base + first.count + 1, second.baseAddress, second.count)
                && Bytes.equal(base, first.baseAddress, first.count)
                && Bytes.equal(base + first.count + second.count + 2, third.baseAddress, third.count)
        }
    }

    /// Adds bytes that are not in yet; returns their entry.
    @discardableResult
    mutating func insert(_ bytes: UnsafeRawBufferPointer, hash: UInt64, _ value: Value) -> Int {
        if offsets.isEmpty { offsets.append(0) }
        arena.append(contentsOf: bytes)
        offsets.append(arena.count)
        hashes.append(hash)
        values.append(value)
        let separators = bytes.indices.filter { bytes[$0] == 0 }
        fieldLengths.append(separators.count == 2
            ? Self.packedLengths(separators[0], separators[1] - separators[0] - 1, bytes.count - separators[1] - 1)
            : UInt64.max)
        if values.count * 2 > buckets.count {
            buckets = [Int32](repeating: 0, count: buckets.count * 2)
            for entry in values.indices { place(entry) }
        } else {
            place(values.count - 1)
        }
        return values.count - 1
    }

    private mutating func place(_ entry: Int) {
        let mask = buckets.count - 1
        var bucket = Int(truncatingIfNeeded: hashes[entry]) & mask
        while buckets[bucket] != 0 { bucket = (bucket + 1) & mask }
        buckets[bucket] = Int32(entry + 1)
    }
}

/// Comparing short byte strings (field values, keys of a few dozen bytes) inline: a `memcmp` call costs more than
/// the comparison itself at these lengths.
enum Bytes {
    /// True when the `count` bytes at `a` and `b` are equal (`b` may be nil when `count` is 0).
    @inline(__always)
    static func equal(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer?, _ count: Int) -> Bool {
        guard count > 0 else { return true }
        let b = b.unsafelyUnwrapped
        if count < 8 {
            for offset in 0..<count where a.load(fromByteOffset: offset, as: UInt8.self)
                != b.load(fromByteOffset: offset, as: UInt8.self) { return false }
            return true
        }
        var offset = 0
        while offset + 8 <= count {
            if a.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                != b.loadUnaligned(fromByteOffset: offset, as: UInt64.self) { return false }
            offset += 8
        }
        // The last 8 bytes (overlapping what was compared) cover the tail.
        return offset == count || a.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
            == b.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
    }
}

/// A key made of three fields joined with NUL bytes (site, series, quantity), built when a row's series is looked up
/// in a `ByteInterner` (its buffer is reused from row to row).
struct JoinedKey {
    private var bytes: [UInt8] = []

    /// Makes the key of these three fields.
    package mutating func set(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer, _ third: UnsafeRawBufferPointer) {
        bytes.removeAll(keepingCapacity: true)
        bytes.append(contentsOf: first)
        bytes.append(0)
        bytes.append(contentsOf: second)
        bytes.append(0)
        bytes.append(contentsOf: third)
    }

    /// Calls `body` with the key's bytes.
    package func withBytes<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        bytes.withUnsafeBytes(body)
    }
}
