import CYAML

/// Turns YAML (or JSON) bytes into ``YAMLNode`` documents with libyaml's event
/// parser, keeping each node's line and column and enforcing ``YAMLLimits``.
public struct YAMLReader: Sendable {
    public var limits: YAMLLimits

    public init(limits: YAMLLimits = .default) {
        self.limits = limits
    }

    /// The documents in `bytes` (a file may hold several, separated by `---`).
    public func documents(_ bytes: [UInt8]) throws(YAMLError) -> [YAMLNode] {
        guard bytes.count <= limits.maxFileBytes else {
            throw YAMLError(
                mark: .start,
                message: "file is \(bytes.count) bytes, more than the limit of \(limits.maxFileBytes); split it")
        }
        let result: Result<[YAMLNode], YAMLError> = bytes.withUnsafeBufferPointer { buffer in
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) != 0 else {
                return .failure(YAMLError(mark: .start, message: "libyaml could not start (out of memory)"))
            }
            defer { yaml_parser_delete(&parser) }
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var builder = Builder(limits: limits)
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) != 0 else {
                    return .failure(Self.syntaxError(parser))
                }
                defer { yaml_event_delete(&event) }
                if event.type == YAML_STREAM_END_EVENT { break }
                do throws(YAMLError) {
                    try builder.handle(event)
                } catch {
                    return .failure(error)
                }
            }
            return .success(builder.documents)
        }
        return try result.get()
    }

    private static func syntaxError(_ parser: yaml_parser_t) -> YAMLError {
        let problem = parser.problem.map { String(cString: $0) } ?? "unknown problem"
        let context = parser.context.map { String(cString: $0) }
        let mark = SourceMark(
            line: Int(parser.problem_mark.line) + 1, column: Int(parser.problem_mark.column) + 1)
        let text = context.map { "YAML syntax error: \(problem) \($0)" } ?? "YAML syntax error: \(problem)"
        return YAMLError(mark: mark, message: text + "; fix the YAML at this place")
    }
}

/// Builds nodes from libyaml events with an explicit stack (no recursion).
private struct Builder {
    let limits: YAMLLimits
    var documents: [YAMLNode] = []
    var anchors: [String: YAMLNode] = [:]
    var aliasCount = 0

    /// A collection being built, with its pending key for mappings.
    struct Open {
        var isMapping: Bool
        var mark: SourceMark
        var anchor: String?
        var items: [YAMLNode] = []
        var pairs: [YAMLPair] = []
        var pendingKey: YAMLNode?
        var weight = 1
    }
    var stack: [Open] = []
    var root: YAMLNode?

    init(limits: YAMLLimits) {
        self.limits = limits
    }

    static func mark(_ m: yaml_mark_t) -> SourceMark {
        SourceMark(line: Int(m.line) + 1, column: Int(m.column) + 1)
    }

    static func string(_ p: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let p else { return nil }
        return String(cString: UnsafeRawPointer(p).assumingMemoryBound(to: CChar.self))
    }

    mutating func handle(_ event: yaml_event_t) throws(YAMLError) {
        let mark = Self.mark(event.start_mark)
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            anchors = [:]
            root = nil
        case YAML_DOCUMENT_END_EVENT:
            documents.append(root ?? YAMLNode(kind: .scalar(""), mark: mark, isPlain: true))
        case YAML_SCALAR_EVENT:
            let s = event.data.scalar
            let text: String
            if let value = s.value {
                text = String(decoding: UnsafeBufferPointer(start: value, count: s.length), as: UTF8.self)
            } else {
                text = ""
            }
            let isPlain = s.style == YAML_PLAIN_SCALAR_STYLE && s.tag == nil
            let node = YAMLNode(kind: .scalar(text), mark: mark, isPlain: isPlain)
            try register(anchor: Self.string(s.anchor), node: node, mark: mark)
            try add(node)
        case YAML_ALIAS_EVENT:
            aliasCount += 1
            guard aliasCount <= limits.maxAliases else {
                throw YAMLError(
                    mark: mark, message: "more than \(limits.maxAliases) aliases in one file; write the values out")
            }
            let name = Self.string(event.data.alias.anchor) ?? ""
            guard let node = anchors[name] else {
                // The alias's name is file content: the place names it, the message does not.
                throw YAMLError(mark: mark, message: "this alias refers to no anchor defined before it; define the anchor (&name) first")
            }
            var copy = node
            copy.mark = mark
            try add(copy)
        case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
            guard stack.count < limits.maxDepth else {
                throw YAMLError(
                    mark: mark, message: "nesting deeper than \(limits.maxDepth) levels; flatten the document")
            }
            let anchor =
                event.type == YAML_SEQUENCE_START_EVENT
                ? Self.string(event.data.sequence_start.anchor) : Self.string(event.data.mapping_start.anchor)
            stack.append(Open(isMapping: event.type == YAML_MAPPING_START_EVENT, mark: mark, anchor: anchor))
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            let open = stack.removeLast()
            let node = YAMLNode(
                kind: open.isMapping ? .mapping(open.pairs) : .sequence(open.items),
                mark: open.mark, weight: open.weight)
            try register(anchor: open.anchor, node: node, mark: open.mark)
            try add(node)
        default:
            break
        }
    }

    mutating func register(anchor: String?, node: YAMLNode, mark: SourceMark) throws(YAMLError) {
        guard let anchor else { return }
        if anchors[anchor] == nil, anchors.count >= limits.maxAnchors {
            throw YAMLError(mark: mark, message: "more than \(limits.maxAnchors) anchors in one file")
        }
        anchors[anchor] = node
    }

    mutating func add(_ node: YAMLNode) throws(YAMLError) {
        guard !stack.isEmpty else {
            guard node.weight <= limits.maxExpandedNodes else { throw tooBig(node.mark) }
            root = node
            return
        }
        let i = stack.count - 1
        stack[i].weight += node.weight
        // Every open collection's weight grows by the same amount on close; checking
        // the innermost one bounds the work an alias can make.
        guard stack[i].weight <= limits.maxExpandedNodes else { throw tooBig(node.mark) }
        if stack[i].isMapping {
            if let key = stack[i].pendingKey {
                stack[i].pairs.append(YAMLPair(key: key, value: node))
                stack[i].pendingKey = nil
            } else {
                stack[i].pendingKey = node
            }
        } else {
            stack[i].items.append(node)
        }
    }

    func tooBig(_ mark: SourceMark) -> YAMLError {
        YAMLError(
            mark: mark,
            message:
                "document expands to more than \(limits.maxExpandedNodes) nodes (aliases counted); remove nested aliases")
    }
}
