/// Normalises a header name for matching: lower case, trimmed, inner spaces collapsed.
package func normalisedHeader(_ text: String) -> String {
    text.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
}
