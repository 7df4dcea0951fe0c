import Testing
@testable import PolicyKit

@Suite struct YAMLReaderTests {
    func read(_ text: String, limits: YAMLLimits = .default) throws(YAMLError) -> [YAMLNode] {
        try YAMLReader(limits: limits).documents(Array(text.utf8))
    }

    @Test func nodesCarryOneBasedLineAndColumn() throws {
        let docs = try read("a: 1\nlist:\n  - x\n  - \"y\"\n")
        guard case .mapping(let pairs) = docs[0].kind else { Issue.record("not a mapping"); return }
        #expect(pairs[1].key.mark == SourceMark(line: 2, column: 1))
        guard case .sequence(let items) = pairs[1].value.kind else { Issue.record("not a list"); return }
        #expect(items[0].mark == SourceMark(line: 3, column: 5))
        #expect(items[0].isPlain)
        #expect(!items[1].isPlain)
        #expect(items[1].scalar == "y")
    }

    @Test func syntaxErrorNamesLineAndColumn() {
        #expect(throws: YAMLError.self) { try read("a: [1, 2\nb: c\n") }
        do {
            _ = try read("a: [1, 2\nb: c\n")
        } catch {
            #expect(error.mark.line == 2)
            #expect(error.message.contains("YAML syntax error"))
        }
    }

    @Test func severalDocumentsInOneFile() throws {
        let docs = try read("a: 1\n---\nb: 2\n")
        #expect(docs.count == 2)
        #expect(docs[1].mark.line == 3)
    }

    @Test func aliasesResolveToTheAnchoredNode() throws {
        let docs = try read("x: &names [read, write]\ny: *names\n")
        guard case .mapping(let pairs) = docs[0].kind, case .sequence(let items) = pairs[1].value.kind else {
            Issue.record("unexpected shape")
            return
        }
        #expect(items.map(\.scalar) == ["read", "write"])
        #expect(pairs[1].value.mark == SourceMark(line: 2, column: 4))
    }

    @Test func aliasExpansionBeyondTheLimitIsAnErrorNotAHang() {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1...9 { text += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]\n" }
        #expect { try read(text) } throws: { error in
            (error as? YAMLError)?.message.contains("expands to more than") == true
        }
    }

    @Test func tooManyAliasesIsAnError() {
        let text = "a: &a x\nb: [" + Array(repeating: "*a", count: 20).joined(separator: ", ") + "]\n"
        #expect { try read(text, limits: YAMLLimits(maxAliases: 10)) } throws: { error in
            (error as? YAMLError)?.message.contains("more than 10 aliases") == true
        }
    }

    @Test func tooManyAnchorsIsAnError() {
        let text = (0..<5).map { "k\($0): &a\($0) v" }.joined(separator: "\n") + "\n"
        #expect { try read(text, limits: YAMLLimits(maxAnchors: 3)) } throws: { error in
            (error as? YAMLError)?.message.contains("more than 3 anchors") == true
        }
    }

    @Test func nestingBeyondTheDepthLimitIsAnError() {
        let text = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect { try read(text) } throws: { error in
            (error as? YAMLError)?.message.contains("nesting deeper than 32") == true
        }
    }

    @Test func fileBeyondTheSizeLimitIsAnError() {
        let text = String(repeating: "a", count: 2000)
        #expect { try read(text, limits: YAMLLimits(maxFileBytes: 1000)) } throws: { error in
            (error as? YAMLError)?.message.contains("more than the limit of 1000") == true
        }
    }

    @Test func undefinedAliasIsAnError() {
        #expect(throws: YAMLError.self) { try read("a: *nothing\n") }
    }

    @Test func jsonParsesAsYAML() throws {
        let docs = try read("{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\"}")
        guard case .mapping(let pairs) = docs[0].kind else { Issue.record("not a mapping"); return }
        #expect(pairs.map(\.key.scalar) == ["names", "action"])
    }
}
