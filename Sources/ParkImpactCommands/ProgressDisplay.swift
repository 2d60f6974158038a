import Dispatch
import Foundation
import ParkImpactModel
import ParkImpactDefinition
import ParkImpactReading
import ParkImpactState
import ParkImpactKPIs
import ParkImpactReports
import ParkImpactPipeline
import Synchronization

/// One line on stderr, redrawn four times a second, while the inputs are fingerprinted and read
/// (`RunProgress`): only in text mode, only when stderr is a terminal (never in cron mail or journald), and only
/// once a stage has taken a second (a small run prints nothing). Cleared before the run's messages are printed.
final class ProgressDisplay {
    private let queue = DispatchQueue(label: "parkimpact.progress")
    private let timer: any DispatchSourceTimer
    /// Whether a line is on the screen.
    private let screen = Screen()

    private final class Screen: Sendable {
        let shown = Mutex(false)

        func clear() {
            if shown.withLock({ $0 }) {
                ProgressDisplay.write("\r\u{1B}[K")
                shown.withLock { $0 = false }
            }
        }
    }

    /// Starts the display when it makes sense (text mode, stderr a terminal, TERM not `dumb`); nil otherwise.
    static func start(format: LogFormat) -> ProgressDisplay? {
        guard format == .text, isatty(STDERR_FILENO) == 1,
              ProcessInfo.processInfo.environment["TERM"] != "dumb" else { return nil }
        return ProgressDisplay()
    }

    private init() {
        timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + .milliseconds(250), repeating: .milliseconds(250))
        timer.setEventHandler { [screen] in
            guard let snapshot = RunProgress.shared.snapshot(), snapshot.seconds >= 1 else {
                screen.clear()
                return
            }
            ProgressDisplay.write("\r" + ProgressDisplay.line(snapshot) + "\u{1B}[K")
            screen.shown.withLock { $0 = true }
        }
        timer.resume()
    }

    /// Stops redrawing and removes the line.
    func stop() {
        timer.cancel()
        queue.sync { screen.clear() }
    }

    fileprivate static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// `reading: 38 % · 412 of 1,083 MB · 74 of 201 files · 96 MB/s · about 7 s left`;
    /// `reporting: 0 of 1 pilots · 3 s`.
    static func line(_ snapshot: RunProgress.Snapshot) -> String {
        if snapshot.stage == .reporting {
            return "reporting: \(snapshot.files) of \(snapshot.totalFiles) pilots · \(Int(snapshot.seconds)) s"
        }
        let megabytes = Double(snapshot.bytes) / 1e6
        let rate = snapshot.seconds > 0 ? megabytes / snapshot.seconds : 0
        var parts: [String] = []
        if snapshot.totalBytes > 0 {
            let share = min(99, snapshot.bytes * 100 / snapshot.totalBytes)
            parts.append("\(share) %")
            parts.append("\(grouped(megabytes)) of \(grouped(Double(snapshot.totalBytes) / 1e6)) MB")
        } else {
            parts.append("\(grouped(megabytes)) MB")
        }
        parts.append(snapshot.totalFiles > 0 ? "\(snapshot.files) of \(snapshot.totalFiles) files"
                     : "\(snapshot.files) file(s)")
        parts.append("\(grouped(rate)) MB/s")
        if snapshot.totalBytes > 0, rate > 0, snapshot.bytes < snapshot.totalBytes {
            let left = (Double(snapshot.totalBytes - snapshot.bytes) / 1e6) / rate
            parts.append("about \(grouped(max(1, left))) s left")
        }
        return "\(snapshot.stage.rawValue): " + parts.joined(separator: " · ")
    }

    /// A whole number with `,` between thousands.
    private static func grouped(_ value: Double) -> String {
        let digits = String(Int(value.rounded()))
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return out
    }
}
