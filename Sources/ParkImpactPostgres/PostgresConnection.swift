import CLibPQ
import Foundation

/// A PostgreSQL error: what failed, PostgreSQL's SQLSTATE when the server sent one, and its message.
public struct PostgresError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// The server cannot be reached or refused the connection (host, port, authentication, database).
        case connection
        /// A statement failed (the SQLSTATE says why).
        case statement
        /// The connection broke during the work.
        case connectionLost
    }

    public let kind: Kind
    public let sqlState: String?
    public let message: String

    public var description: String { message }

    /// `40001` serialization failure, `40P01` deadlock: the transaction may be run again.
    public var isRetryable: Bool { sqlState == "40001" || sqlState == "40P01" }
    /// `23505`: a unique constraint refused the row.
    public var isUniqueViolation: Bool { sqlState == "23505" }
}

/// A parameter of a statement: text, a number, bytes (`bytea`, sent in binary) or SQL NULL.
public enum PostgresValue: Sendable, Equatable {
    case text(String)
    case int(Int64)
    case double(Double)
    case bytes([UInt8])
    case null
}

/// The rows of a statement's result, in PostgreSQL's text format (`bytea` as `\x` + hex; `PostgresRow.bytes`
/// decodes it).
public struct PostgresResult: Sendable {
    public let columns: [String]
    public let rows: [PostgresRow]
    /// Rows changed by an INSERT, UPDATE or DELETE.
    public let affected: Int
}

public struct PostgresRow: Sendable {
    let values: [String?]
    let columns: [String]

    public subscript(_ index: Int) -> String? { values[index] }

    public subscript(_ name: String) -> String? {
        guard let index = columns.firstIndex(of: name) else { return nil }
        return values[index]
    }

    public func int(_ name: String) -> Int64? { self[name].flatMap { Int64($0) } }
    public func int(_ index: Int) -> Int64? { self[index].flatMap { Int64($0) } }
    public func double(_ name: String) -> Double? { self[name].flatMap { Double($0) } }

    /// A `bytea` column: PostgreSQL's hex output (`\x0a1b…`) decoded.
    public func bytes(_ name: String) -> [UInt8]? {
        guard let text = self[name] else { return nil }
        return PostgresRow.decodeHex(text)
    }

    static func decodeHex(_ text: String) -> [UInt8]? {
        var utf8 = Array(text.utf8)
        guard utf8.count >= 2, utf8[0] == UInt8(ascii: "\\"), utf8[1] == UInt8(ascii: "x"), utf8.count % 2 == 0 else {
            return nil
        }
        utf8.removeFirst(2)
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }
}

/// One connection to a PostgreSQL server through libpq: synchronous calls, as the pipeline's work is synchronous
/// Dispatch work (no event loop to host). Not shared between threads: each worker thread opens its own.
///
/// This module is the only one that sees libpq.
public final class PostgresConnection {
    private let handle: OpaquePointer
    /// The URL without its password, for messages.
    public let displayURL: String

    /// Connects to `url` (`postgresql://user[:password]@host[:port]/database[?…]`, or any libpq connection string).
    public init(url: String, applicationName: String = "parkimpact") throws(PostgresError) {
        displayURL = PostgresConnection.redacted(url)
        var keys = ["dbname", "application_name", "connect_timeout"]
        var values = [url, applicationName, "10"]
        // `expand_dbname = 1`: the first dbname value is a URL or connection string whose settings apply.
        let connection: OpaquePointer? = keys.withCStrings { keyPointers in
            values.withCStrings { valuePointers in
                PQconnectdbParams(keyPointers, valuePointers, 1)
            }
        }
        keys.removeAll()
        values.removeAll()
        guard let connection else {
            throw PostgresError(kind: .connection, sqlState: nil, message: "cannot allocate a PostgreSQL connection")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = PostgresConnection.trimmed(PQerrorMessage(connection))
            PQfinish(connection)
            throw PostgresError(kind: .connection, sqlState: nil,
                                message: "cannot connect to the PostgreSQL state at \(displayURL): \(message)")
        }
        handle = connection
        // Notices (e.g. "relation already exists, skipping") are not for the user's terminal.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
    }

    deinit { PQfinish(handle) }

