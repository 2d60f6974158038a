import ParkImpactModel
import ParkImpactDefinition
import ParkImpactKPIs

/// Escaping for text that comes from YAML or CSV (names, paths, reasons, sources, units, keys) before it goes
/// into HTML, in element content and in quoted attribute values alike.
public enum HTMLEscaping {
    /// Escapes `&`, `<`, `>`, `"` and `'`; control characters that HTML does not allow (C0 except tab, line
    /// feed and carriage return; DEL; C1) become U+FFFD so a stray byte cannot break the document.
    public static func escape(_ text: String) -> String {
        // Fast path: most names and keys need nothing.
        if !text.unicodeScalars.contains(where: needsWork) { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out.append(contentsOf: "&amp;".unicodeScalars)
            case "<": out.append(contentsOf: "&lt;".unicodeScalars)
            case ">": out.append(contentsOf: "&gt;".unicodeScalars)
            case "\"": out.append(contentsOf: "&quot;".unicodeScalars)
            case "'": out.append(contentsOf: "&#39;".unicodeScalars)
            default:
                out.append(isDisallowedControl(scalar) ? "\u{FFFD}" : scalar)
            }
        }
        return String(out)
    }

    @inline(__always)
    static func needsWork(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "&", "<", ">", "\"", "'": return true
        default: return isDisallowedControl(scalar)
        }
    }

    @inline(__always)
    static func isDisallowedControl(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v < 0x20 { return v != 0x09 && v != 0x0A && v != 0x0D }
        return v >= 0x7F && v <= 0x9F
    }
}
