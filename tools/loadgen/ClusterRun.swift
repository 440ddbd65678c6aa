import BenchSupport
import FieldbookCentral
import FieldbookClient
import FieldbookModel
import FieldbookStore
import FieldbookSync
import Foundation

/// One run of N devices against several `fieldbook serve` processes sharing one centre (issue 17): a SQLite file, or
/// a fresh database on a PostgreSQL cluster.
///
/// The day is the single-server run's (``LoadRun``): every device has its customers and a first sync (not measured),
/// writes its day (then PostgreSQL's statistics are brought up to date, ``LoadCentre/analyze()``), and then all N sync
/// at once, each pushing its day and pulling. Each device's token lists every server, rotated by its index, so the
/// devices spread over the servers and each falls over to the next by itself (``SyncClient``). A session that fails
/// after the server welcomed it (its server was killed) is retried by the device at once, as a user would sync
/// again, until the time limit.
///
/// With `killAt`, when that share of the devices has finished, the server that has used the most CPU since the start
/// is killed with SIGKILL; every device must still finish through the others.
///
/// Reported (`RESULT` lines, ids `cluster.TAG.N.…`): finished devices; ops the devices hold as acknowledged but the
/// centre lacks, per actor (lost); throughput; session time p50/p99 (from a device's first attempt to its success);
/// failed attempts; sessions that had to pull their whole scope again (resync); CPU per session of the servers (summed),
/// of PostgreSQL (its processes, from /proc) and of the load generator; and what C cores would carry at the centre's
/// CPU per session.
struct ClusterRun {
    let binary: String
    /// The PostgreSQL cluster's URL, or `nil` for one SQLite file.
    let postgres: String?
    let servers: Int
    let devices: Int
    let ops: Int
    let customers: Int
    let timeLimit: Double
    /// The share of finished devices at which the busiest server is killed.
    let killAt: Double?
    /// The first part of the result ids (`sqlite1`, `postgres3`, `postgres3kill` by default).
    let tag: String

    func log(_ line: String) { FileHandle.standardError.write(Data("  [loadgen \(tag) N=\(devices)] \(line)\n".utf8)) }

    /// What one device's measured sync came to.
    struct Outcome: Sendable {
        /// From the first attempt to the success, in ms; `nil` when it never finished (or finished unverified).
        var milliseconds: Double?
        /// Attempts that failed and were retried.
        var failures = 0
        /// Successful sessions that had to pull the device's whole scope again.
        var resyncs = 0
        /// Whether the last session finished but its state hash did not match.
        var unverified = false
        /// The server the successful session went through.
        var server: String?
        /// Ops the successful session received (a device that pulled its scope again receives its whole history).
        var received = 0
        /// Whether the successful session resumed a pull that an earlier attempt had cut (SPEC [W-9.12]).
        var resumed = false
    }

