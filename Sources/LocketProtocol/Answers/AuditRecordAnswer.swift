#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Answer.Audit {
    /// One access as the `audit` answer lists it.
    public struct Record: Sendable, Equatable {
        /// Milliseconds since 1970; `time` is written from it (to the second).
        public var timeMilliseconds: Int64
        public var op: String
        /// nil for a `list` of all namespaces (and administration ops).
        public var ns: String?
        /// Keyed hash of the key name (hex).
        public var keyHash: String?
        /// `ok` or the error code answered.
        public var outcome: String
        /// The caller's executable (null when it could not be read).
        public var exe: String?
        /// Written only when true.
        public var exeDeleted: Bool
        public var pid: Int
        public var uid: Int
        /// The caller's systemd unit (null when none).
        public var unit: String?
        public var flatpak: String?
        public var snap: String?
        public var label: String?
        /// What an `allow` or `deny` named.
        public var target: String?
        /// For a `dropped` record: how many entries were refused.
        public var count: Int?
        /// When the caller's identity was read (`connect`).
        public var identityAt: String

        public init(timeMilliseconds: Int64, op: String, ns: String? = nil, keyHash: String? = nil, outcome: String,
                    exe: String? = nil, exeDeleted: Bool = false, pid: Int, uid: Int, unit: String? = nil,
                    flatpak: String? = nil, snap: String? = nil, label: String? = nil, target: String? = nil,
                    count: Int? = nil, identityAt: String = "connect") {
            self.timeMilliseconds = timeMilliseconds
            self.op = op
            self.ns = ns
            self.keyHash = keyHash
            self.outcome = outcome
            self.exe = exe
            self.exeDeleted = exeDeleted
            self.pid = pid
            self.uid = uid
            self.unit = unit
            self.flatpak = flatpak
            self.snap = snap
            self.label = label
            self.target = target
            self.count = count
            self.identityAt = identityAt
        }

        /// When, to the second.
        public var time: Date {
            Date(timeIntervalSince1970: Double(timeMilliseconds.dividedRoundingDown(by: 1000)))
        }

        /// The record's members, in the protocol's order.
        public func write(to object: inout JSONWriter) {
            object.timestamp("time", time)
            object.int("time_ms", Int(timeMilliseconds))
            object.string("op", op)
            if let ns { object.string("ns", ns) }
            if let keyHash { object.string("key_hash", keyHash) }
            object.string("outcome", outcome)
            object.string("exe", orNull: exe)
            if exeDeleted { object.bool("exe_deleted", true) }
            object.int("pid", pid)
            object.int("uid", uid)
            object.string("unit", orNull: unit)
            if let flatpak { object.string("flatpak", flatpak) }
            if let snap { object.string("snap", snap) }
            if let label { object.string("label", label) }
            if let target { object.string("target", target) }
            if let count { object.int("count", count) }
            object.string("identity_at", identityAt)
        }

        init(reading item: AnswerReader) throws(AnswerError) {
            guard let milliseconds = item.optionalInt("time_ms") else { throw .malformed("an audit record lacks integer \"time_ms\"") }
            timeMilliseconds = Int64(milliseconds)
            op = try item.requiredString("op", in: "an audit record")
            ns = item.string("ns")
            keyHash = item.string("key_hash")
            outcome = try item.requiredString("outcome", in: "an audit record")
            exe = item.string("exe")
            exeDeleted = item.optionalBool("exe_deleted") ?? false
            pid = try item.int("pid")
            uid = try item.int("uid")
            unit = item.string("unit")
            flatpak = item.string("flatpak")
            snap = item.string("snap")
            label = item.string("label")
            target = item.string("target")
            count = item.optionalInt("count")
            identityAt = item.string("identity_at") ?? "connect"
        }
    }
}

extension Int64 {
    /// Floor division (a time before 1970 rounds toward the past, as `gmtime` does).
    fileprivate func dividedRoundingDown(by divisor: Int64) -> Int64 {
        let (quotient, remainder) = quotientAndRemainder(dividingBy: divisor)
        return remainder < 0 ? quotient - 1 : quotient
    }
}
