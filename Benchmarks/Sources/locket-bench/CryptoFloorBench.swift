import Foundation

/// Issue 18's row "daemon CPU per `get` ÷ the crypto it must do (2 AEAD opens,
/// 1 keyed hash, measured alone)": the crypto floor measured here, in-process
/// (`CryptoFloor`), against the daemon's CPU per `get` read during the
/// 50-connection throughput points (`throughput()` fills `cpuPerGet`).
extension Bench {
    func cryptoFloor() {
        let batches = CryptoFloor.get(batches: plan.cryptoBatches, getsPerBatch: plan.cryptoGetsPerBatch)
        let floor = CryptoFloor.median(batches)
        let audit = CryptoFloor.median(CryptoFloor.audit(batches: plan.cryptoBatches, recordsPerBatch: plan.cryptoGetsPerBatch))
        note(String(format: "crypto floor per get: %@ (batches %@ to %@); audit crypto per get: %@",
                    micro(floor), micro(batches.min()!), micro(batches.max()!), micro(audit)))
        results.resources["crypto_floor_get_ns"] = floor.rounded()
        results.resources["crypto_floor_get_ns_batches"] = batches.map { $0.rounded() }
        results.resources["crypto_audit_get_ns"] = audit.rounded()
        results.resources["clock_ticks_per_s"] = ProcessCPU.ticksPerSecond
        for (depth, cpu) in cpuPerGet.sorted(by: { $0.key < $1.key }) {
            note("daemon CPU per get, 50 conn × depth \(depth): \(micro(cpu.nanoseconds)) (\(cpu.summary))")
            results.resources["daemon_cpu_per_get_ns_50x\(depth)"] = cpu.nanoseconds.rounded()
            results.resources["daemon_cpu_ticks_50x\(depth)"] = cpu.ticks
            results.resources["daemon_cpu_gets_50x\(depth)"] = cpu.requests
        }
        guard let one = cpuPerGet[1], let sixteen = cpuPerGet[16] else { fatal("no daemon CPU figures from the throughput points") }

        let ratio = one.nanoseconds / floor
        // A reading is truncated to whole ticks: past 2 % of the figure, met or missed is not shown.
        let fine = one.granularity <= 0.02
        results.compare("daemon CPU per get (50 conn × depth 1) ÷ crypto floor (2 AEAD opens + 1 keyed hash, alone)", ratio,
                        unit: "x", target: "≤ 3×", met: fine ? ratio <= 3 : nil,
                        detail: "\(micro(one.nanoseconds)) vs \(micro(floor))"
                            + String(format: "; with the audit log's crypto too (%@ more, alone) %.2f×", micro(audit),
                                     one.nanoseconds / (floor + audit))
                            + (fine ? "" : "; too few ticks (one is over 2 % of the figure): not judged"))
        results.compare("crypto floor per get: 2 AEAD opens + 1 keyed hash (LocketCrypto, in-process)", floor / 1000, unit: "µs",
                        target: "–", met: nil,
                        detail: "this thread's CPU time, median of \(batches.count) batches of \(plan.cryptoGetsPerBatch) (\(micro(batches.min()!)) to \(micro(batches.max()!))); the audit log's crypto per get (1 AEAD seal + 2 keyed hashes) \(micro(audit))")
        results.compare("daemon CPU per get, 50 conn × depth 1 (utime + stime ÷ gets)", one.nanoseconds / 1000, unit: "µs",
                        target: "–", met: nil, detail: one.summary)
        results.compare("daemon CPU per get (50 conn × depth 16) ÷ crypto floor", sixteen.nanoseconds / floor, unit: "x",
                        target: "–", met: nil, detail: "\(micro(sixteen.nanoseconds)) vs \(micro(floor)); \(sixteen.summary)")
    }

    /// Nanoseconds as microseconds with two decimals (the figures here are a few µs).
    private func micro(_ ns: Double) -> String { String(format: "%.2f µs", ns / 1000) }
}
