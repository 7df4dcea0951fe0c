import PolicyKit
import Testing

/// JSONValue/JSONParser keep what they do not change: order, unknown members, number literals.
struct JSONPassthroughTests {
    @Test func unknownMembersOrderAndNumbersSurviveARoundTrip() throws {
        let text = #"{"ociVersion":"1.0.2","zzz":{"b":1,"a":[1.50,-0,1e400,18446744073709551615]},"linux":{"x-unknown":true,"n":null},"s":"é\"\\\u0001\/"}"#
        let value = try JSONParser.parse(text)
        let again = try JSONParser.parse(value.serialized())
        #expect(again == value)
        #expect(value.serialized().hasPrefix(#"{"ociVersion":"1.0.2","zzz":{"b":1,"a":[1.50,-0,1e400,18446744073709551615]}"#))
        #expect(value["s"]?.stringValue == "é\"\\\u{1}/")
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\":}", "01", "\"\\x\"", "\"\u{1}\"", "[1] 2", "\"\\ud800\"", "nul"])
    func malformedInputIsRefused(text: String) {
        #expect(throws: JSONParser.ParseError.self) { try JSONParser.parse(text) }
    }

    @Test func nestingIsBounded() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONParser.ParseError.self) { try JSONParser.parse(deep) }
    }

    @Test func sortedOutputDependsOnlyOnMeaning() throws {
        let a = try JSONParser.parse(#"{"b":1,"a":{"d":2,"c":3}}"#)
        let b = try JSONParser.parse(#"{"a":{"c":3,"d":2},"b":1}"#)
        #expect(a.serialized(sortedKeys: true, pretty: true) == b.serialized(sortedKeys: true, pretty: true))
    }
}