    func run() async throws {
        let centre = try LoadCentre(postgres: postgres)
        defer { centre.tearDown() }
        let day = LoadRun(binary: binary, devices: devices, ops: ops, customers: customers, timeLimit: timeLimit)
        let setupClock = ContinuousClock.now

        // Principals and devices through the store's own API (what `admin principal add` and `admin device add` run).
        let store = try await centre.openStore()
        let enrolled = try await enrol(store)
        centre.close(store)
        try centre.start(servers: servers, binary: binary)
        let addresses = centre.addresses
        log("\(centre.engine), \(servers) servers (\(addresses.joined(separator: ", "))); enrolled in \(String(format: "%.1f", Measure.seconds(ContinuousClock.now - setupClock))) s")

        // Every device's book, enrolment and customers, then (after the first syncs) its day: untimed set-up, on
        // every core.
        let lanes = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let servers = self.servers
        let customers = self.customers
        let books = try await withThrowingTaskGroup(of: [(Int, Book)].self) { group in
            for lane in 0..<lanes {
                group.addTask {
                    try stride(from: lane, to: enrolled.count, by: lanes).map { index in
                        var token = enrolled[index]
                        token.addresses = (0..<servers).map { addresses[(index + $0) % servers] }
                        return (index, try Self.book(index, token: token, customers: customers))
                    }
                }
            }
            var made = [Book?](repeating: nil, count: enrolled.count)
            for try await part in group { for (index, book) in part { made[index] = book } }
            return made.map { $0! }
        }
        log(String(format: "books made at %.1f s", Measure.seconds(ContinuousClock.now - setupClock)))
        let firstClock = ContinuousClock.now
        let firstFailures = Counter()
        try await day.forEach(books, concurrency: 32) { book in
            // Untimed, but it must not end the run: a device whose first sync fails (several servers on one SQLite
            // file may answer "busy") syncs again, as its user would.
            for attempt in 1... {
                do {
                    _ = try await SyncClient(book: book).sync()
                    return
                } catch where attempt < 5 {
                    firstFailures.add()
                    try await Task.sleep(for: .milliseconds(100 * attempt))
                }
            }
        }
        log(String(format: "first syncs done in %.1f s (%d failed and were retried)",
                   Measure.seconds(ContinuousClock.now - firstClock), firstFailures.value))
        try await day.forEach(books, concurrency: lanes) { book in try day.writeDay(book) }
        try centre.analyze()
        log(String(format: "days written at %.1f s", Measure.seconds(ContinuousClock.now - setupClock)))

        // All N at once, under the time limit; the busiest server killed at `killAt`.
        let database = centre.databaseProcesses()
        if postgres != nil, database == nil { log("PostgreSQL's processes not found in /proc: its CPU is not measured") }
        let serverStart = centre.servers.map { Measure.cpuSeconds(pid: $0.process.processIdentifier) }
        var serverEnd: [Double?] = Array(repeating: nil, count: servers)
        let databaseStart = database?.cpuSeconds()
        let ownStart = Measure.cpuSeconds()
        let start = ContinuousClock.now
        let deadline = start + .seconds(timeLimit)
        let watchdog = Task {
            try await Task.sleep(for: .seconds(timeLimit))
            for server in centre.servers { server.stop() }
        }
        var finishedAt: [Double] = []
        var killed: [String: Any] = [:]
        let killThreshold = killAt.map { max(1, Int((Double(devices) * $0).rounded(.up))) }
        var outcomes = [Outcome](repeating: Outcome(), count: devices)
        await withTaskGroup(of: (Int, Outcome).self) { group in
            for (index, book) in books.enumerated() {
                group.addTask { (index, await Self.sync(book, until: deadline)) }
            }
            for await (index, outcome) in group {
                outcomes[index] = outcome
                guard outcome.milliseconds != nil else { continue }
                finishedAt.append(Measure.seconds(ContinuousClock.now - start))
                if let killThreshold, killed.isEmpty, finishedAt.count >= killThreshold {
                    let used = centre.servers.indices.map { Measure.cpuSeconds(pid: centre.servers[$0].process.processIdentifier) - serverStart[$0] }
                    let busiest = used.indices.max { used[$0] < used[$1] }!
                    serverEnd[busiest] = centre.servers[busiest].killAtOnce()
                    killed = [
                        "server": addresses[busiest], "at_s": finishedAt.last!, "finished_before": finishedAt.count,
                        "server_cpu_s": used.map { ($0 * 1000).rounded() / 1000 },
                    ]
                    log(String(format: "killed %@ (SIGKILL) at %.2f s, %d finished", addresses[busiest], finishedAt.last!, finishedAt.count))
                }
            }
        }
        let wall = Measure.seconds(ContinuousClock.now - start)
        let ownUsed = Measure.cpuSeconds() - ownStart
        let serverUsed = centre.servers.indices.map { index in
            (serverEnd[index] ?? Measure.cpuSeconds(pid: centre.servers[index].process.processIdentifier)) - serverStart[index]
        }.reduce(0, +)
        let databaseUsed = databaseStart.flatMap { before in database.map { $0.cpuSeconds() - before } }
        watchdog.cancel()
        for server in centre.servers { server.stop() }

        // What arrived: every acknowledged op of every finished device must be held by the centre.
        let countClock = ContinuousClock.now
        let lost = try await count(books: books, outcomes: outcomes, centre: centre)
        log(String(format: "counted in %.1f s", Measure.seconds(ContinuousClock.now - countClock)))
        let done = outcomes.compactMap(\.milliseconds)
        let failures = outcomes.map(\.failures).reduce(0, +)
        let resyncs = outcomes.map(\.resyncs).reduce(0, +)
        var perServer: [String: Int] = [:]
        for outcome in outcomes { if let server = outcome.server { perServer[server, default: 0] += 1 } }
        log(String(format: "%d of %d finished in %.2f s; %d lost, %d failed attempts, %d resyncs", done.count, devices, wall,
                   lost.lost, failures, resyncs))

        var extra: [String: Any] = [
            "devices": devices, "finished": done.count, "ops_per_device": ops, "wall_s": wall, "time_limit_s": timeLimit,
            "engine": "\(centre.engine)", "servers": servers, "lost": lost.lost, "centre_ops": lost.centreOps,
            "device_ops": lost.deviceOps, "failed_attempts": failures,
            "retried_devices": outcomes.filter { $0.failures > 0 }.count, "resyncs": resyncs,
            "unverified": outcomes.filter(\.unverified).count, "sessions_per_server": perServer,
            "ops_received": outcomes.map(\.received).reduce(0, +), "resumed_pulls": outcomes.filter(\.resumed).count,
        ]
        if !killed.isEmpty { extra["killed"] = killed }
        if let killAt { extra["kill_at"] = killAt }
        let id = "cluster.\(tag).\(devices)"
        let what = "\(devices) devices × \(ops) ops, \(servers) servers on \(centre.engine)\(killAt == nil ? "" : ", busiest killed")"
        Measure.emit("\(id).wall", "\(what): wall", unit: "s", values: [wall], extra: extra)
        Measure.emit("\(id).throughput", "\(what): sessions per second", unit: "sessions/s",
                     values: [Double(done.count) / wall], extra: extra.merging(["ops_per_s": Double(done.count * ops) / wall]) { $1 })
        Measure.emit("\(id).lost", "\(what): acknowledged ops missing at the centre", unit: "ops", values: [Double(lost.lost)], extra: extra)
        Measure.emit("\(id).failed", "\(what): failed and retried sessions", unit: "sessions", values: [Double(failures)], extra: extra)
        Measure.emit("\(id).resyncs", "\(what): sessions that pulled their whole scope again", unit: "sessions",
                     values: [Double(resyncs)], extra: extra)
        guard !done.isEmpty else { return }
        Measure.emit("\(id).p50", "\(what): session time p50", unit: "ms", values: [Measure.quantile(done, 0.5)], extra: extra)
        Measure.emit("\(id).p99", "\(what): session time p99", unit: "ms", values: [Measure.quantile(done, 0.99)], extra: extra)
        let perSession = { (seconds: Double) in seconds / Double(done.count) * 1000 }
        Measure.emit("\(id).cpu.servers", "\(what): CPU per session, all servers", unit: "ms", values: [perSession(serverUsed)], extra: extra)
        if let databaseUsed {
            Measure.emit("\(id).cpu.postgres", "\(what): CPU per session, PostgreSQL", unit: "ms", values: [perSession(databaseUsed)], extra: extra)
        }
        Measure.emit("\(id).cpu.loadgen", "\(what): CPU per session, load generator", unit: "ms", values: [perSession(ownUsed)], extra: extra)
        // The centre's CPU per session (servers and database; the devices are the load generator's): what C cores
        // would carry if CPU were the only limit (the LSN head's ceiling is measured apart).
        let centreMilliseconds = perSession(serverUsed + (databaseUsed ?? 0))
        let perCore = 1000 / centreMilliseconds
        Measure.emit(
            "\(id).cpu.centre", "\(what): CPU per session, the centre (servers + database)", unit: "ms", values: [centreMilliseconds],
            extra: extra)
        Measure.emit(
            "\(id).projection", "\(what): sessions/s one core of the centre carries (CPU only)", unit: "sessions/s",
            values: [perCore],
            extra: extra.merging([
                "at_2_cores": 2 * perCore, "at_8_cores": 8 * perCore, "at_32_cores": 32 * perCore,
                // With the load generator's CPU too: on this machine, what its cores could give at most.
                "here_all_components": Double(ProcessInfo.processInfo.activeProcessorCount) * 1000
                    / (centreMilliseconds + perSession(ownUsed)),
            ]) { $1 })
    }

