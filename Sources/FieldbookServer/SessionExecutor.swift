import Dispatch

/// Where the server's connection tasks run: threads of their own (a concurrent dispatch queue), not the Swift
/// concurrency pool's few threads, so that the sessions keep moving whatever else the process does with that pool
/// (an embedding app, or a test process whose other tests block it while child processes run).
///
/// ```swift
/// group.addTask(executorPreference: SessionExecutor.shared) { await serve(connection) }
/// ```
final class SessionExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked because the only state, the queue, is thread-safe.

    /// The one executor of the process.
    static let shared = SessionExecutor()

    private let queue = DispatchQueue(label: "fieldbook.sessions", qos: .userInitiated, attributes: .concurrent)

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}
