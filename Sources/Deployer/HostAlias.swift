import Core

/// Foundation also has `Host` and `Operation`; in this module the names mean omnisim's.
typealias Host = Core.Host
typealias Operation = Core.Operation
