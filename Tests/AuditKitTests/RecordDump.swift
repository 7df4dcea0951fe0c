import AuditKit

/// A stable text rendering of parsed records, for golden files: header, then
/// every field with its quoting and decoded value (non-printable bytes as \xNN).
enum RecordDump {
    static func render(_ record: AuditRecord) throws -> String {
        var out = "\(record.type.name) \(record.id)"
        if !record.node.isEmpty { out += " node=\(record.node)" }
        out += "\n"
        var fields = record.fields.makeIterator()
        while let field = try fields.nextField() { out += "  " + render(field) + "\n" }
        if !record.interpreted.isEmpty {
            out += "  --- interpreted\n"
            var interpreted = record.interpretedFields.makeIterator()
            while let field = try interpreted.nextField() { out += "  " + render(field) + "\n" }
        }
        return out
    }

    static func render(_ field: AuditField) -> String {
        var line = "\(field.key) [\(field.quoting)]"
        if field.isNull { return line + " null" }
        if field.isUnset { return line + " unset" }
        if field.isHexEncoded { line += " hex" }
        line += " = " + escape(field.decodedBytes)
        if field.quoting == .single {
            var nested = field.nestedFields.makeIterator()
            while let inner = nested.next() { line += "\n    " + render(inner) }
        }
        return line
    }

    static func escape(_ bytes: [UInt8]) -> String {
        var s = ""
        for b in bytes {
            if b >= 0x20, b < 0x7F, b != UInt8(ascii: "\\") {
                s.unicodeScalars.append(Unicode.Scalar(b))
            } else {
                s += "\\x" + (b < 16 ? "0" : "") + String(b, radix: 16, uppercase: true)
            }
        }
        return s
    }
}
