// `Duration.secondsText` (the timeouts in key-store messages), written without
// Foundation's number formatting since locketd links only FoundationEssentials.
@testable import LocketKeyStore
import Testing

@Suite("Timeout text")
struct DurationTextTests {
    @Test("whole seconds, then up to three decimals without trailing zeros")
    func secondsText() {
        #expect(Duration.seconds(2).secondsText == "2")
        #expect(Duration.milliseconds(500).secondsText == "0.5")
        #expect(Duration.milliseconds(1250).secondsText == "1.25")
        #expect(Duration.milliseconds(1).secondsText == "0.001")
        #expect(Duration.seconds(1500).secondsText == "1500")
        #expect(Duration.milliseconds(30_050).secondsText == "30.05")
    }
}
