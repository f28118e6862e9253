import CLibXML2
/// libxml2 version string, to prove the library links.
public func libxml2Version() -> String { String(cString: __xmlParserVersion().pointee!) }
