// A shared library with none of the plugin symbols.
extern "C" int someFunction() { return 42; }
