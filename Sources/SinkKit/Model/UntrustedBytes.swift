/// Bytes that an audited process controls (its `comm`, `exe`, paths, proctitle).
///
/// They may be invalid UTF-8 and may contain control bytes, so they are kept as
/// raw bytes. Formatters never write them verbatim: they write the
/// ``DisplayText`` form (printable UTF-8 kept, `\` doubled, every other byte as
/// `\xNN`) through their own escaper, so the value is lossless, unambiguous and
/// can never add, split or forge a field or a message.
public struct UntrustedBytes: Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The bytes exactly as the kernel reported them (after audit's hex decoding).
    public var bytes: [UInt8]

    /// Wraps raw bytes.
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Wraps the UTF-8 bytes of `string`.
    public init(_ string: String) { self.bytes = Array(string.utf8) }

    public init(stringLiteral value: String) { self.init(value) }

    /// The display form as a `String` (see ``DisplayText``).
    public var description: String {
        var out: [UInt8] = []
        DisplayText.write(bytes, into: &out, PlainEscaper.self)
        return String(decoding: out, as: UTF8.self)
    }
}
