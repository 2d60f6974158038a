import Foundation
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// The edges of the register rule (`RegisterEvidence`) and of the gap rule (`RegisterGap`), values by hand.
@Suite struct RegisterRuleTests {
    /// The evidence of `values`, one reading every quarter hour (`newestFirst`: the file lists them newest first).
    static func evidence(_ values: [Double], newestFirst: Bool = false) -> RegisterEvidence {
        var evidence = RegisterEvidence()
        for (index, value) in values.enumerated() {
            let instant = Int64(newestFirst ? values.count - index : index) * 900
            evidence.observe(instant: instant, value: value, line: index + 2)
        }
        return evidence
    }

    /// A register from 1,000 rising by 1 each step: `count` readings.
    static func register(_ count: Int) -> [Double] { (0..<count).map { 1_000 + Double($0) } }

    @Test("at least 24 readings: 23 readings of a perfect register say too little")
    func minimumReadings() {
        #expect(!Self.evidence(Self.register(23)).isRegister)
        #expect(Self.evidence(Self.register(24)).isRegister)
    }

    @Test("at least 98 % of the steps do not go down: 1 step down in 50 is a register (a reset), 2 are not")
    func nonDecreasingShare() {
        var one = Self.register(51)  // 50 steps
        one[30] = 0  // down at step 30, up again at step 31 (by 1,031 to 1,031: not 10 times the rise)
        let a = Self.evidence(one)
        #expect(a.steps == 50 && a.nonDecreasing == 49 && a.isRegister)
        var two = one
        two[40] = 0
        let b = Self.evidence(two)
        #expect(b.steps == 50 && b.nonDecreasing == 48 && !b.isRegister)
    }

    @Test("at least 5 % of the steps rise: 5 rises in 100 steps is a register, 4 are not; a flat series never is")
    func risingShare() {
        func stairs(rises: Int) -> [Double] {
            (0...100).map { step in 1_000 + Double(min(rises, step / 20)) }  // rises at steps 20, 40, 60, …
        }
        #expect(Self.evidence(stairs(rises: 5)).rising == 5)
        #expect(Self.evidence(stairs(rises: 5)).isRegister)
        #expect(!Self.evidence(stairs(rises: 4)).isRegister)
        #expect(!Self.evidence(Array(repeating: 0.25, count: 500)).isRegister)  // steady baseload
        #expect(!Self.evidence(Array(repeating: 0, count: 500)).isRegister)
    }

    @Test("in at least half of the rises the value is 10 times the rise; 0 → 5 → 0 spikes are not registers")
    func valueToRise() {
        // From 100: 10 rises, `large` of them by 1 (value ÷ rise ≈ 100), the others doubling (value ÷ rise = 2),
        // then 20 flat readings: 31 readings, 30 steps.
        func series(large: Int) -> [Double] {
            var values = [100.0]
            for index in 0..<10 { values.append(index < large ? values.last! + 1 : values.last! * 2) }
            return values + Array(repeating: values.last!, count: 20)
        }
        let five = Self.evidence(series(large: 5))
        #expect(five.rising == 10 && five.large == 5 && five.isRegister)
        let four = Self.evidence(series(large: 4))
        #expect(four.rising == 10 && four.large == 4 && !four.isRegister)
        // Interval values that hardly ever go down: rare spikes over a flat 0 rise as rarely (3 of 199 steps).
        var spikes = Array(repeating: 0.0, count: 200)
        for index in stride(from: 50, to: 200, by: 50) { spikes[index] = 5 }
        let spiky = Self.evidence(spikes)
        #expect(spiky.nonDecreasing == 196 && spiky.rising == 3 && spiky.large == 0 && !spiky.isRegister)
    }

    @Test("time order, not file order: a register exported newest first is one")
    func newestFirst() {
        let evidence = Self.evidence(Self.register(100).reversed(), newestFirst: true)
        #expect(evidence.nonDecreasing == 99 && evidence.rising == 99 && evidence.isRegister)
    }

    @Test("chunks combine exactly: the evidence of any split equals the evidence of the whole")
    func merge() {
        var values = Self.register(60)
        values[17] = 3
        values[40] = values[39]
        let whole = Self.evidence(values)
        for split in 1..<values.count {
            var first = RegisterEvidence(), second = RegisterEvidence()
            for index in 0..<split { first.observe(instant: Int64(index) * 900, value: values[index], line: index + 2) }
            for index in split..<values.count {
                second.observe(instant: Int64(index) * 900, value: values[index], line: index + 2)
            }
            first.merge(second)
            #expect(first == whole, "split at \(split)")
            #expect(first.example?.line == whole.example?.line, "split at \(split)")
        }
    }

    @Test("a gap: longer than 31 days and an hour, or than max(4 × the usual interval, 1 day)")
    func gapRule() {
        let day: Int64 = 86_400, hour: Int64 = 3_600
        // Monthly readings: October's 31 days and an hour are still measured.
        #expect(!RegisterGap.isGap(31 * day + hour, usual: 31 * day))
        #expect(RegisterGap.isGap(31 * day + hour + 1, usual: 31 * day))
        // Quarterly readings: every difference is longer than a month.
        #expect(RegisterGap.isGap(91 * day, usual: 91 * day))
        // Daily readings: up to 4 days measured.
        #expect(!RegisterGap.isGap(4 * day, usual: day))
        #expect(RegisterGap.isGap(4 * day + 1, usual: day))
        // Quarter-hour readings: up to a day measured.
        #expect(!RegisterGap.isGap(day, usual: 900))
        #expect(RegisterGap.isGap(day + 1, usual: 900))
        // The usual interval is the median (the lower one of an even count).
        #expect(RegisterGap.usualInterval([5, 1, 3]) == 3)
        #expect(RegisterGap.usualInterval([4, 1, 3, 2]) == 2)
        #expect(RegisterGap.usualInterval([]) == 0)
    }

    @Test("the coverage calendar counts a day spread over a gap as present for its value, not as covered")
    func filledDaysInTheCalendar() throws {
        let table = try #require(LocalTimeTable.cached("Europe/Brussels"))
        let first = CivilDate(year: 2024, month: 1, day: 1)!.dayNumber
        var measured = DayCell()
        measured.add(value: 2, quality: .measured)
        var filled = DayCell()
        filled.add(value: 3, quality: .estimated)
        filled.missing = 1
        let water = SeriesData(key: SeriesKey(site: "s", quantity: .water, meter: "m"), intervalSeconds: 86_400,
                               days: [first: measured, first + 1: filled], inputs: [])
        let periods = [ReportPeriod(key: "baseline", kind: .baseline, firstDay: first, lastDay: first),
                       ReportPeriod(key: "reporting", kind: .reporting, firstDay: first + 1, lastDay: first + 1)]
        let totals = DailyTotals.compute([water], periods: periods, table: table)
        #expect(totals.map(\.coverage) == [1, 0])
        #expect(totals.map(\.estimated) == [0, 1])
        #expect(totals.map(\.filled) == [0, 1])
    }
}