    /// Runs one statement with `$1…$n` parameters; bytes are sent in binary, everything else as text.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [PostgresValue] = []) throws(PostgresError) -> PostgresResult {
        var texts: [[CChar]?] = []
        var binaries: [[UInt8]?] = []
        var formats: [Int32] = []
        var lengths: [Int32] = []
        for parameter in parameters {
            switch parameter {
            case .text(let s): texts.append(Array(s.utf8CString)); binaries.append(nil); formats.append(0)
            case .int(let i): texts.append(Array(String(i).utf8CString)); binaries.append(nil); formats.append(0)
            case .double(let d):
                texts.append(Array((d.isFinite ? "\(d)" : d.isNaN ? "NaN" : d > 0 ? "Infinity" : "-Infinity")
                    .utf8CString))
                binaries.append(nil); formats.append(0)
            case .bytes(let b): texts.append(nil); binaries.append(b); formats.append(1)
            case .null: texts.append(nil); binaries.append(nil); formats.append(0)
            }
            lengths.append(Int32(binaries.last!?.count ?? 0))
        }
        let result: OpaquePointer? = withParameterPointers(texts, binaries) { pointers in
            PQexecParams(handle, sql, Int32(parameters.count), nil, pointers, lengths, formats, 0)
        }
        return try consume(result)
    }

    /// Runs several statements without parameters (a migration's script).
    public func executeScript(_ sql: String) throws(PostgresError) {
        var result = PQexec(handle, sql)
        // PQexec returns the last statement's result; earlier ones stopped the script if they failed.
        _ = try consume(result)
        result = nil
    }

    /// `body` inside `BEGIN … COMMIT`; a thrown error rolls back and is rethrown.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            _ = try? execute("ROLLBACK")
            throw error
        }
    }

    /// `pg_try_advisory_lock(key)`: a session lock other sessions (on any host) cannot take until it is released or
    /// this connection ends (a killed process's locks go with its connection).
    public func tryAdvisoryLock(_ key: Int64) throws(PostgresError) -> Bool {
        try execute("SELECT pg_try_advisory_lock($1)", [.int(key)]).rows.first?[0] == "t"
    }

    public func advisoryUnlock(_ key: Int64) throws(PostgresError) {
        try execute("SELECT pg_advisory_unlock($1)", [.int(key)])
    }

    /// `pg_advisory_lock(key)`: waits for the lock.
    public func advisoryLock(_ key: Int64) throws(PostgresError) {
        try execute("SELECT pg_advisory_lock($1)", [.int(key)])
    }

    /// `COPY table (columns) FROM STDIN` with `rows` in COPY's text format (nil: NULL): one round trip for any number
    /// of rows, where an INSERT per row costs one each. Returns the rows copied.
    @discardableResult
    public func copy(into table: String, columns: [String], rows: [[String?]]) throws(PostgresError) -> Int {
        _ = try consumeCopyStart(PQexec(handle, "COPY \(table) (\(columns.joined(separator: ", "))) FROM STDIN"))
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 16)
        func flush() throws(PostgresError) {
            guard !buffer.isEmpty else { return }
            let sent = buffer.withUnsafeBytes { bytes in
                PQputCopyData(handle, bytes.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(bytes.count))
            }
            guard sent == 1 else {
                throw PostgresError(kind: .connectionLost, sqlState: nil,
                                    message: PostgresConnection.trimmed(PQerrorMessage(handle)))
            }
            buffer.removeAll(keepingCapacity: true)
        }
        for row in rows {
            for (index, value) in row.enumerated() {
                if index > 0 { buffer.append(0x09) }
                guard let value else {
                    buffer.append(contentsOf: [0x5C, 0x4E])  // \N
                    continue
                }
                // Most values have nothing to escape: their bytes go as they are.
                let plain = value.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
                    guard !bytes.contains(where: { $0 == 0x5C || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) else {
                        return false
                    }
                    buffer.append(contentsOf: bytes)
                    return true
                }
                if plain == true { continue }
                for byte in value.utf8 {
                    switch byte {
                    case 0x5C: buffer.append(contentsOf: [0x5C, 0x5C])
                    case 0x09: buffer.append(contentsOf: [0x5C, 0x74])
                    case 0x0A: buffer.append(contentsOf: [0x5C, 0x6E])
                    case 0x0D: buffer.append(contentsOf: [0x5C, 0x72])
                    default: buffer.append(byte)
                    }
                }
            }
            buffer.append(0x0A)
            if buffer.count >= 1 << 16 { try flush() }
        }
        try flush()
        guard PQputCopyEnd(handle, nil) == 1 else {
            throw PostgresError(kind: .connectionLost, sqlState: nil,
                                message: PostgresConnection.trimmed(PQerrorMessage(handle)))
        }
        // The COPY's own result, then the end of the results.
        // Every result is read, even after a failed one, so the connection is ready for the next statement.
        var affected = 0
        var failure: PostgresError?
        while let result = PQgetResult(handle) {
            do throws(PostgresError) {
                affected = try consume(result).affected
            } catch {
                failure = failure ?? error
            }
        }
        if let failure { throw failure }
        return affected
    }

    private func consumeCopyStart(_ result: OpaquePointer?) throws(PostgresError) -> Bool {
        guard let result else {
            throw PostgresError(kind: PQstatus(handle) != CONNECTION_OK ? .connectionLost : .statement, sqlState: nil,
                                message: PostgresConnection.trimmed(PQerrorMessage(handle)))
        }
        defer { PQclear(result) }
        guard PQresultStatus(result) == PGRES_COPY_IN else {
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            throw PostgresError(kind: .statement, sqlState: state,
                                message: PostgresConnection.trimmed(PQresultErrorMessage(result)))
        }
        return true
    }

    // MARK: libpq results

    private func consume(_ result: OpaquePointer?) throws(PostgresError) -> PostgresResult {
        guard let result else {
            let lost = PQstatus(handle) != CONNECTION_OK
            throw PostgresError(kind: lost ? .connectionLost : .statement, sqlState: nil,
                                message: PostgresConnection.trimmed(PQerrorMessage(handle)))
        }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            let lost = PQstatus(handle) != CONNECTION_OK
            throw PostgresError(kind: lost ? .connectionLost : .statement, sqlState: state,
                                message: PostgresConnection.trimmed(PQresultErrorMessage(result)))
        }
        let columnCount = Int(PQnfields(result)), rowCount = Int(PQntuples(result))
        let columns = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
        var rows: [PostgresRow] = []
        rows.reserveCapacity(rowCount)
        for row in 0..<rowCount {
            var values: [String?] = []
            values.reserveCapacity(columnCount)
            for column in 0..<columnCount {
                if PQgetisnull(result, Int32(row), Int32(column)) == 1 {
                    values.append(nil)
                } else {
                    values.append(String(cString: PQgetvalue(result, Int32(row), Int32(column))))
                }
            }
            rows.append(PostgresRow(values: values, columns: columns))
        }
        let affected = Int(String(cString: PQcmdTuples(result))) ?? 0
        return PostgresResult(columns: columns, rows: rows, affected: affected)
    }

    private static func trimmed(_ message: UnsafePointer<CChar>?) -> String {
        guard let message else { return "unknown error" }
        return String(cString: message).trimmingCharacters(in: .whitespacesAndNewlines)
            .replacingOccurrences(of: "\n", with: "; ").replacingOccurrences(of: "\t", with: "")
    }

    /// `postgresql://user:secret@host/db` → `postgresql://user@host/db` (also `password=` in a connection string).
    public static func redacted(_ url: String) -> String {
        var text = url
        if let scheme = text.range(of: "://"), let at = text[scheme.upperBound...].firstIndex(of: "@") {
            let credentials = text[scheme.upperBound..<at]
            if let colon = credentials.firstIndex(of: ":") { text.removeSubrange(colon..<at) }
        }
        if let range = text.range(of: "password=[^ &]*", options: .regularExpression) {
            text.replaceSubrange(range, with: "password=…")
        }
        return text
    }
}