    /// A count shared by concurrent tasks.
    final class Counter: @unchecked Sendable {
        // @unchecked: `count` is only touched under `lock`.
        private let lock = NSLock()
        private var count = 0
        func add() { lock.withLock { count += 1 } }
        var value: Int { lock.withLock { count } }
    }

    /// A device's book: enrolled with `token` (plain TCP, every server listed), holding `customers` of its own.
    static func book(_ index: Int, token: EnrolmentToken, customers: Int) throws -> Book {
        let book = try Book.inMemory(principal: LoadRun.principal(index))
        try SyncClient.enrol(book, token: token)
        try book.write { tx in
            for number in 0..<customers {
                _ = try tx.create(.customer, scope: nil, fields: [
                    FieldAssignment(Schema.F.name, .text("客户\(index)-\(number)")),
                    FieldAssignment(Schema.F.tier, .text("金葵花")),
                ])
            }
        }
        return book
    }

    /// Adds the principals and devices, a few at a time; returns each device's token (its address still a
    /// placeholder: the servers' ports are known once they listen).
    func enrol(_ store: any CentralStore) async throws -> [EnrolmentToken] {
        var tokens = [EnrolmentToken?](repeating: nil, count: devices)
        try await withThrowingTaskGroup(of: (Int, EnrolmentToken).self) { group in
            var next = 0
            func add() {
                let index = next
                next += 1
                group.addTask {
                    try await store.addPrincipal(LoadRun.principal(index), name: "经理\(index)", role: .manager)
                    return (index, try await store.addDevice(for: LoadRun.principal(index), address: "127.0.0.1:1"))
                }
            }
            while next < min(8, devices) { add() }
            for try await (index, token) in group {
                tokens[index] = token
                if next < devices { add() }
            }
        }
        return tokens.map { $0! }
    }

