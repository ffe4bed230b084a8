#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Answer {
    /// `list`: names and metadata of live entries, never values.
    public struct List: AnswerBody {
        public var items: [Item]
        /// Entries whose names could not be read (written only when some were).
        public var unreadable: Int

        public init(items: [Item], unreadable: Int = 0) {
            self.items = items
            self.unreadable = unreadable
        }

        /// One entry's names and times.
        public struct Item: Sendable, Equatable {
            public var ns: String
            public var key: String
            public var version: Int
            public var createdAt: Date?
            public var updatedAt: Date?
            public var expiresAt: Date?

            public init(ns: String, key: String, version: Int, createdAt: Date?, updatedAt: Date?, expiresAt: Date?) {
                self.ns = ns
                self.key = key
                self.version = version
                self.createdAt = createdAt
                self.updatedAt = updatedAt
                self.expiresAt = expiresAt
            }

            /// `ns`, `key`, `version`, `created_at`, `updated_at`, `expires_at`.
            public func write(to object: inout JSONWriter) {
                object.string("ns", ns)
                object.string("key", key)
                object.int("version", version)
                object.timestamp("created_at", createdAt)
                object.timestamp("updated_at", updatedAt)
                object.timestamp("expires_at", expiresAt)
            }

            init(reading item: AnswerReader) throws(AnswerError) {
                ns = try item.requiredString("ns", in: "a list item")
                key = try item.requiredString("key", in: "a list item")
                version = try item.int("version")
                createdAt = item.date("created_at")
                updatedAt = item.date("updated_at")
                expiresAt = item.date("expires_at")
            }
        }

        public func write(to response: inout Response) {
            response.members { $0.objects("items", items) { object, item in item.write(to: &object) } }
            if unreadable > 0 { response.int("unreadable", unreadable) }
        }

        public init(reading answer: AnswerReader) throws(AnswerError) {
            var items: [Item] = []
            for item in try answer.objects("items") { items.append(try Item(reading: item)) }
            self.items = items
            unreadable = answer.optionalInt("unreadable") ?? 0
        }
    }
}
