import CLibSSH2
/// libssh2 version string, to prove the library links.
public func libssh2Version() -> String { String(cString: libssh2_version(0)) }