extension Array where Element == String {
    /// The strings as a NULL-terminated array of C strings, alive during `body`.
    func withCStrings<R>(_ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
        let copies = map { strdup($0) }
        defer { for copy in copies { free(copy) } }
        var pointers: [UnsafePointer<CChar>?] = copies.map { UnsafePointer($0) } + [nil]
        return pointers.withUnsafeMutableBufferPointer { body(UnsafePointer($0.baseAddress!)) }
    }
}

/// Pointers to each parameter's bytes (text with its terminating NUL, or the binary bytes), alive during `body`.
private func withParameterPointers<R>(_ texts: [[CChar]?], _ binaries: [[UInt8]?],
                                      _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
    var buffers: [UnsafeMutableRawPointer?] = []
    defer { for buffer in buffers { free(buffer) } }
    for index in texts.indices {
        if let text = texts[index] {
            let buffer = malloc(text.count)!
            text.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress!, byteCount: text.count) }
            buffers.append(buffer)
        } else if let bytes = binaries[index] {
            let buffer = malloc(max(bytes.count, 1))!
            bytes.withUnsafeBytes { if let base = $0.baseAddress { buffer.copyMemory(from: base, byteCount: bytes.count) } }
            buffers.append(buffer)
        } else {
            buffers.append(nil)
        }
    }
    let pointers: [UnsafePointer<CChar>?] = buffers.map { $0.map { UnsafePointer($0.assumingMemoryBound(to: CChar.self)) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress) }
}
