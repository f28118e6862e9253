/// The proxy's upstream lists, as run_proxy_server.sh builds them from the API server lists.
public enum ProxyUpstreams {
    public struct FormatError: Error, CustomStringConvertible {
        public let description: String
    }

    /// `PREFILL_API_SERVER_LIST` split on commas, whitespace removed.
    public static func prefill(_ list: String) -> [String] {
        items(list).filter { !$0.isEmpty }
    }

    /// The list split on commas, whitespace removed from each item.
    private static func items(_ list: String) -> [String] {
        list.split(separator: ",").map { String($0.filter { !$0.isWhitespace }) }
    }

    /// Each `ip:port@N` of `DECODE_API_SERVER_LIST` becomes `ip:port … ip:port+N`.
    public static func decode(_ list: String) throws -> [String] {
        var result: [String] = []
        for item in items(list) {
            guard let at = item.lastIndex(of: "@"), let colon = item[..<at].lastIndex(of: ":"),
                  let port = Int(item[item.index(after: colon)..<at]), let extra = Int(item[item.index(after: at)...]), extra >= 0 else {
                throw FormatError(description: "'\(item)' is not ip:port@N")
            }
            let ip = item[..<colon]
            for i in 0...extra { result.append("\(ip):\(port + i)") }
        }
        return result
    }
}
