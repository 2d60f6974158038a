import Foundation
import ParkImpactModel
import ParkImpactDefinition
import ParkImpactReading
import ParkImpactState
import ParkImpactKPIs
import ParkImpactReports
import ParkImpactPipeline

/// `run` and `report` with a PostgreSQL state (`--state postgresql://…`): several workers, on one host or several,
/// share the database and the `input/` and `output/` folders. No host-local lock: coordination is in the database.
///
/// A worker that finds no other worker connected and every pilot free runs them all in one pass, as on SQLite.
/// A pilot is ingested, merged and rendered by one worker at a time, the one holding its advisory lock (its holder);
/// each new file of it is committed once, by that worker, and read once: by the holder, or by another worker that
/// claimed it and handed its result over (`ReadClaims`, `SharedReads`). A worker waiting for a pilot's lock reads the
/// files offered meanwhile (`Ingest.help`), so one large pilot is read by every worker. Pass 1 (`run`): the worker goes through the pilots in name order
/// and processes each one no other worker holds, one at a time, so workers started together share the pilots. Pass 2:
/// it waits (up to `--lock-wait` seconds) until it holds every pilot of the run and runs them once more (all of them
/// when the portfolio is written, reusing the reports it built in pass 1): what another worker has just ingested is
/// found unchanged, and the portfolio is written once every pilot's outputs are. The last pilot of pass 1 is kept
/// when the others can be taken at once (try-locks), so no other worker merges it again in between. Every worker
/// takes the locks of pass 2 in the same order and try-locks never wait, so two workers never wait for each other. A killed worker's session
/// ends, the server releases its locks, and what it had committed stays committed (each file in one transaction): the
/// next worker to take the pilot goes on from there.
enum PostgresRun {
    static func stateful(options: FolderOptions, console: Console, loaded: inout LoadedDefinitions,
                         catalogue: FactorCatalogue, ingest: Bool, dailyCSV: Bool,
                         portfolioLanguage: PipelineDefinition.Language) -> ExitStatus {
        let store: PostgresStateStore
        do {
            store = try PostgresStateStore(url: options.statePath)
        } catch let newer as PostgresSchema.NewerSchema {
            console.emit(loaded.diagnostics)
            console.diagnostic(.error, newer.description, code: .stateNewer)
            return .configuration
        } catch {
            console.emit(loaded.diagnostics)
            console.diagnostic(.error, "\(error); check that the PostgreSQL server is running and reachable from this "
                + "host and that the URL's user, database and password are right (the password can also come from "
                + "PGPASSWORD or ~/.pgpass); nothing was read or written", code: .stateUnavailable)
            return .ioError
        }
        FaultInjection.reach("locked")
        let runID: Int64
        do {
            runID = try store.beginRun(startedAt: RunManifest.timestamp())
        } catch {
            console.emit(loaded.diagnostics)
            console.diagnostic(.error, "\(store.path): cannot record the run (\(error)); check that the database "
                + "is reachable and writable", code: .stateUnavailable)
            return .ioError
        }
        if let other = try? store.previousRunOfAnotherBuild(before: runID) {
            loaded.diagnostics.add(.warning, "\(store.path): the previous run of this state (host \(other.host)) was "
                + "another build of parkimpact (\(other.build), this one \(FileDigest.executable)); a file's "
                + "contribution is kept per build, so each build reads again what the other read: once after an "
                + "upgrade this is expected; when it repeats, deploy the same binary to every host",
                code: .workerBuildDiffers)
        }
        let settings = RunCommand.settledSettings(options: options, console: console, definitions: loaded.definitions,
                                                  ingest: ingest)
        let context = RunContext(folders: options.folders, catalogue: catalogue, threads: options.threads,
                                 settings: settings, writeIndex: options.pilots.isEmpty, rebuildAll: !ingest,
                                 dailyCSV: dailyCSV, portfolioLanguage: portfolioLanguage)
        let progress = ProgressDisplay.start(format: console.format)
        let result = coordinated(definitions: loaded.definitions, context: context, store: store, runID: runID,
                                 lockWait: Double(options.lockWait), diagnostics: &loaded.diagnostics)
        progress?.stop()
        let deadline = ContinuousClock.now + .seconds(max(options.lockWait, 1))
        return RunCommand.finish(result, store: store, runID: runID, options: options, console: console,
                                 diagnostics: &loaded.diagnostics, ingest: ingest) { write throws(OutputFailure) in
            // Workers finishing together take turns writing last-run.json (its temporary name is fixed).
            let locked = (try? store.lock("manifest", until: deadline)) ?? false
            defer { if locked { try? store.unlock("manifest") } }
            try write()
        }
    }

