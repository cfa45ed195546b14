#pragma once

#include <watchdog/Action.h>
#include <watchdog/Check.h>
#include <watchdog/OptionTable.h>
#include <watchdog/Sink.h>

#include <Poco/ClassLoader.h>

#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace watchdog {

/// A plugin could not be loaded; what() is one line naming the file and the reason.
class PluginError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// What `encoder-watchdog plugins` shows for one library on the path.
struct PluginInfo {
    std::string name;  ///< what `plugin:` calls it
    std::string path;
    std::string kind;  ///< "check", "action", "sink", or "" if unreadable
    int abi = 0;
    std::string problem;  ///< why it cannot be used, or ""
};

/// Finds NAME.so on the plugin path, checks its ABI version and kind before touching its manifest,
/// and creates the class it exports. Whatever a library's metadata holds (a NULL or unknown kind, no
/// ABI function, no manifest) and whatever its constructor throws becomes a PluginError naming the
/// file. Libraries stay loaded for the life of the loader, which must outlive every object it created.
class PluginLoader {
public:
    /// Searches `searchPath` in order, then the default locations.
    explicit PluginLoader(std::vector<std::string> searchPath);

    /// The build tree's plugin directory (beside the running binary) and the install directory.
    static std::vector<std::string> defaultSearchPath();

    /// Creates the check exported by NAME.so; throws PluginError (also when its constructor throws anything).
    std::unique_ptr<Check> createCheck(const std::string& name);
    /// Creates the action exported by NAME.so; throws PluginError (also when its constructor throws anything).
    std::unique_ptr<Action> createAction(const std::string& name);
    /// Creates the sink exported by NAME.so; throws PluginError (also when its constructor throws anything).
    std::unique_ptr<Sink> createSink(const std::string& name);

    /// The file NAME resolves to; throws PluginError "not found" listing where it looked.
    std::string find(const std::string& name) const;
    /// "plugin 'NAME' (FILE)", or "plugin 'NAME'" when it resolves to no file: how errors name a plugin.
    std::string describe(const std::string& name) const;
    /// The options NAME.so declares (a copy), or nullopt when it declares none; throws PluginError
    /// like the create functions when NAME cannot be loaded.
    std::optional<OptionTable> declaredOptions(const std::string& name) const;
    /// Every library on the path, first occurrence of each name.
    std::vector<PluginInfo> list() const;
    /// The directories searched, in order.
    const std::vector<std::string>& searchPath() const { return searchPath_; }

private:
    /// The file NAME resolves to, or "".
    std::string locate(const std::string& name) const;
    /// Opens the file, reads its ABI version and kind and looks for its manifest; throws PluginError.
    PluginInfo probe(const std::string& name, const std::string& path, const std::string& expectedKind) const;
    template <class Base>
    std::unique_ptr<Base> create(Poco::ClassLoader<Base>& loader, const std::string& name, const std::string& kind);

    std::vector<std::string> searchPath_;
    std::mutex mutex_;
    Poco::ClassLoader<Check> checks_;
    Poco::ClassLoader<Action> actions_;
    Poco::ClassLoader<Sink> sinks_;
};

}  // namespace watchdog
