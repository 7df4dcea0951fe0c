/// The kernel's value encodings: which fields carry process-controlled text
/// (and so may be hex-encoded), and hex decoding itself.
public enum FieldDecoding {
    /// Whether `key` in a record of `recordType` holds text the kernel logs
    /// with `audit_log_untrustedstring` (or user space with
    /// `audit_encode_nv_string`): quoted when safe, hex-encoded otherwise.
    public static func holdsEncodedText(key: ByteView, recordType: RecordType) -> Bool {
        guard key.count > 0 else { return false }
        if recordType == .execve, key[0] == UInt8(ascii: "a"), key.count > 1 {
            // a0, a1, ... and a1[0], a1[1], ... for split arguments; not argc or a0_len.
            var i = 1
            while i < key.count, key[i] &- 0x30 < 10 { i += 1 }
            return i > 1 && (i == key.count || key[i] == UInt8(ascii: "["))
        }
        switch key.count {
        case 3: return key.equals("exe") || key.equals("cwd") || key.equals("key") || key.equals("cmd") || key.equals("dir")
        case 4: return key.equals("comm") || key.equals("name") || key.equals("path") || key.equals("data") || key.equals("acct")
        case 5: return key.equals("ocomm") || key.equals("watch")
        case 9: return key.equals("proctitle")
        default: return false
        }
    }

    /// Appends the bytes that the hex digits in `hex` encode. An odd trailing
    /// digit or a non-hex pair is skipped; callers check ``AuditField/isHexEncoded`` first.
    public static func appendHexDecoded(_ hex: ByteView, to output: inout [UInt8]) {
        var i = 0
        while i + 1 < hex.count {
            if let high = HexDigit.value(hex[i]), let low = HexDigit.value(hex[i + 1]) {
                output.append(high << 4 | low)
            }
            i += 2
        }
    }
}
