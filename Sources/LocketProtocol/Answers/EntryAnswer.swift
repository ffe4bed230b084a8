#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Answer {
    /// `get`: a live entry (also a lease's `entry`, and the members of a
    /// `lease` answered with another process's result).
    public struct Entry: AnswerBody {
        /// The value as the exact JSON text stored.
        public var value: [UInt8]
        public var version: Int
        public var createdAt: Date?
        public var updatedAt: Date?
        public var expiresAt: Date?

        public init(value: [UInt8], version: Int, createdAt: Date?, updatedAt: Date?, expiresAt: Date?) {
            self.value = value
            self.version = version
            self.createdAt = createdAt
            self.updatedAt = updatedAt
            self.expiresAt = expiresAt
        }

        /// The value, and room for the other members (three timestamps, the names, the version).
        public var expectedLineBytes: Int { value.count + 160 }

        /// `value`, `version`, `created_at`, `updated_at`, `expires_at`.
        public func write(to response: inout Response) {
            response.raw("value", value)
            response.int("version", version)
            response.timestamp("created_at", createdAt)
            response.timestamp("updated_at", updatedAt)
            response.timestamp("expires_at", expiresAt)
        }

        public init(reading answer: AnswerReader) throws(AnswerError) {
            guard let value = answer.raw("value") else { throw .malformed("answer lacks \"value\"") }
            self.value = value
            version = try answer.int("version")
            createdAt = answer.date("created_at")
            updatedAt = answer.date("updated_at")
            expiresAt = answer.date("expires_at")
        }
    }

    /// `put`: whether the entry is new, its version now, when it expires.
    public struct Put: AnswerBody {
        /// No live entry existed before.
        public var created: Bool
        public var version: Int
        public var expiresAt: Date?

        public init(created: Bool, version: Int, expiresAt: Date?) {
            self.created = created
            self.version = version
            self.expiresAt = expiresAt
        }

        public func write(to response: inout Response) {
            response.bool("created", created)
            response.int("version", version)
            response.timestamp("expires_at", expiresAt)
        }

        public init(reading answer: AnswerReader) throws(AnswerError) {
            created = try answer.bool("created")
            version = try answer.int("version")
            expiresAt = answer.date("expires_at")
        }
    }
}