    /// The pilots' work under their locks (see the type's description); the outcome of each pilot is the one of the
    /// pass that processed it first.
    static func coordinated(definitions: [PipelineDefinition], context: RunContext, store: PostgresStateStore,
                            runID: Int64, lockWait: Double, diagnostics: inout Diagnostics) -> StatefulRun.Result {
        let ordered = definitions.sorted { $0.pilot.utf8.lexicographicallyPrecedes($1.pilot.utf8) }
        var held: [String] = []
        func release() {
            for pilot in held.reversed() { try? store.unlock(PostgresStateStore.pilotLock(pilot)) }
            held = []
        }
        defer { release() }
        func failed(_ error: any Error, _ result: StatefulRun.Result) -> StatefulRun.Result {
            release()
            diagnostics.add(.error, "\(store.path): cannot take a pilot's lock (\(error)); what this worker committed "
                + "stays committed, the next run goes on from there; check that the database is reachable",
                            status: .ioError, code: .stateUnavailable)
            return result
        }
        // The new files of every read are offered to the other workers (`ReadClaims`): one that starts meanwhile
        // reads some of them instead of waiting for the pilots' locks.
        var shared = context
        shared.shareReads = context.settings.ingest
        // Alone (no other worker connected) and every pilot free: one pass over all of them, as on SQLite (the files
        // of all pilots read together, the portfolio from the reports just built).
        if context.settings.ingest, (try? store.otherWorkersConnected()) == false {
            do {
                for definition in ordered where try store.tryLock(PostgresStateStore.pilotLock(definition.pilot)) {
                    held.append(definition.pilot)
                }
            } catch {
                return failed(error, StatefulRun.Result())
            }
            if held.count == ordered.count {
                return StatefulRun.execute(definitions: definitions, context: shared, store: store, runID: runID,
                                           diagnostics: &diagnostics)
            }
            release()
        }
        // Pass 1 (`run`): each pilot no other worker holds, one at a time, so workers started together share them.
        var result = StatefulRun.Result()
        var first: [String: (generation: String, report: PilotReport)] = [:]
        var processed = Set<String>()
        if context.settings.ingest {
            var partial = shared
            partial.writeIndex = false
            for definition in ordered {
                let lock = PostgresStateStore.pilotLock(definition.pilot)
                do {
                    guard try store.tryLock(lock) else {
                        // Another worker holds it: read what it offers of its new files, then go on.
                        _ = Ingest.help(definitions: definitions, inputRoot: context.folders.input, claims: store,
                                        threads: context.threads)
                        continue
                    }
                } catch {
                    return failed(error, result)
                }
                held = [definition.pilot]
                let pass = StatefulRun.execute(definitions: [definition], context: partial, store: store, runID: runID,
                                               diagnostics: &diagnostics)
                // The last pilot is kept for pass 2 (below); another worker taking it in between would merge it again
                // for the portfolio.
                if !(context.writeIndex && definition.pilot == ordered.last?.pilot) { release() }
                processed.insert(definition.pilot)
                if let report = pass.reports[definition.pilot], let generation = pass.generations[definition.pilot] {
                    first[definition.pilot] = (generation, report)
                }
                result = combine(result, pass)
            }
            if !context.writeIndex, processed.count == ordered.count { return result }
        }
        // Holding the last pilot still: the others taken if they are free (try-locks: no waiting while holding one),
        // else every lock released before waiting for them in order.
        if !held.isEmpty {
            for definition in ordered where !held.contains(definition.pilot) {
                guard (try? store.tryLock(PostgresStateStore.pilotLock(definition.pilot))) == true else {
                    release()
                    break
                }
                held.append(definition.pilot)
            }
        }
        // Pass 2: wait for every pilot of the run, in order; then run the pilots pass 1 did not take, or all of them
        // when the portfolio is written (it needs every pilot's report: those built in pass 1 are taken as they are).
        let deadline = ContinuousClock.now + .milliseconds(Int64(lockWait * 1000))
        for definition in ordered where held.count < ordered.count {
            let locked: Bool
            do {
                locked = try waitHelping(for: PostgresStateStore.pilotLock(definition.pilot), until: deadline,
                                         definitions: definitions, context: context, store: store)
            } catch {
                return failed(error, result)
            }
            guard locked else {
                release()
                diagnostics.add(.error, "pilot \(definition.pilot): another worker has been processing it for more than "
                    + "--lock-wait \(Int(lockWait)) s; this worker left it"
                    + (context.writeIndex ? " and the portfolio" : "") + " to that worker"
                    + (processed.isEmpty ? "" : " after processing " + processed.sorted().joined(separator: ", "))
                    + "; the next run picks up whatever is still new (a worker that seems stuck: see the run rows "
                    + "without finished_at and pg_stat_activity's application_name)", pilot: definition.pilot,
                    status: .temporaryFailure, code: .lockHeld)
                return result
            }
            held.append(definition.pilot)
        }
        let second = context.writeIndex ? definitions : definitions.filter { !processed.contains($0.pilot) }
        var secondDiagnostics = Diagnostics()
        let again = StatefulRun.execute(definitions: second, context: shared, store: store, runID: runID,
                                        prebuilt: first, diagnostics: &secondDiagnostics)
        diagnostics.merge(secondDiagnostics)
        var combined = combine(result, again)
        // A pilot's line is the one of the pass that processed it first.
        combined.outcomes = definitions.compactMap { definition -> PilotOutcome? in
            let passes = processed.contains(definition.pilot) ? [result, again] : [again, result]
            for pass in passes {
                if let outcome = pass.outcomes.first(where: { $0.pilot == definition.pilot }) { return outcome }
            }
            return nil
        }
        combined.filesUnchanged = combined.outcomes.reduce(0) { $0 + $1.filesUnchanged }
        return combined
    }

