import Foundation
import ParkImpactPostgres

/// The PostgreSQL server the tests use: `PARKIMPACT_TEST_POSTGRES_URL` when set (`make test` and `.ci/run` start one),
/// else a throwaway cluster started once for this test process by `scripts/postgres-test-server.sh` and stopped at
/// exit. Each test gets a database of its own (`freshDatabase()`), so tests run in parallel without meeting.
public enum PostgresTestServer {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The server's URL (its `postgres` database).
    public static let url: String = {
        if let url = ProcessInfo.processInfo.environment["PARKIMPACT_TEST_POSTGRES_URL"], !url.isEmpty { return url }
        let folder = NSTemporaryDirectory() + "parkimpact-pg-\(getpid())"
        let url = run(["start", folder])
        ownFolder.withLock { $0 = folder }
        atexit {
            if let folder = PostgresTestServer.ownFolder.withLock({ $0 }) { _ = PostgresTestServer.run(["stop", folder]) }
        }
        return url
    }()

    static let ownFolder = Locked<String?>(nil)

    /// Runs `scripts/postgres-test-server.sh` with `arguments` and returns what it printed. `popen` and `pclose`
    /// (which waits for the script) rather than Foundation's `Process`, whose exit is not always noticed when it is
    /// started from a test's lazy initialiser.
    static func run(_ arguments: [String]) -> String {
        let script = packageRoot.appendingPathComponent("scripts/postgres-test-server.sh").path
        let command = ([script] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
            .joined(separator: " ")
        guard let pipe = popen(command, "r") else { fatalError("cannot run \(script)") }
        var output = ""
        var buffer = [CChar](repeating: 0, count: 4096)
        while fgets(&buffer, Int32(buffer.count), pipe) != nil {
            output += String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        let status = pclose(pipe)
        guard status == 0 else {
            fatalError("scripts/postgres-test-server.sh \(arguments.joined(separator: " ")) failed (\(status)); is "
                + "Debian's postgresql installed (make deps)?")
        }
        return output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A new empty database on the server; its URL.
    public static func freshDatabase() throws -> String {
        let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let admin = try PostgresConnection(url: url)
        try admin.execute("CREATE DATABASE \(name)")
        guard let slash = url.range(of: "/", options: .backwards) else { return url }
        return String(url[..<slash.upperBound]) + name
    }
}

/// A value behind a lock, shared between threads (the test process's cluster folder, read by the `atexit` handler;
/// what concurrent workers report).
public final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()
    public init(_ value: Value) { self.value = value }
    public func withLock<R>(_ body: (inout Value) -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}
