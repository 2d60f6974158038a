import ParkImpactModel
import ParkImpactDefinition

/// The interval starts one series has had in a file, with the line of each, as runs of equally spaced starts at
/// equally spaced lines: a series read in time order (oldest or newest first, by meter or by time) is a few runs
/// (one per gap or change of step), so memory does not grow with its rows. Runs are kept sorted by their lowest start
/// with disjoint ranges, so any order of rows is handled exactly: a start is looked up by binary search (after a
/// constant-time check of the run the previous start went into). Rows in no order move into a grid of bits, which
/// keeps no lines: a start seen there has the line `unknownLine`.
struct SeenStarts: Sendable, Equatable {
    /// The line of a start whose line is not kept (on the grid, or moved back from it); never a real line.
    static let unknownLine: Int64 = -1

    struct Run: Sendable, Equatable {
        /// The lowest start.
        var first: Int64
        /// Distance between consecutive starts (0 while `count` is 1).
        var step: Int64
        var count: Int64
        /// Line of `first`; the start `first + k × step` was at line `firstLine + k × lineStep`.
        var firstLine: Int64
        var lineStep: Int64

        var last: Int64 { first + step * (count - 1) }
        var lastLine: Int64 { firstLine + lineStep * (count - 1) }

        static func single(_ start: Int64, line: Int64) -> Run {
            Run(first: start, step: 0, count: 1, firstLine: line, lineStep: 0)
        }

        /// The line of `start` when it is one of this run's starts.
        func line(of start: Int64) -> Int64? {
            guard start >= first, start <= last else { return nil }
            if start == first { return firstLine }
            guard step > 0, (start - first) % step == 0 else { return nil }
            return firstLine + lineStep * ((start - first) / step)
        }
    }

    private(set) var runs: [Run] = []
    /// Index of the run the previous start went into.
    private var hint = 0
    /// Rows out of time order (an export sorted by its value column) leave a run per start or two: 40 bytes each,
    /// found by binary search, inserted by moving the runs after them. Past `nextGridTry` runs, the starts move into a
    /// grid of bits when they lie on one not much wider than they are many (`StartGrid`): a bit a slot, found and set
    /// by an index. `runs` is then empty.
    /// The grid; `StartGrid.none` (step 0) while the starts are runs. Not optional: an optional struct's array is
    /// retained (and copied before a write) where the optimiser does not see that a use is in place.
    private var slots = StartGrid.none
    private var onGrid: Bool { slots.step > 0 }
    var grid: StartGrid? { onGrid ? slots : nil }
    private var nextGridTry = 64

    var isEmpty: Bool { onGrid ? slots.count == 0 : runs.isEmpty }
    var lowest: Int64? { onGrid ? (slots.count > 0 ? slots.lowest : nil) : runs.first?.first }
    var highest: Int64? { onGrid ? (slots.count > 0 ? slots.highest : nil) : runs.last?.last }

    /// Records `start`, seen at `line`; when it was seen before, records nothing and returns the earlier line
    /// (`unknownLine` when not kept).
    @inline(__always)
    mutating func insert(_ start: Int64, line: Int64) -> Int64? {
        if onGrid {
            switch slots.insert(start) {
            case .inserted: return nil
            case .seen: return Self.unknownLine
            case .refused: leaveGrid()
            }
        }
        let earlier = insertInRuns(start, line: line)
        if earlier == nil, runs.count > nextGridTry { moveIntoGrid() }
        return earlier
    }

    @inline(__always)
    private mutating func insertInRuns(_ start: Int64, line: Int64) -> Int64? {
        guard !runs.isEmpty else {
            runs.append(.single(start, line: line))
            hint = 0
            return nil
        }
        // The run at or below `start` whose successor lies above it (-1: below every run).
        var index = hint
        if !(runs[index].first <= start && (index + 1 == runs.count || start < runs[index + 1].first)) {
            index = Self.floor(runs, start)
        }
        if index >= 0 {
            let run = runs[index]
            if start <= run.last {
                if let earlier = run.line(of: start) { return earlier }
                // Between two of the run's starts: split it around the new start.
                let below = (start - run.first) / run.step + 1
                var lower = run
                lower.count = below
                var upper = run
                upper.first = run.first + run.step * below
                upper.firstLine = run.firstLine + run.lineStep * below
                upper.count = run.count - below
                runs.replaceSubrange(index...index, with: [lower, .single(start, line: line), upper])
                hint = index + 1
                return nil
            }
            // A run's lines are all kept or all `unknownLine`.
            let known = line >= 0
            if run.count == 1, known == (run.firstLine >= 0) {
                runs[index].step = start - run.first
                runs[index].lineStep = line - run.firstLine
                runs[index].count = 2
                hint = index
                return nil
            }
            if start - run.last == run.step, line - run.lastLine == run.lineStep, known == (run.firstLine >= 0) {
                runs[index].count += 1
                hint = index
                return nil
            }
        }
        let next = index + 1
        if next < runs.count {
            let run = runs[next]
            if (line >= 0) == (run.firstLine >= 0),
               run.count == 1 || (run.first - start == run.step && run.firstLine - line == run.lineStep) {
                runs[next].step = run.first - start
                runs[next].lineStep = run.firstLine - line
                runs[next].first = start
                runs[next].firstLine = line
                runs[next].count += 1
                hint = next
                return nil
            }
        }
        runs.insert(.single(start, line: line), at: next)
        hint = next
        return nil
    }

