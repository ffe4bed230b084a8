#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Answer {
    /// `audit`: access records oldest first, and the damage met reading the log.
    public struct Audit: AnswerBody {
        public var items: [Record]
        /// Records that did not authenticate, gaps, missing segments, torn tails: one line each.
        public var damage: [String]
        /// Records left out because a rule keeps the caller out (written only when some were).
        public var withheld: Int
        /// What rotation pushed out of the log, if anything.
        public var rotated: Rotated?

        public init(items: [Record], damage: [String] = [], withheld: Int = 0, rotated: Rotated? = nil) {
            self.items = items
            self.damage = damage
            self.withheld = withheld
            self.rotated = rotated
        }

        public func write(to response: inout Response) {
            response.members { writer in
                writer.objects("items", items) { object, record in record.write(to: &object) }
                writer.strings("damage", damage)
                if withheld > 0 { writer.int("withheld", withheld) }
                if let rotated {
                    writer.name("rotated")
                    writer.object { object in
                        object.int("records", rotated.records)
                        object.int("refused", rotated.refused)
                        object.timestamp("last", rotated.last)
                    }
                }
            }
        }

        /// `damage`, `withheld` and `rotated` may be absent (older daemons).
        public init(reading answer: AnswerReader) throws(AnswerError) {
            var items: [Record] = []
            for item in try answer.objects("items") { items.append(try Record(reading: item)) }
            self.items = items
            damage = answer.isAbsentOrNull("damage") ? [] : try answer.strings("damage")
            withheld = answer.optionalInt("withheld") ?? 0
            rotated = try answer.object("rotated").map { object throws(AnswerError) in
                Rotated(records: try object.int("records"), refused: try object.int("refused"), last: object.date("last"))
            }
        }

        /// What rotation pushed out of the audit log since it began.
        public struct Rotated: Sendable, Equatable {
            public var records: Int
            /// How many of them were refused attempts.
            public var refused: Int
            /// When the latest rotation pushed records out.
            public var last: Date?

            public init(records: Int, refused: Int, last: Date?) {
                self.records = records
                self.refused = refused
                self.last = last
            }
        }
    }
}
