#pragma once

#include <string>
#include <vector>

namespace watchdog {

/// `text` as a YAML scalar that reads back as exactly `text` after the pipeline loader's ${VAR}
/// substitution: plain when that is safe, single-quoted otherwise; '$' is written as '$$'.
std::string yamlLiteral(const std::string& text);

/// A flow list "[a, 'b c']" of literals.
std::string yamlLiteralList(const std::vector<std::string>& items);

/// A "# text" comment line (newlines in `text` become further comment lines), indented by `indent`.
std::string yamlComment(const std::string& text, int indent);

}  // namespace watchdog
