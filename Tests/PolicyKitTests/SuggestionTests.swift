import Testing
@testable import PolicyKit

@Suite struct SuggestionTests {
    @Test func nearestCandidateIsSuggested() {
        #expect(Suggestion.nearest(to: "severty", in: ["images", "allow", "include", "severity"]) == "severity")
    }

    @Test func transpositionCountsAsOneEdit() {
        #expect(Suggestion.nearest(to: "opne", in: ["open", "openat", "close"]) == "open")
    }

    @Test func farWordsGetNoSuggestion() {
        #expect(Suggestion.nearest(to: "zzzzzzzz", in: ["read", "write"]) == nil)
        #expect(Suggestion.hint(for: "zzzzzzzz", in: ["read"]) == "")
    }
}
