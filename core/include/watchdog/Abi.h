#pragma once

// The plugin ABI version. Bump it whenever a public header under watchdog/ changes a class layout,
// a virtual function or the meaning of a field: the loader refuses plugins built against another value.
#define WATCHDOG_ABI_VERSION 1
