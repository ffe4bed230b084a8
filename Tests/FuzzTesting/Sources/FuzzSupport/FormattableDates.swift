/// Dates (seconds since 1970) whose year `Timestamp.format` writes as
/// `Timestamp.parse` reads it (0000…9999); the timestamp and backup targets
/// check round trips only inside it.
package let formattableSeconds = -62_167_219_200.0...253_402_300_799.0