    /// Adds a run none of whose starts lies within the range of the starts held.
    mutating func insertBeyond(_ run: Run) {
        if onGrid {
            Self.forEach(run) { start, line in
                _ = insert(start, line: line)
                return true
            }
            return
        }
        let index = Self.floor(runs, run.first) + 1
        runs.insert(run, at: index)
        hint = index
        if runs.count > nextGridTry { moveIntoGrid() }
    }

    /// The line at which `start` was seen (`unknownLine` when not kept), if it was.
    func line(of start: Int64) -> Int64? {
        if onGrid { return slots.contains(start) ? Self.unknownLine : nil }
        let index = Self.floor(runs, start)
        return index >= 0 ? runs[index].line(of: start) : nil
    }

    /// Calls `body` with each start of `run` and its line, in order, until it returns false.
    @inline(__always)
    private static func forEach(_ run: Run, _ body: (Int64, Int64) -> Bool) {
        var start = run.first
        var line = run.firstLine
        for _ in 0..<run.count {
            if !body(start, line) { return }
            start += run.step
            line += run.lineStep
        }
    }

    /// Calls `body` with each start held and its line, in increasing order of start, until it returns false.
    func forEachStart(_ body: (Int64, Int64) -> Bool) {
        if onGrid {
            slots.forEach { body($0, Self.unknownLine) }
            return
        }
        var going = true
        for run in runs where going {
            Self.forEach(run) { start, line in
                going = body(start, line)
                return going
            }
        }
    }

    /// The starts into the grid, when they lie on one (the greatest common divisor of their distances) of at most
    /// `StartGrid.slotLimit` slots: 8 a run (a byte, where a run takes 40), or 4,096 (512 bytes) for fewer runs: a
    /// series of rows in no order leaves its binary-searched runs after 64 of them. Runs of many starts each (rows in
    /// time order, cut into many parts) stay runs.
    private mutating func moveIntoGrid() {
        nextGridTry = runs.count * 2
        guard let origin = runs.first?.first, let last = runs.last?.last else { return }
        var step: Int64 = 0
        for run in runs {
            step = StartGrid.gcd(step, run.first - origin)
            if run.count > 1 { step = StartGrid.gcd(step, run.step) }
        }
        guard step > 0, case let span = (last - origin) / step + 1, span <= StartGrid.slotLimit(runs.count) else {
            return
        }
        // Room for the starts still to come around them: four times their mean distance on each side (rows in no
        // order fill the span, and a little below and above; growing by doubling for a start just outside would
        // leave half the grid empty).
        let held = runs.reduce(0) { $0 + $1.count }
        let margin = min(4 * span / held, (StartGrid.slotLimit(runs.count) - span) / 2)
        var grid = StartGrid(origin: origin, step: step)
        grid.reserve(-margin ..< span + margin)
        var fits = true
        forEachStart { start, _ in
            if case .inserted = grid.insert(start) { return true }
            fits = false
            return false
        }
        guard fits else { return }
        slots = grid
        runs = []
        hint = 0
    }

    /// Back to runs (a start off the grid, or too far from the others).
    private mutating func leaveGrid() {
        guard onGrid else { return }
        let grid = slots
        slots = .none
        runs = []
        hint = 0
        grid.forEach { start in
            _ = insertInRuns(start, line: Self.unknownLine)
            return true
        }
        nextGridTry = max(64, runs.count * 2)
    }

