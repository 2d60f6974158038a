// libyaml's event parser, as the Yams package builds it (module CYaml, a dependency of Yams): the only way to
// measure a document before Yams composes it.
import CYaml
import ParkImpactModel

/// The size of a YAML document with its aliases expanded, measured on libyaml's events in time linear in the text.
///
/// Composing a document copies the anchored node at every alias, and Yams hashes every mapping key (its duplicate
/// check): a few lines of nested aliases used as keys ("billion laughs") cost exponential time and would hold the run's
/// lock for hours. `DefinitionLoader` measures first and refuses a definition that expands beyond
/// `DefinitionLoader.maximumNodes`.
enum YAMLSize {
    /// The number of nodes (scalars, sequences, mappings; an alias counts as the nodes it stands for) of every
    /// document in `yaml`, or nil as soon as it exceeds `limit`. A text libyaml cannot parse gives the count so far
    /// (the composer reports the syntax error with its line).
    static func expandedNodes(_ yaml: String, limit: Int) -> Int? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return 0 }
        defer { yaml_parser_delete(&parser) }
        var bytes = Array(yaml.utf8)
        return bytes.withUnsafeMutableBufferPointer { buffer -> Int? in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            var anchors: [String: Int] = [:]
            // Open collections: their size so far and their anchor.
            var open: [(size: Int, anchor: String?)] = []
            var total = 0
            func text(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
                pointer.map { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
            }
            /// Adds a finished node of `size` to its parent (or the total); false when that goes over the limit.
            func finish(_ size: Int, anchor: String?) -> Bool {
                if let anchor { anchors[anchor] = size }
                let current = open.last?.size ?? total
                let (sum, overflow) = current.addingReportingOverflow(size)
                guard !overflow, sum <= limit else { return false }
                if open.isEmpty { total = sum } else { open[open.count - 1].size = sum }
                return true
            }
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else { return total }
                defer { yaml_event_delete(&event) }
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return total
                case YAML_SCALAR_EVENT:
                    if !finish(1, anchor: text(event.data.scalar.anchor)) { return nil }
                case YAML_ALIAS_EVENT:
                    let size = text(event.data.alias.anchor).flatMap { anchors[$0] } ?? 1
                    if !finish(size, anchor: nil) { return nil }
                case YAML_SEQUENCE_START_EVENT:
                    open.append((1, text(event.data.sequence_start.anchor)))
                case YAML_MAPPING_START_EVENT:
                    open.append((1, text(event.data.mapping_start.anchor)))
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    guard let closed = open.popLast() else { return total }
                    if !finish(closed.size, anchor: closed.anchor) { return nil }
                default:
                    break
                }
            }
        }
    }
}
