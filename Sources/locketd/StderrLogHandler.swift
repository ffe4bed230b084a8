#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LocketSync
import Logging

/// Logs one line per event to stderr. Under systemd (`JOURNAL_STREAM` set) each
/// line starts with its syslog priority (`<6>`) and has no timestamp, since the
/// journal adds its own; otherwise lines carry an ISO 8601 time and the level.
/// Metadata is `key=value`. Callers never log secrets; this handler adds none.
struct StderrLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    let journal: Bool

    init(label: String, level: Logger.Level, journal: Bool) {
        self.label = label
        self.logLevel = level
        self.journal = journal
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields = metadata
        if let extra = event.metadata { fields.merge(extra) { $1 } }
        let suffix = fields.sorted { $0.key < $1.key }.map { " \($0.key)=\($0.value)" }.joined()
        let line: String
        if journal {
            line = "<\(Self.priority(event.level))>\(event.message)\(suffix)\n"
        } else {
            line = "\(Date().formatted(.iso8601)) \(event.level.rawValue) \(event.message)\(suffix)\n"
        }
        // A failing stderr drops the line: there is nowhere to report it.
        try? DescriptorOutput.write(line, to: STDERR_FILENO)
    }

    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }
}