    /// Waits until `deadline` for the lock of `resource`, reading meanwhile the files other workers offer
    /// (`Ingest.help`); false when another worker still holds it then.
    static func waitHelping(for resource: String, until deadline: ContinuousClock.Instant,
                            definitions: [PipelineDefinition], context: RunContext,
                            store: PostgresStateStore) throws -> Bool {
        var pause = 0.01
        while true {
            if try store.tryLock(resource) { return true }
            guard ContinuousClock.now < deadline else { return false }
            if context.settings.ingest, Ingest.help(definitions: definitions, inputRoot: context.folders.input,
                                                    claims: store, threads: context.threads) > 0 {
                pause = 0.01
                continue
            }
            Thread.sleep(forTimeInterval: pause)
            pause = min(pause * 2, 0.25)
        }
    }

    static func combine(_ a: StatefulRun.Result, _ b: StatefulRun.Result) -> StatefulRun.Result {
        var result = a
        result.outcomes += b.outcomes
        // An empty result (nothing run yet) does not count.
        result.nothingNew = a.outcomes.isEmpty ? b.nothingNew
            : b.outcomes.isEmpty ? a.nothingNew : a.nothingNew && b.nothingNew
        result.filesUnchanged += b.filesUnchanged
        for entry in b.phases.entries { result.phases.add(entry.name, seconds: entry.seconds) }
        result.notWritten += b.notWritten
        result.generations.merge(b.generations) { $1 }
        return result
    }
}