    /// One device's measured sync: retried after each failure until it succeeds or the deadline passes.
    static func sync(_ book: Book, until deadline: ContinuousClock.Instant) async -> Outcome {
        let begun = ContinuousClock.now
        var outcome = Outcome()
        while ContinuousClock.now < deadline {
            do {
                let summary = try await SyncClient(book: book).sync()
                if summary.resynced { outcome.resyncs += 1 }
                guard summary.verified else {
                    outcome.unverified = true
                    return outcome
                }
                outcome.server = summary.server
                outcome.received = summary.opsReceived
                outcome.resumed = summary.resumedAfter > 0
                outcome.milliseconds = Measure.seconds(ContinuousClock.now - begun) * 1000
                return outcome
            } catch {
                // The server went away mid-session (or every server refused): sync again, as the user would.
                outcome.failures += 1
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
        return outcome
    }

    /// Ops each finished device holds as acknowledged (all its own ops: its session ended with the centre's DONE) that
    /// the centre does not hold contiguously for its actor; and the op counts of both sides.
    func count(books: [Book], outcomes: [Outcome], centre: LoadCentre) async throws -> (lost: Int, centreOps: Int, deviceOps: Int) {
        let store = try await centre.openStore()
        defer { centre.close(store) }
        var lost = 0
        var deviceOps = 0
        for (book, outcome) in zip(books, outcomes) {
            let own = try book.ownOpCounter()
            deviceOps += Int(own)
            guard outcome.milliseconds != nil else { continue }
            let held = try await store.opening(book.actor).held
            if held < own { lost += Int(own - held) }
        }
        return (lost, try await store.status().ops, deviceOps)
    }
}