    /// Index of the last run whose lowest start is at or below `start` (-1 when none).
    private static func floor(_ runs: [Run], _ start: Int64) -> Int {
        var low = 0
        var high = runs.count
        while low < high {
            let middle = (low + high) / 2
            if runs[middle].first <= start { low = middle + 1 } else { high = middle }
        }
        return low - 1
    }

    /// Whether `other` has a start this one has too.
    func intersects(_ other: SeenStarts) -> Bool {
        guard let low = lowest, let high = highest, let otherLow = other.lowest, let otherHigh = other.highest,
              low <= otherHigh, otherLow <= high else { return false }
        var found = false
        other.forEachStart { start, _ in
            if start > high { return false }
            if start >= low, line(of: start) != nil { found = true }
            return !found
        }
        return found
    }

    /// Adds the starts of a later part of the same file (read on its own, `lineOffset` lines further), none of which
    /// this one has (`intersects` is false).
    mutating func absorb(_ later: SeenStarts, lineOffset: Int64) {
        if onGrid || later.onGrid {
            later.forEachStart { start, line in
                _ = insert(start, line: line >= 0 ? line + lineOffset : line)
                return true
            }
            return
        }
        defer { if runs.count > nextGridTry { moveIntoGrid() } }
        for var run in later.runs {
            if run.firstLine >= 0 { run.firstLine += lineOffset }
            let index = Self.floor(runs, run.first) + 1
            if index > 0, index - 1 < runs.count, runs[index - 1].last > run.first {
                // Interleaved with a run of this one: start by start.
                var start = run.first
                var line = run.firstLine
                for _ in 0..<run.count {
                    _ = insertInRuns(start, line: line)
                    start += run.step
                    line += run.lineStep
                }
            } else if index < runs.count, runs[index].first < run.last {
                var start = run.first
                var line = run.firstLine
                for _ in 0..<run.count {
                    _ = insertInRuns(start, line: line)
                    start += run.step
                    line += run.lineStep
                }
            } else {
                runs.insert(run, at: index)
            }
        }
        hint = 0
    }
}

/// Per series in a file aggregator: whether it refuses repeats, its last accepted reading, and the run of starts it is
/// extending beyond every start its `SeenStarts` holds (kept here until the run ends, so that a row in time order
/// reads and writes one flat value).
struct RepeatTrack: Sendable {
    let refuses: Bool
    var last = AcceptedReading(start: Int64.min, value: 0, quality: .missing, line: 0)
    /// The open run: `runCount` starts from `last.start` back by `step` (negative for newest first), lines back by
    /// `lineStep`; `step` is known from 2 starts on. All above `high` (`above`) or all below `low`.
    var runCount: Int64 = 0
    var step: Int64 = 0
    var lineStep: Int64 = 0
    var above = false
    /// Lowest and highest start the series' `SeenStarts` holds (max and min when it holds none).
    var low = Int64.max
    var high = Int64.min

    init(refuses: Bool) {
        self.refuses = refuses
    }

    /// True (and the reading taken) when the series does not refuse repeats or the reading's start is the next of
    /// the open run (beyond every other start seen: new); false when `FileAggregator` must look further.
    @inline(__always)
    mutating func admitsInRun(_ reading: AcceptedReading) -> Bool {
        guard refuses else { return true }
        guard runCount > 1, reading.start == last.start + step, reading.line == last.line + lineStep,
              above ? reading.start > high : reading.start < low else { return false }
        runCount += 1
        last = reading
        return true
    }

    /// Opens a run at `reading`, whose start lies beyond `low`…`high`.
    mutating func open(_ reading: AcceptedReading) {
        above = reading.start > high
        runCount = 1
        step = 0
        lineStep = 0
        last = reading
    }

    /// Moves the open run into `starts`.
    mutating func flush(into starts: inout SeenStarts) {
        guard runCount > 0 else { return }
        let first = last.start - step * (runCount - 1)
        let firstLine = last.line - lineStep * (runCount - 1)
        let run = step >= 0
            ? SeenStarts.Run(first: first, step: step, count: runCount, firstLine: firstLine, lineStep: lineStep)
            : SeenStarts.Run(first: last.start, step: -step, count: runCount, firstLine: last.line, lineStep: -lineStep)
        starts.insertBeyond(run)
        runCount = 0
        bound(by: starts)
    }

    mutating func bound(by starts: SeenStarts) {
        low = starts.lowest ?? Int64.max
        high = starts.highest ?? Int64.min
    }
}

