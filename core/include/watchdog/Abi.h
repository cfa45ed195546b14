#pragma once

// The plugin ABI version. Bump it whenever a public header under watchdog/ changes a class layout,
// a virtual function or the meaning of a field: the loader refuses plugins built against another value.
#define WATCHDOG_ABI_VERSION 4

// Plugins are built with hidden visibility (so two plugins' private symbols never collide when loaded
// into one process); the SDK's own types stay visible so exceptions and RTTI work across the boundary.
#define WATCHDOG_API __attribute__((visibility("default")))
