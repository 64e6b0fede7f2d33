import CLinux
import CoreMetrics
import Dispatch
import FoundationEssentials
import Glibc
import InferenceAPI
import Logging
import SentimentModel
import Synchronization

/// Loads one served model again from its files, off the request path, and puts it in service between passes; on
/// SIGHUP, and when ``watch(every:)`` sees a file change (as TF Serving polls its model directory). Each served
/// model has its own reloader, so one model's failure never touches another's.
///
/// A file that fails to load or validate (damaged, incompatible) leaves the running model in service; the failure is
/// logged and counted. Threading: ``reload(reason:)`` may be called from any thread; loads run one at a time on the
/// reloader's own serial queue, never on an I/O thread.
final class ModelReloader: Sendable {
    private let load: @Sendable () throws -> ModelBundle
    private let files: @Sendable () throws -> [URL]
    private let service: InferenceService
    /// The name the model is served under.
    private let name: String
    private let logger: Logger
    private let queue: DispatchQueue
    private let succeeded = Atomic<Int>(0)
    private let failed = Atomic<Int>(0)
    /// `lstm_serve_model_reloads_total` by outcome, in swift-metrics' global factory (``ServeMetrics/bootstrap()``).
    private let reloads = (
        success: Counter(label: "lstm_serve_model_reloads_total", dimensions: [("outcome", "success")]),
        failure: Counter(label: "lstm_serve_model_reloads_total", dimensions: [("outcome", "failure")])
    )

    /// - Parameters:
    ///   - load: reads and validates the checkpoint and vocabulary, as at start-up.
    ///   - files: the files the model is read from, for ``watch(every:)``.
    init(
        service: InferenceService, name: String, logger: Logger, files: @escaping @Sendable () throws -> [URL],
        load: @escaping @Sendable () throws -> ModelBundle
    ) {
        self.service = service
        self.name = name
        self.queue = DispatchQueue(label: "lstm-serve.reload.\(name)")
        self.logger = logger
        self.files = files
        self.load = load
    }

    /// Reloads that put a new version in service, and reloads that failed and kept the running one.
    var outcomes: (succeeded: Int, failed: Int) { (succeeded.load(ordering: .relaxed), failed.load(ordering: .relaxed)) }

    /// Loads the model again on the reloader's queue and, if it loads, serves it from the next pass on.
    func reload(reason: String) {
        queue.async { self.reloadNow(reason: reason) }
    }

    private func reloadNow(reason: String) {
        let started = DispatchTime.now().uptimeNanoseconds
        let bundle: ModelBundle
        do {
            bundle = try load()
        } catch {
            let count = failed.add(1, ordering: .relaxed).newValue
            reloads.failure.increment()
            logger.error(
                "reload failed; still serving the previous model",
                metadata: [
                    "reason": "\(reason)", "model": "\(name)", "error": "\(error)",
                    "sha256": "\(service.slot(named: name)?.loaded.model.sha256 ?? "")", "failed_reloads": "\(count)",
                ])
            return
        }
        guard let loaded = service.replaceModel(bundle, named: name) else { return }
        succeeded.add(1, ordering: .relaxed)
        reloads.success.increment()
        let milliseconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6
        logger.info(
            "reloaded the model",
            metadata: [
                "reason": "\(reason)", "model": "\(name)", "sha256": "\(bundle.sha256)", "version": "\(loaded.version)",
                "load_ms": "\((milliseconds * 10).rounded() / 10)",
            ])
    }

    /// Polls the model's files every `interval` on a thread of its own and reloads when one of them changes (another
    /// inode, size or modification time). A change seen while a file is still being written may fail to load; the
    /// next poll sees the finished file as another change and loads it.
    func watch(every interval: Duration) {
        let started = DetachedThread.start(name: "model-watch") { [self] in
            var seen = signatures()
            while true {
                DetachedThread.sleep(for: interval)
                let now = signatures()
                if now != seen {
                    seen = now
                    reload(reason: "a model file changed")
                }
            }
        }
        if !started { logger.error("cannot start a thread to watch the model's files; they are not watched") }
    }

    /// What identifies each file's contents cheaply: inode, size and modification time; nil for one that is missing.
    private func signatures() -> [[Int]?] {
        let urls = (try? files()) ?? []
        return urls.map { url in
            var info = stat()
            guard stat(url.path, &info) == 0 else { return nil }
            return [Int(info.st_ino), Int(info.st_size), Int(info.st_mtim.tv_sec), Int(info.st_mtim.tv_nsec)]
        }
    }
}
