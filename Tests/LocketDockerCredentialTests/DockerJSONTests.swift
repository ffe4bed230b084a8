import Testing
@testable import LocketDockerCredential

@Suite struct DockerJSONTests {
    @Test func writesStringsAsGoDoes() {
        #expect(GoJSON.string("a\"b\\c") == #""a\"b\\c""#)
        #expect(GoJSON.string("<&>\u{2028}\u{2029}") == #""\u003c\u0026\u003e\u2028\u2029""#)
        #expect(GoJSON.string("\n\r\t\u{8}\u{C}\u{1}\u{1F}\u{7F}é😀") == "\"\\n\\r\\t\\b\\f\\u0001\\u001f\u{7F}é😀\"")
    }

    @Test func readsEscapesAndSurrogates() throws {
        let parsed = try DockerCredentials.parse(Array(#"{"ServerURL":"\ud83d\ude00\/","Username":"\ud800x","Secret":"\u0041\t"}"#.utf8))
        #expect(parsed == DockerCredentials(serverURL: "😀/", username: "\u{FFFD}x", secret: "A\t"))
    }

    @Test func foldsNamesAsGoDoes() throws {
        let parsed = try DockerCredentials.parse(Array(#"{"ſerverurl":"a","UserName":"b","SECRET":"c"}"#.utf8))
        #expect(parsed == DockerCredentials(serverURL: "a", username: "b", secret: "c"))
    }

    @Test func refusesWhatIsNotJSON() {
        for text in [#"{"a":01}"#, #"{"a":"\x"}"#, "{\"a\":\"\u{1}\"}", #"{"a":tru}"#, #"{"a" 1}"#, #"{,}"#, #"{"a":1,}"#,
                     String(repeating: "[", count: 100) + String(repeating: "]", count: 100)] {
            #expect(throws: DockerCredentialError.self, "\(text)") { try DockerCredentials.parse(Array(("{\"x\":" + text + "}").utf8)) }
        }
    }
}
