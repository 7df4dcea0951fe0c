import Foundation
import Testing
import TestSupport

@testable import SinkKit

/// A summary's fold kind is written under the same name in every format, the
/// name the model gives it (its raw value).
@Suite struct FoldKindFormatTests {
    static func summary(_ kind: Violation.Fold.Kind) -> Violation {
        var v = Samples.violation()
        v.fold = Violation.Fold(
            kind: kind, firstSerial: 2, lastSerial: 9, firstTime: Timestamp(millisecondsSinceEpoch: 2),
            lastTime: Timestamp(millisecondsSinceEpoch: 9))
        return v
    }

    @Test(arguments: Violation.Fold.Kind.allCases)
    func everyFormatWritesTheKindsName(kind: Violation.Fold.Kind) throws {
        let v = Self.summary(kind)
        let json = try #require(FormatParsers.json(JSONFormatter().format(v)))
        #expect(FormatParsers.value(json, at: "callguard.fold.kind") as? String == kind.rawValue)
        let cef = try #require(FormatParsers.cef(String(decoding: CEFFormatter().format(v), as: UTF8.self)))
        #expect(cef.ext["callguardCallguardFoldKind"] == kind.rawValue)
        let leef = try #require(FormatParsers.leef(String(decoding: LEEFFormatter().format(v), as: UTF8.self)))
        #expect(leef.attrs["foldKind"] == kind.rawValue)
    }
}