/// Interval starts on a grid `origin + k × step` (`SeenStarts` for rows out of time order): a bit a slot, set when
/// its start was seen. Holds at most `slotLimit` slots (8 per start, at least 4,096), so a grid is never much larger
/// than the runs it replaces (a byte a start, where runs take 40); a start off the grid or beyond that is refused.
///
/// The grid keeps no lines: rows in no order visit the slots at random, and a line per slot (4 bytes) for thousands of
/// series leaves a core's cache, a miss on every row (a fifth of the time of a read), where the bits stay in it (a
/// series of 16 days of quarter-hours: 192 bytes). A repeat of a start on the grid has its earlier line found by the
/// second pass that settles its code (`PendingRepeats`).
struct StartGrid: Sendable, Equatable {
    let origin: Int64
    let step: Int64
    /// Slot (from `origin`, in steps) of bit 0 of `filled[0]`.
    private var base: Int64 = 0
    /// Bit `i % 64` of word `i / 64`: slot `base + i` has a start.
    private var filled: [UInt64] = []
    private(set) var count = 0
    private(set) var lowest = Int64.max
    private(set) var highest = Int64.min

    init(origin: Int64, step: Int64) {
        self.origin = origin
        self.step = step
    }

    /// No grid (`SeenStarts` holding runs).
    static let none = StartGrid(origin: 0, step: 0)

    enum Outcome { case inserted, seen, refused }

    static func slotLimit(_ starts: Int) -> Int64 { Int64(max(4_096, 8 * starts)) }

    static func gcd(_ a: Int64, _ b: Int64) -> Int64 {
        var (x, y) = (a.magnitude, b.magnitude)
        while y != 0 { (x, y) = (y, x % y) }
        return Int64(truncatingIfNeeded: x)
    }

    private var slots: Int64 { Int64(filled.count) << 6 }

    /// The slot of `start`, nil when it is off the grid.
    @inline(__always)
    private func slot(of start: Int64) -> Int64? {
        let (offset, overflow) = start.subtractingReportingOverflow(origin)
        guard !overflow, offset % step == 0 else { return nil }
        return offset / step
    }

    @inline(__always)
    mutating func insert(_ start: Int64) -> Outcome {
        guard let slot = slot(of: start) else { return .refused }
        if slot < base || slot >= base + slots {
            guard cover(slot) else { return .refused }
        }
        let index = Int(slot - base)
        let bit = UInt64(1) << UInt64(index & 63)
        if filled[index >> 6] & bit != 0 { return .seen }
        filled[index >> 6] |= bit
        count += 1
        lowest = min(lowest, start)
        highest = max(highest, start)
        return .inserted
    }

    func contains(_ start: Int64) -> Bool {
        guard let slot = slot(of: start), slot >= base, slot < base + slots else { return false }
        let index = Int(slot - base)
        return filled[index >> 6] & (UInt64(1) << UInt64(index & 63)) != 0
    }

    /// Calls `body` with each start, in increasing order, until it returns false.
    func forEach(_ body: (Int64) -> Bool) {
        for (word, bits) in filled.enumerated() {
            var rest = bits
            while rest != 0 {
                let index = word << 6 | rest.trailingZeroBitCount
                rest &= rest - 1
                if !body(origin + (base + Int64(index)) * step) { return }
            }
        }
    }

    /// Room for `slots` (counted from `origin`, in steps), before the first start.
    mutating func reserve(_ slots: Range<Int64>) {
        guard filled.isEmpty, !slots.isEmpty else { return }
        base = slots.lowerBound
        filled = [UInt64](repeating: 0, count: (slots.count + 63) / 64)
    }

    /// Widens `filled` to hold `slot` (doubling, toward the side it lies on); false when that passes `slotLimit`.
    private mutating func cover(_ slot: Int64) -> Bool {
        let limit = Self.slotLimit(count + 1)
        guard !filled.isEmpty else {
            base = slot
            filled = [0]
            return true
        }
        let end = base + slots
        let low = min(base, slot), high = max(end, slot + 1)
        guard high - low <= limit else { return false }
        // Whole words: the old slots move by whole words.
        func words(_ slots: Int64) -> Int64 { (slots + 63) / 64 }
        let size = min(words(limit), words(max(high - low, 2 * slots)))
        let at = slot < base ? Int(size) - filled.count : 0
        var grown = [UInt64](repeating: 0, count: Int(size))
        grown.replaceSubrange(at ..< at + filled.count, with: filled)
        if slot < base { base = end - size * 64 }
        filled = grown
        return true
    }
}
