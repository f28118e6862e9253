#if os(Linux)
import CMalloc
#endif

/// Process-wide memory settings for the command-line tool.
public enum ProcessMemory {
    /// Makes glibc's allocator serve blocks of 128 KiB and more from their own mappings, returned to the
    /// system when freed. By default glibc raises that limit each time such a block is freed, after which
    /// the large, short-lived buffers of report writing (printed ranktables, one JUnit suite's cases) come
    /// from the heap and stay resident after they are freed: about 25 MB more peak memory for a 4,096-host
    /// validation, at no gain in speed.
    public static func returnLargeBuffersPromptly() {
        #if os(Linux)
        _ = mallopt(M_MMAP_THRESHOLD, 128 * 1024)
        #endif
    }
}
