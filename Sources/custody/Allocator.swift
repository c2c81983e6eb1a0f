import CTCMalloc

/// The allocator this executable is linked with (gperftools' tcmalloc replaces glibc's malloc
/// for the whole process), as run and bench report it: figures depend on it.
enum Allocator {
    static var name: String { "tcmalloc (\(String(cString: tc_version(nil, nil, nil))))" }
}
