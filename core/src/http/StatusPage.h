#pragma once

#include <string>

namespace watchdog {

/// The status page served at GET /: one self-contained HTML document (inline CSS, JS and SVG; no
/// external assets) that polls /status and /history and draws each check's state and recent values.
const std::string& statusPageHtml();

}  // namespace watchdog
