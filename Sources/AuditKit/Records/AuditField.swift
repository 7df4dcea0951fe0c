/// One `key=value` field of an audit record, as views into the record.
///
/// The value is as the kernel wrote it, minus its quotes. Whether it is
/// hex-encoded depends on the field (``isHexEncoded``); decode it with
/// ``decode(into:)`` or ``decodedString`` only when the value is needed.
public struct AuditField {
    /// How the value was written.
    public enum Quoting: UInt8, Sendable {
        /// `key=value`: a number, a hex-encoded string, `(null)`, `?`, or a bare word.
        case none
        /// `key="value"`: a string the kernel found safe to print as is.
        case double
        /// `msg='...'`: user-space messages nest their own fields in single quotes.
        case single
        /// A token without `=` (as in AVC records: `avc:  denied  { read }`).
        case absent
    }

    /// The field's name.
    public var key: ByteView
    /// The value without its quotes.
    public var value: ByteView
    /// How the value was quoted.
    public var quoting: Quoting
    /// The type of the record the field belongs to (decoding depends on it).
    public var recordType: RecordType

    @inlinable
    public init(key: ByteView, value: ByteView, quoting: Quoting, recordType: RecordType) {
        self.key = key
        self.value = value
        self.quoting = quoting
        self.recordType = recordType
    }

    /// `key=(null)`: the kernel had no value.
    @inlinable
    public var isNull: Bool { quoting == .none && value.equals("(null)") }

    /// `key=?`: the value is unset or unknown.
    @inlinable
    public var isUnset: Bool { quoting == .none && value.equals("?") }

    /// Whether the value is a hex-encoded string: an unquoted value of a field
    /// that holds process-controlled text (comm, exe, paths, proctitle, EXECVE
    /// arguments, ...), written by the kernel as an even run of uppercase hex
    /// digits because it contained a space, a quote or a control byte.
    public var isHexEncoded: Bool {
        guard quoting == .none, value.count >= 2, value.count & 1 == 0,
            FieldDecoding.holdsEncodedText(key: key, recordType: recordType)
        else { return false }
        for i in 0..<value.count where HexDigit.upperValue(value[i]) == nil { return false }
        return true
    }

    /// Appends the decoded value to `output` (hex decoded when hex-encoded,
    /// otherwise the bytes as written). Reuse `output` to avoid allocating.
    public func decode(into output: inout [UInt8]) {
        if isHexEncoded {
            FieldDecoding.appendHexDecoded(value, to: &output)
        } else {
            output.append(contentsOf: value.buffer)
        }
    }

    /// The decoded value as bytes (may hold any byte, including NUL).
    public var decodedBytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(isHexEncoded ? value.count / 2 : value.count)
        decode(into: &out)
        return out
    }

    /// The decoded value as a string, invalid UTF-8 replaced by U+FFFD.
    /// It is still attacker-controlled: escape it for whatever it goes into.
    public var decodedString: String { String(decoding: decodedBytes, as: UTF8.self) }

    /// For `proctitle`, and any NUL-separated value: the decoded parts
    /// (argv, in the case of proctitle).
    public var decodedArguments: [String] {
        decodedBytes.split(separator: 0, omittingEmptySubsequences: false).map {
            String(decoding: $0, as: UTF8.self)
        }
    }

    /// The fields nested inside a single-quoted value (`msg='op=... res=success'`).
    public var nestedFields: FieldSequence {
        FieldSequence(quoting == .single ? value : .empty, recordType: recordType)
    }

    /// The value as an unsigned decimal number.
    @inlinable public var decimal: UInt64? { quoting == .none ? value.decimal() : nil }
    /// The value as a signed decimal number.
    @inlinable public var signedDecimal: Int64? { quoting == .none ? value.signedDecimal() : nil }
    /// The value as a hexadecimal number (`arch=c000003e`, `a0=7ffd...`).
    @inlinable public var hexadecimal: UInt64? { quoting == .none ? value.hexadecimal() : nil }
}
