import Foundation
import LocketCrypto
import Testing

@Suite("ProcessHygiene: no core dumps, no same-user ptrace")
struct ProcessHygieneTests {
    @Test("apply() reports dumpable off and a zero core limit")
    func applyReportsBothProtections() {
        let report = ProcessHygiene.apply()
        #expect(report.dumpableOff)
        #expect(report.coreLimitZero)
    }

    @Test("after apply(), current() reads the same state back")
    func currentMatchesApply() {
        let report = ProcessHygiene.apply()
        #expect(ProcessHygiene.current() == report)
        #expect(ProcessHygiene.current().dumpableOff)
        #expect(ProcessHygiene.current().coreLimitZero)
    }

    @Test("after apply(), the kernel shows a core file size limit of 0 (soft and hard)")
    func procLimitsShowNoCore() throws {
        ProcessHygiene.apply()
        let limits = try String(contentsOfFile: "/proc/self/limits", encoding: .utf8)
        let line = try #require(limits.split(separator: "\n").first { $0.hasPrefix("Max core file size") })
        let fields = line.dropFirst("Max core file size".count).split(separator: " ")
        #expect(fields.count >= 2)
        #expect(fields.first == "0")
        #expect(fields.dropFirst().first == "0")
    }

    @Test("after apply(), a child process's core limit is inherited as 0")
    func childInheritsZeroCoreLimit() throws {
        ProcessHygiene.apply()
        let task = Process()
        task.executableURL = URL(fileURLWithPath: "/bin/sh")
        task.arguments = ["-c", "ulimit -c; ulimit -H -c"]
        let pipe = Pipe()
        task.standardOutput = pipe
        try task.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        task.waitUntilExit()
        #expect(output.split(separator: "\n") == ["0", "0"])
    }
}
